// SPDX-License-Identifier: GPL-2.0

//! Resizable hash tables with RCU lookups: the kernel's `rhashtable`.
//!
//! An [`RhashTable`] links objects that embed a `struct rhash_head`; it does
//! not own them. Lookups run under an RCU read lock and take no lock of the
//! table; insertions and removals lock one bucket. The table grows and
//! shrinks in a worker, a bucket array at a time, which it allocates with
//! `kvmalloc()`. Its hash is seeded at random per bucket array, and a chain
//! that grows too long makes it rehash with a new seed.
//!
//! C header: [`include/linux/rhashtable.h`](srctree/include/linux/rhashtable.h)

use crate::{
    bindings,
    error::{from_err_ptr, to_result, Error, Result},
    ffi::{c_int, c_void},
    prelude::*,
    sync::rcu,
    types::Opaque,
};
use core::{
    marker::PhantomData,
    ptr::{self, NonNull},
};

/// An object that can be linked in an [`RhashTable`], and the key that finds
/// it.
///
/// [`RhashObject::hash_key`] of a key and [`RhashObject::hash_obj`] of every
/// object that [`RhashObject::matches`] it must be equal for the same seed, or
/// lookups miss objects that are in the table.
///
/// # Safety
///
/// [`RhashObject::HEAD_OFFSET`] is the offset in bytes of a
/// `struct rhash_head` inside every `Self`, which belongs to the table while
/// the object is linked in it.
pub unsafe trait RhashObject {
    /// What objects are looked up by.
    type Key<'k>;

    /// Where the object's `struct rhash_head` is.
    const HEAD_OFFSET: usize;

    /// The hash of `key`, with `seed` mixed in.
    fn hash_key(key: &Self::Key<'_>, seed: u32) -> u32;

    /// The hash of the key of `obj`, with `seed` mixed in.
    fn hash_obj(obj: &Self, seed: u32) -> u32;

    /// Whether `obj` is the object of `key`.
    fn matches(key: &Self::Key<'_>, obj: &Self) -> bool;
}

/// Called by the table with a key that one of the methods below passed in.
///
/// # Safety
///
/// `data` must point to a `T::Key` that is valid for the call.
unsafe extern "C" fn hashfn<T: RhashObject>(data: *const c_void, _len: u32, seed: u32) -> u32 {
    // SAFETY: The table only hashes the keys that `RhashTable::lookup` and
    // `RhashTable::insert_or_get` pass it, as pointers to a `T::Key` borrowed for the call.
    let key: &T::Key<'_> = unsafe { &*data.cast() };
    T::hash_key(key, seed)
}

/// Called by the table with an object that is linked in it or being linked.
///
/// # Safety
///
/// `data` must point to a `T` that is valid for the call.
unsafe extern "C" fn obj_hashfn<T: RhashObject>(data: *const c_void, _len: u32, seed: u32) -> u32 {
    // SAFETY: Objects stay valid while they are linked (see `RhashTable::insert_or_get`).
    let obj: &T = unsafe { &*data.cast() };
    T::hash_obj(obj, seed)
}

/// Called by the table to compare a key with a linked object: zero if equal.
///
/// # Safety
///
/// `arg` must point to a compare argument whose `key` points to a `T::Key`,
/// and `obj` to a `T`, all valid for the call.
unsafe extern "C" fn obj_cmpfn<T: RhashObject>(
    arg: *mut bindings::rhashtable_compare_arg,
    obj: *const c_void,
) -> c_int {
    // SAFETY: `arg` is valid for the call, and its key is one that the methods below passed in.
    let key: &T::Key<'_> = unsafe { &*(*arg).key.cast() };
    // SAFETY: Objects stay valid while they are linked.
    let obj: &T = unsafe { &*obj.cast() };
    c_int::from(!T::matches(key, obj))
}

/// A resizable hash table of `T`s, looked up under RCU.
///
/// Objects are linked and unlinked with `unsafe` methods, whose callers
/// promise to keep an object valid while it is linked and to free it no
/// earlier than an RCU grace period after it was unlinked; lookups are safe,
/// and what they return is borrowed for no longer than the RCU read lock that
/// they were given. Because a found object may be used by other CPUs at the
/// same time, every part of `T` that changes must be atomic or in an
/// [`Opaque`].
///
/// Dropping the table frees its bucket arrays but not the objects: drop it
/// empty.
///
/// # Invariants
///
/// `ht` was initialised by `rhashtable_init()` with the parameters of `T`
/// (`RhashTable::PARAMS`), and is destroyed only when the table is dropped.
///
/// # Examples
///
/// See the `Interner` of `mm/anon_vma_name.rs`, which interns names with it.
#[pin_data(PinnedDrop)]
pub struct RhashTable<T: RhashObject> {
    #[pin]
    ht: Opaque<bindings::rhashtable>,
    _t: PhantomData<T>,
}

// SAFETY: The table only hands out shared references to `T`s, from any thread.
unsafe impl<T: RhashObject + Send + Sync> Send for RhashTable<T> {}
// SAFETY: All methods taking `&self` are safe to call concurrently: the C table does its own
// locking.
unsafe impl<T: RhashObject + Send + Sync> Sync for RhashTable<T> {}

impl<T: RhashObject> RhashTable<T> {
    /// The table's parameters: keys of any length, hashed and compared by `T`,
    /// and shrinking when the table empties.
    const PARAMS: bindings::rhashtable_params = bindings::rhashtable_params {
        head_offset: T::HEAD_OFFSET as u16,
        automatic_shrinking: true,
        hashfn: Some(hashfn::<T>),
        obj_hashfn: Some(obj_hashfn::<T>),
        obj_cmpfn: Some(obj_cmpfn::<T>),
        // SAFETY: The other fields are integers and booleans, for which zero is valid and
        // means "the default" (no hint, no key length or offset, no size limits).
        ..unsafe { core::mem::zeroed() }
    };

    /// An initialiser of an empty table.
    pub fn new() -> impl PinInit<Self, Error> {
        const { assert!(T::HEAD_OFFSET <= u16::MAX as usize) };
        // On failure `rhashtable_init()` leaves nothing to free.
        let ht = Opaque::try_ffi_init(|slot: *mut bindings::rhashtable| {
            // SAFETY: `slot` is valid for writes of a `struct rhashtable`, and `PARAMS` is
            // 'static.
            to_result(unsafe { bindings::rhashtable_init(slot, &Self::PARAMS) })
        });
        // INVARIANT: `ht` is initialised with `PARAMS`.
        try_pin_init!(Self {
            ht <- ht,
            _t: PhantomData,
        }? Error)
    }

    fn raw(&self) -> *mut bindings::rhashtable {
        self.ht.get()
    }

    fn head(obj: NonNull<T>) -> *mut bindings::rhash_head {
        obj.as_ptr()
            .cast::<u8>()
            .wrapping_add(T::HEAD_OFFSET)
            .cast()
    }

    /// Finds the object of `key`.
    pub fn lookup<'a>(&'a self, key: &T::Key<'_>, _rcu: &'a rcu::Guard) -> Option<&'a T> {
        // SAFETY: The table is initialised (type invariant), the RCU read lock is held, and
        // `key` is valid for the call.
        let p = unsafe { bindings::rhashtable_lookup(self.raw(), ptr::from_ref(key).cast()) };
        // SAFETY: A linked object is a valid `T`, not freed before an RCU grace period after it
        // is unlinked; the grace period cannot end while the guard lives.
        (!p.is_null()).then(|| unsafe { &*p.cast::<T>() })
    }

