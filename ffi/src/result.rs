//! Result codes, their static messages, and the calling thread's last error.

use std::cell::RefCell;
use std::os::raw::c_char;

use crypto_sessions::v2::server::Code;
use crypto_sessions::{Error, ErrorKind};

/// What a fallible function returns: `CS_RESULT_OK` (0) or why it failed.
///
/// Codes 1 to 99 are the core's error kinds, one to one and with the same numbers;
/// codes 100 to 199 are misuse of the C API itself; codes 200 to 299 are protocol
/// v2's outcomes: the server's rejection codes (200-208, in the order of
/// `WWW-Authenticate: CryptoSession error="<code>"`), then the client's own (209-210).
/// Numbers never change; retired numbers stay reserved. Its C type is `uint32_t`, so its size is fixed in the ABI.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cs_result {
    /// Success.
    Ok = 0,
    /// Input that is not in the protocol's format: not base64url, empty, too short,
    /// not the expected JSON, text that is not UTF-8, and so on.
    MalformedInput = 1,
    /// A key that is not a valid secp256k1 key.
    InvalidKey = 2,
    /// The encrypted data did not decrypt (bad length or bad padding).
    DecryptFailed = 3,
    /// The signature does not verify over the payload, or is not a signature.
    InvalidSignature = 4,
    /// The signature was made by a key other than the expected peer.
    WrongPeer = 5,
    /// An input is larger than the configured limit.
    TooLarge = 6,
    /// An HTTP method the protocol does not sign (v1 knows GET and POST).
    UnsupportedMethod = 7,
    /// A client received an answer whose status is not 2xx.
    HttpStatus = 8,
    /// A required pointer argument is NULL.
    NullArgument = 100,
    /// An argument is out of range, e.g. a length above `PTRDIFF_MAX`.
    InvalidArgument = 101,
    /// A handle argument is not a live handle of the expected type (its tag does not
    /// match, or the pointer is misaligned).
    InvalidHandle = 102,
    /// An output buffer is smaller than the value to write.
    BufferTooSmall = 103,
    /// The library panicked (a bug); nothing was written to the outputs.
    Panic = 104,
    /// v2 `malformed`: not a v2 request of the right syntax.
    V2Malformed = 200,
    /// v2 `unknown_key`: the request names none of the server's keys.
    V2UnknownKey = 201,
    /// v2 `stale`: outside the freshness window.
    V2Stale = 202,
    /// v2 `invalid_signature`: bad client key or signature, or another origin.
    V2InvalidSignature = 203,
    /// v2 `replayed`: this request was seen before.
    V2Replayed = 204,
    /// v2 `forbidden`: the server refuses this client.
    V2Forbidden = 205,
    /// v2 `invalid_body`: the request body does not open.
    V2InvalidBody = 206,
    /// v2 `too_large`: the body is larger than the server's `max_body`.
    V2TooLarge = 207,
    /// v2 `busy`: the replay store is full or unreachable.
    V2Busy = 208,
    /// v2 `invalid_answer`: a response that is not a valid answer to the request
    /// sent. Never data.
    V2InvalidAnswer = 209,
    /// A rejection without a v2 code: a v1 request refused by a server accepting
    /// v1, or an unsigned rejection naming no known code.
    V2Rejected = 210,
}

impl cs_result {
    /// The static, NUL-terminated message of a code.
    fn message(code: u32) -> &'static [u8] {
        match code {
            0 => b"ok\0",
            1 => b"malformed input\0",
            2 => b"invalid key\0",
            3 => b"decryption failed\0",
            4 => b"invalid signature\0",
            5 => b"signed by an unexpected key\0",
            6 => b"input too large\0",
            7 => b"unsupported HTTP method\0",
            8 => b"HTTP status is not 2xx\0",
            100 => b"a required pointer argument is NULL\0",
            101 => b"invalid argument\0",
            102 => b"not a live handle of the expected type\0",
            103 => b"output buffer too small\0",
            104 => b"internal error (panic) in crypto_sessions\0",
            200 => b"malformed\0",
            201 => b"unknown_key\0",
            202 => b"stale\0",
            203 => b"invalid_signature\0",
            204 => b"replayed\0",
            205 => b"forbidden\0",
            206 => b"invalid_body\0",
            207 => b"too_large\0",
            208 => b"busy\0",
            209 => b"invalid_answer\0",
            210 => b"rejected\0",
            _ => b"unknown result code\0",
        }
    }
}

