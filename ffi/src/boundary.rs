//! The panic boundary and the checks every pointer argument goes through.
//!
//! Each fallible entry point is `guard(|| { ... })`: the body returns
//! `Result<(), Failure>`, and `guard` turns it into a result code, records or
//! clears the thread's last error, and turns a panic into `CS_RESULT_PANIC`.
//! Outputs are written by the body only after everything else has succeeded.
//! The `_free` functions use `guard_void`. Only functions that return a constant
//! (`cs_version`, `cs_abi_version`, `cs_result_message`, `cs_server_limits_default`)
//! run unguarded: they contain nothing that can panic.

use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::result::{cs_result, set_last_error, Failure};

/// Run an entry point's body: no panic crosses the boundary.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Failure>) -> cs_result {
    // AssertUnwindSafe: on a panic the body's partial state is dropped, and the
    // caller's outputs have not been written (bodies write them last).
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => {
            set_last_error(None);
            cs_result::Ok
        }
        Ok(Err(failure)) => {
            set_last_error(Some(failure.detail));
            failure.code
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            set_last_error(Some(format!("internal error (panic): {what}")));
            cs_result::Panic
        }
    }
}

/// Run a function without a result (the `_free` functions): a panic is swallowed.
pub(crate) fn guard_void(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}

fn null(name: &str) -> Failure {
    Failure::new(cs_result::NullArgument, format!("{name} is NULL"))
}

/// A length that can describe a Rust slice (at most `isize::MAX` bytes).
fn check_len(len: usize, name: &str) -> Result<(), Failure> {
    if len > isize::MAX as usize {
        return Err(Failure::new(
            cs_result::InvalidArgument,
            format!("{name}_len is {len}, above PTRDIFF_MAX"),
        ));
    }
    Ok(())
}

/// The bytes `(ptr, len)` given by C. NULL with length 0 is the empty slice.
///
/// # Safety
/// When `ptr` is not NULL it must be valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes_arg<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Failure> {
    check_len(len, name)?;
    if ptr.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(null(name)) };
    }
    // SAFETY: non-null, length in range, validity is the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Like [`bytes_arg`], where NULL means "absent" (any length).
///
/// # Safety
/// As [`bytes_arg`].
pub(crate) unsafe fn optional_bytes_arg<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<Option<&'a [u8]>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    unsafe { bytes_arg(ptr, len, name) }.map(Some)
}

/// Text that must be UTF-8: anything else is malformed protocol input.
pub(crate) fn utf8<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str, Failure> {
    std::str::from_utf8(bytes).map_err(|e| {
        Failure::new(
            cs_result::MalformedInput,
            format!(
                "{name} is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// UTF-8 text `(ptr, len)` given by C (no NUL terminator needed).
///
/// # Safety
/// As [`bytes_arg`].
pub(crate) unsafe fn str_arg<'a>(
    ptr: *const c_char,
    len: usize,
    name: &str,
) -> Result<&'a str, Failure> {
    utf8(unsafe { bytes_arg(ptr.cast(), len, name) }?, name)
}

/// Like [`str_arg`], where NULL means "absent" (any length).
///
/// # Safety
/// As [`bytes_arg`].
pub(crate) unsafe fn optional_str_arg<'a>(
    ptr: *const c_char,
    len: usize,
    name: &str,
) -> Result<Option<&'a str>, Failure> {
    match unsafe { optional_bytes_arg(ptr.cast(), len, name) }? {
        Some(bytes) => utf8(bytes, name).map(Some),
        None => Ok(None),
    }
}

/// Output regions `(pointer, size)` of one call must not overlap: two `&mut` to the
/// same memory would be undefined behaviour, and one write would clobber another.
/// Checked before any out-pointer is taken (`CS_RESULT_INVALID_ARGUMENT`); NULL
/// pointers are left to `out_arg`.
pub(crate) fn distinct_outputs(regions: &[(*const u8, usize)]) -> Result<(), Failure> {
    for (i, &(a, a_len)) in regions.iter().enumerate() {
        for &(b, b_len) in &regions[i + 1..] {
            let (a0, b0) = (a as usize, b as usize);
            if a.is_null() || b.is_null() {
                continue;
            }
            if a0 < b0.saturating_add(b_len) && b0 < a0.saturating_add(a_len) {
                return Err(Failure::new(
                    cs_result::InvalidArgument,
                    "two output pointers overlap: each output needs its own memory",
                ));
            }
        }
    }
    Ok(())
}

/// The output region of an out-pointer to one `T`.
pub(crate) fn region<T>(ptr: *mut T) -> (*const u8, usize) {
    (ptr.cast_const().cast(), std::mem::size_of::<T>())
}

/// An out-pointer: checked for NULL and alignment before anything is computed.
pub(crate) fn out_arg<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Failure> {
    if ptr.is_null() {
        return Err(null(name));
    }
    if (ptr as usize) % std::mem::align_of::<T>() != 0 {
        return Err(Failure::new(
            cs_result::InvalidArgument,
            format!("{name} is misaligned"),
        ));
    }
    // SAFETY: non-null and aligned; validity is the caller's contract. It is only
    // written to, never read.
    Ok(unsafe { &mut *ptr })
}

/// An output buffer `(ptr, len)` that must hold `needed` bytes.
pub(crate) fn out_buf<'a>(
    ptr: *mut u8,
    len: usize,
    needed: usize,
    name: &str,
) -> Result<&'a mut [u8], Failure> {
    if ptr.is_null() {
        return Err(null(name));
    }
    check_len(len, name)?;
    if len < needed {
        return Err(Failure::new(
            cs_result::BufferTooSmall,
            format!("{name} holds {len} bytes, {needed} are needed"),
        ));
    }
    // SAFETY: non-null, in range; the caller gives `len` writable bytes.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, needed) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_code_and_a_message() {
        let code = guard(|| panic!("boom {}", 42));
        assert_eq!(code, cs_result::Panic);
        let mut buf = [0 as std::os::raw::c_char; 64];
        crate::result::cs_last_error_message(buf.as_mut_ptr(), buf.len());
        let msg = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(msg.to_str().unwrap(), "internal error (panic): boom 42");
        // A later success clears it.
        assert_eq!(guard(|| Ok(())), cs_result::Ok);
        assert_eq!(
            crate::result::cs_last_error_message(std::ptr::null_mut(), 0),
            0
        );
        guard_void(|| panic!("swallowed"));
    }

    #[test]
    fn argument_checks() {
        unsafe {
            assert_eq!(bytes_arg(std::ptr::null(), 0, "x").unwrap(), b"");
            assert_eq!(
                bytes_arg(std::ptr::null(), 1, "x").unwrap_err().code,
                cs_result::NullArgument
            );
            let b = [1u8];
            assert_eq!(
                bytes_arg(b.as_ptr(), usize::MAX, "x").unwrap_err().code,
                cs_result::InvalidArgument
            );
            assert_eq!(optional_bytes_arg(std::ptr::null(), 5, "x").unwrap(), None);
            assert_eq!(
                str_arg(b"\xff".as_ptr().cast(), 1, "x").unwrap_err().code,
                cs_result::MalformedInput
            );
        }
        let mut small = [0u8; 4];
        assert_eq!(
            out_buf(small.as_mut_ptr(), 4, 33, "out").unwrap_err().code,
            cs_result::BufferTooSmall
        );
        let mut words = [0u64; 2];
        let misaligned = (words.as_mut_ptr() as *mut u8).wrapping_add(1) as *mut u64;
        assert_eq!(
            out_arg(misaligned, "out").unwrap_err().code,
            cs_result::InvalidArgument
        );
    }
}

