package cryptosessions_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	cryptosessions "github.com/crypto-sessions/crypto-sessions/bindings/go"
)

// A server behind the middleware and a client whose http.Client speaks the protocol.
func Example() {
	serverKey, _ := cryptosessions.GenerateSecretKey()
	clientKey, _ := cryptosessions.GenerateSecretKey()

	// The server: its key and the origin clients sign.
	ts := httptest.NewUnstartedServer(nil)
	server, _ := cryptosessions.NewServer(serverKey, "http://"+ts.Listener.Addr().String())
	defer server.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		_ = cryptosessions.Send(w, r, http.StatusOK, "hello "+r.URL.Query().Get("name"))
	})
	mux.HandleFunc("POST /sum", func(w http.ResponseWriter, r *http.Request) {
		peer, _ := cryptosessions.PeerFrom(r.Context()) // who sent it, proven by signature
		var in struct{ A, B int }
		_ = jsonDecode(r.Body, &in) // the body is the decrypted payload
		_ = cryptosessions.JSON(w, r, http.StatusOK, map[string]any{"sum": in.A + in.B, "known": peer != nil})
	})
	ts.Config.Handler = server.Middleware(mux)
	ts.Start()
	defer ts.Close()

	// The client: the server's public key and our secret key.
	transport, _ := cryptosessions.NewTransportV1(server.PublicKey(), clientKey)
	defer transport.Close()
	client := &http.Client{Transport: transport}

	resp, _ := client.Get(ts.URL + "/hello?name=alice")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	resp, _ = client.Post(ts.URL+"/sum", "application/json", strings.NewReader(`{"A":2,"B":40}`))
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	// Anything unsigned is refused: 401, empty body.
	resp, _ = http.Get(ts.URL + "/hello?name=mallory")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("%d %q\n", resp.StatusCode, body)
	// Output:
	// 200 hello alice
	// 200 {"known":true,"sum":42}
	// 401 ""
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
