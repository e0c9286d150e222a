package cryptosessions

/*
#include <stdlib.h>
#include <crypto_sessions.h>
*/
import "C"

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

// V2Request is what the V2Server proved about a request.
type V2Request struct {
	// Version is the protocol version that authenticated the request: 2, or 1 (with
	// WithAcceptV1; v1 carries none of v2's freshness or replay protection).
	Version int
	// ClientKey is the client's key: 32 bytes (x-only) for v2, 33 (compressed) for v1.
	ClientKey []byte
	// ContentType is the payload's content type as the client sealed it ("" when
	// none: application/octet-stream; always "" for v1).
	ContentType string

	auth *C.cs_v2_authenticated
}

type v2RequestKey struct{}

// V2RequestFrom returns what the V2Server's middleware proved about this request.
func V2RequestFrom(ctx context.Context) (*V2Request, bool) {
	r, ok := ctx.Value(v2RequestKey{}).(*V2Request)
	return r, ok
}

// The CORS header value of the spec's Browsers section, from the core: what a
// preflight allows. What answers and rejections expose depends on the server
// (V2Server.exposed: Authorization too when it accepts v1).
var allowed = C.GoString(C.cs_v2_allowed_headers())

// methodOverrides are the core's method-override headers, which the middleware
// removes: the application sees the signed method, nothing else.
var methodOverrides = strings.Split(C.GoString(C.cs_v2_method_override_headers()), ", ")

// Middleware authenticates every request before next sees it, and seals next's
// answer for the request it answers.
//
// A request that passes reaches next with its body replaced by the decrypted
// payload, the Content-Type header set to the payload's content type (removed when
// it has none), and a V2Request in the context (V2RequestFrom). What next writes
// (status, Content-Type, body) is sealed: the client gets it signed, encrypted and
// bound to its request; other headers next sets are sent as they are (they are not
// signed). Send, SendBytes and JSON also work under it. Every answer and rejection
// carries `Access-Control-Expose-Headers` with the core's list for this server:
// Crypto-Session, WWW-Authenticate, and Authorization (where a v1 answer travels)
// when it accepts v1.
//
// A request that does not pass gets the spec's status (401; 413 too_large, 403
// forbidden, 503 busy), an empty body and `WWW-Authenticate: CryptoSession
// error="<code>"` (with a signed stale answer in `Crypto-Session` when it is one);
// the reason is logged, next never sees it. A CORS preflight (OPTIONS with
// Access-Control-Request-Method and no Authorization) goes to next unauthenticated,
// with `Access-Control-Allow-Headers` set to the core's list (Authorization,
// Content-Type, Cache-Control).
func (s *V2Server) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Access-Control-Expose-Headers", s.exposed)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" &&
			len(r.Header.Values("Authorization")) == 0 {
			h.Set("Access-Control-Allow-Headers", allowed)
			next.ServeHTTP(w, r)
			return
		}
		req, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		defer req.free()
		for _, name := range methodOverrides {
			r.Header.Del(name)
		}
		payload := req.payload()
		r = r.WithContext(context.WithValue(r.Context(), v2RequestKey{}, req))
		r.Body = io.NopCloser(bytes.NewReader(payload))
		r.ContentLength = int64(len(payload))
		r.Header.Set("Content-Length", strconv.Itoa(len(payload)))
		if req.ContentType != "" {
			r.Header.Set("Content-Type", req.ContentType)
		} else {
			r.Header.Del("Content-Type")
		}
		sw := &sealingWriter{w: w, status: 0}
		next.ServeHTTP(sw, r)
		s.seal(w, r, req, sw)
	})
}

