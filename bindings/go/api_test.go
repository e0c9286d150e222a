package cryptosessions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestKindsMapOneToOne(t *testing.T) {
	sentinels := []error{ErrMalformedInput, ErrInvalidKey, ErrDecryptFailed, ErrInvalidSignature,
		ErrWrongPeer, ErrTooLarge, ErrUnsupportedMethod, ErrHTTPStatus}
	v2 := []error{ErrV2Malformed, ErrV2UnknownKey, ErrV2Stale, ErrV2InvalidSignature, ErrV2Replayed,
		ErrV2Forbidden, ErrV2InvalidBody, ErrV2TooLarge, ErrV2Busy, ErrV2InvalidAnswer, ErrV2Rejected}
	if len(kinds) != len(sentinels)+len(v2) {
		t.Fatalf("%d kinds for %d sentinels", len(kinds), len(sentinels)+len(v2))
	}
	for i, s := range v2 {
		code := uint32(200 + i) // the C ABI's v2 outcomes
		if kinds[code] != s || !errors.Is(newError(code, ""), s) {
			t.Errorf("code %d maps to %v, want %v", code, kinds[code], s)
		}
	}
	for i, s := range sentinels {
		code := uint32(i + 1) // the core's numbers
		if kinds[code] != s {
			t.Errorf("code %d maps to %v, want %v", code, kinds[code], s)
		}
		err := newError(code, "detail")
		if !errors.Is(err, s) || err.Error() != "crypto-sessions: detail" {
			t.Errorf("code %d: %v", code, err)
		}
		for j, other := range sentinels {
			if j != i && errors.Is(err, other) {
				t.Errorf("code %d also is %v", code, other)
			}
		}
	}
	if !strings.Contains(ErrWrongPeer.Error(), "signed by an unexpected key") {
		t.Errorf("sentinel message %q", ErrWrongPeer)
	}
	for _, code := range []uint32{100, 104, 9999} {
		if !errors.Is(newError(code, ""), ErrInternal) {
			t.Errorf("code %d is not internal", code)
		}
	}
}

func TestKeys(t *testing.T) {
	a, err := GenerateSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GenerateSecretKey()
	if bytes.Equal(a.Bytes(), b.Bytes()) || a.PublicKey() == b.PublicKey() {
		t.Fatal("two generated keys are equal")
	}
	again, err := SecretKeyFromBytes(a.Bytes())
	if err != nil || again.PublicKey() != a.PublicKey() {
		t.Fatalf("raw round trip: %v", err)
	}
	// The generator point, compressed and uncompressed.
	g, err := ParsePublicKey("0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" +
		"483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
	if err != nil || g.String() != "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798" {
		t.Fatalf("uncompressed: %v %v", g, err)
	}
	one, _ := ParseSecretKey(strings.Repeat("0", 63) + "1")
	if one.PublicKey() != g {
		t.Fatal("1·G is not G")
	}
	var decoded struct{ Key PublicKey }
	if err := json.Unmarshal([]byte(`{"Key":"`+g.String()+`"}`), &decoded); err != nil || decoded.Key != g {
		t.Fatalf("text unmarshal: %v", err)
	}
	for _, bad := range []string{"", "02", strings.Repeat("0", 64), "zz" + strings.Repeat("1", 62)} {
		if _, err := ParseSecretKey(bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("secret %q: %v", bad, err)
		}
	}
	if _, err := ParsePublicKey("05" + strings.Repeat("11", 32)); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("bad prefix: %v", err)
	}
}

func TestSecretKeysNeverPrint(t *testing.T) {
	k, _ := GenerateSecretKey()
	secretHex := fmt.Sprintf("%x", k.Bytes())
	wrapped := struct{ K *SecretKey }{k}
	for _, shown := range []string{
		fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s %q %x %X", k, k, k, k, k, k, k),
		fmt.Sprintf("%v %+v %#v", wrapped, wrapped, wrapped), k.String(),
	} {
		if strings.Contains(strings.ToLower(shown), secretHex) {
			t.Fatalf("the secret shows in %q", shown)
		}
		if !strings.Contains(shown, k.PublicKey().String()) {
			t.Errorf("the public key does not show in %q", shown)
		}
	}
	if out, _ := json.Marshal(wrapped); strings.Contains(string(out), secretHex) {
		t.Fatalf("the secret shows in JSON %s", out)
	}
}

func pair(t *testing.T) (*Session, *Session) {
	a, _ := GenerateSecretKey()
	b, _ := GenerateSecretKey()
	return session(t, b.PublicKey(), a), session(t, a.PublicKey(), b)
}

