// SPDX-License-Identifier: GPL-2.0

//! Memory management.
//!
//! C header: [`include/linux/mm.h`](srctree/include/linux/mm.h)

#[cfg(CONFIG_ANON_VMA_NAME_RUST)]
pub mod anon_name;

#[cfg(CONFIG_PROCESS_VM_GETINFO)]
pub mod getinfo;
#[cfg(CONFIG_PROCESS_VM_MADVISE)]
pub mod madvise;
#[cfg(CONFIG_VMA_LAYOUT_SEQ)]
pub mod vma;

/// Reads the argument block of an extensible system call, the way
/// `copy_struct_from_user()` does for `clone3()` and `openat2()`, for a block
/// whose first published version is all of `T`.
///
/// Errors: `EINVAL` if `size` is smaller than `T`, `E2BIG` if it is larger
/// than a page or if the bytes past `T` (a newer caller's fields) are not all
/// zero, `EFAULT` if the memory cannot be read.
#[cfg(CONFIG_VMA_LAYOUT_SEQ)]
pub fn read_ext_args<T: crate::types::FromBytes>(
    uargs: crate::uaccess::UserPtr,
    size: usize,
) -> crate::error::Result<T> {
    use crate::error::code::{E2BIG, EINVAL};

    if size < core::mem::size_of::<T>() {
        return Err(EINVAL);
    }
    if size > crate::bindings::PAGE_SIZE {
        return Err(E2BIG);
    }
    let mut r = crate::uaccess::UserSlice::new(uargs, size).reader();
    let args = r.read::<T>()?;
    let mut chunk = [0u8; 64];
    while !r.is_empty() {
        let n = r.len().min(chunk.len());
        r.read_slice(&mut chunk[..n])?;
        if chunk[..n].iter().any(|&b| b != 0) {
            return Err(E2BIG);
        }
    }
    Ok(args)
}
