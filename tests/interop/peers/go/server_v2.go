package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cryptosessions "github.com/crypto-sessions/crypto-sessions/bindings/go"
)

// serveV2 runs the v2 contract's server (tests/interop/README.md, "The v2 peer
// contract"): NewV2Server with every setting from the environment (the core reads
// CRYPTO_SESSION_KEY, _HOST, _MAX_AGE, _MAX_SKEW...), v2 only, one line
// {"port", "pubkey" (x-only)} on stdout, each rejection logged on stderr with its
// WWW-Authenticate code, a clean stop on SIGTERM.
func serveV2() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "go-peer server-v2:", err)
		return 1
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	server, err := cryptosessions.NewV2Server(cryptosessions.WithAcceptV1(false), cryptosessions.WithV2Logger(logger))
	if err != nil {
		return fail(err)
	}
	defer server.Close()
	key, err := cryptosessions.ParseSecretKey(os.Getenv("CRYPTO_SESSION_KEY"))
	if err != nil {
		return fail(fmt.Errorf("CRYPTO_SESSION_KEY: %w", err))
	}

	port := os.Getenv("PORT")
	if port == "" {
		port = "0"
	}
	listener, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return fail(err)
	}
	httpServer := &http.Server{Handler: server.Middleware(routesV2()), ReadHeaderTimeout: 10 * time.Second}
	line, _ := json.Marshal(map[string]any{"port": listener.Addr().(*net.TCPAddr).Port,
		"pubkey": hex.EncodeToString(key.PublicKey().XOnly())})
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

// routesV2 are the v2 contract's routes, for every method; the middleware seals
// what they write.
func routesV2() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/inspect", func(w http.ResponseWriter, r *http.Request) {
		req, _ := cryptosessions.V2RequestFrom(r.Context())
		payload, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method":       r.Method,
			"content_type": r.Header.Get("Content-Type"),
			"payload_hex":  hex.EncodeToString(payload),
			"version":      req.Version,
			"client":       hex.EncodeToString(req.ClientKey),
		})
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error":"not found"}`)
	})
	return mux
}
