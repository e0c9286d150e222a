// Command loadserver is the Go server of the load benchmarks and the soak: net/http
// with the crypto-sessions middleware, or the same handlers without it.
//
//	loadserver -auth=true|false [-verified-cache N]
//
// Key and origin come from LOAD_SECRET_KEY and LOAD_HOST. It listens on an
// ephemeral port of 127.0.0.1, prints the port, and serves until SIGTERM.
// POST /echo answers the JSON payload it got; GET /hello answers the client's
// public key (without authentication: "hello").
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	cryptosessions "github.com/crypto-sessions/crypto-sessions/bindings/go"
)

// countingHandler counts the middleware's rejections instead of logging each:
// the soak sends bad requests in bulk on purpose.
type countingHandler struct{ n *atomic.Int64 }

func (h countingHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (h countingHandler) Handle(context.Context, slog.Record) error { h.n.Add(1); return nil }
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler        { return h }
func (h countingHandler) WithGroup(string) slog.Handler             { return h }

func authenticated(rejected *atomic.Int64, verifiedCache int) http.Handler {
	key, err := cryptosessions.ParseSecretKey(os.Getenv("LOAD_SECRET_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	limits := cryptosessions.DefaultLimits()
	if verifiedCache >= 0 {
		limits.VerifiedCache = verifiedCache
	}
	server, err := cryptosessions.NewServer(key, os.Getenv("LOAD_HOST"),
		cryptosessions.WithLogger(slog.New(countingHandler{rejected})), cryptosessions.WithLimits(limits))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || !json.Valid(body) {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		if err := cryptosessions.JSON(w, r, http.StatusOK, json.RawMessage(body)); err != nil {
			log.Print(err)
		}
	})
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		peer, _ := cryptosessions.PeerFrom(r.Context())
		if err := cryptosessions.Send(w, r, http.StatusOK, peer.PublicKey.String()); err != nil {
			log.Print(err)
		}
	})
	return server.Middleware(mux)
}

func plain() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || !json.Valid(body) {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "hello")
	})
	return mux
}

func main() {
	auth := flag.Bool("auth", true, "put the crypto-sessions middleware in front")
	verifiedCache := flag.Int("verified-cache", -1, "size of the verified-GET cache (-1: the default)")
	flag.Parse()
	var rejected atomic.Int64
	handler := plain()
	if *auth {
		handler = authenticated(&rejected, *verifiedCache)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(listener.Addr().(*net.TCPAddr).Port)
	server := &http.Server{Handler: handler}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
		<-stop
		fmt.Fprintf(os.Stderr, "go server: %d requests rejected\n", rejected.Load())
		_ = server.Close()
	}()
	if err := server.Serve(listener); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
