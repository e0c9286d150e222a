package cryptosessions

// #include <crypto_sessions.h>
import "C"

import (
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// RejectionStatus is the status of every rejected request, whatever the reason.
const RejectionStatus = C.CS_REJECTION_STATUS

// Limits are enforced by a server before any cryptography.
type Limits struct {
	// MaxBody is the largest request body accepted, in bytes.
	MaxBody int
	// SessionCache is how many clients' sessions are cached (0 disables).
	SessionCache int
	// VerifiedCache is how many verified GET signatures are cached (0 disables).
	VerifiedCache int
}

// DefaultLimits are the core's defaults (1 MiB bodies, 4096-entry caches).
func DefaultLimits() Limits {
	l := C.cs_server_limits_default()
	return Limits{MaxBody: int(l.max_body), SessionCache: int(l.session_cache), VerifiedCache: int(l.verified_cache)}
}

// ServerOption configures NewServer.
type ServerOption func(*Server)

// WithLimits sets the server's limits (negative values count as 0).
func WithLimits(l Limits) ServerOption { return func(s *Server) { s.limits = l } }

// WithLogger sets where the middleware logs rejections (default slog.Default()).
func WithLogger(l *slog.Logger) ServerOption { return func(s *Server) { s.logger = l } }

// Server authenticates requests and seals answers. It is safe for concurrent
// use; share one per key and host.
type Server struct {
	mu     sync.RWMutex
	h      *C.cs_server
	public PublicKey
	host   string
	limits Limits
	logger *slog.Logger
}

// NewServer makes a server with our secret key. host is the origin clients put
// in front of the path when they sign a GET, e.g. "http://localhost:3001".
func NewServer(secret *SecretKey, host string, opts ...ServerOption) (*Server, error) {
	s := &Server{host: host, limits: DefaultLimits(), logger: slog.Default(), public: secret.PublicKey()}
	for _, opt := range opts {
		opt(s)
	}
	limits := C.cs_server_limits{
		max_body:       C.size_t(max(s.limits.MaxBody, 0)),
		session_cache:  C.size_t(max(s.limits.SessionCache, 0)),
		verified_cache: C.size_t(max(s.limits.VerifiedCache, 0)),
	}
	sp, sn := cBytes(secret.secret[:])
	hp, hn := cText(host)
	var h *C.cs_server
	err := call(func() C.cs_result { return C.cs_server_new(sp, sn, hp, hn, &limits, &h) })
	if err != nil {
		return nil, err
	}
	s.h = h
	runtime.SetFinalizer(s, (*Server).Close)
	return s, nil
}

// Close frees the server. It is idempotent; other methods then fail with ErrClosed.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h != nil {
		C.cs_server_free(s.h)
		s.h = nil
		runtime.SetFinalizer(s, nil)
	}
	return nil
}

// PublicKey is the server's public key: what clients need.
func (s *Server) PublicKey() PublicKey { return s.public }

// Host is the origin clients sign.
func (s *Server) Host() string { return s.host }

// Limits are the limits in force.
func (s *Server) Limits() Limits { return s.limits }

// Peer is an authenticated request: who sent it, what, and the session to answer.
type Peer struct {
	// PublicKey is the client's key.
	PublicKey PublicKey
	// Method is "GET" or "POST".
	Method string
	// Payload is the decrypted payload of a POST; nil for a GET.
	Payload []byte
	// Session is the session with the client; Server.Middleware closes it when
	// the handler returns.
	Session *Session
	server  *Server
}

// Close frees the peer's session (the middleware does it for you).
func (p *Peer) Close() error { return p.Session.Close() }

// Answer is a sealed answer: send Status, the headers Authorization and
// Content-Type, and Body.
type Answer struct {
	Status        int
	Authorization string
	ContentType   string
	Body          string
}

