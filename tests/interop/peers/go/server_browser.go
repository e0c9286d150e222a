package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	cryptosessions "github.com/crypto-sessions/crypto-sessions/bindings/go"
)

// serveBrowser runs the Go server of the Chromium test (bindings/node/test/wasm/
// browser.test.mjs): NewV2Server with v1 accepted, behind CORS for one page origin
// (the first argument), as the spec's "Browsers" section asks: the middleware lets
// preflights through unauthenticated with the core's allowed headers and exposes the
// core's headers for a server accepting v1 on every answer (Authorization among
// them, where a v1 answer travels); this wrapper adds the page's origin.
// CRYPTO_SESSION_KEY is the key; the origin clients sign is the listener's own. One line {"origin", "pubkey"} on
// stdout once it listens; it stops when its stdin closes (the test ends).
func serveBrowser(args []string) int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "go-peer server-browser:", err)
		return 1
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: go-peer server-browser <page origin>")
		return 2
	}
	pageOrigin := args[0]
	key, err := cryptosessions.ParseSecretKey(os.Getenv("CRYPTO_SESSION_KEY"))
	if err != nil {
		return fail(fmt.Errorf("CRYPTO_SESSION_KEY: %w", err))
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	origin := "http://" + listener.Addr().String()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	server, err := cryptosessions.NewV2Server(cryptosessions.WithKeys(key), cryptosessions.WithOrigins(origin),
		cryptosessions.WithAcceptV1(true), cryptosessions.WithV2Logger(logger))
	if err != nil {
		return fail(err)
	}
	defer server.Close()
	handler := allowPage(pageOrigin, server.Middleware(browserRoutes()))
	httpServer := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	line, _ := json.Marshal(map[string]any{"origin": origin, "pubkey": key.PublicKey().String()})
	fmt.Println(string(line))

	done := make(chan error, 1)
	go func() { done <- httpServer.Serve(listener) }()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = httpServer.Close()
	}()
	if err := <-done; err != http.ErrServerClosed {
		return fail(err)
	}
	return 0
}

// browserRoutes answer {"version", "method", "got"} (the request's JSON payload or
// null), as the test's other servers do.
func browserRoutes() http.Handler {
	answer := func(w http.ResponseWriter, r *http.Request) {
		req, _ := cryptosessions.V2RequestFrom(r.Context())
		body, _ := io.ReadAll(r.Body)
		var got any
		if len(body) > 0 {
			if err := json.Unmarshal(body, &got); err != nil {
				http.Error(w, "not JSON", http.StatusBadRequest)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"version": req.Version, "method": r.Method, "got": got})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{item}", answer)
	mux.HandleFunc("POST /items", answer)
	// The preflight, which the middleware passes on unauthenticated.
	mux.HandleFunc("OPTIONS /", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// allowPage lets the page's origin read every answer: Access-Control-Allow-Origin.
func allowPage(pageOrigin string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", pageOrigin)
		w.Header().Set("Vary", "Origin")
		next.ServeHTTP(w, r)
	})
}
