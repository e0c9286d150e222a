package cryptosessions

// #include <crypto_sessions.h>
import "C"

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
)

// PublicKeyLen is the length of a compressed public key.
const PublicKeyLen = C.CS_PUBLIC_KEY_LEN

// SecretKeyLen is the length of a secret key.
const SecretKeyLen = C.CS_SECRET_KEY_LEN

// PublicKey is a secp256k1 public key in its 33-byte compressed form.
// Its text form (String, MarshalText) is 66 lowercase hex characters.
type PublicKey [PublicKeyLen]byte

// ParsePublicKey parses 66 (compressed) or 130 (uncompressed) hex characters.
func ParsePublicKey(text string) (PublicKey, error) {
	return PublicKeyFromBytes([]byte(text))
}

// PublicKeyFromBytes parses a SEC1 key, 33 or 65 raw bytes, or its hex text.
func PublicKeyFromBytes(b []byte) (PublicKey, error) {
	var out PublicKey
	p, n := cBytes(b)
	err := call(func() C.cs_result {
		return C.cs_public_key_parse(p, n, (*C.uint8_t)(&out[0]), C.size_t(len(out)))
	})
	if err != nil {
		return PublicKey{}, err
	}
	return out, nil
}

// ParseXOnlyKey parses a v2 (BIP-340 x-only) public key, 64 hex characters, as the
// key with that x-coordinate and even y: what v2 calls the key (XOnly gives it back).
func ParseXOnlyKey(text string) (PublicKey, error) {
	if len(text) != 64 {
		return PublicKey{}, newError(uint32(C.CS_RESULT_INVALID_KEY),
			"invalid key: an x-only key is 64 hex characters, not "+strconv.Itoa(len(text)))
	}
	return PublicKeyFromBytes([]byte("02" + text))
}

// Bytes returns a copy of the 33 compressed bytes.
func (k PublicKey) Bytes() []byte { return append([]byte(nil), k[:]...) }

// String returns the 66 hex characters.
func (k PublicKey) String() string { return hex.EncodeToString(k[:]) }

// MarshalText returns the hex form.
func (k PublicKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses the hex form (compressed or uncompressed).
func (k *PublicKey) UnmarshalText(text []byte) error {
	parsed, err := PublicKeyFromBytes(text)
	if err != nil {
		return err
	}
	*k = parsed
	return nil
}

// SecretKey is a secp256k1 secret key. It never prints itself: every fmt verb
// shows only the public key.
type SecretKey struct {
	secret [SecretKeyLen]byte
	public PublicKey
}

// GenerateSecretKey makes a key from the operating system's CSPRNG.
func GenerateSecretKey() (*SecretKey, error) {
	var raw [SecretKeyLen]byte
	err := call(func() C.cs_result {
		return C.cs_secret_key_generate((*C.uint8_t)(&raw[0]), C.size_t(len(raw)))
	})
	if err != nil {
		return nil, err
	}
	defer wipe(raw[:])
	return SecretKeyFromBytes(raw[:])
}

// ParseSecretKey parses 64 hex characters.
func ParseSecretKey(text string) (*SecretKey, error) {
	return SecretKeyFromBytes([]byte(text))
}

// SecretKeyFromBytes parses 32 raw bytes, or the 64 hex characters as bytes.
func SecretKeyFromBytes(b []byte) (*SecretKey, error) {
	var k SecretKey
	p, n := cBytes(b)
	err := call(func() C.cs_result {
		return C.cs_secret_key_parse(p, n, (*C.uint8_t)(&k.secret[0]), C.size_t(len(k.secret)))
	})
	if err != nil {
		return nil, err
	}
	err = call(func() C.cs_result {
		return C.cs_public_key_from_secret((*C.uint8_t)(&k.secret[0]), C.size_t(len(k.secret)),
			(*C.uint8_t)(&k.public[0]), C.size_t(len(k.public)))
	})
	if err != nil {
		return nil, err
	}
	return &k, nil
}

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}

// PublicKey returns the key's public key.
func (k *SecretKey) PublicKey() PublicKey { return k.public }

// Bytes returns a copy of the 32 secret bytes; wipe it when done.
func (k *SecretKey) Bytes() []byte { return append([]byte(nil), k.secret[:]...) }

// String shows the public key only.
func (k *SecretKey) String() string { return "SecretKey(" + k.public.String() + ")" }

// GoString shows the public key only.
func (k *SecretKey) GoString() string { return k.String() }

// Format shows the public key only, whatever the verb (%x, %v, %#v, %q ...).
func (k *SecretKey) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, k.String()) }
