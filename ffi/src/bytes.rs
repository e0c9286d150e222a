//! `cs_bytes`: the one kind of memory the library hands out, and its one free.

use zeroize::Zeroize;

use crate::boundary::guard_void;

/// Bytes allocated by the library and owned by the caller.
///
/// `data[len]` is always a NUL byte (not counted in `len`), so text outputs can be
/// used as C strings; binary outputs may contain NULs of their own. An empty output
/// still has a non-NULL `data`; `{NULL, 0}` means "absent" where a field is optional.
/// Release it with `cs_bytes_free` and nothing else (not `free()`).
#[repr(C)]
#[derive(Debug)]
pub struct cs_bytes {
    /// The bytes, or NULL when absent.
    pub data: *mut u8,
    /// How many bytes, without the trailing NUL.
    pub len: usize,
}

impl cs_bytes {
    /// Hand `bytes` to C, with a trailing NUL.
    pub(crate) fn new(bytes: impl Into<Vec<u8>>) -> Self {
        let mut v = bytes.into();
        let len = v.len();
        v.push(0);
        let data = Box::into_raw(v.into_boxed_slice()).cast::<u8>();
        cs_bytes { data, len }
    }

    /// The absent value, `{NULL, 0}`.
    pub(crate) const fn absent() -> Self {
        cs_bytes {
            data: std::ptr::null_mut(),
            len: 0,
        }
    }
}

/// Free bytes returned by the library, and set `*bytes` to `{NULL, 0}`.
///
/// The memory is zeroed before it is released (it may be a decrypted payload).
/// `bytes == NULL` and `{NULL, 0}` are no-ops, so freeing twice through the same
/// `cs_bytes` is harmless; freeing a copy of an already freed `cs_bytes`, or bytes
/// the library did not allocate, is undefined behaviour.
#[no_mangle]
pub extern "C" fn cs_bytes_free(bytes: *mut cs_bytes) {
    guard_void(|| {
        if bytes.is_null() || (bytes as usize) % std::mem::align_of::<cs_bytes>() != 0 {
            return;
        }
        // SAFETY: non-null and aligned; the caller passes a cs_bytes it owns.
        let b = unsafe { &mut *bytes };
        // `len + 1` must not overflow: such a length was never ours.
        if b.data.is_null() || b.len == usize::MAX {
            return;
        }
        // SAFETY: made by `cs_bytes::new`: a boxed slice of `len + 1` bytes.
        unsafe {
            let slice = std::ptr::slice_from_raw_parts_mut(b.data, b.len + 1);
            let mut boxed = Box::from_raw(slice);
            boxed.zeroize();
        }
        *b = cs_bytes::absent();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_nul_terminated_and_freed_once() {
        let mut b = cs_bytes::new(b"abc".to_vec());
        assert_eq!(b.len, 3);
        assert_eq!(unsafe { std::slice::from_raw_parts(b.data, 4) }, b"abc\0");
        cs_bytes_free(&mut b);
        assert!(b.data.is_null() && b.len == 0);
        cs_bytes_free(&mut b);
        cs_bytes_free(std::ptr::null_mut());

        let mut empty = cs_bytes::new(Vec::new());
        assert!(!empty.data.is_null());
        assert_eq!(empty.len, 0);
        cs_bytes_free(&mut empty);
    }

    #[test]
    fn free_gives_back_exactly_what_was_allocated() {
        use crate::test_alloc::{live_bytes, SIZE_MISMATCHES};
        use std::sync::atomic::Ordering;
        let before = live_bytes();
        let mismatches = SIZE_MISMATCHES.load(Ordering::SeqCst);
        for len in [0usize, 1, 31, 4096] {
            let mut b = cs_bytes::new(vec![7u8; len]);
            assert_eq!(
                live_bytes() - before,
                len as isize + 1,
                "{len} bytes and a NUL"
            );
            cs_bytes_free(&mut b);
            assert_eq!(live_bytes(), before, "{len} bytes freed");
        }
        assert_eq!(SIZE_MISMATCHES.load(Ordering::SeqCst), mismatches);
    }
}
