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

// Protocol v2's outcomes, one sentinel per code (C result codes 200-210): a
// rejection the V2Server sent (the WWW-Authenticate code), or what a v2 Transport
// got back. Test with errors.Is; *Error.Status holds the HTTP status a client saw.
var (
	// ErrV2Malformed: `malformed`, not a v2 request of the right syntax (401).
	ErrV2Malformed = kind(C.CS_RESULT_V2_MALFORMED)
	// ErrV2UnknownKey: `unknown_key`, the request names none of the server's keys (401).
	ErrV2UnknownKey = kind(C.CS_RESULT_V2_UNKNOWN_KEY)
	// ErrV2Stale: `stale`, outside the freshness window (401); a Transport returns it
	// when its one retry was not allowed or was stale again.
	ErrV2Stale = kind(C.CS_RESULT_V2_STALE)
	// ErrV2InvalidSignature: `invalid_signature`, a bad client key or signature, or
	// a signature for another origin, method, target or body (401).
	ErrV2InvalidSignature = kind(C.CS_RESULT_V2_INVALID_SIGNATURE)
	// ErrV2Replayed: `replayed`, the server saw this request before (401).
	ErrV2Replayed = kind(C.CS_RESULT_V2_REPLAYED)
	// ErrV2Forbidden: `forbidden`, the server's admission hook refused the client (403).
	ErrV2Forbidden = kind(C.CS_RESULT_V2_FORBIDDEN)
	// ErrV2InvalidBody: `invalid_body`, the request body does not open (401).
	ErrV2InvalidBody = kind(C.CS_RESULT_V2_INVALID_BODY)
	// ErrV2TooLarge: `too_large`, the body is larger than the server's max_body (413).
	ErrV2TooLarge = kind(C.CS_RESULT_V2_TOO_LARGE)
	// ErrV2Busy: `busy`, the replay store is full or unreachable (503).
	ErrV2Busy = kind(C.CS_RESULT_V2_BUSY)
	// ErrV2InvalidAnswer: a response that is not a valid answer to the request sent
	// (never data: a forged, tampered or misdirected answer).
	ErrV2InvalidAnswer = kind(C.CS_RESULT_V2_INVALID_ANSWER)
	// ErrV2Rejected: a rejection without a v2 code (a v1 request, or an unknown code).
	ErrV2Rejected = kind(C.CS_RESULT_V2_REJECTED)
)

// ErrV1OnlyServer: a v2 Transport got 401 without `WWW-Authenticate: CryptoSession`:
// the server may speak only protocol v1. Upgrade the server (NewV2Server, with
// WithAcceptV1 for its existing v1 clients) or use NewTransportV1 for it. The
// transport never falls back to v1 by itself.
var ErrV1OnlyServer = errors.New("crypto-sessions: the server answered 401 without " +
	"WWW-Authenticate: CryptoSession: it may speak only protocol v1; upgrade it to v2 " +
	"(NewV2Server, WithAcceptV1 keeps its v1 clients) or talk v1 to it with NewTransportV1")

// Errors of this package itself, not of the protocol.
var (
	// ErrClosed: a method was called on a closed Session, Server, Client or Transport.
	ErrClosed = errors.New("crypto-sessions: use of a closed handle")
	// ErrNoPeer: Send or JSON was called for a request the middleware did not authenticate.
	ErrNoPeer = errors.New("crypto-sessions: no authenticated peer in the request context")
	// ErrInternal: the C library reported misuse of its API or an internal error (a bug).
	ErrInternal = errors.New("crypto-sessions: internal error")
)

// kinds maps the C result codes 1..99 and 200..210 to their sentinels.
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
