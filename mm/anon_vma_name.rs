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
//! makes all live objects with the same string and the same owner (the
//! effective uid that named it) one object.
//!
//! # What one user can learn about another
//!
//! The table is shared by the whole system, and every unprivileged process
//! can add to it, so it is built to tell no process anything about names it
//! does not hold itself. Objects are never shared between owners: a process
//! looks up, creates and frees only objects of its own euid, so whether
//! another user holds a string changes neither the object it gets, nor its
//! id, nor the work done for it. Ids are a keyed permutation of a counter
//! ([`IdPermutation`]): unique for the boot, in no order, so they do not
//! tell when an object was made, or how many were made in between. Bucket
//! choice is a keyed hash ([`Interner`]), so no one can aim names at one
//! bucket to slow down or time the others. What remains shared is the table
//! itself: its bucket locks, and its growth, which every user's names cause.
//! A process can time its own calls and see the table resize, which tells it
//! roughly how many names the whole system holds, and nothing of which ones.
//! The counts in debugfs are readable by root only.
//!
//! Processes of one euid share objects, and so see each other's sharing:
//! a process that names a page with a string, reads its `name_id`, unnames
//! the page and names it again learns whether the id survived, that is
//! whether some other process of its euid holds a VMA named exactly that
//! string now. It learns one bit per guessed string (up to 79 bytes), and
//! nothing of which process, where, or what memory. Usually a process of
//! the same euid can read the other's maps anyway; where it cannot (the
//! other is not dumpable, or lives in another pid namespace or sandbox of
//! the same uid) this is more than 6.12 tells. It is accepted as the price
//! of sharing across processes, which is what keeps a user's name objects
//! from growing with its processes: Android gives every app its own uid,
//! so between apps nothing flows; a sandbox that splits one uid and wants
//! the bit closed should give its parts different uids.
//!
//! # This file
//!
//! All of the feature is here: the rules, the name object, the table, the
//! system's one table (created by an initcall) and the functions that C
//! calls, declared in `include/linux/anon_vma_name.h`. `unsafe` is confined to
//! the access to the C struct of a name object and to those entry points,
//! which turn the raw pointers C passes into references. The KUnit suite
//! `anon_vma_name` at the end tests the table.
//!
//! C header: [`include/linux/anon_vma_name.h`](srctree/include/linux/anon_vma_name.h)

use core::{
    marker::PhantomPinned,
    mem::{align_of, offset_of, size_of, MaybeUninit},
    pin::Pin,
    ptr::{self, NonNull},
    sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering},
};
use kernel::{
    alloc::{
        flags::{__GFP_RETRY_MAYFAIL, GFP_KERNEL_ACCOUNT},
        Flags,
    },
    bindings,
    error::{
        code::{EFAULT, EINVAL, ENOMEM},
        Result,
    },
    ffi::{c_char, c_ulong},
    prelude::*,
    rhashtable::{RhashObject, RhashTable},
    str::CStr,
    sync::{
        aref::{ARef, AlwaysRefCounted},
        rcu,
    },
    types::Opaque,
};

/// Size of the longest name in bytes, counting its terminating NUL.
pub const MAX_LEN: usize = 80;

/// Printable bytes that a name may not contain.
pub const FORBIDDEN: &[u8] = b"\\`$[]";

/// Returns whether the byte `c` may appear in a name.
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

/// Whether every byte of `name` is [`VALID`]: all of them are looked at, eight
/// at a time, with no branch but the loop's (a bad name is rare, and costs
/// nothing more).
fn all_valid(name: &[u8]) -> bool {
    let v = |c: &u8| VALID[*c as usize];
    let mut ok = true;
    let mut rest = name;
    while let [a, b, c, d, e, f, g, h, tail @ ..] = rest {
        ok &= v(a) & v(b) & v(c) & v(d) & v(e) & v(f) & v(g) & v(h);
        rest = tail;
    }
    while let [c, tail @ ..] = rest {
        ok &= v(c);
        rest = tail;
    }
    ok
}

/// Checks that `name` (without its NUL) is a valid name.
///
/// Returns `EINVAL` if it is too long or holds a byte that
/// [`is_valid_byte`] refuses.
pub fn validate(name: &[u8]) -> Result {
    if name.len() >= MAX_LEN || !all_valid(name) {
        return Err(EINVAL);
    }
    Ok(())
}

/// Set in the `id` field of an object once it holds the id rather than the
/// creation counter; so every id has it, and no id is zero ("no name" to
/// `process_vm_getinfo()`).
pub const ID_READY: u64 = 1 << 63;

/// References at which a name object stops being shared: `REFCOUNT_MAX`, as
/// `anon_vma_name_reuse()` in `include/linux/mm_inline.h` checks it (in one
/// step with the increment, as `AnonVmaName::take` does).
pub const REFCOUNT_MAX: u32 = i32::MAX as u32;

/// Name objects alive now, interned or not (see [`live_objects`]).
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// Returns how many name objects are alive in the whole system, interned or
/// private copies.
pub fn live_objects() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Fills a key with random bytes.
fn random_key() -> bindings::hsiphash_key_t {
    let mut key = bindings::hsiphash_key_t { key: [0; 2] };
    // SAFETY: `key` is valid for writes of its size.
    unsafe {
        bindings::get_random_bytes(
            ptr::from_mut(&mut key).cast(),
            size_of::<bindings::hsiphash_key_t>(),
        )
    };
    key
}