    /// Links `obj`, unless an object of `key` is linked already: then returns
    /// that object and leaves `obj` alone.
    ///
    /// Fails with `ENOMEM` (or another error of `rhashtable`) if the table
    /// cannot grow.
    ///
    /// # Safety
    ///
    /// - `obj` points to a valid `T` that is not linked in any table, and
    ///   `key` is its key ([`RhashObject::matches`] it).
    /// - If it is linked, `obj` stays valid until it is unlinked
    ///   ([`RhashTable::remove`], [`RhashTable::replace`]), and its memory is
    ///   freed no earlier than an RCU grace period after that.
    pub unsafe fn insert_or_get<'a>(
        &'a self,
        key: &T::Key<'_>,
        obj: NonNull<T>,
        _rcu: &'a rcu::Guard,
    ) -> Result<Option<&'a T>> {
        // SAFETY: The table is initialised; `key` is valid for the call and the caller
        // guarantees what the table needs of `obj`.
        let p = unsafe {
            bindings::rhashtable_lookup_get_insert_key(
                self.raw(),
                ptr::from_ref(key).cast(),
                Self::head(obj),
            )
        };
        if p.is_null() {
            return Ok(None);
        }
        let p = from_err_ptr(p)?;
        // SAFETY: As in `lookup`: a linked object, valid while the guard lives.
        Ok(Some(unsafe { &*p.cast::<T>() }))
    }

    /// Links `new` in the place of `old`, in one step for lookups.
    ///
    /// Fails with `ENOENT` if `old` is not linked.
    ///
    /// # Safety
    ///
    /// `new` must meet the requirements of [`RhashTable::insert_or_get`] for
    /// the key of `old`; the caller then owes `old` the same as after
    /// [`RhashTable::remove`].
    pub unsafe fn replace(&self, old: &T, new: NonNull<T>) -> Result {
        // SAFETY: The table is initialised; `old` is valid (a reference) and the caller
        // guarantees what the table needs of `new`.
        to_result(unsafe {
            bindings::rhashtable_replace_fast(
                self.raw(),
                Self::head(NonNull::from(old)),
                Self::head(new),
            )
        })
    }

    /// Unlinks `obj`.
    ///
    /// Fails with `ENOENT` if it is not linked (objects are compared by
    /// address). After success, `obj` may be freed after an RCU grace period.
    ///
    /// # Safety
    ///
    /// `obj` must point to a valid `T`.
    pub unsafe fn remove(&self, obj: NonNull<T>) -> Result {
        // SAFETY: The table is initialised and the caller guarantees that `obj` is valid.
        to_result(unsafe { bindings::rhashtable_remove_fast(self.raw(), Self::head(obj)) })
    }

    /// How many objects are linked (it may change at any time).
    pub fn count(&self) -> usize {
        // SAFETY: The table is initialised; the count is read atomically.
        unsafe { bindings::rhashtable_nelems(self.raw()) as usize }
    }

    /// How many buckets the bucket array in use has (it may change at any
    /// time: the table resizes in a worker).
    pub fn buckets(&self) -> usize {
        // SAFETY: The table is initialised; the helper reads the array under RCU.
        unsafe { bindings::rhashtable_buckets(self.raw()) as usize }
    }
}

#[pinned_drop]
impl<T: RhashObject> PinnedDrop for RhashTable<T> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: The table is initialised (type invariant) and, being dropped, no longer used.
        unsafe { bindings::rhashtable_destroy(self.raw()) };
    }
}
