//! Arguments as JavaScript hands them over: text or bytes.

use napi::bindgen_prelude::{Either, Uint8ArraySlice};

/// A key or payload given as a string or as a `Uint8Array` (a `Buffer` is one).
pub type TextOrBytes<'a> = Either<String, Uint8ArraySlice<'a>>;

/// The bytes of a string (UTF-8) or of a byte array.
pub(crate) fn bytes_of<'a>(input: &'a TextOrBytes<'_>) -> &'a [u8] {
    match input {
        Either::A(text) => text.as_bytes(),
        Either::B(bytes) => bytes,
    }
}