/// A keyed bijection of the integers below 2^62 ([`IdPermutation::LIMIT`]):
/// four Feistel rounds on two 31-bit halves, whose round function is
/// `hsiphash` of the round and the right half (with a pseudorandom round
/// function, four rounds make a strong pseudorandom permutation; three would
/// be told apart from a random one after about 2^15.5 values when inverse
/// queries are possible, and the fourth costs one `hsiphash` per new name).
///
/// Applied to a counter, it gives identifiers that are unique (it is a
/// bijection) and in no order that someone without the key could see.
pub struct IdPermutation {
    key: bindings::hsiphash_key_t,
}

impl Default for IdPermutation {
    fn default() -> Self {
        Self::new()
    }
}

impl IdPermutation {
    const ROUNDS: u32 = 4;
    const HALF: u32 = 31;
    const MASK: u32 = (1 << Self::HALF) - 1;
    /// The permutation maps `0..LIMIT` onto itself.
    pub const LIMIT: u64 = 1 << (2 * Self::HALF);

    /// A permutation with a random key.
    pub fn new() -> Self {
        Self { key: random_key() }
    }

    /// A permutation with the given key (for tests).
    pub fn with_key(key: [c_ulong; 2]) -> Self {
        Self {
            key: bindings::hsiphash_key_t { key },
        }
    }

    fn round(&self, i: u32, half: u32) -> u32 {
        // SAFETY: `hsiphash_2u32()` only reads the key, which is valid.
        unsafe { bindings::hsiphash_2u32(i, half, &self.key) & Self::MASK }
    }

    fn halves(n: u64) -> (u32, u32) {
        ((n >> Self::HALF) as u32 & Self::MASK, n as u32 & Self::MASK)
    }

    fn join(l: u32, r: u32) -> u64 {
        (u64::from(l) << Self::HALF) | u64::from(r)
    }

    /// The image of `n`, which must be below [`Self::LIMIT`] (higher bits
    /// are ignored).
    pub fn apply(&self, n: u64) -> u64 {
        let (mut l, mut r) = Self::halves(n);
        for i in 0..Self::ROUNDS {
            (l, r) = (r, l ^ self.round(i, r));
        }
        Self::join(l, r)
    }

    /// The `n` whose image is `id`.
    pub fn invert(&self, id: u64) -> u64 {
        let (mut l, mut r) = Self::halves(id);
        for i in (0..Self::ROUNDS).rev() {
            (l, r) = (r ^ self.round(i, l), l);
        }
        Self::join(l, r)
    }
}

/// The name of one or more anonymous VMAs: a `struct anon_vma_name`.
///
/// It is always reference counted ([`ARef<AnonVmaName>`]); C holds references
/// as plain pointers in `vma->anon_name` and takes and drops them with
/// `anon_vma_name_get()`/`anon_vma_name_put()`.
///
/// # Invariants
///
/// - The object was allocated by [`Interner`] with `kmalloc`; its `name` is
///   NUL-terminated and neither it, `owner`, `table` nor `hash` changes while it
///   is shared (a new object is made private before anyone else sees it).
/// - `id` is accessed only atomically, through [`AnonVmaName::id`]: it holds
///   the creation counter until the first read, which replaces it, once,
///   with the keyed permutation of it (so C has no reader of it).
/// - `table` is null for a private copy, which is never linked in a table.
///   Otherwise it points to the [`Interner`] that made it, which lives for
///   `'static`, and the object is linked in that table at most once, from
///   when it is published until its refcount drops to zero.
/// - When the refcount drops to zero, [`AnonVmaName::release`] unlinks the
///   object and frees it after an RCU grace period, and nothing else frees
///   it. Lookups can find it until then; they take references with
///   [`AnonVmaName::take`], which never revives a zero count.
#[repr(transparent)]
pub struct AnonVmaName(Opaque<bindings::anon_vma_name>);

// SAFETY: The object is immutable but for its atomic refcount and id and the table's linkage (in an
// `Opaque`, written only by the C table under its bucket lock), and may be dropped from any
// thread (the release path, which may run in softirq context from an RCU callback, locks
// only the table's buckets, which disable interrupts).
unsafe impl Send for AnonVmaName {}
// SAFETY: Shared references only read immutable fields or change the refcount atomically.
unsafe impl Sync for AnonVmaName {}

