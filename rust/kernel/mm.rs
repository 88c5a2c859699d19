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

/// Reads the argument block of an extensible system call with
/// `copy_struct_from_user()`, as `clone3()` and `openat2()` do, for a block
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
    use core::mem::{size_of, MaybeUninit};

    if size < size_of::<T>() {
        return Err(EINVAL);
    }
    if size > crate::bindings::PAGE_SIZE {
        return Err(E2BIG);
    }
    let mut args = MaybeUninit::<T>::uninit();
    // SAFETY: `args` is valid for writes of `size_of::<T>()` bytes. The function reads
    // userspace only, and as `size` is at least `size_of::<T>()` it fills all of `args` or
    // fails.
    let ret = unsafe {
        crate::bindings::copy_struct_from_user(
            args.as_mut_ptr().cast(),
            size_of::<T>(),
            uargs as *const core::ffi::c_void,
            size,
        )
    };
    crate::error::to_result(ret)?;
    // SAFETY: Filled in full above, and `T: FromBytes` takes any bit pattern.
    Ok(unsafe { args.assume_init() })
}
