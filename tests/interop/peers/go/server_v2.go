package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"

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
	return listenAndServe(server.Middleware(routesV2()), hex.EncodeToString(key.PublicKey().XOnly()), fail)
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
