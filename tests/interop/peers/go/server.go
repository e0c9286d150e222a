package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	cryptosessions "github.com/crypto-sessions/crypto-sessions/bindings/go"
)

// serve runs the contract's server: CRYPTO_SESSION_KEY, CRYPTO_SESSION_HOST and
// PORT from the environment, one line {"port", "pubkey"} on stdout once it
// listens, rejections logged on stderr, a clean stop on SIGTERM.
func serve() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "go-peer server:", err)
		return 1
	}
	key, err := cryptosessions.ParseSecretKey(os.Getenv("CRYPTO_SESSION_KEY"))
	if err != nil {
		return fail(fmt.Errorf("CRYPTO_SESSION_KEY: %w", err))
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	server, err := cryptosessions.NewServer(key, os.Getenv("CRYPTO_SESSION_HOST"), cryptosessions.WithLogger(logger))
	if err != nil {
		return fail(err)
	}
	defer server.Close()
	return listenAndServe(server.Middleware(routes(logger)), server.PublicKey().String(), fail)
}

// routes are the contract's routes; the middleware has authenticated every
// request before they run, and r.Body is the decrypted payload.
func routes(logger *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	answered := func(err error) {
		if err != nil {
			logger.Error("go-peer: could not answer", "err", err)
		}
	}
	mux.HandleFunc("GET /text", func(w http.ResponseWriter, r *http.Request) {
		answered(cryptosessions.Send(w, r, http.StatusOK, r.URL.Query().Get("msg")))
	})
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		query := map[string]string{}
		for name := range r.URL.Query() {
			query[name] = r.URL.Query().Get(name)
		}
		answered(cryptosessions.JSON(w, r, http.StatusOK, query))
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		peer, _ := cryptosessions.PeerFrom(r.Context())
		// The payload as the reference revives it: a JSON value, or else text.
		value, err := cryptosessions.Revive(peer.Payload)
		if err != nil {
			answered(err)
			return
		}
		// A revived string goes back as text (send), any other value as JSON.
		// (Unmarshal of JSON null into a string succeeds, so test the kind first.)
		var text string
		if value[0] == '"' && json.Unmarshal(value, &text) == nil {
			answered(cryptosessions.Send(w, r, http.StatusOK, text))
			return
		}
		answered(cryptosessions.JSON(w, r, http.StatusOK, value))
	})
	mux.HandleFunc("POST /nobody", func(w http.ResponseWriter, r *http.Request) {
		peer, _ := cryptosessions.PeerFrom(r.Context())
		answered(cryptosessions.SendBytes(w, r, http.StatusOK, peer.Payload))
	})
	// What the router served: the edge tests compare it with what was signed.
	mux.HandleFunc("GET /r/", func(w http.ResponseWriter, r *http.Request) {
		answered(cryptosessions.JSON(w, r, http.StatusOK, map[string]string{"path": r.URL.Path, "query": r.URL.RawQuery}))
	})
	mux.HandleFunc("GET /teapot", func(w http.ResponseWriter, r *http.Request) {
		answered(cryptosessions.Send(w, r, http.StatusTeapot, "teapot"))
	})
	return mux
}
