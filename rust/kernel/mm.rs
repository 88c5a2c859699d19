// SPDX-License-Identifier: GPL-2.0

//! Memory management.
//!
//! C header: [`include/linux/mm.h`](srctree/include/linux/mm.h)

#[cfg(CONFIG_RUST_MM_ABSTRACTIONS)]
pub mod vma;

/// Reads the argument block of an extensible system call with
/// `copy_struct_from_user()`, as `clone3()` and `openat2()` do: `size` bytes
/// from a caller built against any version of `T` since the first, which
/// was `min` bytes long. The fields an older caller's block lacks read as
/// zero.
///
/// Errors: `EINVAL` if `size` is smaller than `min`, `E2BIG` if it is larger
/// than a page or if the bytes past `T` (a newer caller's fields) are not all
/// zero, `EFAULT` if the memory cannot be read.
#[cfg(CONFIG_RUST_MM_ABSTRACTIONS)]
pub fn read_ext_args<T: crate::transmute::FromBytes>(
    uargs: crate::uaccess::UserPtr,
    size: usize,
    min: usize,
) -> crate::error::Result<T> {
    use crate::error::code::{E2BIG, EINVAL};
    use crate::uaccess::UserPtrExt;
    use core::mem::{size_of, MaybeUninit};

    if size < min.min(size_of::<T>()) {
        return Err(EINVAL);
    }
    if size > crate::bindings::PAGE_SIZE {
        return Err(E2BIG);
    }
    let mut args = MaybeUninit::<T>::uninit();
    // SAFETY: `args` is valid for writes of `size_of::<T>()` bytes. The function reads
    // userspace only, and fills all of `args` (zeroing what `size` does not cover) or fails.
    let ret = unsafe {
        crate::bindings::copy_struct_from_user(
            args.as_mut_ptr().cast(),
            size_of::<T>(),
            uargs.as_const_ptr(),
            size,
        )
    };
    crate::error::to_result(ret)?;
    // SAFETY: Filled in full above, and `T: FromBytes` takes any bit pattern.
    Ok(unsafe { args.assume_init() })
}
