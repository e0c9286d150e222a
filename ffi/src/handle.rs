//! Opaque handles: a boxed Rust value behind a per-type tag.
//!
//! C sees `cs_session *` and so on, pointers to incomplete types. Behind them is a
//! `Tagged<T>`: a 64-bit tag first, then the value. Before a handle is used its
//! pointer is checked for NULL, alignment and tag, so NULL, a pointer to the wrong
//! kind of handle, or a pointer to other readable memory is `CS_RESULT_INVALID_HANDLE`
//! (or `CS_RESULT_NULL_ARGUMENT`) rather than a crash. A pointer to unmapped or freed
//! memory cannot be checked without reading it: that stays undefined behaviour,
//! documented as forbidden in the header.

use crate::result::{cs_result, Failure};

/// The layout behind every handle: the tag at offset 0.
#[repr(C)]
struct Tagged<T> {
    tag: u64,
    value: T,
}

/// Written over the tag when a handle is freed, to catch the common double free
/// while the memory is still the allocator's (not guaranteed: see the module doc).
const DEAD: u64 = 0;

const fn tag(name: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*name)
}

/// A C handle type and the Rust value behind it.
pub(crate) trait Handle: Sized {
    /// The Rust value.
    type Inner;
    /// The tag at the start of a live handle of this type.
    const TAG: u64;
    /// How errors name the handle.
    const NAME: &'static str;

    /// Box `value` and hand ownership to C.
    fn into_raw(value: Self::Inner) -> *mut Self {
        Box::into_raw(Box::new(Tagged {
            tag: Self::TAG,
            value,
        }))
        .cast()
    }

    /// Borrow the value behind a handle, after checking the pointer and the tag.
    fn borrow<'a>(ptr: *const Self) -> Result<&'a Self::Inner, Failure> {
        let tagged = checked::<Self>(ptr)?;
        // SAFETY: `checked` verified alignment and the live tag of this type.
        Ok(unsafe { &(*tagged).value })
    }

    /// Free a handle. NULL, and anything without this type's live tag, is ignored.
    fn free(ptr: *mut Self) {
        if let Ok(tagged) = checked::<Self>(ptr) {
            let tagged = tagged as *mut Tagged<Self::Inner>;
            // SAFETY: a live handle of this type, created by `into_raw`; the caller
            // gives up its pointer (the header forbids using it afterwards).
            unsafe {
                std::ptr::write_volatile(&mut (*tagged).tag, DEAD);
                drop(Box::from_raw(tagged));
            }
        }
    }
}

fn checked<H: Handle>(ptr: *const H) -> Result<*const Tagged<H::Inner>, Failure> {
    if ptr.is_null() {
        return Err(Failure::new(
            cs_result::NullArgument,
            format!("the {} handle is NULL", H::NAME),
        ));
    }
    let tagged = ptr.cast::<Tagged<H::Inner>>();
    if (tagged as usize) % std::mem::align_of::<Tagged<H::Inner>>() != 0 {
        return Err(invalid::<H>("it is misaligned"));
    }
    // SAFETY: non-null and aligned; the caller's contract is that it points to
    // readable memory (a handle, or at least something of a handle's size).
    let found = unsafe { std::ptr::read_volatile(tagged.cast::<u64>()) };
    if found != H::TAG {
        return Err(invalid::<H>(if found == DEAD {
            "it was freed"
        } else {
            "its tag does not match"
        }));
    }
    Ok(tagged)
}

fn invalid<H: Handle>(why: &str) -> Failure {
    Failure::new(
        cs_result::InvalidHandle,
        format!("not a live {} handle: {why}", H::NAME),
    )
}

/// A session with one peer (opaque). Immutable once made: share it between threads.
pub struct cs_session {
    _private: [u8; 0],
}

/// A server: its key, its origin, its limits and caches (opaque). Safe to share
/// between threads; its caches are internally locked.
pub struct cs_server {
    _private: [u8; 0],
}

/// A client of one server (opaque). Immutable once made: share it between threads.
pub struct cs_client {
    _private: [u8; 0],
}

impl Handle for cs_session {
    type Inner = crypto_sessions::Session;
    const TAG: u64 = tag(b"cs:sessn");
    const NAME: &'static str = "session";
}

impl Handle for cs_server {
    type Inner = crypto_sessions::Server;
    const TAG: u64 = tag(b"cs:servr");
    const NAME: &'static str = "server";
}

