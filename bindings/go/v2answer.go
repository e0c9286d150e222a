package cryptosessions

// #include <crypto_sessions.h>
import "C"

// V2Answer is a verified protocol v2 answer: the status the server signed, the
// payload's content type ("" for none) and the payload.
type V2Answer struct {
	Status      int
	ContentType string
	Payload     []byte
}

// OpenV2Answer checks a response to a v2 request known only by its token (the 128
// bytes its Authorization carried, e.g. kept from an earlier exchange), sent with
// method by the holder of secret to the server key server: the status, the
// Crypto-Session header and the body must be the server's answer to that very
// request. A response that is not is an error wrapping ErrV2InvalidAnswer, never
// data. A Transport does this for every request it sends; this is for answers
// checked apart from the exchange (logs, test vectors).
func OpenV2Answer(secret *SecretKey, server PublicKey, method string, requestToken []byte,
	status int, cryptoSession string, body []byte) (*V2Answer, error) {
	var out C.cs_v2_answer
	if _, err := checkV2Answer(secret, server, method, requestToken, status, cryptoSession, body, false, &out); err != nil {
		return nil, err
	}
	defer C.cs_v2_answer_free(&out)
	return &V2Answer{Status: int(out.status), ContentType: takeString(&out.content_type), Payload: take(&out.payload)}, nil
}

// CheckV2StaleAnswer checks a signed stale answer (401 with a Crypto-Session
// header, no body) to a v2 request known by its token, as OpenV2Answer does an
// answer, and returns the server's clock it carries (Unix seconds).
func CheckV2StaleAnswer(secret *SecretKey, server PublicKey, method string, requestToken []byte,
	status int, cryptoSession string, body []byte) (uint64, error) {
	var out C.cs_v2_answer
	return checkV2Answer(secret, server, method, requestToken, status, cryptoSession, body, true, &out)
}

func checkV2Answer(secret *SecretKey, server PublicKey, method string, requestToken []byte, status int,
	cryptoSession string, body []byte, stale bool, out *C.cs_v2_answer) (uint64, error) {
	if secret == nil {
		return 0, newError(uint32(C.CS_RESULT_INVALID_KEY), "invalid key: a nil secret key")
	}
	if status < 0 || status > 0xffff {
		return 0, newError(uint32(C.CS_RESULT_V2_INVALID_ANSWER), "invalid answer: status out of range")
	}
	sp, sn := cBytes(secret.secret[:])
	xp, xn := cBytes(server.XOnly())
	mp, mn := cText(method)
	tp, tn := cBytes(requestToken)
	cp, cn := cText(cryptoSession)
	bp, bn := cBytes(body)
	var serverTime C.uint64_t
	err := call(func() C.cs_result {
		return C.cs_v2_check_answer(sp, sn, xp, xn, mp, mn, tp, tn, C.uint16_t(status), cp, cn, bp, bn,
			C.bool(stale), out, &serverTime)
	})
	if e, ok := err.(*Error); ok {
		e.Status = status
	}
	return uint64(serverTime), err
}
