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
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// v2VectorsPath is tests/vectors/v2.json, or CRYPTO_SESSIONS_V2_VECTORS when set
// (a missing or unreadable file fails the test, never skips it).
func v2VectorsPath() string {
	if p := os.Getenv("CRYPTO_SESSIONS_V2_VECTORS"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "tests", "vectors", "v2.json")
}

type v2Step struct {
	Now                 uint64    `json:"now"`
	Method              string    `json:"method"`
	Target              string    `json:"target"`
	Authorization       *string   `json:"authorization"`
	AuthorizationFields *[]string `json:"authorization_fields"`
	BodyHex             string    `json:"body_hex"`
	Expect              string    `json:"expect"`
	PayloadHex          *string   `json:"payload_hex"`
	ContentType         *string   `json:"content_type"`
	ClientXOnly         *string   `json:"client_xonly"`
	StaleAnswer         *bool     `json:"stale_answer"`
	DeniedClients       *[]string `json:"denied_clients"`
}

type v2Scenario struct {
	Name               string    `json:"name"`
	ServerSecrets      []string  `json:"server_secrets"`
	Origins            []string  `json:"origins"`
	MaxAge             int64     `json:"max_age"`
	MaxSkew            int64     `json:"max_skew"`
	MaxBody            int64     `json:"max_body"`
	ReplayCapacity     int       `json:"replay_capacity"`
	ReplayStoreCreated float64   `json:"replay_store_created"`
	DeniedClients      *[]string `json:"denied_clients"`
	Steps              []v2Step  `json:"steps"`
}