impl Handle for cs_client {
    type Inner = crypto_sessions::Client;
    const TAG: u64 = tag(b"cs:clint");
    const NAME: &'static str = "client";
}

/// A v2 server configuration being assembled (opaque). Not for sharing between
/// threads while it is being changed.
pub struct cs_v2_server_config {
    _private: [u8; 0],
}

/// A v2 server (accepting v1 too when configured): keys, origins, limits, replay
/// store (opaque). Safe to share between threads.
pub struct cs_v2_server {
    _private: [u8; 0],
}

/// A request that passed `cs_v2_server_authenticate` (opaque): its version, client
/// key, content type and payload, and what sealing its answer needs.
pub struct cs_v2_authenticated {
    _private: [u8; 0],
}

/// A v2 client of one server key (opaque). Safe to share between threads.
pub struct cs_v2_client {
    _private: [u8; 0],
}

/// A v2 request prepared by `cs_v2_client_prepare` (opaque): what to send, and what
/// opening its answer needs.
pub struct cs_v2_request {
    _private: [u8; 0],
}

impl Handle for cs_v2_server_config {
    type Inner = std::sync::Mutex<crate::v2_server::Config>;
    const TAG: u64 = tag(b"cs:2conf");
    const NAME: &'static str = "v2 server config";
}

impl Handle for cs_v2_server {
    type Inner = crate::v2_server::V2Server;
    const TAG: u64 = tag(b"cs:2serv");
    const NAME: &'static str = "v2 server";
}

impl Handle for cs_v2_authenticated {
    type Inner = crypto_sessions::v2::server::Authenticated;
    const TAG: u64 = tag(b"cs:2auth");
    const NAME: &'static str = "v2 authenticated request";
}

impl Handle for cs_v2_client {
    type Inner = crypto_sessions::v2::client::Client;
    const TAG: u64 = tag(b"cs:2clnt");
    const NAME: &'static str = "v2 client";
}

impl Handle for cs_v2_request {
    type Inner = crypto_sessions::v2::client::PreparedRequest;
    const TAG: u64 = tag(b"cs:2reqs");
    const NAME: &'static str = "v2 request";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_sessions::SecretKey;

    fn session() -> crypto_sessions::Session {
        let sk = SecretKey::generate();
        crypto_sessions::Session::new(&sk.public_key(), &sk)
    }

    #[test]
    fn handles_are_checked_by_type_and_tag() {
        let s = cs_session::into_raw(session());
        assert!(cs_session::borrow(s).is_ok());
        // The same pointer seen as another type of handle.
        let e = cs_server::borrow(s.cast::<cs_server>()).unwrap_err();
        assert_eq!(e.code, cs_result::InvalidHandle);
        // Freeing through the wrong type does nothing.
        cs_client::free(s.cast::<cs_client>());
        assert!(cs_session::borrow(s).is_ok());
        cs_session::free(s);

        let garbage = [0xa5a5_a5a5_a5a5_a5a5u64; 8];
        let e = cs_session::borrow(garbage.as_ptr().cast::<cs_session>()).unwrap_err();
        assert_eq!(e.code, cs_result::InvalidHandle);
        let misaligned = (garbage.as_ptr() as *const u8)
            .wrapping_add(4)
            .cast::<cs_session>();
        assert_eq!(
            cs_session::borrow(misaligned).unwrap_err().code,
            cs_result::InvalidHandle
        );
        assert_eq!(
            cs_session::borrow(std::ptr::null()).unwrap_err().code,
            cs_result::NullArgument
        );
        cs_session::free(std::ptr::null_mut());
    }

    #[test]
    fn free_releases_the_handle_and_its_value() {
        use crate::test_alloc::live_bytes;
        drop(session()); // whatever a first session sets up once, once for all
        let before = live_bytes();
        let s = cs_session::into_raw(session());
        assert!(live_bytes() > before);
        cs_session::free(s);
        assert_eq!(live_bytes(), before);
    }

    #[test]
    fn errors_say_whether_a_handle_was_freed_or_is_something_else() {
        let detail = |tag: u64| {
            let fake = Tagged { tag, value: 0u64 };
            let ptr = (&fake as *const Tagged<u64>).cast::<cs_session>();
            let err = cs_session::borrow(ptr).unwrap_err();
            assert_eq!(err.code, cs_result::InvalidHandle);
            err.detail
        };
        assert_eq!(detail(DEAD), "not a live session handle: it was freed");
        assert_eq!(
            detail(cs_server::TAG),
            "not a live session handle: its tag does not match"
        );
    }
}
