package cryptosessions

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
)

// The reference vectors (tests/vectors/), through the Go API. CRYPTO_SESSIONS_VECTORS
// runs another file of the same format; a missing file or an empty section fails,
// never skips. The cipher section (AES with a chosen IV) has no Go entry point by
// design and is run by the core's tests.

type object map[string]json.RawMessage

func loadVectors(t *testing.T) object {
	t.Helper()
	path := os.Getenv("CRYPTO_SESSIONS_VECTORS")
	if path == "" {
		path = "../../tests/vectors/reference-1.1.10.json"
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cannot read vectors %s: %v", path, err)
	}
	var all object
	if err := json.Unmarshal(text, &all); err != nil {
		t.Fatalf("vectors %s are not a JSON object: %v", path, err)
	}
	return all
}

func section(t *testing.T, parent object, name string) []object {
	t.Helper()
	var items []object
	if raw, ok := parent[name]; !ok || json.Unmarshal(raw, &items) != nil || len(items) == 0 {
		t.Fatalf("vector section %q is missing or empty", name)
	}
	return items
}

func (o object) str(t *testing.T, key string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(o[key], &s); err != nil {
		t.Fatalf("field %q is missing or not a string", key)
	}
	return s
}

func (o object) obj(t *testing.T, key string) object {
	t.Helper()
	var v object
	if err := json.Unmarshal(o[key], &v); err != nil {
		t.Fatalf("field %q is not an object", key)
	}
	return v
}

func (o object) hex(t *testing.T, key string) []byte {
	t.Helper()
	b, err := hex.DecodeString(o.str(t, key))
	if err != nil {
		t.Fatalf("field %q is not hex", key)
	}
	return b
}

func (o object) isNull(key string) bool {
	raw, ok := o[key]
	return !ok || string(raw) == "null"
}