// The v2 vectors' server scenarios, replayed through the public middleware: each
// step is an HTTP request (its method, exact request-target, Authorization fields
// and body) to a V2Server on the scenario's fixed clock; the expected rejection
// code is the WWW-Authenticate code, an accepted request reaches the handler with
// the payload, content type and client key of the vector.
func TestV2VectorsServer(t *testing.T) {
	raw, err := os.ReadFile(v2VectorsPath())
	if err != nil {
		t.Fatalf("v2 vectors: %v", err)
	}
	var file struct {
		Spec   string       `json:"spec"`
		Server []v2Scenario `json:"server"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("v2 vectors: %v", err)
	}
	if file.Spec != "crypto-session v2" || len(file.Server) == 0 {
		t.Fatalf("v2 vectors: not a v2 vector file (spec %q, %d server scenarios)", file.Spec, len(file.Server))
	}
	steps := 0
	for _, sc := range file.Server {
		t.Run(sc.Name, func(t *testing.T) {
			var mu sync.Mutex
			denied := map[string]bool{}
			setDenied := func(list []string) {
				mu.Lock()
				defer mu.Unlock()
				denied = map[string]bool{}
				for _, k := range list {
					denied[k] = true
				}
			}
			if sc.DeniedClients != nil {
				setDenied(*sc.DeniedClients)
			}
			var keys []*SecretKey
			for _, s := range sc.ServerSecrets {
				k, err := ParseSecretKey(s)
				if err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
			}
			first := sc.Steps[0].Now
			srv, err := NewV2Server(WithKeys(keys...), WithOrigins(sc.Origins...),
				WithMaxAge(secondsOf(sc.MaxAge)), WithMaxSkew(secondsOf(sc.MaxSkew)), WithMaxBody(sc.MaxBody),
				WithReplay("memory"), WithReplayCapacity(sc.ReplayCapacity), WithAcceptV1(false),
				withTestClock(first, sc.ReplayStoreCreated), WithV2Logger(discardLogger()),
				WithForbidden(func(client []byte) bool {
					mu.Lock()
					defer mu.Unlock()
					return denied[hex.EncodeToString(client)]
				}))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			type seen struct {
				payload     []byte
				contentType string
				hasType     bool
				client      []byte
				version     int
			}
			var got *seen
			handler := srv.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				req, _ := V2RequestFrom(r.Context())
				body, _ := io.ReadAll(r.Body)
				_, hasType := r.Header["Content-Type"]
				got = &seen{payload: body, contentType: r.Header.Get("Content-Type"), hasType: hasType,
					client: req.ClientKey, version: req.Version}
				w.WriteHeader(http.StatusNoContent)
			}))
			for i, st := range sc.Steps {
				steps++
				if st.DeniedClients != nil {
					setDenied(*st.DeniedClients)
				}
				if err := srv.setTestNow(st.Now); err != nil {
					t.Fatal(err)
				}
				body, _ := hex.DecodeString(st.BodyHex)
				r := httptest.NewRequest("GET", "http://127.0.0.1/", bytes.NewReader(body))
				r.Method = st.Method
				r.RequestURI = st.Target
				r.ContentLength = int64(len(body))
				if len(body) > 0 {
					r.Header.Set("Content-Length", strconv.Itoa(len(body)))
				}
				switch {
				case st.AuthorizationFields != nil:
					for _, v := range *st.AuthorizationFields {
						r.Header.Add("Authorization", v)
					}
				case st.Authorization != nil:
					r.Header.Set("Authorization", *st.Authorization)
				}
				got = nil
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, r)
				where := sc.Name + " step " + strconv.Itoa(i) + " (" + st.Method + " " + st.Target + ")"
				if st.Expect == "ok" {
					if got == nil || rec.Code != http.StatusNoContent {
						t.Fatalf("%s: expected ok, got %d %q", where, rec.Code, rec.Header().Get("WWW-Authenticate"))
					}
					want, _ := hex.DecodeString(*st.PayloadHex)
					if !bytes.Equal(got.payload, want) || got.contentType != *st.ContentType ||
						got.hasType != (*st.ContentType != "") || hex.EncodeToString(got.client) != *st.ClientXOnly ||
						got.version != 2 {
						t.Fatalf("%s: handler saw %+v", where, got)
					}
					if rec.Header().Get("Crypto-Session") == "" || rec.Header().Get("Cache-Control") != "no-store" {
						t.Fatalf("%s: answer headers %v", where, rec.Header())
					}
					continue
				}
				if got != nil {
					t.Fatalf("%s: expected %s, the handler ran", where, st.Expect)
				}
				wantStatus := map[string]int{"too_large": 413, "forbidden": 403, "busy": 503}[st.Expect]
				if wantStatus == 0 {
					wantStatus = 401
				}
				www := rec.Header().Get("WWW-Authenticate")
				if rec.Code != wantStatus || www != `CryptoSession error="`+st.Expect+`"` || rec.Body.Len() != 0 {
					t.Fatalf("%s: expected %d %s, got %d %q", where, wantStatus, st.Expect, rec.Code, www)
				}
				if st.StaleAnswer != nil && *st.StaleAnswer != (rec.Header().Get("Crypto-Session") != "") {
					t.Fatalf("%s: stale answer expected %v, header %q", where, *st.StaleAnswer, rec.Header().Get("Crypto-Session"))
				}
			}
		})
	}
	if steps < 200 {
		t.Fatalf("only %d server steps replayed", steps)
	}
}

// secondsOf is n whole seconds.
func secondsOf(n int64) time.Duration { return time.Duration(n) * time.Second }

// A missing vector file fails; it is never a skip.
func TestV2VectorsPathOverride(t *testing.T) {
	t.Setenv("CRYPTO_SESSIONS_V2_VECTORS", filepath.Join(t.TempDir(), "missing.json"))
	if _, err := os.ReadFile(v2VectorsPath()); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("override not read: %v", err)
	}
	if !strings.HasSuffix(v2VectorsPath(), "missing.json") {
		t.Fatal("override ignored")
	}
}

type v2AnswerCheck struct {
	Name          string `json:"name"`
	Kind          string `json:"kind"`
	ClientSecret  string `json:"client_secret"`
	ServerXOnly   string `json:"server_xonly"`
	RequestToken  string `json:"request_token"`
	Status        int    `json:"status"`
	CryptoSession string `json:"crypto_session_header"`
	BodyHex       string `json:"body_hex"`
	Expect        string `json:"expect"`
	PayloadHex    string `json:"payload_hex"`
	ContentType   string `json:"content_type"`
	ServerTime    uint64 `json:"server_time"`
}

// The v2 vectors' answer_checks, through the public API: each response checked
// against the request token it answers (OpenV2Answer, CheckV2StaleAnswer, as the
// kind the vector names); a refused one must be ErrV2InvalidAnswer, never data.
func TestV2VectorsAnswerChecks(t *testing.T) {
	raw, err := os.ReadFile(v2VectorsPath())
	if err != nil {
		t.Fatalf("v2 vectors: %v", err)
	}
	var file struct {
		AnswerChecks []v2AnswerCheck `json:"answer_checks"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("v2 vectors: %v", err)
	}
	ok, refused := 0, 0
	for _, c := range file.AnswerChecks {
		secret, err := ParseSecretKey(c.ClientSecret)
		if err != nil {
			t.Fatalf("%s: client_secret: %v", c.Name, err)
		}
		server, err := ParseXOnlyKey(c.ServerXOnly)
		if err != nil {
			t.Fatalf("%s: server_xonly: %v", c.Name, err)
		}
		token, body := mustHex(t, c.RequestToken), mustHex(t, c.BodyHex)
		var answer *V2Answer
		var serverTime uint64
		if c.Kind == "stale" {
			serverTime, err = CheckV2StaleAnswer(secret, server, "POST", token, c.Status, c.CryptoSession, body)
		} else {
			answer, err = OpenV2Answer(secret, server, "POST", token, c.Status, c.CryptoSession, body)
		}
		switch {
		case c.Expect != "ok":
			if !errors.Is(err, ErrV2InvalidAnswer) || answer != nil {
				t.Errorf("%s: got %v, %v; want ErrV2InvalidAnswer", c.Name, answer, err)
			}
			refused++
		case err != nil:
			t.Errorf("%s: %v", c.Name, err)
		case c.Kind == "stale":
			if serverTime != c.ServerTime {
				t.Errorf("%s: server time %d, want %d", c.Name, serverTime, c.ServerTime)
			}
			ok++
		default:
			if answer.Status != c.Status || answer.ContentType != c.ContentType || !bytes.Equal(answer.Payload, mustHex(t, c.PayloadHex)) {
				t.Errorf("%s: got %d %q %x", c.Name, answer.Status, answer.ContentType, answer.Payload)
			}
			ok++
		}
	}
	if ok == 0 || refused == 0 {
		t.Fatalf("answer_checks: %d accepted, %d refused: the section is missing or one-sided", ok, refused)
	}
}

func mustHex(t *testing.T, text string) []byte {
	t.Helper()
	b, err := hex.DecodeString(text)
	if err != nil {
		t.Fatalf("not hex: %q", text)
	}
	return b
}
