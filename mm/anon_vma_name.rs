// SPDX-License-Identifier: GPL-2.0

//! Anonymous VMA names: the entry points C calls.
//!
//! The rules live in [`kernel::mm::anon_name`]; this file only adapts them to
//! the C calling convention. `unsafe` is confined to turning the raw pointers C
//! passes into references.

use kernel::{ffi::c_char, mm::anon_name, str::CStr};

/// Checks a name that `prctl(PR_SET_VMA_ANON_NAME)` copied from userspace.
///
/// Returns 0 if the name is valid and `-EINVAL` if it is not (see
/// [`anon_name::validate`]).
///
/// # Safety
///
/// `name` must point to a NUL-terminated string that stays valid and
/// unchanged for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn anon_vma_name_check(name: *const c_char) -> kernel::ffi::c_int {
    // SAFETY: The caller guarantees that `name` points to a NUL-terminated
    // string that is valid and not modified during this call.
    let name = unsafe { CStr::from_char_ptr(name) };
    match anon_name::validate(name.as_bytes()) {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}
