package cryptosessions

/*
#include <stdlib.h>
#include <crypto_sessions.h>

extern _Bool csGoForbidden(void *context, uint8_t *client);

static cs_result cs_go_set_admission(cs_v2_server_config *config, void *context) {
	return cs_v2_server_config_set_admission(config, (cs_v2_admission)csGoForbidden, context);
}
*/
import "C"

import (
	"crypto/sha256"
	"log/slog"
	"runtime"
	"runtime/cgo"
	"sync"
	"time"
	"unsafe"
)

// V2Option configures NewV2Server. An option not given is read from its
// environment variable when the server is built (by the core, as in every
// binding), else it takes the core's default.
type V2Option func(*v2Settings)

type v2Settings struct {
	keys      []*SecretKey
	origins   []string
	maxAge    time.Duration
	maxSkew   time.Duration
	maxBody   int64
	replay    string
	acceptV1  *bool
	capacity  int
	forbidden func(client []byte) bool
	logger    *slog.Logger
	testClock *[2]float64
}

// WithKeys sets the server's secret keys; several serve key rotation (a request
// names its key by kid), the first also serves v1. Default: CRYPTO_SESSION_KEY
// (comma-separated).
func WithKeys(keys ...*SecretKey) V2Option {
	return func(s *v2Settings) { s.keys = append(s.keys, keys...) }
}

// WithOrigins sets the origins clients sign, `scheme://host[:port]`; the first also
// serves v1. Default: CRYPTO_SESSION_HOST, then CRYPTO_SESSION_ORIGINS (comma-separated).
func WithOrigins(origins ...string) V2Option {
	return func(s *v2Settings) { s.origins = append(s.origins, origins...) }
}

// WithMaxAge sets the oldest request accepted (whole seconds, 1 s to a week).
// Default: CRYPTO_SESSION_MAX_AGE, else 60 s.
func WithMaxAge(d time.Duration) V2Option { return func(s *v2Settings) { s.maxAge = d } }

// WithMaxSkew sets how far ahead of the server's clock a request may be dated
// (whole seconds, 5 s to a week). Default: CRYPTO_SESSION_MAX_SKEW, else 5 s.
func WithMaxSkew(d time.Duration) V2Option { return func(s *v2Settings) { s.maxSkew = d } }

// WithMaxBody sets the largest request body, in bytes (at least 1). Default:
// CRYPTO_SESSION_MAX_BODY, else 1 MiB.
func WithMaxBody(n int64) V2Option { return func(s *v2Settings) { s.maxBody = n } }

// WithReplay sets the replay store: "memory" (one process) or a Redis URL
// (redis://host:port/db) shared by every process of the application. Default:
// CRYPTO_SESSION_REPLAY, else "memory".
func WithReplay(url string) V2Option { return func(s *v2Settings) { s.replay = url } }

// WithReplayCapacity sets how many requests the memory store holds (default 2^20);
// when it is full, requests are rejected `busy`.
func WithReplayCapacity(n int) V2Option { return func(s *v2Settings) { s.capacity = n } }

// WithAcceptV1 accepts protocol v1 requests too (off by default: v1 has no
// freshness and no replay protection). Default: CRYPTO_SESSION_ACCEPT_V1.
func WithAcceptV1(accept bool) V2Option {
	return func(s *v2Settings) { s.acceptV1 = &accept }
}

// WithForbidden sets the admission hook: forbidden(client) is called with the
// client's 32-byte x-only key once its signature verified; true rejects the
// request `forbidden` (403) before anything is recorded. It may run on several
// goroutines at once.
func WithForbidden(forbidden func(client []byte) bool) V2Option {
	return func(s *v2Settings) { s.forbidden = forbidden }
}

// WithV2Logger sets where the middleware logs rejections (default slog.Default()).
func WithV2Logger(l *slog.Logger) V2Option { return func(s *v2Settings) { s.logger = l } }

// withTestClock runs the server on a fixed clock at now, its memory store created
// at storeCreated (tests that replay recorded vectors only).
func withTestClock(now uint64, storeCreated float64) V2Option {
	return func(s *v2Settings) { s.testClock = &[2]float64{float64(now), storeCreated} }
}

// V2Server authenticates protocol v2 requests (and v1 ones with WithAcceptV1) and
// seals their answers. It is safe for concurrent use.
type V2Server struct {
	mu      sync.RWMutex
	h       *C.cs_v2_server
	maxBody int64
	exposed string // CORS: the core's Access-Control-Expose-Headers for this server
	logger  *slog.Logger
	hook    *C.uintptr_t // C memory holding the cgo.Handle of the admission hook
}

// NewV2Server builds a server from opts and, for every option not given, the
// environment. A bad option or variable is an error here, not at the first request.
func NewV2Server(opts ...V2Option) (*V2Server, error) {
	st := v2Settings{logger: slog.Default()}
	for _, opt := range opts {
		opt(&st)
	}
	var cfg *C.cs_v2_server_config
	if err := call(func() C.cs_result { return C.cs_v2_server_config_new(&cfg) }); err != nil {
		return nil, err
	}
	defer C.cs_v2_server_config_free(cfg)
	s := &V2Server{logger: st.logger}
	if err := s.configure(cfg, &st); err != nil {
		s.freeHook()
		return nil, err
	}
	var h *C.cs_v2_server
	if err := call(func() C.cs_result { return C.cs_v2_server_new(cfg, &h) }); err != nil {
		s.freeHook()
		return nil, err
	}
	s.h = h
	var age, skew, body C.uint64_t
	if err := call(func() C.cs_result { return C.cs_v2_server_limits(h, &age, &skew, &body) }); err != nil {
		s.Close()
		return nil, err
	}
	s.maxBody = int64(body)
	var exposed *C.char
	if err := call(func() C.cs_result { return C.cs_v2_server_exposed_headers(h, &exposed) }); err != nil {
		s.Close()
		return nil, err
	}
	s.exposed = C.GoString(exposed)
	runtime.SetFinalizer(s, (*V2Server).Close)
	return s, nil
}

