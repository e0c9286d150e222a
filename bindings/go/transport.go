package cryptosessions

// #include <crypto_sessions.h>
import "C"

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// DefaultMaxAnswer is the largest answer body a Transport reads (16 MiB).
const DefaultMaxAnswer = 16 << 20

// Transport is an http.RoundTripper that speaks the protocol: it signs each
// request (GET: the URL; POST: the body, encrypted), sends it with Base, and
// opens the answer, so that
//
//	client := &http.Client{Transport: transport}
//
// gets plaintext answers that are proven to come from the server's key.
//
// Protocol v2 (NewTransport): see NewTransport. Protocol v1 (NewTransportV1): a
// 2xx answer that does not open (bad or missing signature, another signer,
// undecryptable body) is an error wrapping the core's kind; a non-2xx answer is
// returned as a response, as RoundTrippers do, with an empty body: its bytes are
// not the server's proven words.
type Transport struct {
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Origin is the origin the server signs (its host setting), e.g.
	// "https://api.example.com"; "" means each request URL's scheme://host.
	Origin string
	// MaxAnswer bounds the answer bodies read; 0 means DefaultMaxAnswer.
	MaxAnswer int64
	// FollowRedirects lets the transport sign a request that http.Client makes to
	// follow a redirect, when it stays on the origin of the request that was
	// redirected. By default such a request is an error: its URL came from an
	// unsigned Location header, not from the caller, and is never signed. A
	// redirect to another origin is always an error.
	FollowRedirects bool
	// Protocol is the protocol spoken: 2 (NewTransport, the default) or 1
	// (NewTransportV1). It is set by the constructor; FollowRedirects is v1 only.
	Protocol int

	client *Client
	v2     *v2Client
}

// Close frees the transport's client. It is idempotent.
func (t *Transport) Close() error {
	if t.v2 != nil {
		return t.v2.Close()
	}
	if t.client == nil {
		return nil
	}
	return t.client.Close()
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.v2 != nil {
		return t.roundTripV2(req)
	}
	if t.client == nil { // a Transport not made by NewTransport
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, ErrClosed
	}
	if err := t.checkRedirect(req); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		if body == nil {
			body = []byte{}
		}
	}
	// The core's signed_url: what is signed, and the target it must be sent as.
	sent := req.URL.RequestURI()
	signed, target, err := signedURL(t.Origin, req.URL.Scheme+"://"+req.URL.Host+sent)
	if err != nil {
		return nil, err
	}
	if target != sent {
		return nil, newError(uint32(C.CS_RESULT_MALFORMED_INPUT),
			"malformed input: "+strconv.Quote(sent)+" would be signed as "+strconv.Quote(target))
	}
	// The client's hostname is "", so the signed URL is exactly what the core said.
	prepared, err := t.client.Prepare(req.Method, signed, body)
	if err != nil {
		return nil, err
	}

	out := req.Clone(req.Context())
	out.Header.Set("Authorization", prepared.Authorization)
	if prepared.ContentType != "" {
		out.Header.Set("Content-Type", prepared.ContentType)
	}
	resp, err := t.roundTripSealed(out, prepared.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, t.maxAnswer()))
		resp.Body.Close()
		setBody(resp, nil)
		return resp, nil
	}
	sealed, err := t.readAnswer(resp)
	if err != nil {
		return nil, err
	}
	payload, err := t.client.Open(resp.StatusCode, resp.Header.Get("Authorization"), sealed)
	if err != nil {
		return nil, err
	}
	setBody(resp, payload)
	return resp, nil
}

// roundTripSealed sends out, its body replaced by the sealed one (none when empty),
// through the base transport.
func (t *Transport) roundTripSealed(out *http.Request, sealed []byte) (*http.Response, error) {
	if len(sealed) > 0 {
		out.Body = io.NopCloser(bytes.NewReader(sealed))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(sealed)), nil }
		out.ContentLength = int64(len(sealed))
	} else {
		out.Body = http.NoBody
		out.GetBody = nil
		out.ContentLength = 0
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(out)
}

// readAnswer reads and closes the answer's body: at most maxAnswer bytes, else
// ErrTooLarge.
func (t *Transport) readAnswer(resp *http.Response) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.maxAnswer()+1))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > t.maxAnswer() {
		return nil, &Error{Kind: ErrTooLarge, Code: uint32(kindCode(ErrTooLarge)),
			Detail: "input too large: the answer is larger than " + strconv.FormatInt(t.maxAnswer(), 10) + " bytes"}
	}
	return body, nil
}

// checkRedirect refuses a request http.Client made to follow a redirect (its
// Response is the redirect), unless FollowRedirects allows it and it stays on the
// redirected request's origin.
func (t *Transport) checkRedirect(req *http.Request) error {
	if req.Response == nil {
		return nil
	}
	from := req.Response.Request
	sameOrigin := from != nil && strings.EqualFold(from.URL.Scheme, req.URL.Scheme) &&
		strings.EqualFold(from.URL.Host, req.URL.Host)
	if t.FollowRedirects && sameOrigin {
		return nil
	}
	detail := "malformed input: not signing a redirect to " + strconv.Quote(req.URL.String())
	if !sameOrigin {
		detail += " (another origin)"
	} else {
		detail += " (set Transport.FollowRedirects to follow one on the same origin)"
	}
	return &Error{Kind: ErrMalformedInput, Code: uint32(kindCode(ErrMalformedInput)), Detail: detail}
}

func (t *Transport) maxAnswer() int64 {
	if t.MaxAnswer > 0 {
		return t.MaxAnswer
	}
	return DefaultMaxAnswer
}

// setBody replaces an answer's body (and its length headers) with payload.
func setBody(resp *http.Response, payload []byte) {
	resp.Body = io.NopCloser(bytes.NewReader(payload))
	resp.ContentLength = int64(len(payload))
	resp.Header.Set("Content-Length", strconv.Itoa(len(payload)))
	resp.Uncompressed = false
}

// kindCode is the C result code of a sentinel.
func kindCode(kind error) uint32 {
	for code, k := range kinds {
		if k == kind {
			return code
		}
	}
	return 0
}
