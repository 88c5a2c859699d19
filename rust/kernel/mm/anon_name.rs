// SPDX-License-Identifier: GPL-2.0

//! Names of anonymous memory areas.
//!
//! A process names a range of its anonymous memory with
//! `prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name)` and the name then
//! shows as `[anon:NAME]` in `/proc/PID/maps`. This module holds the rules a
//! name follows, the refcounted name object ([`AnonVmaName`]) and the table
//! that interns name objects ([`Interner`]).
//!
//! # The rules
//!
//! They are part of the user ABI and match Linux 6.12 exactly:
//!
//! - at most [`MAX_LEN`]` - 1` bytes, so that the name and its NUL fit in
//!   [`MAX_LEN`] bytes;
//! - only printable ASCII (`0x20..=0x7e`), except the bytes in [`FORBIDDEN`],
//!   which would make `/proc/PID/maps` ambiguous or unsafe to pass to a shell.
//!
//! The empty name is valid.
//!
//! # Sharing
//!
//! Every VMA that carries a name holds a reference to one [`AnonVmaName`]; a
//! fork or a split takes another reference, never a copy. The [`Interner`]
//! makes all live objects with the same string one object, so that two names
//! are equal exactly when their pointers are.
//!
//! C header: [`include/linux/anon_vma_name.h`](srctree/include/linux/anon_vma_name.h)

use crate::{
    alloc::{AllocError, Allocator, Flags, KVec},
    bindings,
    error::{code::EINVAL, Result},
    init::{pin_init_array_from_fn, PinInit},
    new_spinlock_bh,
    prelude::*,
    sync::SpinLockBh,
    types::{ARef, AlwaysRefCounted, Opaque},
};
use core::{
    alloc::Layout,
    marker::PhantomPinned,
    mem::size_of,
    pin::Pin,
    ptr::{self, NonNull},
    sync::atomic::{AtomicU64, AtomicUsize, Ordering},
};

/// Size of the longest name in bytes, counting its terminating NUL.
pub const MAX_LEN: usize = 80;

/// Printable bytes that a name may not contain.
pub const FORBIDDEN: &[u8] = b"\\`$[]";

/// Returns whether the byte `c` may appear in a name.
///
/// # Examples
///
/// ```
/// use kernel::mm::anon_name::is_valid_byte;
///
/// assert!(is_valid_byte(b'a'));
/// assert!(is_valid_byte(b' '));
/// assert!(is_valid_byte(b'~'));
/// assert!(!is_valid_byte(b'['));
/// assert!(!is_valid_byte(b'\n'));
/// assert!(!is_valid_byte(0x7f));
/// assert!(!is_valid_byte(0xc3));
/// ```
pub const fn is_valid_byte(c: u8) -> bool {
    if c < 0x20 || c > 0x7e {
        return false;
    }
    let mut i = 0;
    while i < FORBIDDEN.len() {
        if FORBIDDEN[i] == c {
            return false;
        }
        i += 1;
    }
    true
}

/// [`is_valid_byte`] of every byte, computed at compile time: the check of a
/// name then costs one load per byte.
const VALID: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < t.len() {
        t[c] = is_valid_byte(c as u8);
        c += 1;
    }
    t
};

/// Checks that `name` (without its NUL) is a valid name.
///
/// Returns `EINVAL` if it is too long or holds a byte that
/// [`is_valid_byte`] refuses.
///
/// # Examples
///
/// ```
/// use kernel::error::code::EINVAL;
/// use kernel::mm::anon_name::{validate, MAX_LEN};
///
/// assert_eq!(validate(b"libc_malloc"), Ok(()));
/// assert_eq!(validate(b"stack_and_tls:1234"), Ok(()));
/// assert_eq!(validate(b""), Ok(()));
/// assert_eq!(validate(b"[heap]"), Err(EINVAL));
/// assert_eq!(validate(b"a$b"), Err(EINVAL));
/// assert_eq!(validate(b"tab\there"), Err(EINVAL));
///
/// let longest = [b'x'; MAX_LEN - 1];
/// assert_eq!(validate(&longest), Ok(()));
/// let too_long = [b'x'; MAX_LEN];
/// assert_eq!(validate(&too_long), Err(EINVAL));
/// ```
pub fn validate(name: &[u8]) -> Result {
    if name.len() >= MAX_LEN || !name.iter().all(|&c| VALID[c as usize]) {
        return Err(EINVAL);
    }
    Ok(())
}

