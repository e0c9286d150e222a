//! The unit tests' global allocator: the system allocator, plus two checks the
//! system's `free` does not make. Each deallocation must give back exactly the size it
//! was allocated with (a `cs_bytes` freed with a wrong length is undefined behaviour
//! that glibc never reports), and each thread counts the bytes it holds, so a test
//! can see that a free really released its handle.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Room before each block for the size it was allocated with.
const HEADER: usize = 16;

pub(crate) struct Checked;

/// Deallocations whose size differs from the allocation's, in the whole process.
pub(crate) static SIZE_MISMATCHES: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // `const`: initialising it allocates nothing, so the allocator may use it.
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

/// Bytes allocated and not yet freed by the calling thread.
pub(crate) fn live_bytes() -> isize {
    LIVE.with(Cell::get)
}

fn padded(layout: Layout) -> (Layout, usize) {
    let offset = HEADER.max(layout.align());
    let padded = Layout::from_size_align(layout.size() + offset, offset).expect("layout");
    (padded, offset)
}

unsafe impl GlobalAlloc for Checked {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let (padded, offset) = padded(layout);
        let base = unsafe { System.alloc(padded) };
        if base.is_null() {
            return base;
        }
        let _ = LIVE.try_with(|l| l.set(l.get() + layout.size() as isize));
        unsafe {
            let block = base.add(offset);
            block
                .sub(HEADER)
                .cast::<usize>()
                .write_unaligned(layout.size());
            block
        }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        let (padded, offset) = padded(layout);
        let size = unsafe { block.sub(HEADER).cast::<usize>().read_unaligned() };
        if size != layout.size() {
            SIZE_MISMATCHES.fetch_add(1, Ordering::SeqCst);
        }
        let _ = LIVE.try_with(|l| l.set(l.get() - size as isize));
        unsafe { System.dealloc(block.sub(offset), padded) }
    }
}