#[cfg(test)]
mod overlap_tests {
    use super::*;

    #[test]
    fn overlapping_outputs_are_refused() {
        let mut pair = [0u64; 4];
        let base = pair.as_mut_ptr().cast::<u8>().cast_const();
        assert!(distinct_outputs(&[(base, 16), (base.wrapping_add(16), 16)]).is_ok());
        assert!(distinct_outputs(&[(base, 16), (base.wrapping_add(15), 1)]).is_err());
        assert!(distinct_outputs(&[(base, 16), (base, 1)]).is_err());
        assert!(distinct_outputs(&[(base.wrapping_add(8), 1), (base, 16)]).is_err());
        assert!(distinct_outputs(&[(std::ptr::null(), 16), (std::ptr::null(), 16)]).is_ok());
    }

    #[test]
    fn adjacent_outputs_do_not_overlap_in_either_order() {
        let mut pair = [0u64; 4];
        let base = pair.as_mut_ptr().cast::<u8>().cast_const();
        let (low, high) = ((base, 16), (base.wrapping_add(16), 16));
        assert!(distinct_outputs(&[low, high]).is_ok());
        assert!(distinct_outputs(&[high, low]).is_ok());
        assert!(distinct_outputs(&[(base.wrapping_add(15), 2), low]).is_err());
    }

    #[test]
    fn a_null_output_never_counts_as_overlapping() {
        // NULL is out_arg's to report (CS_RESULT_NULL_ARGUMENT), whatever the other
        // region's address; these pointers are compared, never dereferenced.
        let low = 8usize as *const u8;
        assert!(distinct_outputs(&[(std::ptr::null(), 16), (low, 1)]).is_ok());
        assert!(distinct_outputs(&[(low, 1), (std::ptr::null(), 16)]).is_ok());
    }

    #[test]
    fn a_region_is_the_pointer_and_the_size_of_its_type() {
        let mut word = 0u64;
        let p: *mut u64 = &mut word;
        assert_eq!(region(p), (p.cast_const().cast::<u8>(), 8));
        let mut pair = [0u32; 2];
        let (a, b) = (
            region(&mut pair[0] as *mut u32),
            region(&mut pair[1] as *mut u32),
        );
        assert!(distinct_outputs(&[a, b]).is_ok());
        // The same out-pointer given twice is refused through its region.
        assert!(distinct_outputs(&[a, a]).is_err());
    }

    #[test]
    fn the_largest_slice_length_is_accepted() {
        // PTRDIFF_MAX itself is a valid length; only above it is refused.
        let max = isize::MAX as usize;
        let err = unsafe { bytes_arg(std::ptr::null(), max, "x") }.unwrap_err();
        assert_eq!(err.code, cs_result::NullArgument);
        let err = unsafe { bytes_arg(std::ptr::null(), max + 1, "x") }.unwrap_err();
        assert_eq!(err.code, cs_result::InvalidArgument);
        let mut small = [0u8; 4];
        let out = out_buf(small.as_mut_ptr(), max, 4, "out").unwrap();
        assert_eq!(out.len(), 4);
    }
}
