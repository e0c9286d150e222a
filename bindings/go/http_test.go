package cryptosessions

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// lockedBuffer is a log destination shared by the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is a real HTTP server on 127.0.0.1 (ephemeral port) whose routes sit
// behind the middleware; the Server signs for the listener's own origin.
type testServer struct {
	*httptest.Server
	srv     *Server
	key     *SecretKey
	log     *lockedBuffer
	reached atomic.Int64 // requests that got past the middleware
}

func newTestServer(t *testing.T, routes *http.ServeMux, opts ...ServerOption) *testServer {
	t.Helper()
	key, err := GenerateSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: httptest.NewUnstartedServer(nil), key: key, log: &lockedBuffer{}}
	logger := slog.New(slog.NewTextHandler(ts.log, nil))
	ts.srv, err = NewServer(key, "http://"+ts.Listener.Addr().String(), append([]ServerOption{WithLogger(logger)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = ts.srv.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.reached.Add(1)
		routes.ServeHTTP(w, r)
	}))
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		ts.srv.Close()
	})
	return ts
}

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		_ = Send(w, r, http.StatusOK, "hello "+r.URL.Query().Get("name"))
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		peer, _ := PeerFrom(r.Context())
		var in map[string]any
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			_ = Send(w, r, http.StatusBadRequest, "not JSON")
			return
		}
		_ = JSON(w, r, http.StatusOK, map[string]any{"peer": peer.PublicKey.String(), "got": in, "html": "<&>"})
	})
	mux.HandleFunc("GET /missing", func(w http.ResponseWriter, r *http.Request) {
		_ = Send(w, r, http.StatusNotFound, "no such thing")
	})
	return mux
}

func newClient(t *testing.T, server PublicKey) (*http.Client, *SecretKey) {
	t.Helper()
	key, err := GenerateSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	transport, err := NewTransportV1(server, key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { transport.Close() })
	return &http.Client{Transport: transport}, key
}

