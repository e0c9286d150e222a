package cryptosessions

// #include <crypto_sessions.h>
import "C"

import (
	"runtime"
	"sync"
)

// Client prepares requests to one server and opens its answers. It is safe for
// concurrent use. Transport is the http.RoundTripper built on it.
type Client struct {
	mu sync.RWMutex
	h  *C.cs_client
}

// Request is a prepared request: send Method to URL with the headers
// Authorization (and Content-Type when set) and Body (nil for a GET).
type Request struct {
	Method        string
	URL           string
	Authorization string
	ContentType   string
	Body          []byte
}

// NewClient makes a client of the server whose public key is server, signing
// with our secret. hostname (e.g. "http://localhost:3001") is put in front of
// every path; "" for none.
func NewClient(server PublicKey, secret *SecretKey, hostname string) (*Client, error) {
	sp, sn := cBytes(secret.secret[:])
	hp, hn := cOptionalText(hostname)
	var h *C.cs_client
	err := call(func() C.cs_result {
		return C.cs_client_new((*C.uint8_t)(&server[0]), C.size_t(len(server)), sp, sn, hp, hn, &h)
	})
	if err != nil {
		return nil, err
	}
	c := &Client{h: h}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// Close frees the client. It is idempotent; other methods then fail with ErrClosed.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.h != nil {
		C.cs_client_free(c.h)
		c.h = nil
		runtime.SetFinalizer(c, nil)
	}
	return nil
}

func (c *Client) with(f func(h *C.cs_client) C.cs_result) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.h == nil {
		return ErrClosed
	}
	return call(func() C.cs_result { return f(c.h) })
}

// Prepare signs (and for a POST encrypts) a request to path (with its query,
// already percent-encoded). A POST sends body, or signs the URL when body is
// nil; a non-nil empty body is an empty payload. Methods other than GET and POST
// fail with ErrUnsupportedMethod; a GET with a body with ErrMalformedInput.
func (c *Client) Prepare(method, path string, body []byte) (*Request, error) {
	var out C.cs_request
	mp, mn := cText(method)
	pp, pn := cText(path)
	bp, bn := cOptionalBytes(body)
	err := c.with(func(h *C.cs_client) C.cs_result {
		return C.cs_client_prepare(h, mp, mn, pp, pn, bp, bn, &out)
	})
	if err != nil {
		return nil, err
	}
	return &Request{
		Method:        C.GoString(out.method),
		URL:           takeString(&out.url),
		Authorization: takeString(&out.authorization),
		ContentType:   takeString(&out.content_type),
		Body:          take(&out.body),
	}, nil
}

// Open checks an answer (its status, authorization header — "" when absent — and
// body) and returns the plaintext payload. A status that is not 2xx fails with
// ErrHTTPStatus (Error.Status holds it); a bad or missing signature with
// ErrInvalidSignature; a signature by another key than the server's with
// ErrWrongPeer.
func (c *Client) Open(status int, authorization string, body []byte) ([]byte, error) {
	var out C.cs_bytes
	ap, an := cOptionalText(authorization)
	bp, bn := cTextBytes(body)
	if status < 0 || status > 0xffff {
		status = 0 // not 2xx either: the library reports ErrHTTPStatus
	}
	err := c.with(func(h *C.cs_client) C.cs_result {
		return C.cs_client_open(h, C.uint16_t(status), ap, an, bp, bn, &out)
	})
	if err != nil {
		if e, ok := err.(*Error); ok && e.Kind == ErrHTTPStatus {
			e.Status = status
		}
		return nil, err
	}
	return take(&out), nil
}

// signedURL is the core's signed_url: the string a GET signs for url and the
// origin-form target to send; origin "" means the URL's own.
func signedURL(origin, url string) (signed, target string, err error) {
	op, on := cOptionalText(origin)
	up, un := cText(url)
	var outSigned, outTarget C.cs_bytes
	if err := call(func() C.cs_result {
		return C.cs_signed_url(op, on, up, un, &outSigned, &outTarget)
	}); err != nil {
		return "", "", err
	}
	return string(take(&outSigned)), string(take(&outTarget)), nil
}