/// The 32-bit FNV-1a hash of `bytes`, which the [`Interner`] indexes by.
///
/// # Examples
///
/// ```
/// use kernel::mm::anon_name::hash;
///
/// assert_eq!(hash(b""), 0x811c9dc5);
/// assert_eq!(hash(b"a"), 0xe40c292c);
/// assert_ne!(hash(b"libc_malloc"), hash(b"libc_mallod"));
/// ```
pub const fn hash(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u32;
        h = h.wrapping_mul(0x0100_0193);
        i += 1;
    }
    h
}

/// Identifiers handed to name objects: unique for the life of the boot.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Name objects alive now, interned or not (see [`live_objects`]).
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Returns how many name objects are alive in the whole system, interned or
/// private copies.
pub fn live_objects() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The name of one or more anonymous VMAs: a `struct anon_vma_name`.
///
/// It is always reference counted ([`ARef<AnonVmaName>`]); C holds references
/// as plain pointers in `vma->anon_name` and takes and drops them with
/// `anon_vma_name_get()`/`anon_vma_name_put()`.
///
/// # Invariants
///
/// - The object was allocated by [`Interner::intern`] with `kmalloc`, its
///   `name` is NUL-terminated and `hash` is [`hash`] of it; neither changes.
/// - `table` is null for a private copy, and otherwise points to the
///   [`Interner`] that holds the object in its table for as long as the
///   refcount is non-zero; that `Interner` lives for `'static`.
/// - When the refcount drops to zero, the object is removed from its table and
///   freed by [`AnonVmaName::release`], and by nothing else. Until it is
///   removed, a lookup can still see it; lookups take references with
///   [`AnonVmaName::try_get`], which never revives a zero count.
#[repr(transparent)]
pub struct AnonVmaName(Opaque<bindings::anon_vma_name>);

// SAFETY: The object is immutable but for its atomic refcount, and may be
// dropped from any thread (the release path locks the table with bottom halves
// disabled).
unsafe impl Send for AnonVmaName {}
// SAFETY: Shared references only read immutable fields or change the refcount
// atomically.
unsafe impl Sync for AnonVmaName {}

// SAFETY: The refcount is the kref in the C object, which C code takes and drops too; the
// object is freed only when it reaches zero.
unsafe impl AlwaysRefCounted for AnonVmaName {
    fn inc_ref(&self) {
        // SAFETY: By the type invariant the object is valid. Outside this module a shared
        // reference only comes from an `ARef` or `from_held`, so the refcount is non-zero;
        // inside it, objects from `in_table` only ever get references through `try_get`.
        unsafe { bindings::refcount_inc(&raw mut (*self.0.get()).kref.refcount) };
    }

    unsafe fn dec_ref(obj: NonNull<Self>) {
        let raw = obj.as_ptr().cast::<bindings::anon_vma_name>();
        // SAFETY: The caller owns one reference, so the object is valid.
        if unsafe { bindings::refcount_dec_and_test(&raw mut (*raw).kref.refcount) } {
            // SAFETY: The last reference has just gone.
            unsafe { Self::release(raw) };
        }
    }
}