// The names of the environment variables every binding reads, from the core.
var (
	EnvSecretKey = C.GoString(C.cs_env_secret_key())
	EnvHost      = C.GoString(C.cs_env_host())
	EnvMaxBody   = C.GoString(C.cs_env_max_body())
)

// NewServerFromEnv makes a server from the environment, as every binding does:
// the secret key from EnvSecretKey (CRYPTO_SESSION_KEY), the host from EnvHost
// (CRYPTO_SESSION_HOST) and, when set, the body limit from EnvMaxBody
// (CRYPTO_SESSION_MAX_BODY). A missing or bad value is an error.
func NewServerFromEnv(opts ...ServerOption) (*Server, error) {
	secret, err := ParseSecretKey(os.Getenv(EnvSecretKey))
	if err != nil {
		return nil, err
	}
	if text := os.Getenv(EnvMaxBody); text != "" {
		limit, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return nil, newError(uint32(C.CS_RESULT_MALFORMED_INPUT), "malformed input: "+EnvMaxBody+" is not a whole number of bytes")
		}
		limits := DefaultLimits()
		limits.MaxBody = limit
		opts = append([]ServerOption{WithLimits(limits)}, opts...)
	}
	return NewServer(secret, os.Getenv(EnvHost), opts...)
}

// CheckHeaders applies the core's body rule to a request's headers, before its
// body is read: a GET with a body (a Content-Length other than 0, or any
// Transfer-Encoding) and a Content-Length that is not a number or is over the
// limit are errors. contentLength "" means absent.
func (s *Server) CheckHeaders(method, contentLength string, hasTransferEncoding bool) error {
	mp, mn := cText(method)
	cp, cn := cOptionalText(contentLength)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == nil {
		return ErrClosed
	}
	return call(func() C.cs_result {
		return C.cs_server_check_headers(s.h, mp, mn, cp, cn, C.bool(hasTransferEncoding))
	})
}

// Authenticate checks one request: its method, its request-target exactly as
// received (r.RequestURI), its authorization header ("" when absent) and its
// body. On any error, answer RejectionStatus with an empty body and log the
// error: the middleware does exactly that.
func (s *Server) Authenticate(method, target, authorization string, body []byte) (*Peer, error) {
	var out C.cs_authenticated
	mp, mn := cText(method)
	tp, tn := cText(target)
	ap, an := cOptionalText(authorization)
	bp, bn := cBytes(body)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == nil {
		return nil, ErrClosed
	}
	err := call(func() C.cs_result {
		return C.cs_server_authenticate(s.h, mp, mn, tp, tn, ap, an, bp, bn, &out)
	})
	if err != nil {
		return nil, err
	}
	p := &Peer{Method: C.GoString(out.method), Payload: take(&out.payload), server: s}
	for i := range p.PublicKey {
		p.PublicKey[i] = byte(out.peer[i])
	}
	p.Session = wrapSession(out.session)
	return p, nil
}

// Seal signs and encrypts payload for the client of session.
func (s *Server) Seal(session *Session, status int, payload []byte) (*Answer, error) {
	var out C.cs_answer
	pp, pn := cBytes(payload)
	if status < 100 || status > 999 {
		return nil, &Error{Kind: ErrInternal, Code: C.CS_RESULT_INVALID_ARGUMENT, Detail: "invalid HTTP status"}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == nil {
		return nil, ErrClosed
	}
	err := session.with(func(sh *C.cs_session) C.cs_result {
		return C.cs_server_seal(s.h, sh, C.uint16_t(status), pp, pn, &out)
	})
	if err != nil {
		return nil, err
	}
	return &Answer{
		Status:        int(out.status),
		Authorization: takeString(&out.authorization),
		ContentType:   C.GoString(out.content_type),
		Body:          takeString(&out.body),
	}, nil
}

// Seal signs and encrypts payload as the answer to this peer.
func (p *Peer) Seal(status int, payload []byte) (*Answer, error) {
	return p.server.Seal(p.Session, status, payload)
}
