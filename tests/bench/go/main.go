// Command backendbench times the Go package's protocol steps on the C library it
// was linked with (k256 or libsecp256k1: tests/bench/backends.py builds one binary
// for each and compares them). It prints one JSON object: the backend's name and,
// per step, the median ns/op of -rounds timed batches.
//
//	backendbench -name k256 [-rounds 5] [-batch 2000]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
	"time"

	cryptosessions "github.com/crypto-sessions/crypto-sessions/bindings/go"
)

const origin = "http://127.0.0.1:8080"

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

// median ns/op of rounds batches of n calls of f.
func timeIt(rounds, n int, f func(i int)) float64 {
	per := make([]float64, rounds)
	for r := range per {
		start := time.Now()
		for i := 0; i < n; i++ {
			f(i)
		}
		per[r] = float64(time.Since(start).Nanoseconds()) / float64(n)
	}
	sort.Float64s(per)
	return per[rounds/2]
}

func main() {
	name := flag.String("name", "", "the backend's name, printed back")
	rounds := flag.Int("rounds", 5, "timed batches per step (the median is printed)")
	batch := flag.Int("batch", 2000, "calls per batch")
	flag.Parse()

	serverKey := must(cryptosessions.GenerateSecretKey())
	clientKey := must(cryptosessions.GenerateSecretKey())
	// No verified-GET cache: every GET is a signature check, as with fresh tokens.
	limits := cryptosessions.DefaultLimits()
	limits.VerifiedCache = 0
	server := must(cryptosessions.NewServer(serverKey, origin, cryptosessions.WithLimits(limits)))
	client := must(cryptosessions.NewClient(serverKey.PublicKey(), clientKey, origin))
	session := must(cryptosessions.NewSession(serverKey.PublicKey(), clientKey))
	serverSide := must(cryptosessions.NewSession(clientKey.PublicKey(), serverKey))

	get := must(client.Prepare("GET", "/items?page=1", nil))
	getTarget := strings.TrimPrefix(get.URL, origin)
	payload := []byte(`{"data":"` + strings.Repeat("x", 1000) + `"}`)
	post := must(client.Prepare("POST", "/echo", payload))
	postTarget := strings.TrimPrefix(post.URL, origin)
	message := []byte("a message of about thirty-two b.")
	token := must(session.Sign(message))
	answer := must(server.Authenticate("POST", postTarget, post.Authorization, post.Body))
	sealed := must(answer.Seal(200, []byte("pong")))

	check := func(err error) {
		if err != nil {
			log.Fatal(err)
		}
	}
	steps := map[string]float64{}
	steps["client: sign a GET (Client.Prepare)"] = timeIt(*rounds, *batch, func(int) {
		must(client.Prepare("GET", "/items?page=1", nil))
	})
	steps["server: GET authenticate (a signature check)"] = timeIt(*rounds, *batch, func(int) {
		p := must(server.Authenticate("GET", getTarget, get.Authorization, nil))
		check(p.Close())
	})
	steps["server: POST authenticate, 1 KiB, known peer"] = timeIt(*rounds, *batch, func(int) {
		p := must(server.Authenticate("POST", postTarget, post.Authorization, post.Body))
		check(p.Close())
	})
	steps["client: open a sealed answer"] = timeIt(*rounds, *batch, func(int) {
		must(client.Open(sealed.Status, sealed.Authorization, []byte(sealed.Body)))
	})
	steps["session: verify a token (Session.Verify)"] = timeIt(*rounds, *batch, func(int) {
		check(serverSide.Verify(token, message))
	})
	steps["session: new (ECDH)"] = timeIt(*rounds, *batch/4, func(int) {
		s := must(cryptosessions.NewSession(serverKey.PublicKey(), clientKey))
		check(s.Close())
	})
	out := map[string]any{"name": *name, "version": cryptosessions.Version(), "ns_per_op": steps}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