impl AnonVmaName {
    /// Wraps a pointer to an object found in a table, without touching its
    /// refcount.
    ///
    /// Private: the reference it returns may be to a dying object (refcount
    /// zero), on which only [`AnonVmaName::try_get`] may take a reference.
    /// Everything outside this module only ever sees objects through an
    /// [`ARef`], whose refcount is non-zero.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid name object that sits for `'a` in a shard
    /// of an [`Interner`] that the caller holds locked.
    unsafe fn in_table<'a>(ptr: *const bindings::anon_vma_name) -> &'a Self {
        // SAFETY: `AnonVmaName` is a transparent wrapper of the C struct, and the caller
        // guarantees the object stays allocated for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// Borrows a name object on which a reference is held elsewhere, such as
    /// `vma->anon_name` of a VMA whose mmap lock is held.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a name object, and a reference on it must be held
    /// for all of `'a`.
    pub unsafe fn from_held<'a>(ptr: *const bindings::anon_vma_name) -> &'a Self {
        // SAFETY: `AnonVmaName` is a transparent wrapper of the C struct, and the caller
        // guarantees that the object keeps a non-zero refcount, so stays allocated, for `'a`.
        unsafe { &*ptr.cast() }
    }

    fn raw(&self) -> *mut bindings::anon_vma_name {
        self.0.get()
    }

    /// The name, without its NUL.
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: By the type invariant `name` is NUL-terminated and never changes.
        unsafe { crate::str::CStr::from_char_ptr((*self.raw()).name.as_ptr()) }.as_bytes()
    }

    /// The identifier of this object, unique for the life of the boot.
    pub fn id(&self) -> u64 {
        // SAFETY: By the type invariant the object is valid and `id` never changes.
        unsafe { (*self.raw()).id }
    }

    /// The current refcount (for tests and statistics: it may change at any time).
    pub fn refcount(&self) -> u32 {
        // SAFETY: By the type invariant the object is valid; the counter is read atomically.
        unsafe { bindings::refcount_read(&raw const (*self.raw()).kref.refcount) as u32 }
    }

    /// Whether this object is in an interning table (false for a private copy).
    pub fn is_interned(&self) -> bool {
        // SAFETY: By the type invariant the object is valid and `table` never changes.
        !unsafe { (*self.raw()).table }.is_null()
    }

    /// Takes a reference if the refcount is not already zero (the object dying).
    pub fn try_get(&self) -> Option<ARef<Self>> {
        // SAFETY: `&self` implies the object stays allocated while borrowed (it came from an
        // `ARef` or from `AnonVmaName::in_table`), even if its refcount is already zero.
        if unsafe { bindings::refcount_inc_not_zero(&raw mut (*self.raw()).kref.refcount) } {
            // SAFETY: The reference taken just above is handed to the `ARef`.
            Some(unsafe { ARef::from_raw(NonNull::from(self)) })
        } else {
            None
        }
    }

    /// Allocates an object for `name` with a refcount of one.
    fn alloc(name: &[u8], table: *const Interner, flags: Flags) -> Result<ARef<Self>> {
        let size = size_of::<bindings::anon_vma_name>() + name.len() + 1;
        let align = core::mem::align_of::<bindings::anon_vma_name>();
        let layout = Layout::from_size_align(size, align).map_err(|_| EINVAL)?;
        let mem = crate::alloc::allocator::Kmalloc::alloc(layout, flags)?;
        let raw = mem.as_ptr().cast::<bindings::anon_vma_name>();
        // SAFETY: `raw` points to `size` writable bytes, enough for the header and the name with
        // its NUL; nothing else knows the memory yet.
        unsafe {
            ptr::write(
                raw,
                bindings::anon_vma_name {
                    kref: bindings::kref {
                        refcount: bindings::REFCOUNT_INIT(1),
                    },
                    hash: hash(name),
                    id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                    table: table.cast_mut().cast(),
                    name: Default::default(),
                },
            );
            let dst = (*raw).name.as_mut_ptr().cast::<u8>();
            ptr::copy_nonoverlapping(name.as_ptr(), dst, name.len());
            *dst.add(name.len()) = 0;
        }
        LIVE.fetch_add(1, Ordering::Relaxed);
        // INVARIANT: The object was just initialised as the invariants require, with one
        // reference, which the `ARef` owns.
        // SAFETY: `raw` is valid and non-null.
        Ok(unsafe { ARef::from_raw(NonNull::new_unchecked(raw.cast())) })
    }

