// Command go-peer is the Go package's interop peer (tests/interop/README.md has
// the contract):
//
//	go-peer server   net/http with the package's middleware and its Send/JSON answers
//	go-peer client   one request with http.Client over the package's RoundTripper (v1)
//	go-peer server-v2   protocol v2: NewV2Server's middleware, settings from the environment
//	go-peer client-v2 --key HEX   protocol v2: JSON requests on stdin, results on stdout
//	go-peer server-browser ORIGIN   v1 and v2 with CORS for a page (the Chromium test)
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go-peer server | go-peer client --server-key HEX --key HEX --url URL [--method M] [--json JSON | --data TEXT]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "server":
		os.Exit(serve())
	case "client":
		os.Exit(request(os.Args[2:]))
	case "server-v2":
		os.Exit(serveV2())
	case "client-v2":
		os.Exit(clientV2(os.Args[2:]))
	case "server-browser":
		os.Exit(serveBrowser(os.Args[2:]))
	default:
		fmt.Fprintf(os.Stderr, "go-peer: unknown mode %q (server, client, server-v2, client-v2 or server-browser)\n", os.Args[1])
		os.Exit(2)
	}
}
