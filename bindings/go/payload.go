package cryptosessions

// #include <crypto_sessions.h>
import "C"

import "encoding/json"

// CompactJSON re-serializes JSON text the way the protocol signs a JSON payload
// (JSON.stringify: compact, keys in their order, non-ASCII as UTF-8). Errors wrap
// ErrMalformedInput.
func CompactJSON(text []byte) ([]byte, error) {
	var out C.cs_bytes
	p, n := cBytes(text)
	if err := call(func() C.cs_result { return C.cs_payload_json(p, n, &out) }); err != nil {
		return nil, err
	}
	return take(&out), nil
}

// Revive reads received payload bytes as the reference does: the JSON value when
// they are JSON text, otherwise the text itself as a JSON string. So "42" revives
// to 42 and hello to "hello".
func Revive(payload []byte) (json.RawMessage, error) {
	var out C.cs_bytes
	p, n := cBytes(payload)
	if err := call(func() C.cs_result { return C.cs_payload_revive(p, n, &out) }); err != nil {
		return nil, err
	}
	return json.RawMessage(take(&out)), nil
}
