package cryptosessions

// #include <crypto_sessions.h>
import "C"

import (
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// v2Client is the core's v2 client: it signs requests to one server key, opens
// the answers, and keeps the server's clock offset learned from signed stale answers.
type v2Client struct {
	mu sync.RWMutex
	h  *C.cs_v2_client
}

func newV2Client(server PublicKey, secret *SecretKey, skew *int64) (*v2Client, error) {
	if secret == nil {
		return nil, newError(uint32(C.CS_RESULT_INVALID_KEY), "invalid key: a nil secret key")
	}
	sp, sn := cBytes(secret.secret[:])
	x := server.XOnly()
	xp, xn := cBytes(x)
	var h *C.cs_v2_client
	if err := call(func() C.cs_result {
		if skew != nil {
			return C.cs_v2_client_new_skewed(sp, sn, xp, xn, C.int64_t(*skew), &h)
		}
		return C.cs_v2_client_new(sp, sn, xp, xn, &h)
	}); err != nil {
		return nil, err
	}
	c := &v2Client{h: h}
	runtime.SetFinalizer(c, (*v2Client).Close)
	return c, nil
}

func (c *v2Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h != nil {
		C.cs_v2_client_free(c.h)
		c.h = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

// v2Prepared is a request the core prepared, and what to send for it.
type v2Prepared struct {
	h                                                  *C.cs_v2_request
	method, url, authorization, contentType, cacheCtrl string
	body                                               []byte
}

func (p *v2Prepared) free() {
	if p != nil && p.h != nil {
		C.cs_v2_request_free(p.h)
		p.h = nil
	}
}

func readParts(h *C.cs_v2_request) (*v2Prepared, error) {
	var parts C.cs_v2_request_parts
	if err := call(func() C.cs_result { return C.cs_v2_request_parts_get(h, &parts) }); err != nil {
		C.cs_v2_request_free(h)
		return nil, err
	}
	defer C.cs_v2_request_parts_free(&parts)
	return &v2Prepared{
		h:             h,
		method:        takeString(&parts.method),
		url:           takeString(&parts.url),
		authorization: takeString(&parts.authorization),
		contentType:   takeString(&parts.content_type),
		cacheCtrl:     takeString(&parts.cache_control),
		body:          take(&parts.body),
	}, nil
}

func (c *v2Client) prepare(method, rawURL, contentType string, payload []byte) (*v2Prepared, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.h == nil {
		return nil, ErrClosed
	}
	mp, mn := cText(method)
	up, un := cText(rawURL)
	cp, cn := cText(contentType)
	pp, pn := cBytes(payload)
	var h *C.cs_v2_request
	if err := call(func() C.cs_result {
		return C.cs_v2_client_prepare(c.h, mp, mn, up, un, cp, cn, pp, pn, &h)
	}); err != nil {
		return nil, err
	}
	return readParts(h)
}

// open verifies a response to p. On a signed stale answer it returns the one
// retry allowed (or nil) with an ErrV2Stale error.
func (c *v2Client) open(p *v2Prepared, status int, cryptoSession, wwwAuthenticate string,
	body []byte) (answer *C.cs_v2_answer, retry *v2Prepared, err error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.h == nil {
		return nil, nil, ErrClosed
	}
	csp, csn := cText(cryptoSession) // NULL when absent (or empty)
	wp, wn := cText(wwwAuthenticate)
	bp, bn := cBytes(body)
	var out C.cs_v2_answer
	var r *C.cs_v2_request
	runtime.LockOSThread()
	code := C.cs_v2_client_open(c.h, p.h, C.uint16_t(status), csp, csn, wp, wn, bp, bn, &out, &r)
	detail := ""
	if code != C.CS_RESULT_OK {
		detail = lastErrorMessage()
	}
	runtime.UnlockOSThread()
	if code == C.CS_RESULT_OK {
		return &out, nil, nil
	}
	e := newError(uint32(code), detail)
	e.Status = status
	if code == C.CS_RESULT_V2_STALE && r != nil {
		retry, perr := readParts(r)
		if perr != nil {
			return nil, nil, perr
		}
		return nil, retry, e
	}
	return nil, nil, e
}

// NewTransport makes a protocol v2 transport (Protocol 2) to the server whose
// public key is server, signing with our secret. It never falls back to v1: for a
// server that speaks only v1 use NewTransportV1.
//
// Every request is signed (its method, URL and body, sealed with its content
// type); the answer is opened and verified as the answer to that request, and the
// response carries the server's status, the payload as its body and the payload's
// content type. A response that is not a valid answer is an ErrV2InvalidAnswer
// error, never data. A rejection is an error wrapping its code's sentinel
// (ErrV2Replayed, ErrV2UnknownKey...) with its Status; its outcome is unknown
// (rejections are unsigned). On a signed stale answer the transport corrects its
// clock for that server and retries once with a new nonce, as the spec says.
// It never signs a request http.Client makes to follow a redirect.
func NewTransport(server PublicKey, secret *SecretKey) (*Transport, error) {
	c, err := newV2Client(server, secret, nil)
	if err != nil {
		return nil, err
	}
	return &Transport{Protocol: 2, v2: c}, nil
}

// NewTransportSkewedForTest is FOR TESTS ONLY: NewTransport for a client whose
// clock reads the system clock plus skew (whole seconds; negative: behind), to test
// the correction from a signed stale answer across processes. A real client must
// never use it.
func NewTransportSkewedForTest(server PublicKey, secret *SecretKey, skew time.Duration) (*Transport, error) {
	seconds := int64(skew / time.Second)
	c, err := newV2Client(server, secret, &seconds)
	if err != nil {
		return nil, err
	}
	return &Transport{Protocol: 2, v2: c}, nil
}

// NewTransportV1 makes a protocol v1 transport (Protocol 1): what NewTransport
// made before v2, for servers that speak only v1.
func NewTransportV1(server PublicKey, secret *SecretKey) (*Transport, error) {
	c, err := NewClient(server, secret, "")
	if err != nil {
		return nil, err
	}
	return &Transport{Protocol: 1, client: c}, nil
}

// ClockOffset is the number of seconds a v2 transport adds to its clock for its
// server, learned from the last signed stale answer (0 before one).
func (t *Transport) ClockOffset() int64 {
	if t.v2 == nil {
		return 0
	}
	t.v2.mu.RLock()
	defer t.v2.mu.RUnlock()
	if t.v2.h == nil {
		return 0
	}
	var off C.int64_t
	if call(func() C.cs_result { return C.cs_v2_client_clock_offset(t.v2.h, &off) }) != nil {
		return 0
	}
	return int64(off)
}

func (t *Transport) roundTripV2(req *http.Request) (*http.Response, error) {
	if req.Response != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &Error{Kind: ErrMalformedInput, Code: uint32(kindCode(ErrMalformedInput)),
			Detail: "malformed input: not signing a redirect to " + strconv.Quote(req.URL.String()) +
				" (its URL came from an unsigned Location header; set http.Client.CheckRedirect " +
				"to return http.ErrUseLastResponse and decide yourself)"}
	}
	var payload []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		payload = b
	}
	contentType := req.Header.Get("Content-Type")
	origin := req.URL.Scheme + "://" + req.URL.Host
	if t.Origin != "" {
		origin = strings.TrimSuffix(t.Origin, "/")
	}
	prepared, err := t.v2.prepare(req.Method, origin+req.URL.RequestURI(), contentType, payload)
	if err != nil {
		return nil, err
	}
	resp, answer, err := t.sendV2(req, prepared, true)
	if err != nil {
		return nil, err
	}
	defer C.cs_v2_answer_free(answer)
	resp.StatusCode = int(answer.status)
	resp.Status = strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	if ct := takeString(&answer.content_type); ct != "" {
		resp.Header.Set("Content-Type", ct)
	} else {
		resp.Header.Del("Content-Type")
	}
	setBody(resp, take(&answer.payload))
	return resp, nil
}

// sendV2 sends p, opens the response, and on a signed stale answer sends the one
// retry the core allows.
func (t *Transport) sendV2(req *http.Request, p *v2Prepared, mayRetry bool) (*http.Response, *C.cs_v2_answer, error) {
	defer p.free()
	out := req.Clone(req.Context())
	u, err := url.Parse(p.url)
	if err != nil {
		return nil, nil, newError(uint32(C.CS_RESULT_MALFORMED_INPUT), "malformed input: "+err.Error())
	}
	signedTarget := p.url[len(u.Scheme)+3+len(u.Host):]
	u.Scheme, u.Host = req.URL.Scheme, req.URL.Host
	if u.RequestURI() != signedTarget {
		u.Opaque, u.RawQuery, u.ForceQuery = signedTarget, "", false // sent exactly as signed
	}
	out.URL = u
	out.Host = req.Host
	out.Header.Set("Authorization", p.authorization)
	out.Header.Del("Content-Type")
	out.Header.Del("Cache-Control")
	if p.contentType != "" {
		out.Header.Set("Content-Type", p.contentType)
	}
	if p.cacheCtrl != "" {
		out.Header.Set("Cache-Control", p.cacheCtrl)
	}
	resp, err := t.roundTripSealed(out, p.body)
	if err != nil {
		return nil, nil, err
	}
	body, err := t.readAnswer(resp)
	if err != nil {
		return nil, nil, err
	}
	cs, hasCS := header(resp.Header, "Crypto-Session")
	www, _ := header(resp.Header, "WWW-Authenticate")
	if resp.StatusCode == http.StatusUnauthorized && !hasCS && !isCryptoSessionChallenge(resp.Header) {
		return nil, nil, &Error{Kind: ErrV1OnlyServer, Status: resp.StatusCode, Detail: ErrV1OnlyServer.Error()[len("crypto-sessions: "):]}
	}
	answer, retry, err := t.v2.open(p, resp.StatusCode, cs, www, body)
	if err != nil {
		if retry != nil {
			if !mayRetry {
				retry.free()
				return nil, nil, err
			}
			return t.sendV2(req, retry, false)
		}
		return nil, nil, err
	}
	return resp, answer, nil
}

func header(h http.Header, name string) (string, bool) {
	v := h.Values(name)
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// isCryptoSessionChallenge: a WWW-Authenticate value of the CryptoSession scheme.
func isCryptoSessionChallenge(h http.Header) bool {
	for _, v := range h.Values("WWW-Authenticate") {
		v = strings.TrimLeft(v, " \t")
		if len(v) >= len("CryptoSession") && strings.EqualFold(v[:len("CryptoSession")], "CryptoSession") {
			return true
		}
	}
	return false
}