func TestServerAndTransportOverHTTP(t *testing.T) {
	ts := newTestServer(t, routes())
	client, key := newClient(t, ts.srv.PublicKey())

	resp, err := client.Get(ts.URL + "/hello?name=a%20b%26c")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello a b&c" {
		t.Fatalf("GET: %d %q", resp.StatusCode, body)
	}

	resp, err = client.Post(ts.URL+"/echo", "application/json", strings.NewReader(`{"b":1,"a":[true,null]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	want := `{"got":{"a":[true,null],"b":1},"html":"<&>","peer":"` + key.PublicKey().String() + `"}`
	if resp.StatusCode != 200 || string(body) != want {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	if resp.ContentLength != int64(len(body)) {
		t.Errorf("content length %d for %d bytes", resp.ContentLength, len(body))
	}

	// A sealed non-2xx answer: the status reaches the caller, the unproven body does not.
	resp, err = client.Get(ts.URL + "/missing")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || len(body) != 0 {
		t.Fatalf("404: %d %q", resp.StatusCode, body)
	}
	if ts.log.String() != "" {
		t.Errorf("nothing was rejected, yet the log says %s", ts.log)
	}
}

func TestEveryRejectionIs401WithAnEmptyBodyAndALoggedReason(t *testing.T) {
	ts := newTestServer(t, routes(), WithLimits(Limits{MaxBody: 256}))
	otherServer, err := GenerateSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	clientKey, _ := GenerateSecretKey()
	signer, err := NewClient(ts.srv.PublicKey(), clientKey, ts.srv.Host())
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	misdirected, err := NewClient(otherServer.PublicKey(), clientKey, ts.srv.Host())
	if err != nil {
		t.Fatal(err)
	}
	defer misdirected.Close()
	get, _ := signer.Prepare("GET", "/hello?name=x", nil)
	post, _ := signer.Prepare("POST", "/echo", []byte(`{"a":1}`))
	foreign, _ := misdirected.Prepare("POST", "/echo", []byte(`{"a":1}`))

	cases := []struct {
		name, method, path, authorization, body, reason string
	}{
		{"no authorization", "GET", "/hello?name=x", "", "", "no authorization header"},
		{"garbage token", "GET", "/hello?name=x", "!!not-a-token!!", "", "malformed input"},
		{"other target", "GET", "/hello?name=y", get.Authorization, "", "invalid signature"},
		{"unsupported method", "PUT", "/hello?name=x", get.Authorization, "", "unsupported HTTP method"},
		{"body too large", "POST", "/echo", post.Authorization, strings.Repeat("x", 300), "the limit is 256"},
		{"not the POST JSON", "POST", "/echo", post.Authorization, "data=1", "POST body is not"},
		{"token from another body", "POST", "/echo", get.Authorization, string(post.Body), "invalid signature"},
		{"sealed for another server", "POST", "/echo", foreign.Authorization, string(foreign.Body), "decryption failed"},
	}
	// Every rejection must look the same on the wire (no padding oracle: a decrypt
	// failure and a signature failure are indistinguishable), Date aside.
	var first http.Header
	var firstName string
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, ts.URL+c.path, strings.NewReader(c.body))
			if c.authorization != "" {
				req.Header.Set("Authorization", c.authorization)
			}
			before := ts.reached.Load()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized || len(body) != 0 || resp.Header.Get("Authorization") != "" {
				t.Errorf("got %d %q", resp.StatusCode, body)
			}
			headers := resp.Header.Clone()
			headers.Del("Date")
			if first == nil {
				first, firstName = headers, c.name
			} else if !reflect.DeepEqual(headers, first) {
				t.Errorf("headers %v differ from those of %q: %v", headers, firstName, first)
			}
			if ts.reached.Load() != before {
				t.Errorf("the handler ran")
			}
			if !strings.Contains(ts.log.String(), c.reason) {
				t.Errorf("the log does not give the reason %q:\n%s", c.reason, ts.log)
			}
		})
	}
	if n := strings.Count(ts.log.String(), "request rejected"); n != len(cases) {
		t.Errorf("%d rejections logged for %d requests", n, len(cases))
	}
	// The prepared requests themselves pass.
	for _, p := range []*Request{get, post} {
		req, _ := http.NewRequest(p.Method, strings.Replace(p.URL, ts.srv.Host(), ts.URL, 1), bytes.NewReader(p.Body))
		req.Header.Set("Authorization", p.Authorization)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", p.Method, resp, err)
		}
		resp.Body.Close()
	}
}

func TestTransportRejectsAnswersItCannotProve(t *testing.T) {
	var clientKey *SecretKey
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plain", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "unsigned") // not sealed: no authorization header
	})
	mux.HandleFunc("GET /self-signed", func(w http.ResponseWriter, r *http.Request) {
		// Encrypted under the right key but signed by the client's own key.
		peer, _ := PeerFrom(r.Context())
		s, _ := NewSession(peer.Session.PublicKey(), clientKey)
		defer s.Close()
		token, data, _ := s.Encode([]byte("forged"))
		w.Header().Set("Authorization", token)
		_, _ = io.WriteString(w, data)
	})
	mux.HandleFunc("GET /tampered", func(w http.ResponseWriter, r *http.Request) {
		peer, _ := PeerFrom(r.Context())
		answer, _ := peer.Seal(200, []byte("a longer answer, more than one block"))
		answer.Body = answer.Body[:len(answer.Body)-22] + strings.Repeat("A", 22)
		_ = answer.Write(w)
	})
	ts := newTestServer(t, mux)
	client, key := newClient(t, ts.srv.PublicKey())
	clientKey = key

	for path, kind := range map[string]error{
		"/plain":       ErrInvalidSignature,
		"/self-signed": ErrWrongPeer,
	} {
		_, err := client.Get(ts.URL + path)
		if !errors.Is(err, kind) {
			t.Errorf("%s: %v, want %v", path, err, kind)
		}
		var e *Error
		if !errors.As(err, &e) || e.Detail == "" {
			t.Errorf("%s: errors.As: %#v", path, err)
		}
	}
	if _, err := client.Get(ts.URL + "/tampered"); !errors.Is(err, ErrDecryptFailed) && !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("tampered: %v", err)
	}

	// A method v1 cannot sign is refused before anything is sent.
	req, _ := http.NewRequest("PUT", ts.URL+"/plain", nil)
	if _, err := client.Do(req); !errors.Is(err, ErrUnsupportedMethod) {
		t.Errorf("PUT: %v", err)
	}
	// A transport that expects another server's key cannot open this one's answers.
	wrong, _ := GenerateSecretKey()
	other, _ := newClient(t, wrong.PublicKey())
	if _, err := other.Get(ts.URL + "/plain"); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("wrong server key, unsigned answer: %v", err)
	}
}

func TestSendWithoutThePeerFailsClosed(t *testing.T) {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	if err := Send(rec, req, 200, "secret"); !errors.Is(err, ErrNoPeer) {
		t.Fatalf("Send: %v", err)
	}
	if rec.Code != 401 || rec.Body.Len() != 0 {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
}

func TestManyClientsAtOnce(t *testing.T) {
	ts := newTestServer(t, routes())
	shared, _ := newClient(t, ts.srv.PublicKey())
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			client := shared
			if g%2 == 1 {
				client, _ = newClient(t, ts.srv.PublicKey())
			}
			for i := 0; i < 8; i++ {
				name := fmt.Sprintf("g%d-%d", g, i)
				resp, err := client.Get(ts.URL + "/hello?name=" + name)
				if err != nil {
					errs <- err
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(body) != "hello "+name {
					errs <- fmt.Errorf("%s: %q", name, body)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A real server that redirects /start to location and records the
// authorization header of every request it gets.
func redirector(t *testing.T, location string) (*httptest.Server, *[]string) {
	var seen []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.Path == "/start" {
			http.Redirect(w, r, location, http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestTransportNeverSignsARedirectItWasNotAskedFor(t *testing.T) {
	elsewhere, elsewhereSeen := redirector(t, "/")
	for _, c := range []struct {
		location string
		follow   bool
	}{
		{elsewhere.URL + "/evil", false},
		{elsewhere.URL + "/evil", true},
		{"/same-origin", false},
	} {
		srv, seen := redirector(t, c.location)
		client, _ := newClient(t, mustKey(t).PublicKey())
		client.Transport.(*Transport).FollowRedirects = c.follow
		_, err := client.Get(srv.URL + "/start")
		if !errors.Is(err, ErrMalformedInput) || !strings.Contains(err.Error(), "not signing a redirect") {
			t.Fatalf("%+v: %v", c, err)
		}
		if len(*seen) != 1 || !strings.HasPrefix((*seen)[0], "/start ") || strings.HasSuffix((*seen)[0], " ") {
			t.Fatalf("%+v: the server saw %q", c, *seen)
		}
	}
	if len(*elsewhereSeen) != 0 {
		t.Fatalf("the other origin was reached: %q", *elsewhereSeen)
	}
	// Opted in, a same-origin redirect is signed for its own URL.
	srv, seen := redirector(t, "/same-origin")
	client, _ := newClient(t, mustKey(t).PublicKey())
	client.Transport.(*Transport).FollowRedirects = true
	// The redirector's own answer is unsigned, so the transport refuses it.
	if _, err := client.Get(srv.URL + "/start"); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("an unsigned answer: %v", err)
	}
	if len(*seen) != 2 || (*seen)[0][len("/start "):] == (*seen)[1][len("/same-origin "):] {
		t.Fatalf("the server saw %q", *seen)
	}
}

func TestABodyLimitThatDoesNotFitIsAnError(t *testing.T) {
	for _, limit := range []int{math.MaxInt, -1, 0, 1<<30 + 1} {
		_, err := NewServer(mustKey(t), "http://localhost:1", WithLimits(Limits{MaxBody: limit, SessionCache: 1, VerifiedCache: 1}))
		if !errors.Is(err, ErrMalformedInput) {
			t.Errorf("MaxBody %d: %v", limit, err)
		}
	}
}

func mustKey(t *testing.T) *SecretKey {
	t.Helper()
	key, err := GenerateSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestTheEnvironmentNamesAreTheCores(t *testing.T) {
	if EnvSecretKey != "CRYPTO_SESSION_KEY" || EnvHost != "CRYPTO_SESSION_HOST" || EnvMaxBody != "CRYPTO_SESSION_MAX_BODY" {
		t.Fatalf("%s %s %s", EnvSecretKey, EnvHost, EnvMaxBody)
	}
	key := mustKey(t)
	t.Setenv(EnvSecretKey, hex.EncodeToString(key.Bytes()))
	t.Setenv(EnvHost, "http://localhost:3001")
	t.Setenv(EnvMaxBody, "2048")
	srv, err := NewServerFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if srv.Limits().MaxBody != 2048 {
		t.Fatalf("max body %d", srv.Limits().MaxBody)
	}
	for _, bad := range []string{"4294967296", "-1", "1e3"} {
		t.Setenv(EnvMaxBody, bad)
		if _, err := NewServerFromEnv(); !errors.Is(err, ErrMalformedInput) {
			t.Errorf("%s=%s: %v", EnvMaxBody, bad, err)
		}
	}
}

func TestAGetWithABodyNeverReachesTheHandler(t *testing.T) {
	reached := 0
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		reached++
		_ = Send(w, r, http.StatusOK, "hi")
	})
	ts := newTestServer(t, mux)
	session, err := NewClient(ts.srv.PublicKey(), mustKey(t), "")
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	prepared, err := session.Prepare("GET", ts.URL+"/hello", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []io.Reader{strings.NewReader("x"), io.MultiReader(strings.NewReader(""))} {
		req, _ := http.NewRequest("GET", ts.URL+"/hello", body)
		req.Header.Set("Authorization", prepared.Authorization)
		if _, ok := body.(*strings.Reader); !ok {
			req.TransferEncoding = []string{"chunked"} // an empty chunked body: still a body
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != RejectionStatus {
			t.Errorf("GET with a body: %d", resp.StatusCode)
		}
	}
	if reached != 0 {
		t.Fatalf("the handler ran %d times", reached)
	}
}