    /// Removes an object whose refcount reached zero from its table and frees it.
    ///
    /// # Safety
    ///
    /// `raw` must point to a valid name object whose refcount just dropped to
    /// zero; the caller gives up its last reference.
    pub unsafe fn release(raw: *mut bindings::anon_vma_name) {
        // SAFETY: The caller guarantees `raw` is valid until it is freed below.
        let table = unsafe { (*raw).table }.cast::<Interner>().cast_const();
        if !table.is_null() {
            // SAFETY: By the type invariant an interned object's table lives for `'static`.
            let table: &'static Interner = unsafe { &*table };
            table.remove(raw);
        }
        LIVE.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: The object came from `kmalloc` and, being out of every table with a zero
        // refcount, can no longer be reached.
        unsafe { bindings::kfree(raw.cast()) };
    }
}

/// One slot of a shard's open-addressing table.
#[derive(Clone, Copy)]
struct Slot(Option<NonNull<bindings::anon_vma_name>>);

/// One shard of the interning table: linear probing over a power-of-two
/// number of slots, at most half of them used.
///
/// # Invariants
///
/// Every object in `slots` is valid and has this shard's table as its `table`;
/// it stays valid while it is in a slot. `used` counts the occupied slots.
struct Shard {
    slots: KVec<Slot>,
    used: usize,
}

// SAFETY: The pointers in a shard are only dereferenced with the shard's lock held, and the
// objects they point to may be used from any thread.
unsafe impl Send for Shard {}

impl Shard {
    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn name(&self, i: usize) -> Option<&AnonVmaName> {
        let p = self.slots[i].0?;
        // SAFETY: By the type invariant the object is valid while in the slot, which the
        // `&self` borrow (of the locked shard) keeps it in.
        Some(unsafe { AnonVmaName::in_table(p.as_ptr()) })
    }

    /// Finds a live object for `name`, and takes a reference to it.
    fn find(&self, name: &[u8], h: u32) -> Option<ARef<AnonVmaName>> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = h as usize & self.mask();
        while let Some(n) = self.name(i) {
            // SAFETY: See `Shard::name`.
            let nh = unsafe { (*n.raw()).hash };
            if nh == h && n.as_bytes() == name {
                // A dying object (refcount zero) is skipped: it is about to leave the table,
                // and a new object takes its place.
                if let Some(r) = n.try_get() {
                    return Some(r);
                }
            }
            i = (i + 1) & self.mask();
        }
        None
    }

    fn needs_room(&self) -> bool {
        (self.used + 1) * 2 > self.slots.len()
    }

    /// Puts `obj` in the first free slot of its probe sequence.
    fn insert(&mut self, obj: NonNull<bindings::anon_vma_name>) {
        // SAFETY: The caller passes a valid object.
        let h = unsafe { (*obj.as_ptr()).hash };
        let mut i = h as usize & self.mask();
        while self.slots[i].0.is_some() {
            i = (i + 1) & self.mask();
        }
        self.slots[i] = Slot(Some(obj));
        self.used += 1;
    }

    /// Moves every object into `slots`, which must have a power-of-two length
    /// of at least twice the objects plus one, all empty.
    fn rehash(&mut self, slots: KVec<Slot>) {
        let old = core::mem::replace(&mut self.slots, slots);
        self.used = 0;
        for s in old.iter() {
            if let Some(p) = s.0 {
                self.insert(p);
            }
        }
    }

    /// Removes `obj` (compared by address) with backward-shift deletion.
    fn remove(&mut self, obj: *mut bindings::anon_vma_name) {
        if self.slots.is_empty() {
            return;
        }
        // SAFETY: The caller passes a valid object.
        let h = unsafe { (*obj).hash };
        let mask = self.mask();
        let mut i = h as usize & mask;
        loop {
            match self.slots[i].0 {
                None => return,
                Some(p) if p.as_ptr() == obj => break,
                Some(_) => i = (i + 1) & mask,
            }
        }
        // Close the gap: move back every later object of the cluster whose home slot does
        // not lie cyclically in (gap, its position].
        let mut gap = i;
        let mut j = (i + 1) & mask;
        while let Some(p) = self.slots[j].0 {
            // SAFETY: Objects in the table are valid (type invariant).
            let home = unsafe { (*p.as_ptr()).hash } as usize & mask;
            let stays = if gap <= j {
                gap < home && home <= j
            } else {
                gap < home || home <= j
            };
            if !stays {
                self.slots[gap] = self.slots[j];
                gap = j;
            }
            j = (j + 1) & mask;
        }
        self.slots[gap] = Slot(None);
        self.used -= 1;
    }
}

