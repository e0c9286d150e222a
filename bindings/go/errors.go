package cryptosessions

// #include <crypto_sessions.h>
import "C"

import (
	"errors"
	"fmt"
)

// One sentinel per error kind of the core, in the core's order and with its
// numbers as C result codes. Every error this package returns for a protocol
// failure wraps exactly one of them: test with errors.Is.
var (
	// ErrMalformedInput: input not in the protocol's format (not base64url, empty,
	// not the expected JSON, no authorization header...).
	ErrMalformedInput = kind(C.CS_RESULT_MALFORMED_INPUT)
	// ErrInvalidKey: a key that is not a valid secp256k1 key.
	ErrInvalidKey = kind(C.CS_RESULT_INVALID_KEY)
	// ErrDecryptFailed: the encrypted data did not decrypt.
	ErrDecryptFailed = kind(C.CS_RESULT_DECRYPT_FAILED)
	// ErrInvalidSignature: the signature does not hold, or is not a signature.
	ErrInvalidSignature = kind(C.CS_RESULT_INVALID_SIGNATURE)
	// ErrWrongPeer: signed by a key other than the expected peer.
	ErrWrongPeer = kind(C.CS_RESULT_WRONG_PEER)
	// ErrTooLarge: an input larger than the configured limit.
	ErrTooLarge = kind(C.CS_RESULT_TOO_LARGE)
	// ErrUnsupportedMethod: an HTTP method v1 does not sign (it knows GET and POST).
	ErrUnsupportedMethod = kind(C.CS_RESULT_UNSUPPORTED_METHOD)
	// ErrHTTPStatus: an answer whose status is not 2xx was given to Client.Open.
	ErrHTTPStatus = kind(C.CS_RESULT_HTTP_STATUS)
)

// Errors of this package itself, not of the protocol.
var (
	// ErrClosed: a method was called on a closed Session, Server, Client or Transport.
	ErrClosed = errors.New("crypto-sessions: use of a closed handle")
	// ErrNoPeer: Send or JSON was called for a request the middleware did not authenticate.
	ErrNoPeer = errors.New("crypto-sessions: no authenticated peer in the request context")
	// ErrInternal: the C library reported misuse of its API or an internal error (a bug).
	ErrInternal = errors.New("crypto-sessions: internal error")
)

// kinds maps the C result codes 1..99 to their sentinels.
var kinds = map[uint32]error{}

func kind(code C.cs_result) error {
	err := errors.New("crypto-sessions: " + C.GoString(C.cs_result_message(C.uint32_t(code))))
	kinds[uint32(code)] = err
	return err
}

// Error is a failure reported by the library: its kind (a sentinel above, or
// ErrInternal), the C result code, and a detail that never holds secrets.
type Error struct {
	// Kind is the sentinel this error wraps.
	Kind error
	// Code is the C result code (see include/crypto_sessions.h).
	Code uint32
	// Detail is the library's message, e.g.
	// "invalid signature: the signature does not verify over the payload".
	Detail string
	// Status is the HTTP status for ErrHTTPStatus, else 0.
	Status int
}

func newError(code uint32, detail string) *Error {
	k, ok := kinds[code]
	if !ok {
		k = ErrInternal
	}
	return &Error{Kind: k, Code: code, Detail: detail}
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Kind.Error()
	}
	return "crypto-sessions: " + e.Detail
}

// Unwrap makes errors.Is(err, ErrWrongPeer) and friends work.
func (e *Error) Unwrap() error { return e.Kind }

// GoString keeps %#v readable.
func (e *Error) GoString() string {
	return fmt.Sprintf("&cryptosessions.Error{Code: %d, Detail: %q, Status: %d}", e.Code, e.Detail, e.Status)
}
