package cryptosessions

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// v2TestServer is a real HTTP server on 127.0.0.1 (ephemeral port) behind a
// V2Server that signs for the listener's own origin.
type v2TestServer struct {
	*httptest.Server
	srv     *V2Server
	key     *SecretKey
	log     *lockedBuffer
	reached atomic.Int64
}

func newV2TestServer(t *testing.T, opts ...V2Option) *v2TestServer {
	t.Helper()
	key, err := GenerateSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	ts := &v2TestServer{Server: httptest.NewUnstartedServer(nil), key: key, log: &lockedBuffer{}}
	// The memory store refuses every request for max_skew seconds after it starts
	// (the spec's restart rule): the tests' servers count their store as created
	// long ago, on a clock fixed at now.
	base := []V2Option{WithKeys(key), WithOrigins("http://" + ts.Listener.Addr().String()),
		WithReplay("memory"), WithV2Logger(slogTo(ts.log)), withTestClock(uint64(time.Now().Unix()), 0)}
	ts.srv, err = NewV2Server(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = ts.srv.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.reached.Add(1)
		v2Routes().ServeHTTP(w, r)
	}))
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		ts.srv.Close()
	})
	return ts
}

func v2Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		req, _ := V2RequestFrom(r.Context())
		w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		_, _ = io.WriteString(w, "hello "+r.URL.Query().Get("name")+" v"+string(rune('0'+req.Version))+
			" "+hex.EncodeToString(req.ClientKey))
	})
	// The method-override headers as the handler sees them (none, ever).
	mux.HandleFunc("GET /overrides", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Header.Get("X-HTTP-Method-Override")+r.Header.Get("X-HTTP-Method")+
			r.Header.Get("X-Method-Override"))
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if err := jsonDecode(r.Body, &in); err != nil || r.Header.Get("Content-Type") != "application/json" {
			_ = Send(w, r, http.StatusBadRequest, "not JSON")
			return
		}
		_ = JSON(w, r, http.StatusCreated, map[string]any{"got": in})
	})
	mux.HandleFunc("PUT /blob", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		_, _ = w.Write(body)
	})
	mux.HandleFunc("DELETE /blob", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

func newV2HTTPClient(t *testing.T, server PublicKey, base http.RoundTripper) (*http.Client, *Transport, *SecretKey) {
	t.Helper()
	key, err := GenerateSecretKey()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTransport(server, key)
	if err != nil {
		t.Fatal(err)
	}
	tr.Base = base
	t.Cleanup(func() { tr.Close() })
	return &http.Client{Transport: tr}, tr, key
}

func do(t *testing.T, c *http.Client, method, url, contentType string, body []byte) (*http.Response, []byte, error) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp, got, err
}

func TestV2RoundTrips(t *testing.T) {
	ts := newV2TestServer(t)
	client, tr, key := newV2HTTPClient(t, ts.key.PublicKey(), nil)
	if tr.Protocol != 2 {
		t.Fatalf("NewTransport speaks v%d", tr.Protocol)
	}

	resp, body, err := do(t, client, "GET", ts.URL+"/hello?name=al%20ice", "", nil)
	if err != nil || resp.StatusCode != 200 || string(body) != "hello al ice v2 "+hex.EncodeToString(key.PublicKey().XOnly()) ||
		resp.Header.Get("Content-Type") != "text/plain;charset=utf-8" {
		t.Fatalf("GET: %v %v %q", resp, err, body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "Crypto-Session") {
		t.Fatalf("GET headers: %v", resp.Header)
	}

	resp, body, err = do(t, client, "POST", ts.URL+"/echo", "application/json", []byte(`{"a":[1,"<&>"]}`))
	if err != nil || resp.StatusCode != 201 || string(body) != `{"got":{"a":[1,"<&>"]}}` ||
		resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("POST JSON: %v %v %q", resp, err, body)
	}

	blob := []byte{0, 1, 2, 0xff, 'x'}
	resp, body, err = do(t, client, "PUT", ts.URL+"/blob", "application/x-thing", blob)
	if err != nil || resp.StatusCode != 200 || !bytes.Equal(body, blob) || resp.Header.Get("Content-Type") != "application/x-thing" {
		t.Fatalf("PUT bytes: %v %v %q", resp, err, body)
	}

	resp, body, err = do(t, client, "DELETE", ts.URL+"/blob", "", nil)
	if err != nil || resp.StatusCode != 204 || len(body) != 0 {
		t.Fatalf("DELETE: %v %v %q", resp, err, body)
	}

	// The mux's own 404 (text, written without Send) is sealed like any answer.
	resp, body, err = do(t, client, "GET", ts.URL+"/nowhere", "", nil)
	if err != nil || resp.StatusCode != 404 || !strings.Contains(string(body), "404 page not found") {
		t.Fatalf("404: %v %v %q", resp, err, body)
	}
	// HEAD on a GET route: the handler's body is dropped, the status sealed.
	resp, body, err = do(t, client, "HEAD", ts.URL+"/hello", "", nil)
	if err != nil || resp.StatusCode != 200 || len(body) != 0 {
		t.Fatalf("HEAD: %v %v %q", resp, err, body)
	}
	if n := ts.reached.Load(); n != 6 {
		t.Fatalf("%d requests reached the handler", n)
	}
}