// authenticate runs the core's checks; on a rejection it answers and returns false.
func (s *V2Server) authenticate(w http.ResponseWriter, r *http.Request) (*V2Request, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == nil {
		s.fail(w, r, ErrClosed)
		return nil, false
	}
	var contentLength *C.uint64_t
	if r.ContentLength >= 0 && r.Header.Get("Content-Length") != "" {
		v := C.uint64_t(r.ContentLength)
		contentLength = &v
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody && (contentLength == nil || int64(*contentLength) <= s.maxBody) {
		b, err := io.ReadAll(io.LimitReader(r.Body, s.maxBody+1))
		if err != nil {
			s.fail(w, r, err)
			return nil, false
		}
		body = b
	}
	values := r.Header.Values("Authorization")
	// The array and its strings live in C memory: cgo forbids passing Go memory
	// that holds Go pointers.
	n := len(values)
	var auths *C.cs_str
	if n > 0 {
		auths = (*C.cs_str)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(C.cs_str{}))))
		defer C.free(unsafe.Pointer(auths))
		list := unsafe.Slice(auths, n)
		for i, v := range values {
			list[i].data = C.CString(v)
			list[i].len = C.size_t(len(v))
			defer C.free(unsafe.Pointer(list[i].data))
		}
	}
	// The target exactly as on the request line (a server always sets it; a request
	// built in a program without it is malformed).
	target := r.RequestURI
	mp, mn := cText(r.Method)
	tp, tn := cText(target)
	bp, bn := cBytes(body)
	var auth *C.cs_v2_authenticated
	var rej C.cs_v2_rejection
	runtime.LockOSThread()
	code := C.cs_v2_server_authenticate(s.h, mp, mn, tp, tn, auths, C.size_t(n), contentLength, bp, bn, &auth, &rej)
	detail := ""
	if code != C.CS_RESULT_OK {
		detail = lastErrorMessage()
	}
	runtime.UnlockOSThread()
	if code == C.CS_RESULT_OK {
		req := &V2Request{auth: auth}
		var version C.uint8_t
		var key, ct C.cs_bytes
		if err := call(func() C.cs_result { return C.cs_v2_authenticated_version(auth, &version) }); err != nil {
			req.free()
			s.fail(w, r, err)
			return nil, false
		}
		if err := call(func() C.cs_result { return C.cs_v2_authenticated_client_key(auth, &key) }); err != nil {
			req.free()
			s.fail(w, r, err)
			return nil, false
		}
		if err := call(func() C.cs_result { return C.cs_v2_authenticated_content_type(auth, &ct) }); err != nil {
			req.free()
			s.fail(w, r, err)
			return nil, false
		}
		req.Version = int(version)
		req.ClientKey = take(&key)
		req.ContentType = takeString(&ct)
		return req, true
	}
	if uint32(code) >= 200 && uint32(code) <= 210 {
		defer C.cs_v2_rejection_free(&rej)
		h := w.Header()
		challenge := takeString(&rej.www_authenticate)
		h.Set("WWW-Authenticate", challenge)
		if rej.crypto_session.data != nil {
			h.Set("Crypto-Session", takeString(&rej.crypto_session))
		}
		h.Del("Content-Type")
		h.Set("Content-Length", "0")
		s.log(r, newError(uint32(code), detail), slog.String("www_authenticate", challenge))
		w.WriteHeader(int(rej.status))
		return nil, false
	}
	s.fail(w, r, newError(uint32(code), detail))
	return nil, false
}

func (req *V2Request) payload() []byte {
	var p C.cs_bytes
	if err := call(func() C.cs_result { return C.cs_v2_authenticated_payload(req.auth, &p) }); err != nil {
		return nil
	}
	return take(&p)
}

func (req *V2Request) free() {
	if req.auth != nil {
		C.cs_v2_authenticated_free(req.auth)
		req.auth = nil
	}
}

// seal seals what next wrote and sends it.
func (s *V2Server) seal(w http.ResponseWriter, r *http.Request, req *V2Request, sw *sealingWriter) {
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	ct := h.Get("Content-Type")
	payload := sw.body.Bytes()
	if r.Method == http.MethodHead {
		// net/http lets a GET handler serve HEAD and drops what it writes: so do we.
		payload = nil
	}
	if len(payload) == 0 && (r.Method == http.MethodHead || status < 200 || status == 204 || status == 304) {
		ct = ""
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == nil {
		s.fail(w, r, ErrClosed)
		return
	}
	cp, cn := cText(ct)
	pp, pn := cBytes(payload)
	var sealed C.cs_v2_sealed
	err := call(func() C.cs_result {
		return C.cs_v2_server_seal(s.h, req.auth, C.uint16_t(status), cp, cn, pp, pn, &sealed)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer C.cs_v2_sealed_free(&sealed)
	h.Del("Content-Type")
	h.Set(C.GoString(sealed.header_name), takeString(&sealed.header_value))
	if sealed.content_type.data != nil {
		h.Set("Content-Type", takeString(&sealed.content_type))
	}
	body := take(&sealed.body)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(int(sealed.status))
	_, _ = w.Write(body)
}

// fail answers 500 for what is no protocol outcome (misuse, a closed server, a
// body that could not be read, an answer the core refuses to seal).
func (s *V2Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log(r, err)
	h := w.Header()
	h.Del("Content-Type")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusInternalServerError)
}

func (s *V2Server) log(r *http.Request, reason error, more ...slog.Attr) {
	attrs := append([]slog.Attr{
		slog.String("method", r.Method),
		slog.String("target", r.RequestURI),
		slog.String("remote", r.RemoteAddr),
		slog.String("reason", reason.Error()),
	}, more...)
	s.logger.LogAttrs(r.Context(), slog.LevelWarn, "crypto-sessions: request rejected", attrs...)
}

// sealingWriter collects next's answer so that it can be sealed whole.
type sealingWriter struct {
	w      http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (sw *sealingWriter) Header() http.Header { return sw.w.Header() }

func (sw *sealingWriter) WriteHeader(status int) {
	if sw.status == 0 && status >= 200 {
		sw.status = status
	}
}

func (sw *sealingWriter) Write(b []byte) (int, error) {
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	return sw.body.Write(b)
}
