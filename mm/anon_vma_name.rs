// SPDX-License-Identifier: GPL-2.0

//! Anonymous VMA names: the system-wide interning table and the entry points
//! C calls.
//!
//! The logic lives in [`kernel::mm::anon_name`]; this file owns the one
//! [`Interner`] of the system, created at boot, and adapts it to the C calling
//! convention. `unsafe` is confined to the `extern "C"` functions, which turn
//! the raw pointers C passes into references, and to reading back the table
//! pointer that the initcall publishes once.

use core::{
    ptr,
    sync::atomic::{AtomicPtr, Ordering},
};
use kernel::{
    alloc::flags::{__GFP_RETRY_MAYFAIL, GFP_KERNEL_ACCOUNT},
    bindings,
    error::code::{EFAULT, EINVAL, ENOMEM},
    ffi::c_char,
    mm::anon_name::{self, AnonVmaName, Interner, REFCOUNT_MAX},
    prelude::*,
    str::CStr,
    types::ARef,
};

module! {
    type: AnonVmaNames,
    name: "anon_vma_name",
    author: "The vmmap series authors",
    description: "Interned, refcounted names of anonymous memory",
    license: "GPL",
}

/// The owner of the names that the current task makes: its effective uid.
fn current_owner() -> u32 {
    // SAFETY: The current task is valid while it runs, and only the task itself replaces its
    // credentials (`commit_creds()`), so it reads its own `cred` without a lock, as
    // `current_euid()` does.
    unsafe { (*(*bindings::get_current()).cred).euid.val }
}

/// The system's interning table; null until the initcall has run.
static TABLE: AtomicPtr<Interner> = AtomicPtr::new(ptr::null_mut());

fn table() -> Option<&'static Interner> {
    let p = TABLE.load(Ordering::Acquire);
    // SAFETY: A non-null value was stored by `AnonVmaNames::init` from a `&'static Interner`.
    (!p.is_null()).then(|| unsafe { &*p })
}

struct AnonVmaNames;

impl kernel::Module for AnonVmaNames {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let t = Interner::new_static(REFCOUNT_MAX)?;
        TABLE.store(ptr::from_ref(t).cast_mut(), Ordering::Release);
        Ok(AnonVmaNames)
    }
}

/// Copies a name from userspace, checks it and returns its name object with a
/// new reference, for `prctl(PR_SET_VMA_ANON_NAME)`.
///
/// The name is copied to the stack, not to a temporary allocation. Returns an
/// `ERR_PTR()`: `-EFAULT` if `uname` cannot be read, `-EINVAL` if the name
/// breaks the rules of [`anon_name::validate`] (too long: no NUL within
/// [`anon_name::MAX_LEN`] bytes), `-ENOMEM` if memory runs out or the caller's
/// memory cgroup is at its limit.
///
/// # Safety
///
/// `uname` must be a userspace address of the calling task (it is only
/// accessed through `strncpy_from_user()`, which checks it).
#[no_mangle]
pub unsafe extern "C" fn anon_vma_name_from_user(
    uname: *const c_char,
) -> *mut bindings::anon_vma_name {
    let mut buf = [0u8; anon_name::MAX_LEN];
    // SAFETY: `buf` is valid for `MAX_LEN` bytes of writes; `strncpy_from_user()` checks the
    // user address itself and faults safely.
    let n = unsafe {
        bindings::strncpy_from_user(buf.as_mut_ptr().cast(), uname, anon_name::MAX_LEN as _)
    };
    let res = match usize::try_from(n) {
        Err(_) => Err(EFAULT),
        // No NUL within `MAX_LEN` bytes: too long, as `strndup_user()` says.
        Ok(n) if n >= anon_name::MAX_LEN => Err(EINVAL),
        Ok(n) => anon_name::validate(&buf[..n]).and_then(|()| match table() {
            // Charged to the caller's memory cgroup, and failing with `ENOMEM` at its limit
            // rather than calling the OOM killer.
            Some(t) => t.intern(
                current_owner(),
                &buf[..n],
                GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL,
            ),
            None => Err(ENOMEM),
        }),
    };
    match res {
        Ok(name) => ARef::into_raw(name).as_ptr().cast(),
        Err(e) => e.to_ptr(),
    }
}

/// Returns the name object for `name` with a new reference, or null if memory
/// ran out.
///
/// All live objects with the same string and owner (the caller's effective
/// uid) are one object. A caller that finds
/// the object's refcount at its limit gets a private copy instead.
///
/// # Safety
///
/// `name` must point to a valid (see [`anon_name::validate`]) NUL-terminated
/// string that stays unchanged for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn anon_vma_name_alloc(name: *const c_char) -> *mut bindings::anon_vma_name {
    // SAFETY: The caller guarantees that `name` is a valid, unchanging C string.
    let name = unsafe { CStr::from_char_ptr(name) };
    match table().map(|t| t.intern(current_owner(), name.as_bytes(), GFP_KERNEL_ACCOUNT)) {
        Some(Ok(n)) => ARef::into_raw(n).as_ptr().cast(),
        _ => ptr::null_mut(),
    }
}

/// The release function of a name object's `kref`: called by `kref_put()`
/// when the last reference goes; takes the object out of the table and frees
/// it.
///
/// # Safety
///
/// `kref` must be the `kref` of a valid name object whose refcount just
/// dropped to zero.
#[no_mangle]
pub unsafe extern "C" fn anon_vma_name_free(kref: *mut bindings::kref) {
    let obj = kernel::container_of!(kref, bindings::anon_vma_name, kref).cast_mut();
    // SAFETY: The caller guarantees that `kref` is in a valid name object, `obj`, whose
    // refcount just reached zero.
    unsafe { AnonVmaName::release(obj) };
}

/// Number of name objects in the interning table.
#[no_mangle]
pub extern "C" fn anon_vma_name_interned() -> usize {
    table().map_or(0, |t| t.count())
}

/// Number of name objects alive, interned or private copies.
#[no_mangle]
pub extern "C" fn anon_vma_name_live() -> usize {
    anon_name::live_objects()
}