/// The core's kinds map one to one, with the same numbers.
impl From<ErrorKind> for cs_result {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::MalformedInput => cs_result::MalformedInput,
            ErrorKind::InvalidKey => cs_result::InvalidKey,
            ErrorKind::DecryptFailed => cs_result::DecryptFailed,
            ErrorKind::InvalidSignature => cs_result::InvalidSignature,
            ErrorKind::WrongPeer => cs_result::WrongPeer,
            ErrorKind::TooLarge => cs_result::TooLarge,
            ErrorKind::UnsupportedMethod => cs_result::UnsupportedMethod,
            ErrorKind::HttpStatus => cs_result::HttpStatus,
            // ErrorKind is non-exhaustive; a kind not mapped above fails the test
            // below (it walks ErrorKind::ALL and compares the numbers).
            _ => cs_result::MalformedInput,
        }
    }
}

/// The v2 rejection codes map one to one (200-208, in `Code::ALL`'s order).
impl From<Code> for cs_result {
    fn from(code: Code) -> Self {
        match code {
            Code::Malformed => cs_result::V2Malformed,
            Code::UnknownKey => cs_result::V2UnknownKey,
            Code::Stale => cs_result::V2Stale,
            Code::InvalidSignature => cs_result::V2InvalidSignature,
            Code::Replayed => cs_result::V2Replayed,
            Code::Forbidden => cs_result::V2Forbidden,
            Code::InvalidBody => cs_result::V2InvalidBody,
            Code::TooLarge => cs_result::V2TooLarge,
            Code::Busy => cs_result::V2Busy,
        }
    }
}

/// A failure on its way to C: the code to return and the detail for the last error.
#[derive(Debug)]
pub struct Failure {
    /// The code returned to the caller.
    pub code: cs_result,
    /// The detail kept as the thread's last error (never secret material).
    pub detail: String,
}

impl Failure {
    /// A failure with a code and a detail.
    pub fn new(code: cs_result, detail: impl Into<String>) -> Self {
        Failure {
            code,
            detail: detail.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        // Display is "<kind message>: <detail>"; the core keeps secrets out of it.
        Failure::new(err.kind().into(), err.to_string())
    }
}

thread_local! {
    static LAST_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Record the calling thread's last error (or clear it with `None`).
pub(crate) fn set_last_error(detail: Option<String>) {
    // `try_with`: during thread teardown the slot may be gone; losing the detail
    // then is better than a panic.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = detail;
        }
    });
}

/// The static message of a result code, e.g. `"invalid signature"`: a NUL-terminated
/// string owned by the library, valid for the life of the process. An unknown code
/// gives `"unknown result code"`. Never NULL, never fails.
#[no_mangle]
pub extern "C" fn cs_result_message(code: u32) -> *const c_char {
    cs_result::message(code).as_ptr().cast()
}

