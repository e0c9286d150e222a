package cryptosessions

// #include <crypto_sessions.h>
import "C"

import (
	"runtime"
	"sync"
)

// Session is one side of an end-to-end session with a peer: our secret key and
// the peer's public key, with the ECDH done once. It is safe for concurrent use.
type Session struct {
	mu     sync.RWMutex // held for reading during C calls, for writing by Close
	h      *C.cs_session
	peer   PublicKey
	public PublicKey
}

// NewSession makes a session with peer, using our secret.
func NewSession(peer PublicKey, secret *SecretKey) (*Session, error) {
	var h *C.cs_session
	sp, sn := cBytes(secret.secret[:])
	err := call(func() C.cs_result {
		return C.cs_session_new((*C.uint8_t)(&peer[0]), C.size_t(len(peer)), sp, sn, &h)
	})
	if err != nil {
		return nil, err
	}
	return wrapSession(h), nil
}

// wrapSession takes ownership of a handle.
func wrapSession(h *C.cs_session) *Session {
	s := &Session{h: h}
	// Both calls only fail for a bad handle or buffer, which these are not.
	C.cs_session_peer(h, (*C.uint8_t)(&s.peer[0]), C.size_t(len(s.peer)))
	C.cs_session_public_key(h, (*C.uint8_t)(&s.public[0]), C.size_t(len(s.public)))
	runtime.SetFinalizer(s, (*Session).Close)
	return s
}

// Close frees the session. It is idempotent; other methods then fail with ErrClosed.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.h != nil {
		C.cs_session_free(s.h)
		s.h = nil
		runtime.SetFinalizer(s, nil)
	}
	return nil
}

// with runs f with the live handle, or fails with ErrClosed.
func (s *Session) with(f func(h *C.cs_session) C.cs_result) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.h == nil {
		return ErrClosed
	}
	return call(func() C.cs_result { return f(s.h) })
}

// Peer is the peer's public key.
func (s *Session) Peer() PublicKey { return s.peer }

// PublicKey is our own public key.
func (s *Session) PublicKey() PublicKey { return s.public }

// SharedSecret returns the ECDH shared secret (the AES-256 key). It is secret
// material: keep it out of logs.
func (s *Session) SharedSecret() ([]byte, error) {
	out := make([]byte, C.CS_SHARED_SECRET_LEN)
	err := s.with(func(h *C.cs_session) C.cs_result {
		return C.cs_session_shared_secret(h, (*C.uint8_t)(&out[0]), C.size_t(len(out)))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Sign returns the token base64url(our public key || DER signature) over message.
// Signing is deterministic.
func (s *Session) Sign(message []byte) (string, error) {
	var token C.cs_bytes
	mp, mn := cBytes(message)
	err := s.with(func(h *C.cs_session) C.cs_result { return C.cs_session_sign(h, mp, mn, &token) })
	if err != nil {
		return "", err
	}
	return takeString(&token), nil
}

// Verify checks that token was issued by the peer over message: nil when it was,
// else an error wrapping ErrMalformedInput, ErrTooLarge, ErrWrongPeer or
// ErrInvalidSignature.
func (s *Session) Verify(token string, message []byte) error {
	tp, tn := cText(token)
	mp, mn := cBytes(message)
	return s.with(func(h *C.cs_session) C.cs_result { return C.cs_session_verify(h, tp, tn, mp, mn) })
}

// Encode signs and encrypts payload (already serialized: text, bytes, or JSON —
// see CompactJSON). It returns the token for the authorization header and the
// encrypted data.
func (s *Session) Encode(payload []byte) (token, data string, err error) {
	var t, d C.cs_bytes
	pp, pn := cBytes(payload)
	err = s.with(func(h *C.cs_session) C.cs_result { return C.cs_session_encode(h, pp, pn, &t, &d) })
	if err != nil {
		return "", "", err
	}
	return takeString(&t), takeString(&d), nil
}

// Decode decrypts data and verifies token over the plaintext (strict). Errors
// wrap ErrMalformedInput, ErrDecryptFailed, ErrInvalidSignature or ErrWrongPeer.
func (s *Session) Decode(token, data string) ([]byte, error) {
	var out C.cs_bytes
	tp, tn := cText(token)
	dp, dn := cText(data)
	err := s.with(func(h *C.cs_session) C.cs_result { return C.cs_session_decode(h, tp, tn, dp, dn, &out) })
	if err != nil {
		return nil, err
	}
	return take(&out), nil
}

// DecodeUnchecked is the reference's decode: the decrypted payload, and whether
// token is the peer's valid signature over it. A bad or foreign signature is
// valid == false with no error (the payload is then untrusted); malformed or
// undecryptable data is an error.
func (s *Session) DecodeUnchecked(token, data string) (payload []byte, valid bool, err error) {
	var out C.cs_bytes
	var ok C.bool
	tp, tn := cText(token)
	dp, dn := cText(data)
	err = s.with(func(h *C.cs_session) C.cs_result {
		return C.cs_session_decode_unchecked(h, tp, tn, dp, dn, &out, &ok)
	})
	if err != nil {
		return nil, false, err
	}
	return take(&out), bool(ok), nil
}