func TestSessionRoundTrips(t *testing.T) {
	toB, fromA := pair(t)
	for _, payload := range [][]byte{nil, {}, []byte("hello"), {0, 1, 2, 0xff, 0}, bytes.Repeat([]byte("x"), 5000)} {
		token, data, err := toB.Encode(payload)
		if err != nil {
			t.Fatal(err)
		}
		got, err := fromA.Decode(token, data)
		if err != nil || !bytes.Equal(got, payload) || got == nil {
			t.Fatalf("%q: %q %v", payload, got, err)
		}
		// The sender cannot pass its own message off as the peer's.
		if _, err := toB.Decode(token, data); !errors.Is(err, ErrWrongPeer) {
			t.Errorf("own message: %v", err)
		}
		got, valid, err := toB.DecodeUnchecked(token, data)
		if err != nil || valid || !bytes.Equal(got, payload) {
			t.Errorf("unchecked: %v %v", valid, err)
		}
	}
	sig, err := toB.Sign([]byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	if err := fromA.Verify(sig, []byte("m")); err != nil {
		t.Errorf("verify: %v", err)
	}
	if err := fromA.Verify(sig, []byte("n")); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("verify other message: %v", err)
	}
	if err := fromA.Verify("!!", []byte("m")); !errors.Is(err, ErrMalformedInput) {
		t.Errorf("verify garbage: %v", err)
	}
	s1, _ := toB.SharedSecret()
	s2, _ := fromA.SharedSecret()
	if !bytes.Equal(s1, s2) || len(s1) != 32 {
		t.Errorf("shared secrets differ")
	}
	if toB.Peer() != fromA.PublicKey() || fromA.Peer() != toB.PublicKey() {
		t.Errorf("keys")
	}
}

func TestClosedHandlesFail(t *testing.T) {
	s, _ := pair(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal("a second Close must be a no-op")
	}
	if _, _, err := s.Encode([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("Encode after Close: %v", err)
	}
	k, _ := GenerateSecretKey()
	srv, _ := NewServer(k, "http://h")
	srv.Close()
	if _, err := srv.Authenticate("GET", "/", "t", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Authenticate after Close: %v", err)
	}
	c, _ := NewClient(k.PublicKey(), k, "")
	c.Close()
	if _, err := c.Prepare("GET", "/", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Prepare after Close: %v", err)
	}
}

func TestClientErrors(t *testing.T) {
	server, _ := GenerateSecretKey()
	me, _ := GenerateSecretKey()
	c, err := NewClient(server.PublicKey(), me, "http://h")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Prepare("DELETE", "/", nil); !errors.Is(err, ErrUnsupportedMethod) {
		t.Errorf("DELETE: %v", err)
	}
	if _, err := c.Prepare("GET", "/", []byte("body")); !errors.Is(err, ErrMalformedInput) {
		t.Errorf("GET with a body: %v", err)
	}
	_, err = c.Open(503, "token", []byte("body"))
	var e *Error
	if !errors.Is(err, ErrHTTPStatus) || !errors.As(err, &e) || e.Status != 503 || !strings.Contains(e.Detail, "503") {
		t.Errorf("503: %#v", err)
	}
	if _, err := c.Open(200, "", []byte("body")); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("unsigned: %v", err)
	}
	// POST without a body signs the URL; with an empty body, the empty payload.
	srv, _ := NewServer(server, "http://h")
	defer srv.Close()
	for body, want := range map[string][]byte{"nil": nil, "empty": {}} {
		var b []byte
		if body == "empty" {
			b = []byte{}
		}
		req, err := c.Prepare("POST", "/p", b)
		if err != nil {
			t.Fatal(err)
		}
		peer, err := srv.Authenticate("POST", "/p", req.Authorization, req.Body)
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = []byte("http://h/p")
		}
		if !bytes.Equal(peer.Payload, want) {
			t.Errorf("%s body: payload %q", body, peer.Payload)
		}
		peer.Close()
	}
}

func TestPayloadRules(t *testing.T) {
	got, err := CompactJSON([]byte(`{ "b" : 1, "a" : "\u00fc\u2028<" }`))
	if err != nil || string(got) != "{\"b\":1,\"a\":\"ü\u2028<\"}" {
		t.Errorf("CompactJSON: %s %v", got, err)
	}
	if _, err := CompactJSON([]byte("{")); !errors.Is(err, ErrMalformedInput) {
		t.Errorf("bad JSON: %v", err)
	}
	for in, want := range map[string]string{"42": "42", "hello": `"hello"`, "": `""`, `{"a":1}`: `{"a":1}`} {
		if got, err := Revive([]byte(in)); err != nil || string(got) != want {
			t.Errorf("Revive(%q) = %s %v", in, got, err)
		}
	}
	if v := Version(); !strings.Contains(v, ".") || ABIVersion() != 1 {
		t.Errorf("version %q, ABI %d", v, ABIVersion())
	}
}

func TestOneSessionManyGoroutines(t *testing.T) {
	toB, fromA := pair(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				msg := []byte(fmt.Sprintf("%d/%d", g, i))
				token, data, err := toB.Encode(msg)
				if err != nil {
					t.Error(err)
					return
				}
				if got, err := fromA.Decode(token, data); err != nil || !bytes.Equal(got, msg) {
					t.Error(got, err)
					return
				}
			}
		}(g)
	}
	// Closing while others may still run is safe: they get ErrClosed, never a crash.
	wg.Wait()
}
