//! The C ABI of crypto-sessions.
//!
//! Every exported item is `cs_`-prefixed and declared in `include/crypto_sessions.h`,
//! which cbindgen generates from this crate (config: `ffi/cbindgen.toml`). The
//! conventions (result codes, handles, out-pointers, ownership, threads) are written
//! once in that header's preamble; each module here implements one part:
//!
//! - [`result`]: the result codes, their static messages, the thread's last error.
//! - [`boundary`]: the panic boundary and the checks every argument goes through.
//! - [`handle`]: opaque handles with a type tag, `_new`/`_free`.
//! - [`bytes`]: `cs_bytes`, the one kind of memory the library hands out.
//! - [`keys`], [`session`], [`server`], [`client`], [`payload`]: the API proper (v1).
//! - [`v2_server`], [`v2_client`]: protocol v2 (the server also serves v1 on request).
//!
//! The protocol lives in the core crate; this crate only translates.

// The exported functions are `extern "C"` entry points called from C: their pointer
// arguments are checked (null, alignment, type tag, length) before use, and the
// header states what the caller guarantees for the rest (pointers valid for their
// lengths). Marking them `unsafe fn` would change nothing for C callers.
#![allow(clippy::not_unsafe_ptr_arg_deref)]
#![allow(non_camel_case_types)]
#![warn(missing_docs)]

pub mod boundary;
pub mod bytes;
pub mod client;
pub mod handle;
pub mod keys;
pub mod payload;
pub mod result;
pub mod server;
pub mod session;
pub mod v2_client;
pub mod v2_server;

use std::os::raw::c_char;

/// The version of the C ABI described by this header. It changes only when an
/// existing function, type or constant changes incompatibly; the shared library's
/// SONAME is `libcrypto_sessions.so.<CS_ABI_VERSION>`. Compare it with
/// `cs_abi_version()` to check that the library loaded at run time matches the header.
pub const CS_ABI_VERSION: u32 = 1;

/// The protocol version spoken (crypto-session v1).
pub const CS_PROTOCOL_VERSION: u32 = 1;

/// Length of a secret key: 32 bytes.
pub const CS_SECRET_KEY_LEN: usize = 32;

/// Length of a compressed public key, the form every output uses: 33 bytes.
pub const CS_PUBLIC_KEY_LEN: usize = 33;

/// Length of a session's ECDH shared secret: 32 bytes.
pub const CS_SHARED_SECRET_LEN: usize = 32;

/// The library's version, e.g. `"0.1.0"`: a static NUL-terminated string. Never fails.
#[no_mangle]
pub extern "C" fn cs_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The ABI version of the loaded library (`CS_ABI_VERSION` when it was built). Never fails.
#[no_mangle]
pub extern "C" fn cs_abi_version() -> u32 {
    CS_ABI_VERSION
}

#[cfg(test)]
mod test_alloc;
#[cfg(test)]
#[global_allocator]
static ALLOCATOR: test_alloc::Checked = test_alloc::Checked;

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_is_the_crate_version_and_the_core_version() {
        let v = unsafe { CStr::from_ptr(cs_version()) }.to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
        assert_eq!(v, crypto_sessions::VERSION);
        assert_eq!(CS_PROTOCOL_VERSION, crypto_sessions::PROTOCOL_VERSION);
    }

    #[test]
    fn soname_carries_the_abi_version() {
        assert_eq!(
            env!("CS_SONAME"),
            format!("libcrypto_sessions.so.{CS_ABI_VERSION}")
        );
        assert_eq!(cs_abi_version(), CS_ABI_VERSION);
    }

    #[test]
    fn key_lengths_match_the_core() {
        let sk = crypto_sessions::SecretKey::generate();
        assert_eq!(sk.to_bytes().len(), CS_SECRET_KEY_LEN);
        assert_eq!(sk.public_key().to_bytes().len(), CS_PUBLIC_KEY_LEN);
        assert_eq!(
            crypto_sessions::token::PUBKEY_LEN,
            CS_PUBLIC_KEY_LEN,
            "tokens carry compressed keys"
        );
    }
}