/// Copy the detailed message of the calling thread's last error into `buf`.
///
/// Every fallible function sets this message when it fails and clears it when it
/// succeeds; it belongs to the calling thread. The message never contains secret
/// material. At most `buf_len - 1` bytes are copied (cut on a UTF-8 character
/// boundary) and a NUL is always written when `buf_len > 0`. `buf` may be NULL
/// when `buf_len` is 0, to ask for the length.
///
/// Returns the full length of the message in bytes, without the NUL (0 when the last
/// call succeeded or there was none), as `snprintf` does: a result `>= buf_len` means
/// the copy was cut.
#[no_mangle]
pub extern "C" fn cs_last_error_message(buf: *mut c_char, buf_len: usize) -> usize {
    std::panic::catch_unwind(|| {
        LAST_ERROR
            .try_with(|slot| {
                let slot = slot.try_borrow().ok()?;
                let message = slot.as_deref().unwrap_or("");
                if !buf.is_null() && buf_len > 0 {
                    // The longest prefix that fits and ends on a character boundary
                    // (0 always does).
                    let fits = message.len().min(buf_len - 1);
                    let n = (0..=fits)
                        .rev()
                        .find(|&i| message.is_char_boundary(i))
                        .unwrap_or(0);
                    // SAFETY: the caller gives `buf_len` writable bytes at `buf`.
                    unsafe {
                        std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), n);
                        *buf.add(n) = 0;
                    }
                }
                Some(message.len())
            })
            .ok()
            .flatten()
            .unwrap_or(0)
    })
    .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn core_kinds_map_one_to_one_with_the_same_numbers() {
        let mut seen = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            let code = cs_result::from(kind);
            assert_eq!(code as u32, kind as u32, "{kind:?}");
            assert!(seen.insert(code as u32));
            let msg = unsafe { CStr::from_ptr(cs_result_message(code as u32)) };
            assert_eq!(msg.to_str().unwrap(), kind.message());
        }
        // The binding's own codes stay clear of the core's range.
        for code in [
            cs_result::NullArgument,
            cs_result::InvalidArgument,
            cs_result::InvalidHandle,
            cs_result::BufferTooSmall,
            cs_result::Panic,
        ] {
            assert!(code as u32 >= 100);
        }
    }

    #[test]
    fn v2_codes_map_one_to_one_with_the_wire_names() {
        for (i, code) in Code::ALL.into_iter().enumerate() {
            let c = cs_result::from(code) as u32;
            assert_eq!(c, 200 + i as u32, "{code}");
            let msg = unsafe { CStr::from_ptr(cs_result_message(c)) };
            assert_eq!(msg.to_str().unwrap(), code.as_str());
        }
    }

    #[test]
    fn every_code_has_a_message_and_unknown_codes_say_so() {
        let msg = |c: u32| {
            unsafe { CStr::from_ptr(cs_result_message(c)) }
                .to_str()
                .unwrap()
        };
        assert_eq!(msg(0), "ok");
        for c in (1..=8).chain(100..=104).chain(200..=210) {
            assert_ne!(msg(c), "unknown result code", "{c}");
        }
        for c in [9, 99, 105, 199, 211, u32::MAX] {
            assert_eq!(msg(c), "unknown result code");
        }
    }

    #[test]
    fn last_error_copies_like_snprintf_on_char_boundaries() {
        set_last_error(Some("héllo".to_string())); // 6 bytes
        assert_eq!(cs_last_error_message(std::ptr::null_mut(), 0), 6);
        let mut buf = [0x7f as c_char; 3];
        assert_eq!(cs_last_error_message(buf.as_mut_ptr(), buf.len()), 6);
        // "hé" needs 3 bytes plus NUL: only "h" fits without splitting 'é'.
        assert_eq!(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_bytes(), b"h");
        let mut buf = [0 as c_char; 16];
        cs_last_error_message(buf.as_mut_ptr(), buf.len());
        assert_eq!(
            unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap(),
            "héllo"
        );
        set_last_error(None);
        assert_eq!(cs_last_error_message(buf.as_mut_ptr(), buf.len()), 0);
        assert_eq!(buf[0], 0);
    }

    #[test]
    fn last_error_writes_nothing_without_room() {
        set_last_error(Some("héllo".to_string()));
        // A zero-length buffer is only asked for the length, even when not NULL.
        let mut buf = [0x7f as c_char; 4];
        assert_eq!(cs_last_error_message(buf.as_mut_ptr(), 0), 6);
        assert_eq!(buf, [0x7f as c_char; 4]);
        // NULL with a length is never written through.
        assert_eq!(cs_last_error_message(std::ptr::null_mut(), 16), 6);
        set_last_error(None);
    }
}