// recorder is a Base that keeps a copy of every request it forwards (and may
// change it first), and of every response.
type recorder struct {
	mu       sync.Mutex
	tamper   func(*http.Request)
	requests []*http.Request
	bodies   [][]byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	if r.tamper != nil {
		r.tamper(req)
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
	}
	r.mu.Lock()
	r.requests = append(r.requests, req.Clone(req.Context()))
	r.bodies = append(r.bodies, body)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

func TestV2ReplayRejected(t *testing.T) {
	ts := newV2TestServer(t)
	rec := &recorder{}
	client, _, _ := newV2HTTPClient(t, ts.key.PublicKey(), rec)
	if _, _, err := do(t, client, "POST", ts.URL+"/echo", "application/json", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	// The captured request sent again, byte for byte.
	again := rec.requests[0].Clone(rec.requests[0].Context())
	again.RequestURI = ""
	again.Body = io.NopCloser(bytes.NewReader(rec.bodies[0]))
	resp, err := http.DefaultTransport.RoundTrip(again)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `CryptoSession error="replayed"` {
		t.Fatalf("replay: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if ts.reached.Load() != 1 {
		t.Fatal("the replay reached the handler")
	}
	if !strings.Contains(ts.log.String(), "replayed") {
		t.Fatalf("reason not logged: %s", ts.log.String())
	}
}

// A server whose clock runs 1000 s ahead answers the first request with a signed
// stale answer; the transport corrects its clock once and the retry succeeds.
func TestV2StaleCorrectedOnce(t *testing.T) {
	ahead := uint64(time.Now().Unix()) + 1000
	ts := newV2TestServer(t, withTestClock(ahead, 0))
	rec := &recorder{}
	client, tr, _ := newV2HTTPClient(t, ts.key.PublicKey(), rec)
	resp, body, err := do(t, client, "POST", ts.URL+"/echo", "application/json", []byte(`{"n":1}`))
	if err != nil || resp.StatusCode != 201 || string(body) != `{"got":{"n":1}}` {
		t.Fatalf("stale then retry: %v %v %q", resp, err, body)
	}
	if rec.count() != 2 || ts.reached.Load() != 1 {
		t.Fatalf("%d requests sent, %d reached", rec.count(), ts.reached.Load())
	}
	if off := tr.ClockOffset(); off < 995 || off > 1005 {
		t.Fatalf("clock offset %d", off)
	}
	// The offset sticks: the next request goes through at once.
	if _, _, err := do(t, client, "GET", ts.URL+"/hello", "", nil); err != nil || rec.count() != 3 {
		t.Fatalf("after correction: %v, %d sent", err, rec.count())
	}
	// A server that moves 2000 s further: corrected once again, never twice per request.
	if err := ts.srv.setTestNow(ahead + 2000); err != nil {
		t.Fatal(err)
	}
	if _, _, err := do(t, client, "GET", ts.URL+"/hello", "", nil); err != nil || rec.count() != 5 {
		t.Fatalf("second correction: %v, %d sent", err, rec.count())
	}
}

func TestV2TamperedRejected(t *testing.T) {
	cases := map[string]struct {
		tamper func(*http.Request)
		want   error
	}{
		"token": {func(r *http.Request) {
			a := []byte(r.Header.Get("Authorization"))
			i := len(a) - 10
			a[i] = map[bool]byte{true: 'B', false: 'A'}[a[i] == 'A']
			r.Header.Set("Authorization", string(a))
		}, ErrV2InvalidSignature},
		"target": {func(r *http.Request) { r.URL.Path = "/echo2"; r.URL.RawPath = "" }, ErrV2InvalidSignature},
		"method": {func(r *http.Request) { r.Method = "PUT" }, ErrV2InvalidSignature},
		"body": {func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			b[len(b)-1] ^= 1
			r.Body = io.NopCloser(bytes.NewReader(b))
		}, ErrV2InvalidSignature},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ts := newV2TestServer(t)
			client, _, _ := newV2HTTPClient(t, ts.key.PublicKey(), &recorder{tamper: c.tamper})
			_, _, err := do(t, client, "POST", ts.URL+"/echo", "application/json", []byte(`{"x":1}`))
			var e *Error
			if !errors.Is(err, c.want) || !errors.As(err, &e) || e.Status != 401 {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if ts.reached.Load() != 0 {
				t.Fatal("a tampered request reached the handler")
			}
		})
	}
}

// swapper answers the second request with the first request's answer.
type swapper struct {
	first *http.Response
	body  []byte
}

func (s *swapper) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if s.first == nil {
		s.first, s.body = resp, body
	} else {
		resp.Header, resp.StatusCode, body = s.first.Header.Clone(), s.first.StatusCode, s.body
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

func TestV2AnswerForAnotherRequestRefused(t *testing.T) {
	ts := newV2TestServer(t)
	client, _, _ := newV2HTTPClient(t, ts.key.PublicKey(), &swapper{})
	if _, body, err := do(t, client, "GET", ts.URL+"/hello?name=a", "", nil); err != nil || !strings.HasPrefix(string(body), "hello a") {
		t.Fatalf("first: %v %q", err, body)
	}
	_, body, err := do(t, client, "GET", ts.URL+"/hello?name=b", "", nil)
	if !errors.Is(err, ErrV2InvalidAnswer) || body != nil {
		t.Fatalf("another request's answer: %v %q", err, body)
	}
}

func TestV2UnknownKeyAndV1OnlyServer(t *testing.T) {
	ts := newV2TestServer(t)
	other, _ := GenerateSecretKey()
	client, _, _ := newV2HTTPClient(t, other.PublicKey(), nil)
	_, _, err := do(t, client, "GET", ts.URL+"/hello", "", nil)
	var e *Error
	if !errors.Is(err, ErrV2UnknownKey) || !errors.As(err, &e) || e.Status != 401 {
		t.Fatalf("unknown kid: %v", err)
	}

	v1 := newTestServer(t, routes(), WithLogger(discardLogger()))
	client, _, _ = newV2HTTPClient(t, v1.key.PublicKey(), nil)
	_, _, err = do(t, client, "GET", v1.URL+"/hello", "", nil)
	if !errors.Is(err, ErrV1OnlyServer) || !strings.Contains(err.Error(), "NewTransportV1") {
		t.Fatalf("v1-only server: %v", err)
	}
	if v1.reached.Load() != 0 {
		t.Fatal("v2 request reached a v1 handler")
	}
}

func TestV2AcceptV1AndForbidden(t *testing.T) {
	var banned atomic.Value
	banned.Store("")
	ts := newV2TestServer(t, WithAcceptV1(true), WithForbidden(func(client []byte) bool {
		return hex.EncodeToString(client) == banned.Load().(string)
	}))
	// A v1 client (the existing users) still gets its answers.
	key, _ := GenerateSecretKey()
	v1, err := NewTransportV1(ts.key.PublicKey(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer v1.Close()
	_, body, err := do(t, &http.Client{Transport: v1}, "GET", ts.URL+"/hello?name=one", "", nil)
	if err != nil || string(body) != "hello one v1 "+hex.EncodeToString(key.PublicKey().Bytes()) {
		t.Fatalf("v1 through accept_v1: %v %q", err, body)
	}
	client, _, ckey := newV2HTTPClient(t, ts.key.PublicKey(), nil)
	banned.Store(hex.EncodeToString(ckey.PublicKey().XOnly()))
	_, _, err = do(t, client, "GET", ts.URL+"/hello", "", nil)
	var e *Error
	if !errors.Is(err, ErrV2Forbidden) || !errors.As(err, &e) || e.Status != 403 {
		t.Fatalf("forbidden: %v", err)
	}
	// Without accept_v1 the v1 client is refused.
	off := newV2TestServer(t)
	v1b, _ := NewTransportV1(off.key.PublicKey(), key)
	defer v1b.Close()
	resp, _, err := do(t, &http.Client{Transport: v1b}, "GET", off.URL+"/hello", "", nil)
	if err != nil || resp.StatusCode != 401 || off.reached.Load() != 0 {
		t.Fatalf("v1 without accept_v1: %v %v", resp, err)
	}
}

func TestV2PreflightAndOverride(t *testing.T) {
	ts := newV2TestServer(t)
	req, _ := http.NewRequest("OPTIONS", ts.URL+"/hello", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "authorization")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Headers") != "Authorization, Content-Type, Cache-Control" || ts.reached.Load() != 1 {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	// An unauthenticated request is no preflight: 401 with the v2 challenge.
	resp, err = http.Get(ts.URL + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `CryptoSession error="malformed"` ||
		resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("no Authorization: %d %v", resp.StatusCode, resp.Header)
	}
	// A method-override header does not change the signed method the handler sees.
	rec := &recorder{tamper: func(r *http.Request) { r.Header.Set("X-HTTP-Method-Override", "DELETE") }}
	client, _, _ := newV2HTTPClient(t, ts.key.PublicKey(), rec)
	if resp, _, err := do(t, client, "GET", ts.URL+"/hello", "", nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("override: %v %v", resp, err)
	}
	// The handler never sees them: the middleware removes the core's list.
	rec = &recorder{tamper: func(r *http.Request) {
		for _, name := range []string{"X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"} {
			r.Header.Set(name, "DELETE")
		}
	}}
	client, _, _ = newV2HTTPClient(t, ts.key.PublicKey(), rec)
	if resp, body, err := do(t, client, "GET", ts.URL+"/overrides", "", nil); err != nil || resp.StatusCode != 200 || len(body) != 0 {
		t.Fatalf("the handler saw override headers: %v %q %v", resp, body, err)
	}
}

func TestV2ServerFromEnvironment(t *testing.T) {
	key, _ := GenerateSecretKey()
	old, _ := GenerateSecretKey()
	t.Setenv("CRYPTO_SESSION_KEY", hex.EncodeToString(key.Bytes())+", "+hex.EncodeToString(old.Bytes()))
	t.Setenv("CRYPTO_SESSION_HOST", "http://127.0.0.1:1")
	t.Setenv("CRYPTO_SESSION_ORIGINS", "")
	t.Setenv("CRYPTO_SESSION_REPLAY", "memory")
	t.Setenv("CRYPTO_SESSION_MAX_AGE", "30")
	t.Setenv("CRYPTO_SESSION_MAX_SKEW", "10")
	t.Setenv("CRYPTO_SESSION_MAX_BODY", "1234")
	t.Setenv("CRYPTO_SESSION_ACCEPT_V1", "0")
	srv, err := NewV2Server()
	if err != nil {
		t.Fatal(err)
	}
	if srv.MaxBody() != 1234 {
		t.Fatalf("max_body %d", srv.MaxBody())
	}
	srv.Close()
	// An explicit option wins over its variable.
	srv, err = NewV2Server(WithMaxBody(99))
	if err != nil || srv.MaxBody() != 99 {
		t.Fatalf("explicit max_body: %v", err)
	}
	srv.Close()
	for name, bad := range map[string]string{
		"CRYPTO_SESSION_MAX_AGE":   "-1",
		"CRYPTO_SESSION_MAX_SKEW":  "1",
		"CRYPTO_SESSION_MAX_BODY":  "lots",
		"CRYPTO_SESSION_ACCEPT_V1": "yes",
		"CRYPTO_SESSION_REPLAY":    "nowhere://x",
		"CRYPTO_SESSION_KEY":       "00",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, bad)
			srv, err := NewV2Server()
			if err == nil {
				srv.Close()
				t.Fatalf("%s=%s accepted", name, bad)
			}
			if strings.Contains(err.Error(), hex.EncodeToString(key.Bytes())) {
				t.Fatal("the secret key is in the message")
			}
		})
	}
	t.Setenv("CRYPTO_SESSION_KEY", "")
	if _, err := NewV2Server(); err == nil {
		t.Fatal("no key accepted")
	}
}

// Two servers sharing one real redis-server (tests/redis/with-redis.sh): a request
// accepted by one is `replayed` at the other.
func TestV2RedisReplayAcrossServers(t *testing.T) {
	url := os.Getenv("CRYPTO_SESSION_TEST_REDIS_URL")
	if url == "" {
		t.Fatal("CRYPTO_SESSION_TEST_REDIS_URL is not set: run under tests/redis/with-redis.sh (make test-go does)")
	}
	a := newV2TestServer(t, WithReplay(url))
	// b serves the same key and a's origin, with its own memory of nothing but Redis.
	b, err := NewV2Server(WithKeys(a.key), WithOrigins("http://"+a.Listener.Addr().String()), WithReplay(url),
		WithV2Logger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rec := &recorder{}
	client, _, _ := newV2HTTPClient(t, a.key.PublicKey(), rec)
	if _, _, err := do(t, client, "PUT", a.URL+"/blob", "text/plain", []byte("once")); err != nil {
		t.Fatal(err)
	}
	again := rec.requests[0].Clone(rec.requests[0].Context())
	again.RequestURI = ""
	again.Body = io.NopCloser(bytes.NewReader(rec.bodies[0]))
	w := httptest.NewRecorder()
	again.RequestURI = again.URL.RequestURI()
	reached := false
	b.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })).ServeHTTP(w, again)
	if reached || w.Code != 401 || w.Header().Get("WWW-Authenticate") != `CryptoSession error="replayed"` {
		t.Fatalf("replay at the other server: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	// An unreachable Redis fails at start-up.
	if srv, err := NewV2Server(WithKeys(a.key), WithOrigins("http://x"), WithReplay("redis://127.0.0.1:1/0")); err == nil {
		srv.Close()
		t.Fatal("unreachable redis accepted")
	} else if !errors.Is(err, ErrV2Busy) {
		t.Fatalf("unreachable redis: %v", err)
	}
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }

// A client whose clock runs 1000 s behind (the interop peer's clock_offset) is
// corrected once from the signed stale answer; an x-only key parses to the same key.
func TestV2SkewedClientCorrected(t *testing.T) {
	ts := newV2TestServer(t)
	server, err := ParseXOnlyKey(hex.EncodeToString(ts.key.PublicKey().XOnly()))
	if err != nil || !bytes.Equal(server.XOnly(), ts.key.PublicKey().XOnly()) {
		t.Fatalf("x-only key: %v", err)
	}
	if _, err := ParseXOnlyKey("02"); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("short x-only key: %v", err)
	}
	key, _ := GenerateSecretKey()
	tr, err := NewTransportSkewedForTest(server, key, -1000*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	rec := &recorder{}
	tr.Base = rec
	resp, _, err := do(t, &http.Client{Transport: tr}, "DELETE", ts.URL+"/blob", "", nil)
	if err != nil || resp.StatusCode != 204 || rec.count() != 2 || ts.reached.Load() != 1 {
		t.Fatalf("skewed client: %v %v, %d sent", resp, err, rec.count())
	}
	if off := tr.ClockOffset(); off < 995 || off > 1005 {
		t.Fatalf("offset %d", off)
	}
}

// A cross-origin request (with Origin, from a page elsewhere) reads the answer's
// token only through Access-Control-Expose-Headers: a server accepting v1 names
// Authorization there (a v1 answer travels in it), on v1 and v2 answers and on
// rejections alike; a v2-only server does not.
func TestV2ExposedHeadersFollowAcceptV1(t *testing.T) {
	fromPage := func(r *http.Request) { r.Header.Set("Origin", "https://app.example") }
	for _, c := range []struct {
		acceptV1 bool
		want     string
	}{
		{false, "Crypto-Session, WWW-Authenticate"},
		{true, "Crypto-Session, WWW-Authenticate, Authorization"},
	} {
		ts := newV2TestServer(t, WithAcceptV1(c.acceptV1))
		client, _, _ := newV2HTTPClient(t, ts.key.PublicKey(), &recorder{tamper: fromPage})
		resp, _, err := do(t, client, "GET", ts.URL+"/hello", "", nil)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("Access-Control-Expose-Headers") != c.want {
			t.Fatalf("accept_v1=%v, v2 answer: %v %v", c.acceptV1, resp, err)
		}
		req, _ := http.NewRequest("GET", ts.URL+"/hello", nil)
		fromPage(req)
		req.Header.Set("Authorization", "CryptoSession")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("Access-Control-Expose-Headers") != c.want {
			t.Fatalf("accept_v1=%v, rejection: %d %v", c.acceptV1, resp.StatusCode, resp.Header)
		}
		if !c.acceptV1 {
			continue
		}
		key, _ := GenerateSecretKey()
		v1, err := NewTransportV1(ts.key.PublicKey(), key)
		if err != nil {
			t.Fatal(err)
		}
		defer v1.Close()
		v1.Base = &recorder{tamper: fromPage}
		resp, body, err := do(t, &http.Client{Transport: v1}, "GET", ts.URL+"/hello?name=v1", "", nil)
		if err != nil || !strings.HasPrefix(string(body), "hello v1 v1") ||
			resp.Header.Get("Access-Control-Expose-Headers") != c.want || resp.Header.Get("Authorization") == "" {
			t.Fatalf("v1 answer: %v %q %v", resp, body, err)
		}
	}
}
