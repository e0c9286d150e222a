//! Payload rules of the protocol: how a JSON payload becomes bytes, and how received
//! bytes are "revived". Both return compact JSON text, which C parses with any
//! JSON library.

use crypto_sessions::payload::{json_bytes, parse_json, revive};

use crate::boundary::{bytes_arg, guard, out_arg};
use crate::bytes::cs_bytes;
use crate::result::cs_result;

/// Serialize JSON text the way the protocol signs a JSON payload (`JSON.stringify`:
/// compact, keys in their order, non-ASCII as UTF-8). Pass the result to
/// `cs_session_encode`, `cs_server_seal` or `cs_client_prepare` to send a JSON value
/// byte for byte as the reference would.
///
/// Errors: `CS_RESULT_MALFORMED_INPUT` when `json` is not JSON.
#[no_mangle]
pub extern "C" fn cs_payload_json(
    json: *const u8,
    json_len: usize,
    out_payload: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        let out = out_arg(out_payload, "out_payload")?;
        // SAFETY: the caller's contract for (json, json_len).
        let json = unsafe { bytes_arg(json, json_len, "json") }?;
        *out = cs_bytes::new(json_bytes(&parse_json(json)?));
        Ok(())
    })
}

/// Revive received payload bytes as the reference does: the JSON value when the
/// bytes are JSON text, otherwise the text itself (invalid UTF-8 replaced by
/// U+FFFD) as a JSON string. The value comes back as compact JSON text in
/// `*out_json`, so `"42"` revives to `42` and `hello` to `"hello"`.
#[no_mangle]
pub extern "C" fn cs_payload_revive(
    payload: *const u8,
    payload_len: usize,
    out_json: *mut cs_bytes,
) -> cs_result {
    guard(|| {
        let out = out_arg(out_json, "out_json")?;
        // SAFETY: the caller's contract for (payload, payload_len).
        let payload = unsafe { bytes_arg(payload, payload_len, "payload") }?;
        *out = cs_bytes::new(json_bytes(&revive(payload)));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::cs_bytes_free;

    fn call(
        f: extern "C" fn(*const u8, usize, *mut cs_bytes) -> cs_result,
        input: &[u8],
    ) -> Result<String, cs_result> {
        let mut out = cs_bytes::absent();
        match f(input.as_ptr(), input.len(), &mut out) {
            cs_result::Ok => {
                let s = String::from_utf8(
                    unsafe { std::slice::from_raw_parts(out.data, out.len) }.to_vec(),
                )
                .unwrap();
                cs_bytes_free(&mut out);
                Ok(s)
            }
            code => Err(code),
        }
    }

    #[test]
    fn json_and_revive() {
        assert_eq!(
            call(cs_payload_json, b"{ \"b\": 1, \"a\": \"\\u00fc<\" }").unwrap(),
            "{\"b\":1,\"a\":\"ü<\"}"
        );
        assert_eq!(
            call(cs_payload_json, b"{").unwrap_err(),
            cs_result::MalformedInput
        );
        assert_eq!(call(cs_payload_revive, b"42").unwrap(), "42");
        assert_eq!(call(cs_payload_revive, b"hello").unwrap(), "\"hello\"");
    }
}