/// Fresh, empty slots for a shard.
fn empty_slots(n: usize, flags: Flags) -> Result<KVec<Slot>, AllocError> {
    KVec::from_elem(Slot(None), n, flags)
}

/// Number of shards of an [`Interner`]; a power of two.
pub const SHARDS: usize = 64;

/// Slots of a shard when it first gets any; a power of two.
const INITIAL_SLOTS: usize = 64;

/// The table that makes every live [`AnonVmaName`] with the same string one
/// object.
///
/// Lookups and inserts take the lock of one of [`SHARDS`] shards, chosen by
/// the hash of the name, so that unrelated processes rarely contend. The locks
/// disable bottom halves because the last reference to a name can be dropped
/// from an RCU callback (VMAs are freed by RCU with per-VMA locks).
///
/// When the last reference to an object goes, [`AnonVmaName::release`]
/// removes it from its shard; a lookup that finds an object whose refcount
/// already reached zero skips it and inserts a new one, so a dying object is
/// never revived.
///
/// # Examples
///
/// ```
/// use kernel::mm::anon_name::Interner;
///
/// let table: &'static Interner = Interner::new_static(u32::MAX)?;
/// let a = table.intern(b"libc_malloc", GFP_KERNEL)?;
/// let b = table.intern(b"libc_malloc", GFP_KERNEL)?;
/// let c = table.intern(b"scudo:primary", GFP_KERNEL)?;
/// // The same string gives the same object, with one more reference.
/// assert!(core::ptr::eq(&*a, &*b));
/// assert_eq!(a.refcount(), 2);
/// assert!(!core::ptr::eq(&*a, &*c));
/// assert_ne!(a.id(), c.id());
/// assert_eq!(table.count(), 2);
/// // The last reference takes the object out of the table.
/// drop(c);
/// assert_eq!(table.count(), 1);
/// drop(a);
/// drop(b);
/// assert_eq!(table.count(), 0);
/// # Ok::<(), Error>(())
/// ```
///
/// A name whose refcount reached the limit is not shared any more: the next
/// user gets a private copy, which compares unequal (its VMAs do not merge with
/// the others) but prints the same:
///
/// ```
/// use kernel::mm::anon_name::Interner;
///
/// let table = Interner::new_static(3)?;
/// let a = table.intern(b"x", GFP_KERNEL)?;
/// let b = table.intern(b"x", GFP_KERNEL)?;
/// let c = table.intern(b"x", GFP_KERNEL)?;
/// assert_eq!(a.refcount(), 3);
/// let d = table.intern(b"x", GFP_KERNEL)?;
/// assert!(!core::ptr::eq(&*a, &*d));
/// assert!(!d.is_interned());
/// assert_eq!(d.as_bytes(), b"x");
/// assert_eq!(table.count(), 1);
/// drop((a, b, c, d));
/// assert_eq!(table.count(), 0);
/// # Ok::<(), Error>(())
/// ```
///
/// Many names spread over the shards, and removal keeps every one findable:
///
/// ```
/// use kernel::mm::anon_name::Interner;
/// use kernel::{fmt, str::CString};
///
/// let table = Interner::new_static(u32::MAX)?;
/// let mut names = KVec::new();
/// for i in 0..2000 {
///     let s = CString::try_from_fmt(fmt!("name:{}", i))?;
///     names.push(table.intern(s.as_bytes(), GFP_KERNEL)?, GFP_KERNEL)?;
/// }
/// assert_eq!(table.count(), 2000);
/// // Drop every third name, then every remaining one must still be found.
/// let mut kept = KVec::new();
/// for (i, n) in names.into_iter().enumerate() {
///     if i % 3 != 0 {
///         kept.push(n, GFP_KERNEL)?;
///     }
/// }
/// assert_eq!(table.count(), kept.len());
/// for n in kept.iter() {
///     let again = table.intern(n.as_bytes(), GFP_KERNEL)?;
///     assert!(core::ptr::eq(&*again, &**n));
/// }
/// drop(kept);
/// assert_eq!(table.count(), 0);
/// # Ok::<(), Error>(())
/// ```
#[pin_data]
pub struct Interner {
    #[pin]
    shards: [SpinLockBh<Shard>; SHARDS],
    /// References at which an object stops being shared.
    limit: u32,
    #[pin]
    _pin: PhantomPinned,
}

