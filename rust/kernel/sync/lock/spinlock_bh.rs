// SPDX-License-Identifier: GPL-2.0

//! A kernel spinlock that also disables bottom halves.
//!
//! This module allows Rust code to use the kernel's `spinlock_t` with
//! `spin_lock_bh()`/`spin_unlock_bh()`, for data that is also reached from
//! softirq context, such as from an RCU callback.
//!
//! C header: [`include/linux/spinlock.h`](srctree/include/linux/spinlock.h)

/// Creates a [`SpinLockBh`] initialiser with the given name and a newly-created lock class.
///
/// It uses the name if one is given, otherwise it generates one based on the file name and line
/// number.
#[macro_export]
macro_rules! new_spinlock_bh {
    ($inner:expr $(, $name:literal)? $(,)?) => {
        $crate::sync::SpinLockBh::new(
            $inner, $crate::optional_name!($($name)?), $crate::static_lock_class!())
    };
}
pub use new_spinlock_bh;

/// A spinlock that disables bottom halves (softirqs) on the local CPU while it is held.
///
/// Exposes the kernel's [`spinlock_t`] locked with `spin_lock_bh()`. Use it instead of
/// [`SpinLock`](super::spinlock::SpinLock) when the protected data is also used from softirq
/// context: a softirq that interrupts a holder of a plain spinlock on the same CPU and takes the
/// same lock would deadlock.
///
/// # Examples
///
/// ```
/// use kernel::sync::{new_spinlock_bh, SpinLockBh};
///
/// #[pin_data]
/// struct Counter {
///     #[pin]
///     hits: SpinLockBh<u64>,
/// }
///
/// let c = KBox::pin_init(pin_init!(Counter { hits <- new_spinlock_bh!(0) }), GFP_KERNEL)?;
/// *c.hits.lock() += 1;
/// assert_eq!(*c.hits.lock(), 1);
/// # Ok::<(), Error>(())
/// ```
///
/// [`spinlock_t`]: srctree/include/linux/spinlock.h
pub type SpinLockBh<T> = super::Lock<T, SpinLockBhBackend>;

/// A kernel `spinlock_t` lock backend that disables bottom halves.
pub struct SpinLockBhBackend;

// SAFETY: The underlying kernel `spinlock_t` object ensures mutual exclusion. `relock` uses the
// default implementation that always calls the same locking method.
unsafe impl super::Backend for SpinLockBhBackend {
    type State = bindings::spinlock_t;
    type GuardState = ();

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const crate::ffi::c_char,
        key: *mut bindings::lock_class_key,
    ) {
        // SAFETY: The safety requirements ensure that `ptr` is valid for writes, and `name` and
        // `key` are valid for read indefinitely.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: The safety requirements of this function ensure that `ptr` points to valid
        // memory, and that it has been initialised before.
        unsafe { bindings::spin_lock_bh(ptr) }
    }

    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: The safety requirements of this function ensure that `ptr` is valid and that the
        // caller is the owner of the spinlock.
        unsafe { bindings::spin_unlock_bh(ptr) }
    }
}