// SAFETY: The refcount is the kref in the C object, which C code takes and drops too; the
// object is freed only when it reaches zero.
unsafe impl AlwaysRefCounted for AnonVmaName {
    fn inc_ref(&self) {
        // SAFETY: By the type invariant the object is valid. Outside this module a shared
        // reference only comes from an `ARef` or `from_held`, so the refcount is non-zero;
        // inside it, objects found in the table only ever get references through `take`.
        unsafe { bindings::refcount_inc(&raw mut (*self.raw()).kref.refcount) };
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

/// What [`AnonVmaName::take`] found.
enum Take {
    /// A new reference.
    Got(ARef<AnonVmaName>),
    /// The refcount is zero: the object is leaving the table.
    Dying,
    /// The refcount is at the limit: the object is not shared any more.
    Full,
}

impl AnonVmaName {
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

    #[inline]
    fn raw(&self) -> *mut bindings::anon_vma_name {
        // The address of the C struct, which `Opaque::get()` would return through a call that
        // is not inlined across crates: `AnonVmaName` and `Opaque` are transparent wrappers of
        // it, and the `UnsafeCell` inside `Opaque` makes it writable through the pointer.
        ptr::from_ref(self).cast_mut().cast()
    }

    /// Whether the name is `name`: compared byte by byte, without measuring
    /// the object's name first.
    fn is_named(&self, name: &[u8]) -> bool {
        // SAFETY: By the type invariant the object is valid and its name NUL-terminated and
        // unchanging.
        let own = unsafe { (*self.raw()).name.as_ptr().cast::<u8>() };
        for (i, &c) in name.iter().enumerate() {
            // SAFETY: None of the bytes before `i` was the NUL, so it is at `i` or after:
            // `own + i` is within the name.
            let b = unsafe { *own.add(i) };
            if b == 0 || b != c {
                return false;
            }
        }
        // SAFETY: As above, for `i == name.len()`.
        unsafe { *own.add(name.len()) == 0 }
    }

    /// The name, without its NUL.
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: By the type invariant `name` is NUL-terminated and never changes.
        unsafe { CStr::from_char_ptr((*self.raw()).name.as_ptr()) }.to_bytes()
    }

    /// The `id` field, which is only ever accessed atomically.
    fn id_field(&self) -> &AtomicU64 {
        // SAFETY: By the type invariant the object is valid; `id` is a `u64` at an 8-byte
        // aligned offset, and no one accesses it but through this function (`alloc` writes it
        // before the object is shared).
        unsafe { AtomicU64::from_ptr(&raw mut (*self.raw()).id) }
    }

    /// The identifier of this object: unique for the boot, in no order, and
    /// never zero.
    ///
    /// It is the keyed image of the creation counter ([`IdPermutation`]) with
    /// [`ID_READY`] set, computed on the first call (most objects are never
    /// asked) and kept in the object.
    pub fn id(&self) -> u64 {
        let v = self.id_field().load(Ordering::Relaxed);
        if v & ID_READY != 0 {
            return v;
        }
        // Private copies get their id before they are made private, so an object without one
        // is interned.
        match self.interner() {
            Some(t) => self.ready_id(t),
            None => v,
        }
    }

    /// Replaces the counter in `id` by the id, if no one did yet, and returns
    /// the id. Racing callers compute and store the same value.
    fn ready_id(&self, t: &Interner) -> u64 {
        let v = self.id_field().load(Ordering::Relaxed);
        if v & ID_READY != 0 {
            return v;
        }
        let id = ID_READY | t.ids.apply(v);
        self.id_field().store(id, Ordering::Relaxed);
        id
    }

    /// The effective uid (its kernel-global value) that the object belongs to.
    pub fn owner(&self) -> u32 {
        // SAFETY: By the type invariant the object is valid and `owner` never changes.
        unsafe { (*self.raw()).owner.val }
    }

    /// The current refcount (for tests and statistics: it may change at any time).
    pub fn refcount(&self) -> u32 {
        // SAFETY: By the type invariant the object is valid; the counter is read atomically.
        unsafe { bindings::refcount_read(&raw const (*self.raw()).kref.refcount) }
    }

    /// Sets the refcount (for tests that need a count no test could reach by
    /// taking references; built only for them).
    ///
    /// # Safety
    ///
    /// The caller must own every reference that the count accounts for, both
    /// before and after: no one else may hold or drop one meanwhile.
    #[cfg(CONFIG_KUNIT)]
    unsafe fn set_refcount(&self, n: u32) {
        // SAFETY: The object is valid (type invariant); the caller owns all its references.
        unsafe { bindings::refcount_set(&raw mut (*self.raw()).kref.refcount, n as i32) };
    }

    /// Whether this object is in an interning table (false for a private copy).
    pub fn is_interned(&self) -> bool {
        self.interner().is_some()
    }

    fn interner(&self) -> Option<&'static Interner> {
        // SAFETY: By the type invariant the object is valid and `table` never changes.
        let t = unsafe { (*self.raw()).table }
            .cast::<Interner>()
            .cast_const();
        // SAFETY: By the type invariant a non-null `table` is an `Interner` that lives for
        // `'static`.
        (!t.is_null()).then(|| unsafe { &*t })
    }

