package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// listenAndServe is the start-up both contracts' servers share: listen on
// 127.0.0.1:$PORT (0: ephemeral), print one line {"port", "pubkey"} on stdout,
// serve handler, and stop cleanly on SIGTERM. It returns the exit status; errors go
// through fail.
func listenAndServe(handler http.Handler, pubkey string, fail func(error) int) int {
	port := os.Getenv("PORT")
	if port == "" {
		port = "0"
	}
	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return fail(err)
	}
	httpServer := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	line, _ := json.Marshal(map[string]any{"port": listener.Addr().(*net.TCPAddr).Port, "pubkey": pubkey})
	fmt.Println(string(line))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- httpServer.Serve(listener) }()
	select {
	case err := <-done:
		return fail(err)
	case <-stop:
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := httpServer.Shutdown(ctx); err != nil {
			return fail(err)
		}
		return 0
	}
}
