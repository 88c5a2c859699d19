// SPDX-License-Identifier: GPL-2.0

//! `process_vm_madvise(2)`: the entry point C calls.
//!
//! The system call itself is defined in `process_vm_madvise_sys.c` (the
//! `SYSCALL_DEFINE` wrappers are C macros); the work is done by
//! [`kernel::mm::madvise`], which has the documentation.

use kernel::{bindings, ffi::c_long, mm::madvise, uaccess::UserPtr};

/// Carries out `process_vm_madvise(pidfd, uargs, usize, flags)`.
///
/// Returns the total length of the ranges advised, or a negative errno.
#[no_mangle]
pub extern "C" fn do_process_vm_madvise(
    pidfd: i32,
    uargs: *const bindings::process_vm_madvise_args,
    usize: usize,
    flags: u32,
) -> c_long {
    match madvise::process_vm_madvise(pidfd, uargs as UserPtr, usize, flags) {
        Ok(n) => n as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}