    /// Takes a reference if the refcount is neither zero (the object dying)
    /// nor at `limit`, which must not be above [`REFCOUNT_MAX`].
    ///
    /// The count therefore never passes `limit`, and never reaches
    /// `refcount_t`'s saturation.
    fn take(&self, limit: u32) -> Take {
        // SAFETY: `&self` keeps the object allocated (an `ARef`, or a table lookup under RCU)
        // even if its count is already zero.
        let r = unsafe { &raw mut (*self.raw()).kref.refcount };
        // SAFETY: `r` is valid; the counter is read atomically.
        let mut old = unsafe { bindings::refcount_read(r) } as i32;
        loop {
            if old == 0 {
                return Take::Dying;
            }
            // A saturated count reads as negative, so as above any limit (C's
            // `anon_vma_name_reuse()` takes references below `REFCOUNT_MAX` in one step too).
            if old < 0 || old as u32 >= limit {
                return Take::Full;
            }
            // SAFETY: `r` is valid; on failure `old` is updated to the current value.
            if unsafe { bindings::refcount_try_cmpxchg_relaxed(r, &mut old, old + 1) } {
                // SAFETY: The reference taken just above is handed to the `ARef`.
                return Take::Got(unsafe { ARef::from_raw(NonNull::from(self)) });
            }
        }
    }

    /// Makes an object that no one else has seen yet a private copy.
    fn make_private(self: ARef<Self>) -> ARef<Self> {
        // A private copy has no table to make its id with later.
        if let Some(t) = self.interner() {
            self.ready_id(t);
        }
        // SAFETY: The object is valid and not yet published: its only reference is `self`, and
        // it is not linked, so no other thread reads `table`.
        unsafe { (*self.raw()).table = ptr::null_mut() };
        self
    }

    /// Unlinks an object whose refcount reached zero from its table, and
    /// frees it after an RCU grace period.
    ///
    /// # Safety
    ///
    /// `raw` must point to a valid name object whose refcount just dropped to
    /// zero; the caller gives up its last reference.
    pub unsafe fn release(raw: *mut bindings::anon_vma_name) {
        // SAFETY: The caller guarantees that `raw` is valid until it is freed below, and
        // `AnonVmaName` is a transparent wrapper of the C struct.
        let obj: &Self = unsafe { &*raw.cast() };
        if let Some(t) = obj.interner() {
            // `ENOENT` if the object was never linked (it lost a race to insert) or was
            // replaced by a newer object of its key while it was dying: nothing to unlink.
            // SAFETY: `raw` is valid.
            let _ = unsafe { t.table.remove(NonNull::from(obj)) };
        }
        LIVE.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: The object came from `kmalloc`; it is unlinked and its count is zero, so no
        // new reference can be taken. Lookups that found it before it was unlinked hold the RCU
        // read lock, and the free waits for them.
        unsafe { bindings::kvfree_rcu_head(&raw mut (*raw).rcu, raw.cast()) };
    }
}

/// What the [`Interner`] looks objects up by: a name, its owner and their
/// keyed hash, computed once per call.
pub struct NameKey<'k> {
    owner: u32,
    name: &'k [u8],
    hash: u32,
}

/// Mixes the table's `seed` into a keyed hash of a name.
///
/// The keyed hash already spreads chosen names; mixing the seed in with a
/// full-avalanche step (`murmur3`'s finaliser) makes a new bucket array of
/// the table, whose seed is new, spread them differently again, which is what
/// the table's rehash of a long chain relies on.
fn mix(hash: u32, seed: u32) -> u32 {
    let mut x = hash ^ seed;
    x ^= x >> 16;
    x = x.wrapping_mul(0x85eb_ca6b);
    x ^= x >> 13;
    x = x.wrapping_mul(0xc2b2_ae35);
    x ^ (x >> 16)
}

// SAFETY: `HEAD_OFFSET` is the offset of `node`, a `struct rhash_head`, in the C struct that
// `AnonVmaName` wraps transparently.
unsafe impl RhashObject for AnonVmaName {
    type Key<'k> = NameKey<'k>;
    const HEAD_OFFSET: usize = offset_of!(bindings::anon_vma_name, node);

    fn hash_key(key: &NameKey<'_>, seed: u32) -> u32 {
        mix(key.hash, seed)
    }

    fn hash_obj(obj: &Self, seed: u32) -> u32 {
        // SAFETY: By the type invariant the object is valid and `hash` never changes.
        mix(unsafe { (*obj.raw()).hash }, seed)
    }

    fn matches(key: &NameKey<'_>, obj: &Self) -> bool {
        // SAFETY: By the type invariant the object is valid and `hash` never changes.
        let hash = unsafe { (*obj.raw()).hash };
        hash == key.hash && obj.owner() == key.owner && obj.is_named(key.name)
    }
}

