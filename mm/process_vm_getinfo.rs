// SPDX-License-Identifier: GPL-2.0

//! `process_vm_getinfo(2)`: the entry point C calls.
//!
//! The system call itself is defined in `process_vm_getinfo_sys.c` (the
//! `SYSCALL_DEFINE` wrappers are C macros); the work is done by
//! [`kernel::mm::getinfo`], which has the documentation.

use kernel::{bindings, ffi::c_long, mm::getinfo, uaccess::UserPtr};

/// Carries out `process_vm_getinfo(pidfd, uargs, usize, flags)`.
///
/// Returns the number of records written, or a negative errno.
#[no_mangle]
pub extern "C" fn do_process_vm_getinfo(
    pidfd: i32,
    uargs: *mut bindings::process_vm_getinfo_args,
    usize: usize,
    flags: u32,
) -> c_long {
    match getinfo::process_vm_getinfo(pidfd, uargs as UserPtr, usize, flags) {
        Ok(n) => n as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}