func seconds(name string, d time.Duration) (C.uint64_t, error) {
	if d < 0 || d%time.Second != 0 {
		return 0, newError(uint32(C.CS_RESULT_MALFORMED_INPUT),
			"malformed input: "+name+" must be a positive whole number of seconds, not "+d.String())
	}
	return C.uint64_t(d / time.Second), nil
}

func (s *V2Server) configure(cfg *C.cs_v2_server_config, st *v2Settings) error {
	for _, k := range st.keys {
		if k == nil {
			return newError(uint32(C.CS_RESULT_INVALID_KEY), "invalid key: a nil secret key")
		}
		kp, kn := cBytes(k.secret[:])
		if err := call(func() C.cs_result { return C.cs_v2_server_config_add_key(cfg, kp, kn) }); err != nil {
			return err
		}
	}
	for _, o := range st.origins {
		op, on := cText(o)
		if err := call(func() C.cs_result { return C.cs_v2_server_config_add_origin(cfg, op, on) }); err != nil {
			return err
		}
	}
	if st.maxAge != 0 {
		v, err := seconds("max_age", st.maxAge)
		if err != nil {
			return err
		}
		if err := call(func() C.cs_result { return C.cs_v2_server_config_set_max_age(cfg, v) }); err != nil {
			return err
		}
	}
	if st.maxSkew != 0 {
		v, err := seconds("max_skew", st.maxSkew)
		if err != nil {
			return err
		}
		if err := call(func() C.cs_result { return C.cs_v2_server_config_set_max_skew(cfg, v) }); err != nil {
			return err
		}
	}
	if st.maxBody != 0 {
		if st.maxBody < 0 {
			return newError(uint32(C.CS_RESULT_MALFORMED_INPUT), "malformed input: max_body must be positive")
		}
		v := C.uint64_t(st.maxBody)
		if err := call(func() C.cs_result { return C.cs_v2_server_config_set_max_body(cfg, v) }); err != nil {
			return err
		}
	}
	if st.acceptV1 != nil {
		v := C.bool(*st.acceptV1)
		if err := call(func() C.cs_result { return C.cs_v2_server_config_set_accept_v1(cfg, v) }); err != nil {
			return err
		}
	}
	if st.replay != "" {
		rp, rn := cText(st.replay)
		if err := call(func() C.cs_result { return C.cs_v2_server_config_set_replay(cfg, rp, rn) }); err != nil {
			return err
		}
	}
	if st.capacity != 0 {
		if st.capacity < 0 {
			return newError(uint32(C.CS_RESULT_MALFORMED_INPUT), "malformed input: replay capacity must be positive")
		}
		v := C.size_t(st.capacity)
		if err := call(func() C.cs_result { return C.cs_v2_server_config_set_replay_capacity(cfg, v) }); err != nil {
			return err
		}
	}
	if st.testClock != nil {
		now, created := C.uint64_t(st.testClock[0]), C.double(st.testClock[1])
		if err := call(func() C.cs_result { return C.cs_v2_server_config_set_test_clock(cfg, now, created) }); err != nil {
			return err
		}
	}
	if st.forbidden != nil {
		s.hook = (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
		*s.hook = C.uintptr_t(cgo.NewHandle(st.forbidden))
		if err := setAdmission(cfg, s.hook); err != nil {
			return err
		}
	}
	// Everything not given above: the environment, read by the core.
	return call(func() C.cs_result { return C.cs_v2_server_config_apply_env(cfg) })
}

func (s *V2Server) freeHook() {
	if s.hook != nil {
		cgo.Handle(*s.hook).Delete()
		C.free(unsafe.Pointer(s.hook))
		s.hook = nil
	}
}

// Close frees the server. It is idempotent; the middleware then answers 500.
func (s *V2Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h != nil {
		C.cs_v2_server_free(s.h)
		s.h = nil
		runtime.SetFinalizer(s, nil)
	}
	s.freeHook()
	return nil
}

// MaxBody is the largest request body the server accepts, in bytes.
func (s *V2Server) MaxBody() int64 { return s.maxBody }

// setTestNow moves the fixed clock of a server built withTestClock.
func (s *V2Server) setTestNow(now uint64) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == nil {
		return ErrClosed
	}
	return call(func() C.cs_result { return C.cs_v2_server_set_test_now(s.h, C.uint64_t(now)) })
}

// KeyID is a v2 key id: the first 8 bytes of sha256 of the x-only public key,
// what a request names the server key by.
func KeyID(xonly []byte) []byte {
	sum := sha256.Sum256(xonly)
	return sum[:8]
}

// XOnly is the 32-byte x-only form (v2) of a public key.
func (p PublicKey) XOnly() []byte {
	out := make([]byte, 32)
	copy(out, p[1:33])
	return out
}

func setAdmission(cfg *C.cs_v2_server_config, hook *C.uintptr_t) error {
	return call(func() C.cs_result { return C.cs_go_set_admission(cfg, unsafe.Pointer(hook)) })
}