impl Interner {
    /// An initialiser of an empty table; objects stop being shared when their
    /// refcount reaches `limit`.
    pub fn new(limit: u32) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            shards <- pin_init_array_from_fn(|_| new_spinlock_bh!(
                Shard { slots: KVec::new(), used: 0 },
                "anon_vma_name_shard"
            )),
            limit,
            _pin: PhantomPinned,
        }? Error)
    }

    /// Allocates a table that lives for the rest of the boot.
    ///
    /// Name objects point back to their table, so it must outlive them all.
    pub fn new_static(limit: u32) -> Result<&'static Self> {
        let b = KBox::pin_init(Self::new(limit), GFP_KERNEL)?;
        // SAFETY: The box is leaked and never moved out of, so the pinned table stays in
        // place for `'static`.
        Ok(unsafe { &*KBox::into_raw(Pin::into_inner_unchecked(b)) })
    }

    fn shard(&self, h: u32) -> &SpinLockBh<Shard> {
        &self.shards[(h >> (32 - SHARDS.trailing_zeros())) as usize]
    }

    /// Returns the object for `name`, creating it if no live one exists.
    ///
    /// `name` must already be valid (see [`validate`]). Fails with `ENOMEM`
    /// if memory for a new object or a larger table cannot be had.
    pub fn intern(&'static self, name: &[u8], flags: Flags) -> Result<ARef<AnonVmaName>> {
        let h = hash(name);
        let shard = self.shard(h);
        // An object allocated with the lock dropped, when allocating under it failed.
        let mut spare: Option<ARef<AnonVmaName>> = None;
        loop {
            let mut g = shard.lock();
            if let Some(found) = g.find(name, h) {
                drop(g);
                // A spare was never in the table: dropping it just frees it.
                drop(spare);
                return self.share(found, name, flags);
            }
            if !g.needs_room() {
                let new = match spare.take() {
                    Some(n) => Ok(n),
                    // Most of the time an allocation that cannot sleep succeeds, and the name
                    // is interned with a single trip through the lock.
                    None => AnonVmaName::alloc(name, self, GFP_NOWAIT),
                };
                if let Ok(new) = new {
                    g.insert(NonNull::from(&*new).cast());
                    return Ok(new);
                }
                drop(g);
                spare = Some(AnonVmaName::alloc(name, self, flags)?);
                continue;
            }
            let want = (g.slots.len() * 2).max(INITIAL_SLOTS);
            drop(g);
            let slots = empty_slots(want, flags)?;
            let mut g = shard.lock();
            if g.slots.len() < want {
                g.rehash(slots);
            }
        }
    }

    /// Hands out `found` unless its refcount reached the limit, in which case
    /// the caller gets a private copy instead.
    fn share(
        &'static self,
        found: ARef<AnonVmaName>,
        name: &[u8],
        flags: Flags,
    ) -> Result<ARef<AnonVmaName>> {
        if found.refcount() <= self.limit {
            return Ok(found);
        }
        drop(found);
        AnonVmaName::alloc(name, ptr::null(), flags)
    }

    /// Removes `obj`, whose refcount reached zero, from its shard.
    fn remove(&self, obj: *mut bindings::anon_vma_name) {
        // SAFETY: The caller passes a valid object.
        let h = unsafe { (*obj).hash };
        self.shard(h).lock().remove(obj);
    }

    /// How many objects the table holds.
    pub fn count(&self) -> usize {
        self.shards.iter().map(|s| s.lock().used).sum()
    }
}