func secret(t *testing.T, text string) *SecretKey {
	t.Helper()
	k, err := ParseSecretKey(text)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func public(t *testing.T, text string) PublicKey {
	t.Helper()
	k, err := ParsePublicKey(text)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func session(t *testing.T, peer PublicKey, me *SecretKey) *Session {
	t.Helper()
	s, err := NewSession(peer, me)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// compact is the protocol's JSON form of a JSON value of the file.
func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	b, err := CompactJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func revived(t *testing.T, payload []byte) string {
	t.Helper()
	b, err := Revive(payload)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVectorsKeys(t *testing.T) {
	for i, v := range section(t, loadVectors(t), "keys") {
		k := secret(t, v.str(t, "secret"))
		if got := k.PublicKey().String(); got != v.str(t, "pubkey") {
			t.Errorf("keys[%d]: %s", i, got)
		}
		raw, err := SecretKeyFromBytes(v.hex(t, "secret"))
		if err != nil || !bytes.Equal(raw.Bytes(), k.Bytes()) || !bytes.Equal(k.Bytes(), v.hex(t, "secret")) {
			t.Errorf("keys[%d]: raw and hex forms differ (%v)", i, err)
		}
	}
}

func TestVectorsECDH(t *testing.T) {
	for i, v := range section(t, loadVectors(t), "ecdh") {
		s := session(t, public(t, v.str(t, "peer_pubkey")), secret(t, v.str(t, "secret")))
		shared, err := s.SharedSecret()
		if err != nil || hex.EncodeToString(shared) != v.str(t, "aes_key") {
			t.Errorf("ecdh[%d]: %x %v", i, shared, err)
		}
	}
}

func TestVectorsSign(t *testing.T) {
	for i, v := range section(t, loadVectors(t), "sign") {
		k := secret(t, v.str(t, "secret"))
		s := session(t, k.PublicKey(), k)
		var payload []byte
		switch kind := v.str(t, "payload_kind"); kind {
		case "string":
			payload = []byte(v.str(t, "payload"))
		case "json":
			payload = []byte(compact(t, v["payload"]))
		default:
			t.Fatalf("sign[%d]: unknown payload_kind %s", i, kind)
		}
		serialized := v.hex(t, "serialized_hex")
		if !bytes.Equal(payload, serialized) {
			t.Errorf("sign[%d]: serialization %q", i, payload)
		}
		token, err := s.Sign(serialized)
		if err != nil || token != v.str(t, "token") {
			t.Errorf("sign[%d]: token %s %v", i, token, err)
		}
		if err := s.Verify(v.str(t, "token"), serialized); err != nil {
			t.Errorf("sign[%d]: the reference's token: %v", i, err)
		}
	}
}

func TestVectorsSession(t *testing.T) {
	for i, v := range section(t, loadVectors(t), "session") {
		receiverKey := secret(t, v.str(t, "receiver_secret"))
		receiver := session(t, public(t, v.str(t, "sender_pubkey")), receiverKey)
		if receiver.PublicKey().String() != v.str(t, "receiver_pubkey") {
			t.Errorf("session[%d]: receiver key", i)
		}
		got, err := receiver.Decode(v.str(t, "token"), v.str(t, "data"))
		if err != nil {
			t.Fatalf("session[%d]: %v", i, err)
		}
		if revived(t, got) != compact(t, v["decoded"]) {
			t.Errorf("session[%d]: decoded %s", i, revived(t, got))
		}
		payload, valid, err := receiver.DecodeUnchecked(v.str(t, "token"), v.str(t, "data"))
		if err != nil || !bytes.Equal(payload, got) || valid != (string(v["is_valid"]) == "true") {
			t.Errorf("session[%d]: unchecked %v %v", i, valid, err)
		}
		mirror := session(t, receiverKey.PublicKey(), secret(t, v.str(t, "sender_secret")))
		token, data, err := mirror.Encode(got)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := receiver.Decode(token, data); err != nil || !bytes.Equal(back, got) {
			t.Errorf("session[%d]: mirror %v", i, err)
		}
	}
}

// category is the reference's outcome for a strict decode error.
func category(err error) string {
	switch {
	case err == nil:
		return "valid"
	case errors.Is(err, ErrMalformedInput):
		return "malformed_input"
	case errors.Is(err, ErrDecryptFailed):
		return "decrypt_error"
	case errors.Is(err, ErrInvalidSignature), errors.Is(err, ErrWrongPeer):
		return "invalid_signature"
	}
	return "unexpected: " + err.Error()
}

func TestVectorsNegative(t *testing.T) {
	for _, v := range section(t, loadVectors(t), "negative") {
		name, want := v.str(t, "name"), v.str(t, "reference_outcome")
		s := session(t, public(t, v.str(t, "sender_pubkey")), secret(t, v.str(t, "receiver_secret")))
		_, err := s.Decode(v.str(t, "token"), v.str(t, "data"))
		if got := category(err); got != want {
			t.Errorf("%s: got %s (%v), want %s", name, got, err, want)
		}
		_, valid, err := s.DecodeUnchecked(v.str(t, "token"), v.str(t, "data"))
		switch want {
		case "valid":
			if err != nil || !valid {
				t.Errorf("%s: unchecked %v %v", name, valid, err)
			}
		case "invalid_signature":
			if err != nil || valid {
				t.Errorf("%s: unchecked %v %v", name, valid, err)
			}
		default:
			if category(err) != want {
				t.Errorf("%s: unchecked %v", name, err)
			}
		}
	}
}

// TestVectorsHTTP replays the captured exchanges against a real server running
// the middleware (configured with the reference's host), and checks that the
// answers we seal and the requests the Transport sends carry the reference's
// deterministic tokens.
func TestVectorsHTTP(t *testing.T) {
	h := loadVectors(t).obj(t, "http")
	host := h.str(t, "host")
	server, err := NewServer(secret(t, h.str(t, "server_secret")), host, WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if server.PublicKey().String() != h.str(t, "server_pubkey") {
		t.Fatalf("server key %s", server.PublicKey())
	}

	// The handler answers what the test puts in `answer`, and records what it saw.
	var mu sync.Mutex
	var answer []byte
	type sighting struct {
		method, authorization, contentType string
		peer                               PublicKey
		payload                            []byte
	}
	var seen sighting
	ts := httptest.NewServer(server.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		peer, _ := PeerFrom(r.Context())
		body, _ := io.ReadAll(r.Body)
		if !bytes.Equal(body, peer.Payload) {
			t.Errorf("the handler's body is not the decrypted payload")
		}
		seen = sighting{r.Method, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), peer.PublicKey, peer.Payload}
		if err := SendBytes(w, r, http.StatusOK, answer); err != nil {
			t.Error(err)
		}
	})))
	defer ts.Close()
	last := func() sighting {
		mu.Lock()
		defer mu.Unlock()
		return seen
	}

	for i, x := range section(t, h, "exchanges") {
		clientKey := secret(t, x.str(t, "client_secret"))
		url, path := x.str(t, "url"), x.str(t, "path")
		headers := x.obj(t, "request_headers")
		if !strings.HasPrefix(url, host) {
			t.Fatalf("http[%d]: url %s", i, url)
		}

		// The reference's answer opens on our client, to what the reference decoded.
		client, err := NewClient(server.PublicKey(), clientKey, host)
		if err != nil {
			t.Fatal(err)
		}
		opened, err := client.Open(200, x.str(t, "response_authorization"), []byte(x.str(t, "response_body")))
		client.Close()
		if err != nil || revived(t, opened) != compact(t, x["client_decoded"]) {
			t.Fatalf("http[%d]: open %q %v", i, opened, err)
		}
		mu.Lock()
		answer = opened
		mu.Unlock()

		// The captured request, sent as is to our server, passes; our answer carries
		// the reference server's token.
		var body io.Reader
		if !x.isNull("request_body") {
			body = strings.NewReader(x.str(t, "request_body"))
		}
		req, _ := http.NewRequest(x.str(t, "method"), ts.URL+path, body)
		for name := range headers {
			req.Header.Set(name, headers.str(t, name))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Authorization") != x.str(t, "response_authorization") {
			t.Errorf("http[%d]: status %d, answer token %s", i, resp.StatusCode, resp.Header.Get("Authorization"))
		}
		theirs := last()
		if theirs.peer != clientKey.PublicKey() || theirs.method != x.str(t, "method") {
			t.Errorf("http[%d]: peer %s, method %s", i, theirs.peer, theirs.method)
		}

		// The Transport, signing for the reference's host, sends the same token for a
		// GET (signatures are deterministic) and a POST the server decrypts; it opens
		// our answer to the same payload.
		transport, err := NewTransportV1(server.PublicKey(), clientKey)
		if err != nil {
			t.Fatal(err)
		}
		transport.Origin = host
		var options object
		_ = json.Unmarshal(x["options"], &options)
		method := "GET"
		if !options.isNull("method") {
			method = options.str(t, "method")
		}
		var payload io.Reader
		if !options.isNull("body") {
			var text string
			if json.Unmarshal(options["body"], &text) != nil {
				text = compact(t, options["body"])
			}
			payload = strings.NewReader(text)
		}
		req, _ = http.NewRequest(method, ts.URL+path, payload)
		resp, err = (&http.Client{Transport: transport}).Do(req)
		transport.Close()
		if err != nil {
			t.Fatalf("http[%d]: transport: %v", i, err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !bytes.Equal(got, opened) {
			t.Errorf("http[%d]: transport answer %q", i, got)
		}
		ours := last()
		if ours.method != x.str(t, "method") || ours.peer != clientKey.PublicKey() {
			t.Errorf("http[%d]: method %s, peer %s", i, ours.method, ours.peer)
		}
		if method == "GET" && ours.authorization != headers.str(t, "authorization") {
			t.Errorf("http[%d]: GET token %s", i, ours.authorization)
		}
		if !bytes.Equal(ours.payload, theirs.payload) {
			t.Errorf("http[%d]: payload %q, the reference's %q", i, ours.payload, theirs.payload)
		}
		wantType := ""
		if _, ok := headers["content-type"]; ok {
			wantType = headers.str(t, "content-type")
		}
		if ours.contentType != wantType {
			t.Errorf("http[%d]: content-type %q", i, ours.contentType)
		}
	}
}