/// The table that makes every live [`AnonVmaName`] with the same string and
/// owner one object.
///
/// It is an [`RhashTable`]: lookups take no lock (RCU), insertions and
/// removals lock one bucket, and the table grows and shrinks in a worker, a
/// `kvmalloc()` bucket array at a time, so it never rehashes under a lock and
/// its memory follows the number of live names. Buckets are chosen by
/// `hsiphash` of the name with a key drawn at boot and the owner, computed
/// once per call and kept in the object, with the table's own seed mixed in
/// (`mix`), so names cannot be chosen to collide. Objects are charged to the
/// memory cgroup of the task that names with them (the flags that
/// [`Interner::intern`] is given); the bucket arrays are the table's, grown by
/// its worker for every user's names at once, and not charged to anyone. They
/// are bounded by the live names: the table shrinks when it is less than 30 %
/// full, so it has at most 3.3 buckets (27 bytes on 64-bit) per live name, or
/// its minimum of 4 buckets. Beside the object of at least 64 bytes that the
/// name's creator is charged for, a user's names can therefore take at most
/// about 40 % more than its cgroup sees.
///
/// When the last reference to an object goes, [`AnonVmaName::release`]
/// unlinks it; a lookup that finds an object whose refcount already reached
/// zero puts a new object in its place, so a dying object is never revived.
///
/// A name whose refcount reached the limit is not shared any more: the next
/// user gets a private copy, which prints the same (KUnit case
/// `shares_up_to_the_limit`). At the real limit, `REFCOUNT_MAX`, no reference
/// is taken past it, so `refcount_t` never saturates (which would WARN), and
/// nothing leaks (`saturates_at_refcount_max`). The table grows and shrinks
/// while other threads look names up, and every name stays findable
/// (`grows_and_shrinks_under_lookups`).
#[pin_data]
pub struct Interner {
    #[pin]
    table: RhashTable<AnonVmaName>,
    /// The secret that the bucket hash is keyed with.
    hash_key: bindings::hsiphash_key_t,
    /// Makes ids of the counter.
    ids: IdPermutation,
    next: AtomicU64,
    /// References at which an object stops being shared.
    limit: u32,
    #[pin]
    _pin: PhantomPinned,
}

impl Interner {
    /// An initialiser of an empty table; objects stop being shared when their
    /// refcount reaches `limit` (at most [`REFCOUNT_MAX`]).
    pub fn new(limit: u32) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            table <- RhashTable::new(),
            hash_key: random_key(),
            ids: IdPermutation::new(),
            next: AtomicU64::new(0),
            limit: limit.min(REFCOUNT_MAX),
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

    /// The keyed hash of `name` of `owner`.
    fn hash(&self, owner: u32, name: &[u8]) -> u32 {
        let key = bindings::hsiphash_key_t {
            key: [
                self.hash_key.key[0],
                self.hash_key.key[1] ^ owner as c_ulong,
            ],
        };
        // SAFETY: `name` is valid for reads of its length, and `key` is valid.
        unsafe { bindings::hsiphash(name.as_ptr().cast(), name.len(), &key) }
    }

