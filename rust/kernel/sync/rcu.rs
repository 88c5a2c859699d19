// SPDX-License-Identifier: GPL-2.0

//! RCU read-side critical sections.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)

use crate::bindings;
use core::marker::PhantomData;

/// An RCU read-side critical section, held for as long as the guard lives.
///
/// Objects that RCU protects may be borrowed for the lifetime of a `&Guard`:
/// their memory is not freed before the guard is dropped.
///
/// # Invariants
///
/// The guard owns one `rcu_read_lock()` of the task that made it, taken in
/// [`read_lock`] and dropped in [`Drop::drop`]. It stays on that task (it is
/// neither `Send` nor `Sync`).
///
/// # Examples
///
/// ```
/// use kernel::sync::rcu;
///
/// let guard = rcu::read_lock();
/// // ... RCU-protected data may be read here ...
/// drop(guard);
/// ```
pub struct Guard {
    _not_send: PhantomData<*mut ()>,
}

/// Enters an RCU read-side critical section, which lasts until the returned
/// guard is dropped.
pub fn read_lock() -> Guard {
    // SAFETY: `rcu_read_lock()` may be called in any context; the guard unlocks it.
    unsafe { bindings::rcu_read_lock() };
    // INVARIANT: The lock was just taken, by this task.
    Guard {
        _not_send: PhantomData,
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this task holds the read lock that the guard owns.
        unsafe { bindings::rcu_read_unlock() };
    }
}