    /// The next value of the creation counter, which [`AnonVmaName::id`]
    /// turns into an id. 2^62 values last for 140 years at a billion names a
    /// second.
    fn next_count(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) & (IdPermutation::LIMIT - 1)
    }

    /// Allocates an interned (but not yet linked) object for `name` of
    /// `owner`, with a refcount of one.
    fn alloc(&'static self, key: &NameKey<'_>, flags: Flags) -> Result<ARef<AnonVmaName>> {
        let NameKey { owner, name, hash } = *key;
        // The name starts at its offset, before the padding that `size_of` counts; but the
        // whole struct is written below, so the object is never smaller than it (names of 0 to 2
        // bytes would otherwise end in its padding).
        let size = (offset_of!(bindings::anon_vma_name, name) + name.len() + 1)
            .max(size_of::<bindings::anon_vma_name>());
        // kmalloc()ed memory in words, which are aligned as the struct is: C frees it with
        // kvfree_call_rcu().
        const _: () = assert!(align_of::<u64>() >= align_of::<bindings::anon_vma_name>());
        let mem = KVec::<u64>::with_capacity(size.div_ceil(size_of::<u64>()), flags)?;
        let (raw, _, _) = mem.into_raw_parts();
        let raw = raw.cast::<bindings::anon_vma_name>();
        // SAFETY: `raw` points to `size` writable bytes: the whole struct, and the header and the
        // name with its NUL; nothing else knows the memory yet. A null `next` is an unlinked
        // `node`, and `rcu` is only written by `kvfree_call_rcu()`.
        unsafe {
            ptr::write(
                raw,
                bindings::anon_vma_name {
                    kref: bindings::kref {
                        refcount: bindings::REFCOUNT_INIT(1),
                    },
                    owner: bindings::kuid_t { val: owner },
                    node: bindings::rhash_head {
                        next: ptr::null_mut(),
                    },
                    // All zero: no callback queued (a `callback_head` or a
                    // `kvfree_rcu_head`, as the kernel's configuration has it).
                    rcu: core::mem::zeroed(),
                    id: self.next_count(),
                    table: ptr::from_ref(self).cast_mut().cast(),
                    hash,
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

    /// Returns the object for `name` of `owner` (an effective uid), creating
    /// it if no live one exists.
    ///
    /// `name` must already be valid (see [`validate`]). A new object is
    /// allocated with `flags` (with `__GFP_ACCOUNT`, charged to the caller's
    /// memory cgroup). Fails with `ENOMEM` if memory for the object or the
    /// table runs out.
    pub fn intern(
        &'static self,
        owner: u32,
        name: &[u8],
        flags: Flags,
    ) -> Result<ARef<AnonVmaName>> {
        let key = NameKey {
            owner,
            name,
            hash: self.hash(owner, name),
        };
        // An object allocated in an earlier round, never published.
        let mut spare: Option<ARef<AnonVmaName>> = None;
        loop {
            {
                let rcu = rcu::read_lock();
                if let Some(found) = self.table.lookup(&key, &rcu) {
                    match found.take(self.limit) {
                        Take::Got(r) => return Ok(r),
                        Take::Full => {
                            drop(rcu);
                            let copy = match spare {
                                Some(s) => s,
                                None => self.alloc(&key, flags)?,
                            };
                            return Ok(copy.make_private());
                        }
                        // Insert below, in its place.
                        Take::Dying => {}
                    }
                }
            }
            let new = match spare.take() {
                Some(s) => s,
                None => self.alloc(&key, flags)?,
            };
            let rcu = rcu::read_lock();
            // SAFETY: `new` is valid, linked nowhere, and `key` is its key. Objects are freed
            // only by `AnonVmaName::release`, after unlinking and a grace period.
            match unsafe { self.table.insert_or_get(&key, NonNull::from(&*new), &rcu) } {
                Ok(None) => return Ok(new),
                Ok(Some(old)) => match old.take(self.limit) {
                    // `new` was never published: dropping it frees it.
                    Take::Got(r) => return Ok(r),
                    Take::Full => {
                        drop(rcu);
                        return Ok(new.make_private());
                    }
                    Take::Dying => {
                        // SAFETY: As for the insertion; `old` is dying, and `release` frees it.
                        if unsafe { self.table.replace(old, NonNull::from(&*new)) }.is_ok() {
                            return Ok(new);
                        }
                        // `old` was unlinked meanwhile: try again.
                        drop(rcu);
                        spare = Some(new);
                    }
                },
                Err(_) => return Err(ENOMEM),
            }
        }
    }

    /// How many objects the table holds.
    pub fn count(&self) -> usize {
        self.table.count()
    }

    /// How many buckets the table has now (it resizes in a worker).
    pub fn buckets(&self) -> usize {
        self.table.buckets()
    }
}

// --- The system's table and the entry points C calls. ---

module! {
    type: AnonVmaNames,
    name: "anon_vma_name",
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
/// The name is copied to the stack, not to a temporary allocation, and the
/// stack buffer is not cleared first: only the bytes that
/// `strncpy_from_user()` wrote are read. Returns an
/// `ERR_PTR()`: `-EFAULT` if `uname` cannot be read, `-EINVAL` if the name
/// breaks the rules of [`validate`] (too long: no NUL within
/// [`MAX_LEN`] bytes), `-ENOMEM` if memory runs out or the caller's
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
    let mut buf = MaybeUninit::<[u8; MAX_LEN]>::uninit();
    // SAFETY: `buf` is valid for `MAX_LEN` bytes of writes; `strncpy_from_user()` checks the
    // user address itself and faults safely.
    let n = unsafe { bindings::strncpy_from_user(buf.as_mut_ptr().cast(), uname, MAX_LEN as _) };
    let res = match usize::try_from(n) {
        Err(_) => Err(EFAULT),
        // No NUL within `MAX_LEN` bytes: too long, as `strndup_user()` says.
        Ok(n) if n >= MAX_LEN => Err(EINVAL),
        Ok(n) => {
            // SAFETY: `strncpy_from_user()` returned `n`, so it wrote the first `n` bytes of
            // `buf` (the name without its NUL), and `n < MAX_LEN`.
            let name = unsafe { core::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), n) };
            validate(name).and_then(|()| match table() {
                // Charged to the caller's memory cgroup, and failing with `ENOMEM` at its limit
                // rather than calling the OOM killer.
                Some(t) => t.intern(
                    current_owner(),
                    name,
                    GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL,
                ),
                None => Err(ENOMEM),
            })
        }
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
/// `name` must point to a valid (see [`validate`]) NUL-terminated
/// string that stays unchanged for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn anon_vma_name_alloc(name: *const c_char) -> *mut bindings::anon_vma_name {
    // SAFETY: The caller guarantees that `name` is a valid, unchanging C string.
    let name = unsafe { CStr::from_char_ptr(name) };
    match table().map(|t| t.intern(current_owner(), name.to_bytes(), GFP_KERNEL_ACCOUNT)) {
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
    // SAFETY: The caller guarantees that `kref` is the `kref` of a name object, so the object
    // starts that many bytes before it.
    let obj = unsafe { kref.byte_sub(offset_of!(bindings::anon_vma_name, kref)) }
        .cast::<bindings::anon_vma_name>();
    // SAFETY: The caller guarantees that `obj` is a valid name object whose refcount just
    // reached zero.
    unsafe { AnonVmaName::release(obj) };
}

/// The id of the name object `name`, for `process_vm_getinfo()`: unique for
/// the boot among all objects, the same for all VMAs that share the object,
/// and never zero.
///
/// # Safety
///
/// `name` must point to a name object on which the caller holds a reference,
/// such as `vma->anon_name` of a VMA whose mmap lock it holds.
#[no_mangle]
pub unsafe extern "C" fn anon_vma_name_id(name: *const bindings::anon_vma_name) -> u64 {
    // SAFETY: The caller guarantees that `name` is a name object it holds a reference on for
    // the duration of the call.
    unsafe { AnonVmaName::from_held(name) }.id()
}

/// Number of name objects in the interning table.
#[no_mangle]
pub extern "C" fn anon_vma_name_interned() -> usize {
    table().map_or(0, |t| t.count())
}

/// Number of name objects alive, interned or private copies.
#[no_mangle]
pub extern "C" fn anon_vma_name_live() -> usize {
    live_objects()
}

#[cfg(CONFIG_KUNIT)]
mod tests {
    use kernel::{kunit_check, kunit_check_eq, kunit_tests, prelude::*};

    fn accepts_only_the_allowed_bytes() -> Result {
        use super::is_valid_byte;

        kunit_check!(is_valid_byte(b'a'));
        kunit_check!(is_valid_byte(b' '));
        kunit_check!(is_valid_byte(b'~'));
        kunit_check!(!is_valid_byte(b'['));
        kunit_check!(!is_valid_byte(b'\n'));
        kunit_check!(!is_valid_byte(0x7f));
        kunit_check!(!is_valid_byte(0xc3));
        Ok(())
    }

    fn validates_as_6_12_does() -> Result {
        use super::{validate, MAX_LEN};
        use kernel::error::code::EINVAL;

        kunit_check_eq!(validate(b"libc_malloc"), Ok(()));
        kunit_check_eq!(validate(b"stack_and_tls:1234"), Ok(()));
        kunit_check_eq!(validate(b""), Ok(()));
        kunit_check_eq!(validate(b"[heap]"), Err(EINVAL));
        kunit_check_eq!(validate(b"a$b"), Err(EINVAL));
        kunit_check_eq!(validate(b"tab\there"), Err(EINVAL));

        let longest = [b'x'; MAX_LEN - 1];
        kunit_check_eq!(validate(&longest), Ok(()));
        let too_long = [b'x'; MAX_LEN];
        kunit_check_eq!(validate(&too_long), Err(EINVAL));

        // One bad byte anywhere, in the steps of eight bytes or in the rest,
        // for every length up to the longest.
        for len in 1..MAX_LEN {
            for at in 0..len {
                for bad in [b'[', b'\n', 0x7f, 0xff] {
                    let mut name = [b'x'; MAX_LEN - 1];
                    name[at] = bad;
                    kunit_check_eq!(validate(&name[..len]), Err(EINVAL));
                }
            }
        }
        Ok(())
    }

    fn ids_are_a_keyed_permutation() -> Result {
        use super::IdPermutation;

        let p = IdPermutation::with_key([0x0123_4567, 0x89ab_cdef]);
        let mut increasing = true;
        let (low, high) = (
            0..1000u64,
            IdPermutation::LIMIT - 1000..IdPermutation::LIMIT - 1,
        );
        for n in Iterator::chain(low, high) {
            kunit_check!(p.apply(n) < IdPermutation::LIMIT);
            kunit_check_eq!(p.invert(p.apply(n)), n);
            increasing &= p.apply(n) < p.apply(n + 1);
        }
        kunit_check!(!increasing);
        kunit_check!(IdPermutation::with_key([1, 2]).apply(7) != p.apply(7));
        Ok(())
    }

    fn interns_per_string_and_owner() -> Result {
        use super::Interner;

        let table: &'static Interner = Interner::new_static(u32::MAX)?;
        let a = table.intern(1000, b"libc_malloc", GFP_KERNEL)?;
        let b = table.intern(1000, b"libc_malloc", GFP_KERNEL)?;
        let c = table.intern(1000, b"scudo:primary", GFP_KERNEL)?;
        // The same string gives the same object, with one more reference.
        kunit_check!(core::ptr::eq(&*a, &*b));
        kunit_check_eq!(a.refcount(), 2);
        kunit_check!(!core::ptr::eq(&*a, &*c));
        kunit_check!(a.id() != c.id());
        kunit_check_eq!(table.count(), 2);
        // Another user gets an object of its own, with an id of its own.
        let d = table.intern(1001, b"libc_malloc", GFP_KERNEL)?;
        kunit_check!(!core::ptr::eq(&*a, &*d));
        kunit_check!(a.id() != d.id());
        kunit_check_eq!(d.owner(), 1001);
        kunit_check_eq!(a.refcount(), 2);
        // The last reference takes the object out of the table, and the string
        // gets a new object, with a new id, next time.
        let id = c.id();
        drop(c);
        kunit_check_eq!(table.count(), 2);
        let c = table.intern(1000, b"scudo:primary", GFP_KERNEL)?;
        kunit_check!(c.id() != id);
        drop((a, b, c, d));
        kunit_check_eq!(table.count(), 0);
        Ok(())
    }

    fn shares_up_to_the_limit() -> Result {
        use super::Interner;

        let table = Interner::new_static(3)?;
        let a = table.intern(0, b"x", GFP_KERNEL)?;
        let b = table.intern(0, b"x", GFP_KERNEL)?;
        let c = table.intern(0, b"x", GFP_KERNEL)?;
        kunit_check_eq!(a.refcount(), 3);
        let d = table.intern(0, b"x", GFP_KERNEL)?;
        kunit_check!(!core::ptr::eq(&*a, &*d));
        kunit_check!(!d.is_interned());
        kunit_check_eq!(d.as_bytes(), b"x");
        kunit_check_eq!(a.refcount(), 3);
        kunit_check_eq!(table.count(), 1);
        drop((a, b, c, d));
        kunit_check_eq!(table.count(), 0);
        Ok(())
    }

    fn saturates_at_refcount_max() -> Result {
        use super::{live_objects, Interner, REFCOUNT_MAX};

        let table = Interner::new_static(REFCOUNT_MAX)?;
        let live = live_objects();
        let a = table.intern(0, b"saturated", GFP_KERNEL)?;
        // SAFETY: `a` is the only reference; the count goes back to one before it is dropped, and
        // the references the count claims meanwhile are owned by this test.
        unsafe { a.set_refcount(REFCOUNT_MAX - 1) };
        let b = table.intern(0, b"saturated", GFP_KERNEL)?;
        kunit_check!(core::ptr::eq(&*a, &*b));
        kunit_check_eq!(a.refcount(), REFCOUNT_MAX);
        let c = table.intern(0, b"saturated", GFP_KERNEL)?;
        kunit_check!(!c.is_interned());
        kunit_check_eq!(a.refcount(), REFCOUNT_MAX);
        kunit_check_eq!(live_objects(), live + 2);
        core::mem::forget(b);
        // SAFETY: As above: this test owns all the references.
        unsafe { a.set_refcount(1) };
        drop((a, c));
        kunit_check_eq!(table.count(), 0);
        kunit_check_eq!(live_objects(), live);
        Ok(())
    }

    fn grows_and_shrinks_under_lookups() -> Result {
        use super::Interner;
        use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use kernel::{bindings, str::CString, sync::Arc, types::ScopeGuard, workqueue};

        struct Shared {
            stop: AtomicBool,
            done: AtomicBool,
            rounds: AtomicUsize,
            wrong: AtomicUsize,
        }
        /// Polls `f` every 10 ms for up to 20 s.
        fn wait_for(f: impl Fn() -> bool) -> bool {
            for _ in 0..2000 {
                if f() {
                    return true;
                }
                // SAFETY: Sleeping is allowed in a KUnit test.
                unsafe { bindings::msleep(10) };
            }
            f()
        }

        let table = Interner::new_static(u32::MAX)?;
        let mut held = KVec::new();
        for i in 0..16 {
            let s = CString::try_from_fmt(format_args!("held:{}", i))?;
            held.push(table.intern(0, s.to_bytes(), GFP_KERNEL)?, GFP_KERNEL)?;
        }
        let shared = Arc::new(
            Shared {
                stop: AtomicBool::new(false),
                done: AtomicBool::new(false),
                rounds: AtomicUsize::new(0),
                wrong: AtomicUsize::new(0),
            },
            GFP_KERNEL,
        )?;
        let s = shared.clone();
        // The worker stops however this case ends, a failed check included.
        let stop = ScopeGuard::new(|| shared.stop.store(true, Ordering::Release));
        workqueue::system().try_spawn(GFP_KERNEL, move || {
            loop {
                for h in held.iter() {
                    match table.intern(0, h.as_bytes(), GFP_KERNEL) {
                        Ok(n) if core::ptr::eq(&*n, &**h) => {}
                        _ => {
                            s.wrong.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                s.rounds.fetch_add(1, Ordering::Relaxed);
                if s.stop.load(Ordering::Acquire) {
                    break;
                }
                // Let the other work of this CPU run, the table's resizing among it.
                // SAFETY: Sleeping is allowed in a work item.
                unsafe { bindings::msleep(1) };
            }
            drop(held);
            s.done.store(true, Ordering::Release);
        })?;

        let small = table.buckets();
        let mut grown = KVec::new();
        for i in 0..20000 {
            let s = CString::try_from_fmt(format_args!("grow:{}", i))?;
            grown.push(table.intern(0, s.to_bytes(), GFP_KERNEL)?, GFP_KERNEL)?;
        }
        kunit_check_eq!(table.count(), 20016);
        // The worker grows the bucket array a step at a time as names come in.
        kunit_check!(wait_for(|| table.buckets() > small));
        let big = table.buckets();
        for (i, n) in grown.iter().enumerate().step_by(997) {
            let s = CString::try_from_fmt(format_args!("grow:{}", i))?;
            kunit_check!(core::ptr::eq(
                &*table.intern(0, s.to_bytes(), GFP_KERNEL)?,
                &**n
            ));
        }
        drop(grown);
        kunit_check_eq!(table.count(), 16);
        kunit_check!(wait_for(|| table.buckets() < big));
        pr_info!(
            "name table: {} buckets, {} at 20016 names, {} when emptied\n",
            small,
            big,
            table.buckets()
        );
        drop(stop);
        kunit_check!(wait_for(|| shared.done.load(Ordering::Acquire)));
        kunit_check!(shared.rounds.load(Ordering::Relaxed) >= 1);
        kunit_check_eq!(shared.wrong.load(Ordering::Relaxed), 0);
        kunit_check_eq!(table.count(), 0);
        Ok(())
    }

    kunit_tests!(
        anon_vma_name,
        [
            accepts_only_the_allowed_bytes,
            validates_as_6_12_does,
            ids_are_a_keyed_permutation,
            interns_per_string_and_owner,
            shares_up_to_the_limit,
            saturates_at_refcount_max,
            grows_and_shrinks_under_lookups,
        ]
    );
}
