// SPDX-License-Identifier: GPL-2.0

//! `process_vm_getinfo(2)`: a process's VMAs as binary records, in one
//! consistent snapshot.
//!
//! UAPI header:
//! [`include/uapi/linux/process_vm_getinfo.h`](srctree/include/uapi/linux/process_vm_getinfo.h)
//!
//! All of the call is in this file: the walk, the records and the names, on
//! top of `kernel::mm::vma`; `process_vm_getinfo_sys.c` holds the
//! `SYSCALL_DEFINE` (a C macro) and the C helpers that reach smaps' walk and
//! the names `/proc/PID/maps` shows. The KUnit suite `process_vm_getinfo` at
//! the end tests the translations and checks.
//!
//! Without counters, the call first reads the map with no mmap lock
//! ([`Walker::spec_walk`]): each VMA under its own read lock, found under
//! RCU, the whole checked against the mmap lock's sequence count, mending
//! what writers changed meanwhile as the mending walks below do. The walks
//! with the lock take over if that does not finish.
//!
//! The walk holds the target's mmap read lock for a chunk of VMAs at a time.
//! It writes the records to the caller's buffer as it goes, a batch at a
//! time, with page faults disabled: a fault on the caller's own address space
//! needs the lock the caller would be holding, and for another process a
//! fault stuck in userfaultfd would hold the target's lock for as long as it
//! likes. A record whose page is not present and writable ends the chunk;
//! with the lock dropped, the page is faulted in and the walk goes on from
//! that record. The strings, fewer, are gathered in kernel memory and copied
//! with the lock dropped. Every chunk checks the layout sequence number; if
//! it moved, the walk starts again, so the records and the token returned
//! always describe one moment.
//!
//! A target that changes its map faster than a chunked walk would starve the
//! caller. So after [`CHUNKED_WALKS`] walks the layout changed under, the
//! next walks mend instead of starting again ([`Walker::mend_walk`]): they
//! keep every record in kernel memory, give the lock up whenever a writer
//! waits for it (as `smaps_rollup` does), and when they take it again ask
//! the address space which range changed meanwhile
//! (`vma_layout_changes_since()`), forget what they had read there and read
//! it again; the records and the rollup go out at the end, with no lock
//! held. A target that churns in one place costs such a walk that place,
//! not the whole map, and still gets the lock whenever it asks for it.
//!
//! The address space keeps the ranges of its last few write-locked sections
//! only. If more than that happened between two holds of a mending walk,
//! it starts again; after [`MENDING_WALKS`] such walks, the next walk holds
//! the lock from its first VMA to its last: it faults in the part of the
//! caller's buffers it will need first, with no lock held, and then writes
//! records and strings with page faults disabled. Such a walk drops the
//! lock only if a page of the buffer was reclaimed since (or the map
//! outgrew the estimate), so that no target can make the call fail.

use core::{marker::PhantomData, mem::size_of, ptr::NonNull};
use kernel::{
    alloc::AllocError,
    bindings,
    error::from_err_ptr,
    ffi::{c_char, c_long},
    mm::vma::{MmUser, MmapReadGuard, VmaRead, VMA_BATCH},
    prelude::*,
    str::CStr,
    transmute::{AsBytes, FromBytes},
    types::Opaque,
    uaccess::{UserPtr, UserSlice},
};

/// The argument block of the system call.
pub type Args = bindings::process_vm_getinfo_args;
/// One record of the output.
pub type Record = bindings::process_vm_getinfo_vma;
/// Memory counters of a VMA or of a range.
pub type Counters = bindings::process_vm_getinfo_counters;

/// [`Args`] as the bytes userspace passes and gets back.
#[repr(transparent)]
struct ArgsBlock(Args);

// SAFETY: `Args` has only integer fields, which take any bit pattern.
unsafe impl FromBytes for ArgsBlock {}
// SAFETY: `Args` has only integer fields and, as the assertion below checks, no padding.
unsafe impl AsBytes for ArgsBlock {}

kernel::static_assert!(size_of::<Args>() == bindings::PROCESS_VM_GETINFO_ARGS_SIZE_VER1 as usize);
kernel::static_assert!(size_of::<Counters>() == COUNTERS * 8);
kernel::static_assert!(size_of::<Args>() == 5 * 8 + 4 * 4 + 2 * 8 + size_of::<Counters>());
kernel::static_assert!(size_of::<Record>() == bindings::VMGI_VMA_SIZE_VER1 as usize);
// No padding: `vmgi_put_vmas()` copies a record to userspace as it is, word by word.
kernel::static_assert!(size_of::<Record>() == 6 * 8 + 8 * 4 + size_of::<Counters>());

/// VMAs per chunk: the most a walk handles in one hold of the mmap lock.
pub const CHUNK_VMAS: usize = 256;
/// Bytes of new strings per chunk.
const CHUNK_STRINGS: usize = 16 * 1024;
/// The longest name: a path (`PATH_MAX`) or a decorated anonymous name.
const MAX_NAME: usize = bindings::PATH_MAX as usize;
/// Walks started before giving up with `EAGAIN`: only walks that had to drop
/// the lock to fault in the caller's buffer, and found the layout changed
/// when they took it again, count after the first [`CHUNKED_WALKS`].
pub const MAX_ATTEMPTS: u32 = 16;
/// Walks that drop the lock between chunks; mending walks come after them.
pub const CHUNKED_WALKS: u32 = 2;
/// Mending walks (see [`Walker::mend_walk`]) tried after the chunked walks;
/// the walks after them hold the lock throughout.
pub const MENDING_WALKS: u32 = 4;

/// Attributes this kernel can return: names ids need the Rust names, the
/// counters smaps' walk.
const SUPPORTED: u64 = {
    let mut all = bindings::VMGI_ALL as u64;
    if !cfg!(CONFIG_ANON_VMA_NAME_RUST) {
        all &= !(bindings::VMGI_NAME_ID as u64);
    }
    if !cfg!(CONFIG_PROC_PAGE_MONITOR) {
        all &= !(bindings::VMGI_COUNTERS as u64);
    }
    all
};

/// With counters, the most pages of address space a chunk walks the page
/// tables of (the chunk ends after the VMA that reaches it, or sooner if a
/// writer waits for the lock).
pub const CHUNK_COUNTED_PAGES: usize = 32 * 1024;
/// VMAs summed at a time by a walk that writes no records and no names (a
/// rollup): the walk of `smaps_rollup` gathers them all into one sum.
const SUM_BATCH: usize = 64;

/// How many times a walk coming back to the lock lets a waiting writer go
/// first (sleeping 20 to 50 us each time) before it takes the lock anyway.
const POLITE_WAITS: u32 = 16;
/// Stretches of a walk without the mmap lock ([`Walker::spec_walk`]) that
/// writers may cut short before the walks with the lock take over.
pub const SPEC_STRETCHES: u32 = 64;
/// Short sleeps in a row a walk without the mmap lock waits for a writer
/// that holds it before the walks with the lock take over (a writer that
/// holds it that long would make them wait as well).
pub const SPEC_WAITS: u32 = 16;

/// The fields of [`Counters`], all `u64`, in order.
macro_rules! for_counters {
    ($m:ident) => {
        $m!(
            rss,
            pss,
            pss_dirty,
            pss_anon,
            pss_file,
            pss_shmem,
            shared_clean,
            shared_dirty,
            private_clean,
            private_dirty,
            referenced,
            anonymous,
            ksm,
            lazyfree,
            anon_huge,
            shmem_pmd,
            file_pmd,
            shared_hugetlb,
            private_hugetlb,
            swap,
            swap_pss,
            locked
        )
    };
}

macro_rules! count_fields {
    ($($f:ident),*) => {
        [$(stringify!($f)),*].len()
    };
}

/// The number of fields of [`Counters`].
const COUNTERS: usize = for_counters!(count_fields);

/// Adds `c` to `sum`, field by field. Wrapping, without a check: each field
/// counts bytes (or bytes << `VMGI_PSS_SHIFT`) of memory mapped in one
/// address space, which stays far below 2^52 bytes, so no sum wraps.
pub fn add_counters(sum: &mut Counters, c: &Counters) {
    macro_rules! add {
        ($($f:ident),*) => {
            $(sum.$f = sum.$f.wrapping_add(c.$f);)*
        };
    }
    for_counters!(add);
}

/// The counters as userspace receives them: the PSS fields, which smaps'
/// walk keeps in bytes << `VMGI_PSS_SHIFT`, in bytes, rounded down (as
/// smaps rounds them when it prints them). Sums are made before this.
pub fn counters_in_bytes(c: &Counters) -> Counters {
    let shift = bindings::VMGI_PSS_SHIFT;
    Counters {
        pss: c.pss >> shift,
        pss_dirty: c.pss_dirty >> shift,
        pss_anon: c.pss_anon >> shift,
        pss_file: c.pss_file >> shift,
        pss_shmem: c.pss_shmem >> shift,
        swap_pss: c.swap_pss >> shift,
        locked: c.locked >> shift,
        ..*c
    }
}

/// `VM_*` flags and the `VMGI_VM_*` bits that stand for them (the VmFlags
/// mnemonics of `/proc/PID/smaps`). Flags a configuration lacks are zero.
///
/// bindgen types each constant by its value (`u32`, `u64`, `vm_flags_t`), and
/// that differs between configurations, hence the casts to one type.
#[allow(clippy::unnecessary_cast)]
const VM_FLAG_BITS: [(u64, u64); 36] = {
    use bindings::*;
    const VM_SEALED: u64 = (VM_SEALED_HI32 as u64) << 32;
    [
        (VM_READ as u64, VMGI_VM_RD as u64),
        (VM_WRITE as u64, VMGI_VM_WR as u64),
        (VM_EXEC as u64, VMGI_VM_EX as u64),
        (VM_SHARED as u64, VMGI_VM_SH as u64),
        (VM_MAYREAD as u64, VMGI_VM_MR as u64),
        (VM_MAYWRITE as u64, VMGI_VM_MW as u64),
        (VM_MAYEXEC as u64, VMGI_VM_ME as u64),
        (VM_MAYSHARE as u64, VMGI_VM_MS as u64),
        (VM_GROWSDOWN as u64, VMGI_VM_GD as u64),
        (VM_PFNMAP as u64, VMGI_VM_PF as u64),
        (VM_LOCKED as u64, VMGI_VM_LO as u64),
        (VM_IO as u64, VMGI_VM_IO as u64),
        (VM_SEQ_READ as u64, VMGI_VM_SR as u64),
        (VM_RAND_READ as u64, VMGI_VM_RR as u64),
        (VM_DONTCOPY as u64, VMGI_VM_DC as u64),
        (VM_DONTEXPAND as u64, VMGI_VM_DE as u64),
        (VM_LOCKONFAULT as u64, VMGI_VM_LF as u64),
        (VM_ACCOUNT as u64, VMGI_VM_AC as u64),
        (VM_NORESERVE as u64, VMGI_VM_NR as u64),
        (VM_HUGETLB as u64, VMGI_VM_HT as u64),
        (VM_SYNC as u64, VMGI_VM_SF as u64),
        (VM_ARCH_1 as u64, VMGI_VM_AR as u64),
        (VM_WIPEONFORK as u64, VMGI_VM_WF as u64),
        (VM_DONTDUMP as u64, VMGI_VM_DD as u64),
        (VM_SOFTDIRTY as u64, VMGI_VM_SD as u64),
        (VM_MIXEDMAP as u64, VMGI_VM_MM as u64),
        (VM_HUGEPAGE as u64, VMGI_VM_HG as u64),
        (VM_NOHUGEPAGE as u64, VMGI_VM_NH as u64),
        (VM_MERGEABLE as u64, VMGI_VM_MG as u64),
        (VM_UFFD_MISSING as u64, VMGI_VM_UM as u64),
        (VM_UFFD_WP as u64, VMGI_VM_UW as u64),
        (VM_MTE as u64, VMGI_VM_MT as u64),
        (VM_UFFD_MINOR as u64, VMGI_VM_UI as u64),
        (VM_SHADOW_STACK as u64, VMGI_VM_SS as u64),
        (VM_DROPPABLE as u64, VMGI_VM_DP as u64),
        (VM_SEALED, VMGI_VM_SL as u64),
    ]
};

/// [`VM_FLAG_BITS`] indexed by the bit number of the `VM_*` flag.
const VM_BIT_TO_UAPI: [u64; 64] = {
    let mut t = [0u64; 64];
    let mut i = 0;
    while i < VM_FLAG_BITS.len() {
        let (vm, bit) = VM_FLAG_BITS[i];
        if vm != 0 {
            t[vm.trailing_zeros() as usize] = bit;
        }
        i += 1;
    }
    t
};

/// The `VM_*` flags whose `VMGI_VM_*` bit is the same bit (the eight access
/// and sharing flags, `VM_READ` to `VM_MAYSHARE`, and a few more).
const SAME_BITS: u64 = {
    let (mut m, mut i) = (0, 0);
    while i < VM_FLAG_BITS.len() {
        let (vm, bit) = VM_FLAG_BITS[i];
        if vm == bit {
            m |= vm;
        }
        i += 1;
    }
    m
};
kernel::static_assert!(SAME_BITS & 0xff == 0xff);

/// Translates `VM_*` flags into `VMGI_VM_*` bits.
pub fn uapi_vm_flags(flags: usize) -> u64 {
    // Flags with the same bit on both sides pass as they are; then one step
    // per other flag set, one or two for a typical VMA.
    let (mut f, mut out) = (flags as u64 & !SAME_BITS, flags as u64 & SAME_BITS);
    while f != 0 {
        out |= VM_BIT_TO_UAPI[f.trailing_zeros() as usize];
        f &= f - 1;
    }
    out
}

/// The `rwxp`/`rwxs` column of `/proc/PID/maps` as `VMGI_PROT_*` bits.
pub fn uapi_prot(flags: usize) -> u32 {
    use bindings::*;
    // The flags are `u32` or `usize`, as bindgen finds them.
    let bit = |vm: u64, prot: u32| if flags as u64 & vm != 0 { prot } else { 0 };
    bit(VM_READ as u64, VMGI_PROT_READ)
        | bit(VM_WRITE as u64, VMGI_PROT_WRITE)
        | bit(VM_EXEC as u64, VMGI_PROT_EXEC)
        | bit(VM_MAYSHARE as u64, VMGI_PROT_SHARED)
}

/// Checks an argument block read from userspace.
///
/// `EINVAL`: attributes this ABI does not define, a non-zero reserved field,
/// an empty range, or, unless the call writes no records (`rollup`), a record
/// size below `VMGI_VMA_SIZE_VER0` or above `VMGI_VMA_SIZE_MAX`.
pub fn check_args(a: &Args, rollup: bool) -> Result {
    let size_ok = rollup
        || (bindings::VMGI_VMA_SIZE_VER0..=bindings::VMGI_VMA_SIZE_MAX).contains(&a.vma_size);
    if a.mask & !(bindings::VMGI_ALL as u64) != 0
        || a.__reserved != 0
        || a.start >= a.end
        || !size_ok
    {
        return Err(EINVAL);
    }
    Ok(())
}

/// The strings of one snapshot: each name's text once, found by the key of
/// its source ([`MapsName::key`]).
///
/// An open-addressing table (linear probing) that doubles at half load; it
/// holds one slot per distinct name of the snapshot, so its size is bounded by
/// the number of VMAs of the target, not by anything the caller passes.
pub struct NameTable {
    slots: KVVec<((usize, usize), (u32, u32))>,
    used: usize,
}

/// An empty slot: no name has this key.
const EMPTY: (usize, usize) = (0, 0);

impl Default for NameTable {
    fn default() -> Self {
        Self::new()
    }
}

impl NameTable {
    /// An empty table; it allocates on the first insertion.
    pub fn new() -> Self {
        Self {
            slots: KVVec::new(),
            used: 0,
        }
    }

    #[inline]
    fn slot(&self, key: (usize, usize)) -> usize {
        // Fibonacci hashing: the top bits of the product are the well mixed ones.
        let h = (key.0 ^ key.1.rotate_left(17)).wrapping_mul(0x9e37_79b9_7f4a_7c15u64 as usize);
        h >> (usize::BITS - self.slots.len().trailing_zeros())
    }

    /// The value stored for `key`.
    #[inline]
    pub fn get(&self, key: (usize, usize)) -> Option<(u32, u32)> {
        if self.slots.is_empty() {
            return None;
        }
        let mut i = self.slot(key);
        loop {
            match self.slots[i] {
                (k, v) if k == key => return Some(v),
                (EMPTY, _) => return None,
                _ => i = (i + 1) & (self.slots.len() - 1),
            }
        }
    }

    /// Stores `value` for `key`, which must not be `(0, 0)` nor present.
    pub fn insert(&mut self, key: (usize, usize), value: (u32, u32)) -> Result {
        if key == EMPTY {
            return Err(EINVAL);
        }
        if 2 * (self.used + 1) > self.slots.len() {
            self.grow()?;
        }
        let mut i = self.slot(key);
        while self.slots[i].0 != EMPTY {
            i = (i + 1) & (self.slots.len() - 1);
        }
        self.slots[i] = (key, value);
        self.used += 1;
        Ok(())
    }

    fn grow(&mut self) -> Result {
        let n = (self.slots.len() * 2).max(64);
        let old = core::mem::replace(
            &mut self.slots,
            KVVec::from_elem((EMPTY, (0, 0)), n, GFP_KERNEL_ACCOUNT)?,
        );
        self.used = 0;
        for (k, v) in old.iter().copied().filter(|&(k, _)| k != EMPTY) {
            self.insert(k, v)?;
        }
        Ok(())
    }

    /// Forgets every name, keeping the memory.
    pub fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = (EMPTY, (0, 0)));
        self.used = 0;
    }
}

/// What a finished walk found.
struct Totals {
    vmas: usize,
    strings: usize,
    seq: u64,
}

/// Why a walk stopped early.
enum Stop {
    /// The layout changed between two chunks: start again.
    Changed,
    Failed(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Failed(e)
    }
}

impl From<AllocError> for Stop {
    fn from(e: AllocError) -> Self {
        Stop::Failed(e.into())
    }
}

/// A VMA's record as a mending walk keeps it until the end: the counters
/// are smaps' (PSS fields shifted) until the record is written.
#[derive(Clone, Copy)]
struct Staged {
    rec: Record,
    /// False once a change of the layout covered the VMA: it is read again.
    live: bool,
}

/// The records a mending walk has read, all in kernel memory, charged to
/// the caller.
///
/// # Invariants
///
/// `main` is sorted by start, and its live records and those of `extra` are
/// of distinct, disjoint VMAs, all of them in the layout of the walk's
/// current sequence number but for those inside `pending`.
struct Staging {
    /// Records read going forward, in address order.
    main: KVVec<Staged>,
    /// Records read again after a change, in no order.
    extra: KVVec<Staged>,
    extra_live: usize,
    /// Addresses whose VMAs are to be read again, if any: those not live
    /// here.
    pending: Option<(usize, usize)>,
}

impl Staging {
    fn new() -> Self {
        Self {
            main: KVVec::new(),
            extra: KVVec::new(),
            extra_live: 0,
            pending: None,
        }
    }

    /// Forgets the records of VMAs entirely inside `[lo, hi)`: the only ones
    /// a change there can have touched (every change notes the whole range
    /// of each VMA it touches, before and after).
    fn kill(&mut self, lo: usize, hi: usize) {
        let main = self.main.as_mut_slice();
        let first = main.partition_point(|e| (e.rec.start as usize) < lo);
        for e in main[first..].iter_mut() {
            if e.rec.start as usize >= hi {
                break;
            }
            if e.rec.end as usize <= hi {
                e.live = false;
            }
        }
        for e in self.extra.as_mut_slice() {
            if e.live && e.rec.start as usize >= lo && e.rec.end as usize <= hi {
                e.live = false;
                self.extra_live -= 1;
            }
        }
    }

    /// Takes in a change of the layout over `ch` since the walk's last look,
    /// the walk having read `[first, pos)`: the records of VMAs inside it
    /// die, and the part behind `pos` is to be read again.
    fn note_changed(&mut self, ch: core::ops::Range<usize>, first: usize, pos: usize) {
        if ch.start < ch.end && ch.start < pos {
            self.kill(ch.start, ch.end);
            let (lo, hi) = (ch.start.max(first), ch.end.min(pos));
            if lo < hi {
                self.pending = Some(match self.pending {
                    Some((a, b)) => (a.min(lo), b.max(hi)),
                    None => (lo, hi),
                });
            }
        }
    }

    /// Whether the VMA starting at `start` has a live record.
    fn has(&self, start: usize) -> bool {
        let main = self.main.as_slice();
        let i = main.partition_point(|e| (e.rec.start as usize) < start);
        if main
            .get(i)
            .is_some_and(|e| e.rec.start as usize == start && e.live)
        {
            return true;
        }
        self.extra
            .iter()
            .any(|e| e.live && e.rec.start as usize == start)
    }

    fn push_extra(&mut self, e: Staged) -> Result {
        // Dead records of `extra` are dropped once they outnumber the live ones, so that a
        // target that keeps changing one place cannot make `extra` grow without bound.
        if self.extra.len() >= 64 && self.extra.len() >= 2 * self.extra_live {
            let mut live = KVVec::with_capacity(2 * self.extra_live + 1, GFP_KERNEL_ACCOUNT)?;
            for x in self.extra.iter().filter(|x| x.live) {
                live.push(*x, GFP_KERNEL_ACCOUNT)?;
            }
            self.extra = live;
        }
        self.extra.push(e, GFP_KERNEL_ACCOUNT)?;
        self.extra_live += 1;
        Ok(())
    }
}

/// One call's working memory, all of fixed size but the [`NameTable`].
///
/// The buffers are allocated once, full size; `nrec` and `nstr` say how
/// much of its records and strings the current chunk has.
struct Walker<'a> {
    args: &'a Args,
    mask: u64,
    /// The records of a batch of VMAs, before they are written.
    batch: KVec<Record>,
    /// With counters: those of the batch's VMAs as smaps' walk gives them
    /// (PSS fields shifted), added to `rollup` once their records are done.
    raw: KVec<Counters>,
    /// The counters summed over the VMAs of the walk so far.
    rollup: Counters,
    nrec: usize,
    strings: KVec<u8>,
    nstr: usize,
    scratch: KVec<u8>,
    names: NameTable,
    /// The chunk stopped at a record it could not write without a page
    /// fault: the first one after its `nrec`.
    faulted: bool,
    /// A mending walk's last copy out had to fault a page in.
    out_faulted: bool,
    /// The most records and bytes of strings any walk of the call reached.
    seen_vmas: usize,
    seen_strings: usize,
}

impl<'a> Walker<'a> {
    fn new(args: &'a Args, mask: u64) -> Result<Self> {
        Ok(Self {
            args,
            mask,
            batch: KVec::from_elem(Record::default(), VMA_BATCH, GFP_KERNEL_ACCOUNT)?,
            raw: KVec::from_elem(Counters::default(), VMA_BATCH, GFP_KERNEL_ACCOUNT)?,
            rollup: Counters::default(),
            nrec: 0,
            strings: zeroed_bytes(CHUNK_STRINGS)?,
            nstr: 0,
            scratch: zeroed_bytes(MAX_NAME)?,
            names: NameTable::new(),
            faulted: false,
            out_faulted: false,
            seen_vmas: 0,
            seen_strings: 0,
        })
    }

    /// Walks the whole range once, a chunk per hold of the lock, or, if `hold`,
    /// with the lock held throughout unless a page of the buffers is missing.
    fn walk(&mut self, mm: &MmUser, hold: bool) -> core::result::Result<Totals, Stop> {
        self.names.clear();
        self.rollup = Counters::default();
        let (mut addr, mut vmas, mut strings) = (self.args.start as usize, 0, 0);
        let (mut seq, mut stuck) = (None, 0);
        if hold {
            self.prefault(mm)?;
        }
        loop {
            let guard = read_lock_after_writer(mm, seq.filter(|_| !hold))?;
            match seq {
                None => seq = Some(guard.layout_seq()),
                Some(s) if s != guard.layout_seq() => return Err(Stop::Changed),
                Some(_) => {}
            }
            // With `hold`, go on to the next chunk under the same hold, as long as
            // the chunk's records and strings went out without a fault.
            let (next, copied) = loop {
                let next = self.chunk(&guard, addr, vmas, strings)?;
                let copied = hold && !self.faulted && self.copy_strings_nofault(strings);
                match next {
                    Some(a) if copied => {
                        vmas += self.nrec;
                        strings += self.nstr;
                        self.seen(vmas, strings);
                        addr = a;
                        guard.cond_resched();
                    }
                    _ => break (next, copied),
                }
            };
            drop(guard);
            if !copied {
                self.copy_strings(strings)?;
            }
            vmas += self.nrec;
            strings += self.nstr;
            self.seen(vmas, strings);
            if self.faulted {
                // A page faulted in may be reclaimed before the walk comes back to it; give up
                // if that keeps happening.
                stuck = if self.nrec == 0 { stuck + 1 } else { 0 };
                if stuck == MAX_ATTEMPTS {
                    return Err(Stop::Failed(EAGAIN));
                }
                self.fault_in(vmas)?;
            }
            match next {
                Some(a) => addr = a,
                None => {
                    return Ok(Totals {
                        vmas,
                        strings,
                        seq: seq.unwrap_or(0),
                    })
                }
            }
            // SAFETY: Called in process context with no lock held.
            unsafe { bindings::cond_resched() };
        }
    }

    /// A walk that gives way to every waiting writer and still returns one
    /// moment, without starting again when the layout changes under it.
    ///
    /// It keeps every record in kernel memory ([`Staging`]) until the end.
    /// Each time it takes the lock again and finds the layout changed, it
    /// asks the address space where ([`MmapReadGuard::layout_changes_since`])
    /// and, if that is behind its position, forgets the records of the VMAs
    /// there and reads that part again: a target that changes one place over
    /// and over costs it that place each time, not the whole map. A hold
    /// ends when a writer waits, as `smaps_rollup`'s do, after at least one
    /// VMA, and after more as the VMAs read again add up (one more per 64),
    /// so that a target cannot make it read the same place forever. The
    /// records and the rollup go out at the end, with no lock held. If
    /// `polite`, it comes back to the lock after the writer it gave way to
    /// ([`read_lock_after_writer`]).
    ///
    /// `Stop::Changed` if the address space no longer knows what changed
    /// since the walk's last hold (more write-locked sections in between
    /// than it keeps).
    fn mend_walk(&mut self, mm: &MmUser, polite: bool) -> core::result::Result<Totals, Stop> {
        let (first, end) = (self.args.start as usize, self.args.end as usize);
        let want_name = wants(self.mask, bindings::VMGI_NAME);
        let mut st = Staging::new();
        let (mut pos, mut strings, mut reread) = (first, 0, 0);
        let mut gate_done = false;
        let (mut held, mut rewrites) = (None, 0);
        self.names.clear();
        // The records go out at the end, with faults allowed: fault in first what the walks
        // before reached, as a walk that holds the lock does, so that the copy out rarely
        // has to.
        let count = self.prefault(mm)?;
        st.main.reserve(count + 1, GFP_KERNEL_ACCOUNT)?;
        let (seq, vmas) = loop {
            let guard = read_lock_after_writer(mm, held.filter(|_| polite))?;
            let now = guard.layout_seq();
            if let Some(s) = held.filter(|&s| s != now) {
                let Some(ch) = guard.layout_changes_since(s) else {
                    return Err(Stop::Changed);
                };
                st.note_changed(ch, first, pos);
                // A key may now be another object's at the same address.
                self.names.clear();
            }
            held = Some(now);
            self.nstr = 0;
            let min_work = 1 + reread / 64;
            let (mut work, mut skipped) = (0, 0);
            let mut names = [RawMapsName::NONE; VMA_BATCH];
            let mut stopped = false;
            // The places that changed first, then on from `pos`.
            if let Some((a, b)) = st.pending {
                let mut at = b;
                let mut vmas = guard.vmas(a, b);
                'pending: while let Some(batch) = vmas.next_batch() {
                    if want_name {
                        maps_names(batch, &mut names);
                    }
                    for (vma, name) in batch.iter().zip(names.iter()) {
                        if work >= min_work && guard.is_contended() {
                            (at, stopped) = (vma.start().max(a), true);
                            break 'pending;
                        }
                        // One still live is passed over, at a 64th of the cost of reading
                        // it, so that a hold over many of them gives way too.
                        if st.has(vma.start()) {
                            skipped += 1;
                            if skipped % 64 == 0 {
                                work += 1;
                            }
                            continue;
                        }
                        let Some(e) = self.stage(vma, name, strings)? else {
                            (at, stopped) = (vma.start().max(a), true);
                            break 'pending;
                        };
                        st.push_extra(e)?;
                        (work, reread) = (work + 1, reread + 1);
                    }
                }
                if !stopped {
                    if let Some(g) = gate_vma(&guard).filter(|g| g.end() > a && g.start() < b) {
                        if !st.has(g.start()) {
                            match self.stage_gate(g, strings)? {
                                Some(e) => st.push_extra(e)?,
                                None => (at, stopped) = (g.start().max(a), true),
                            }
                        }
                    }
                }
                st.pending = (at < b).then_some((at, b));
            }
            if !stopped && pos < end {
                let mut vmas = guard.vmas(pos, end);
                'forward: while let Some(batch) = vmas.next_batch() {
                    if want_name {
                        maps_names(batch, &mut names);
                    }
                    for (vma, name) in batch.iter().zip(names.iter()) {
                        // One that starts behind `pos` changed, and is read as part of
                        // `pending`.
                        if vma.start() < pos && pos > first {
                            continue;
                        }
                        // Growing the records would copy them all: never under the lock.
                        if (work >= min_work && guard.is_contended())
                            || st.main.len() == st.main.capacity()
                        {
                            (pos, stopped) = (vma.start().max(pos), true);
                            break 'forward;
                        }
                        let Some(e) = self.stage(vma, name, strings)? else {
                            (pos, stopped) = (vma.start().max(pos), true);
                            break 'forward;
                        };
                        st.main.push(e, GFP_KERNEL_ACCOUNT)?;
                        pos = vma.end();
                        work += 1;
                        if work % SUM_BATCH == 0 {
                            guard.cond_resched();
                        }
                    }
                }
                if !stopped {
                    pos = end;
                }
            }
            if !stopped && !gate_done {
                // The gate VMA, last, as in `chunk`: static, so no change touches it.
                match gate_vma(&guard).filter(|g| g.end() > first && g.start() < end) {
                    Some(g) => match self.stage_gate(g, strings)? {
                        Some(e) => {
                            st.main.push(e, GFP_KERNEL_ACCOUNT)?;
                            gate_done = true;
                        }
                        None => stopped = true,
                    },
                    None => gate_done = true,
                }
            }
            let finished = !stopped && st.pending.is_none();
            let target = guard.map_count() + 1;
            drop(guard);
            if let Some(vmas) =
                self.end_hold(&mut st, target, finished, &mut strings, &mut rewrites)?
            {
                break (now, vmas);
            }
            // SAFETY: Called in process context with no lock held.
            unsafe { bindings::cond_resched() };
        };
        self.seen(vmas, strings);
        Ok(Totals { vmas, strings, seq })
    }

    /// A mending walk with no mmap lock: each VMA is read under its own read
    /// lock ([`MmapSpeculation::lock_next`]), as mainline's maps reader does,
    /// so a writer waits at most for the one VMA being read, and only if it
    /// changes that VMA. A stretch of the walk ends when a writer takes the
    /// mmap lock, or holds a VMA the walk comes to; the next begins once no
    /// writer holds the lock, mends what changed meanwhile as
    /// [`Walker::mend_walk`] does, and goes on. The records go out when a
    /// stretch that began with nothing left to read ends with no writer
    /// having come: they are then all of that moment's layout.
    ///
    /// Records only: smaps' page walk needs the mmap lock. `Stop::Changed`
    /// after [`SPEC_STRETCHES`] stretches cut short by writers, after
    /// [`SPEC_WAITS`] short sleeps in a row waiting for a writer that holds
    /// the lock (the walks with the lock then take over), or if the address
    /// space no longer knows what changed.
    fn spec_walk(&mut self, mm: &MmUser) -> core::result::Result<Totals, Stop> {
        let (first, end) = (self.args.start as usize, self.args.end as usize);
        let want_name = wants(self.mask, bindings::VMGI_NAME);
        let mut st = Staging::new();
        let (mut pos, mut strings) = (first, 0);
        let mut gate_done = false;
        let (mut held, mut rewrites, mut cut, mut waits) = (None, 0, 0, 0);
        self.names.clear();
        // Begins a stretch once no writer holds the lock.
        let begin = |waits: &mut u32| loop {
            if let Some(spec) = mm.speculate() {
                *waits = 0;
                return Ok(spec);
            }
            *waits += 1;
            if *waits > SPEC_WAITS {
                return Err(Stop::Changed);
            }
            // SAFETY: Called in process context with no lock held.
            unsafe { bindings::usleep_range_state(20, 50, bindings::TASK_UNINTERRUPTIBLE) };
        };
        let count = begin(&mut waits)?.map_count();
        self.prefault_for(count);
        st.main.reserve(count + 1, GFP_KERNEL_ACCOUNT)?;
        // Counts a stretch a writer cut short; they are bounded, so that a target that
        // keeps taking the lock cannot keep the walk going.
        let cut_short = |cut: &mut u32| {
            *cut += 1;
            if *cut > SPEC_STRETCHES {
                Err(Stop::Changed)
            } else {
                Ok(())
            }
        };
        let (seq, vmas) = loop {
            let spec = begin(&mut waits)?;
            // A writer that came meanwhile may have advanced the number before it changed
            // anything: the number counts only if none did.
            let now = spec.layout_seq();
            if spec.is_stale() {
                cut_short(&mut cut)?;
                continue;
            }
            if let Some(s) = held.filter(|&s| s != now) {
                let changed = spec.layout_changes_since(s);
                if spec.is_stale() {
                    cut_short(&mut cut)?;
                    continue;
                }
                let Some(ch) = changed else {
                    return Err(Stop::Changed);
                };
                st.note_changed(ch, first, pos);
                // A key may now be another object's at the same address.
                self.names.clear();
            }
            held = Some(now);
            self.nstr = 0;
            let (mut stopped, mut writer) = (false, false);
            // The places that changed first, then on from `pos`.
            if let Some((a, b)) = st.pending {
                let mut at = a;
                while at < b {
                    let vma = match spec.lock_next(at, b) {
                        Ok(Some(v)) if !spec.is_stale() => v,
                        Ok(None) => {
                            at = b;
                            break;
                        }
                        _ => {
                            (stopped, writer) = (true, true);
                            break;
                        }
                    };
                    if st.has(vma.start()) {
                        at = vma.end();
                        continue;
                    }
                    let mut names = [RawMapsName::NONE; 1];
                    if want_name {
                        maps_names(&[&*vma], &mut names);
                    }
                    let Some(e) = self.stage(&vma, &names[0], strings)? else {
                        stopped = true;
                        break;
                    };
                    at = vma.end();
                    drop(vma);
                    st.push_extra(e)?;
                }
                if !stopped {
                    let gate = gate_vma_of(spec.as_mm_ptr());
                    if let Some(g) = gate.filter(|g| g.end() > a && g.start() < b) {
                        if !st.has(g.start()) {
                            match self.stage_gate(g, strings)? {
                                Some(e) => st.push_extra(e)?,
                                None => (at, stopped) = (g.start().max(a), true),
                            }
                        }
                    }
                }
                st.pending = (at < b).then_some((at, b));
            }
            let mut look = pos;
            while !stopped && look < end {
                // Growing the records would copy them all: never with a VMA held.
                if st.main.len() == st.main.capacity() {
                    stopped = true;
                    break;
                }
                let vma = match spec.lock_next(look, end) {
                    Ok(Some(v)) if !spec.is_stale() => v,
                    Ok(None) => {
                        (pos, look) = (end, end);
                        break;
                    }
                    _ => {
                        (stopped, writer) = (true, true);
                        break;
                    }
                };
                // One that starts behind `pos` changed, and is read as part of `pending`.
                if vma.start() < pos && pos > first {
                    look = vma.end();
                    continue;
                }
                let mut names = [RawMapsName::NONE; 1];
                if want_name {
                    maps_names(&[&*vma], &mut names);
                }
                let Some(e) = self.stage(&vma, &names[0], strings)? else {
                    stopped = true;
                    break;
                };
                (pos, look) = (vma.end(), vma.end());
                drop(vma);
                st.main.push(e, GFP_KERNEL_ACCOUNT)?;
                if st.main.len() % SUM_BATCH == 0 {
                    // SAFETY: Called in process context with no lock held.
                    unsafe { bindings::cond_resched() };
                }
            }
            if !stopped && look >= end {
                pos = end;
            }
            if !stopped && !gate_done {
                // The gate VMA, last, as in `chunk`: static, so no change touches it.
                match gate_vma_of(spec.as_mm_ptr()).filter(|g| g.end() > first && g.start() < end) {
                    Some(g) => match self.stage_gate(g, strings)? {
                        Some(e) => {
                            st.main.push(e, GFP_KERNEL_ACCOUNT)?;
                            gate_done = true;
                        }
                        None => stopped = true,
                    },
                    None => gate_done = true,
                }
            }
            // Done if nothing is left to read and no writer came since the stretch began.
            let finished = !stopped && st.pending.is_none() && !spec.is_stale();
            // Stretches a writer cut short are bounded; the others (strings or records
            // full) read something each.
            if writer || (!stopped && !finished) {
                cut_short(&mut cut)?;
            }
            let target = spec.map_count() + 1;
            if let Some(vmas) =
                self.end_hold(&mut st, target, finished, &mut strings, &mut rewrites)?
            {
                break (now, vmas);
            }
            // SAFETY: Called in process context with no lock held.
            unsafe { bindings::cond_resched() };
        };
        self.seen(vmas, strings);
        Ok(Totals { vmas, strings, seq })
    }

    /// The end of a hold of a mending walk (or a stretch of one without the
    /// lock), with nothing held: makes room for the records still to come
    /// (the target has about `target`), copies the hold's strings out, and,
    /// if the walk is `finished`, writes the records; returns how many, or
    /// `None` if the walk goes on. A page of the buffers that had to be
    /// faulted in may have changed the layout after the moment the records
    /// describe (a buffer under userfaultfd): then the walk goes on, mends,
    /// and writes again, twice at most (`rewrites`), so that the token is
    /// the one after the call's own faults.
    fn end_hold(
        &mut self,
        st: &mut Staging,
        target: usize,
        finished: bool,
        strings: &mut usize,
        rewrites: &mut u32,
    ) -> Result<Option<usize>> {
        let want = target.saturating_sub(st.main.len()).max(SUM_BATCH);
        if !finished && st.main.capacity() - st.main.len() < want {
            st.main.reserve(want, GFP_KERNEL_ACCOUNT)?;
        }
        self.out_faulted = false;
        if !self.copy_strings_nofault(*strings) {
            self.out_faulted = true;
            self.copy_strings(*strings)?;
        }
        *strings += self.nstr;
        if !finished {
            return Ok(None);
        }
        let vmas = self.write_staged(st)?;
        if !self.out_faulted || *rewrites == 2 {
            return Ok(Some(vmas));
        }
        *rewrites += 1;
        Ok(None)
    }

    /// The record of `vma` for a mending walk, with its counters if asked
    /// for; `None` if its name is new and the chunk's strings have no room.
    fn stage(
        &mut self,
        vma: &VmaRead,
        name: &RawMapsName<'_>,
        strings_at: usize,
    ) -> Result<Option<Staged>> {
        let name = if wants(self.mask, bindings::VMGI_NAME) {
            match self.name(&name.get(), strings_at)? {
                Some(n) => n,
                None => return Ok(None),
            }
        } else {
            (bindings::VMGI_NO_NAME, 0)
        };
        let mut e = Staged {
            rec: Record::default(),
            live: true,
        };
        fill_record(&mut e.rec, self.mask, vma, name);
        if wants(self.mask, bindings::VMGI_COUNTERS) {
            vma_counters(core::slice::from_ref(&vma), &mut e.rec.counters);
        }
        Ok(Some(e))
    }

    /// [`Walker::stage`] for the gate VMA, which is in no batch.
    fn stage_gate(&mut self, gate: &VmaRead, strings_at: usize) -> Result<Option<Staged>> {
        let mut names = [RawMapsName::NONE; VMA_BATCH];
        if wants(self.mask, bindings::VMGI_NAME) {
            maps_names(&[gate], &mut names);
        }
        self.stage(gate, &names[0], strings_at)
    }

    /// Writes the live records of a finished mending walk to the caller's
    /// buffer in address order, as far as it goes, and sums their counters
    /// into the rollup; returns how many there are. No lock is held, so a
    /// page of the buffer that is missing is faulted in.
    fn write_staged(&mut self, st: &mut Staging) -> Result<usize> {
        let want_counters = wants(self.mask, bindings::VMGI_COUNTERS);
        st.extra
            .as_mut_slice()
            .sort_unstable_by_key(|e| (!e.live, e.rec.start));
        let extra = &st.extra.as_slice()[..st.extra_live];
        let main = st.main.as_slice();
        let (mut i, mut j, mut n) = (0, 0, 0);
        self.rollup = Counters::default();
        let cap = self.args.vma_count as usize;
        loop {
            // The next live record of either, by start.
            while i < main.len() && !main[i].live {
                i += 1;
            }
            let e = match (main.get(i), extra.get(j)) {
                (Some(a), Some(b)) if b.rec.start < a.rec.start => {
                    j += 1;
                    b
                }
                (Some(a), _) => {
                    i += 1;
                    a
                }
                (None, Some(b)) => {
                    j += 1;
                    b
                }
                (None, None) => break,
            };
            if want_counters {
                add_counters(&mut self.rollup, &e.rec.counters);
            }
            if n < cap {
                let k = n % VMA_BATCH;
                self.batch[k] = e.rec;
                if want_counters {
                    self.batch[k].counters = counters_in_bytes(&e.rec.counters);
                }
                if k == VMA_BATCH - 1 || n + 1 == cap {
                    self.put_faulting(n - k, k + 1)?;
                }
            }
            n += 1;
        }
        if n < cap && n % VMA_BATCH != 0 {
            self.put_faulting(n - n % VMA_BATCH, n % VMA_BATCH)?;
        }
        Ok(n)
    }

    /// Writes the first `n` records of the batch as records `first..`,
    /// faulting pages in as needed (no lock may be held).
    fn put_faulting(&mut self, first: usize, n: usize) -> Result {
        let size = self.args.vma_size as usize;
        let mut done = 0;
        while done < n {
            let at = record_addr(self.args, first + done);
            // SAFETY: `batch` holds at least `n` records (`n <= VMA_BATCH`); the function writes
            // to userspace only, with page faults disabled.
            let k = unsafe {
                bindings::vmgi_put_vmas(
                    at as _,
                    self.batch.as_ptr().add(done),
                    (n - done) as u32,
                    size as u32,
                )
            } as usize;
            done += k;
            if done < n {
                self.out_faulted = true;
                self.fault_in(first + done)?;
            }
        }
        Ok(())
    }

    /// Notes how far a walk got: the estimate of what a walk that holds the
    /// lock throughout will write.
    fn seen(&mut self, vmas: usize, strings: usize) {
        self.seen_vmas = self.seen_vmas.max(vmas);
        self.seen_strings = self.seen_strings.max(strings);
    }

    /// Before a walk that holds the lock throughout: faults in the records it
    /// will write, as many as the target has VMAs (and the walks before
    /// reached) and a chunk more, and the strings the walks before wrote and
    /// a chunk more, as far as the buffers go. A page that cannot be faulted
    /// in is left to the walk, which then stops there as a chunked walk does.
    /// Returns the target's VMA count.
    fn prefault(&mut self, mm: &MmUser) -> Result<usize> {
        let count = mm.read_lock()?.map_count();
        self.prefault_for(count);
        Ok(count)
    }

    /// [`Walker::prefault`] for a target of `count` VMAs.
    fn prefault_for(&mut self, count: usize) {
        let (cap, size) = (self.args.vma_count as usize, self.args.vma_size as usize);
        let records = cap.min(count.max(self.seen_vmas) + 1 + CHUNK_VMAS) * size;
        let strings = (self.args.strings_size as usize).min(self.seen_strings + CHUNK_STRINGS);
        for (at, len) in [
            (record_addr(self.args, 0), records),
            (self.args.strings as usize, strings),
        ] {
            if len > 0 {
                // SAFETY: Called with no lock held; the function takes the caller's own mmap
                // lock and only faults pages in.
                unsafe { bindings::fault_in_safe_writeable(at as _, len) };
            }
        }
    }

    /// Writes the records of one chunk from `addr` on; returns where the next
    /// chunk starts, or `None` if the range is done. `before` is the number of
    /// records before the chunk, `strings_at` the string offset of the
    /// chunk's first new string.
    fn chunk(
        &mut self,
        guard: &MmapReadGuard<'_>,
        addr: usize,
        before: usize,
        strings_at: usize,
    ) -> Result<Option<usize>> {
        self.nrec = 0;
        self.nstr = 0;
        self.faulted = false;
        let want_name = wants(self.mask, bindings::VMGI_NAME);
        let want_counters = wants(self.mask, bindings::VMGI_COUNTERS);
        if want_counters && !want_name && self.args.vma_count == 0 {
            return Ok(self.sum_chunk(guard, addr));
        }
        let mut counted = 0;
        let mut names = [RawMapsName::NONE; VMA_BATCH];
        let end = self.args.end as usize;
        let mut vmas = guard.vmas(addr, end);
        // `/proc/PID/maps` lists the gate VMA after the tree's, and so does the snapshot: a
        // batch of its own after the last, if it is in the range.
        let mut gate = gate_vma(guard).filter(|g| g.end() > addr && g.start() < end);
        loop {
            let one;
            let batch: &[&VmaRead] = match vmas.next_batch() {
                Some(b) => b,
                None => match gate.take() {
                    Some(g) => {
                        one = [g];
                        &one
                    }
                    None => break,
                },
            };
            if want_name {
                maps_names(batch, &mut names);
            }
            let (mut n, mut stop) = (0, None);
            for (vma, name) in batch.iter().zip(names.iter()) {
                // Counting walks page tables: a chunk ends after a bounded
                // amount of that too, or when a writer waits.
                let counted_enough = want_counters
                    && counted > 0
                    && (counted >= CHUNK_COUNTED_PAGES || guard.is_contended());
                if self.nrec + n == CHUNK_VMAS || counted_enough {
                    stop = Some(vma.start());
                    break;
                }
                let name = if want_name {
                    match self.name(&name.get(), strings_at)? {
                        Some(n) => n,
                        // No room left for its text in this chunk.
                        None => {
                            stop = Some(vma.start());
                            break;
                        }
                    }
                } else {
                    (bindings::VMGI_NO_NAME, 0)
                };
                // No room for records (a rollup, or a call that asks for the
                // sizes): nothing to build.
                if self.args.vma_count != 0 {
                    fill_record(&mut self.batch[n], self.mask, vma, name);
                }
                if want_counters {
                    // The rollup alone (no records) sums the batch below.
                    if self.args.vma_count != 0 {
                        vma_counters(core::slice::from_ref(vma), &mut self.raw[n]);
                        self.batch[n].counters = counters_in_bytes(&self.raw[n]);
                    }
                    counted += (vma.end() - vma.start()) / bindings::PAGE_SIZE;
                }
                n += 1;
            }
            if want_counters && self.args.vma_count == 0 {
                // No records: nothing to fault in or write again, so the
                // batch goes straight into the sum, gathered at once.
                let mut sum = Counters::default();
                vma_counters(&batch[..n], &mut sum);
                add_counters(&mut self.rollup, &sum);
            }
            let written = self.put(before + self.nrec, n);
            if want_counters && self.args.vma_count != 0 {
                for c in &self.raw[..written] {
                    add_counters(&mut self.rollup, c);
                }
            }
            self.nrec += written;
            if written < n {
                return Ok(Some(batch[written].start()));
            }
            if stop.is_some() {
                return Ok(stop);
            }
        }
        Ok(None)
    }

    /// A chunk of a walk that writes neither records nor names but sums the
    /// counters (a rollup, or a call for the sizes): [`SUM_BATCH`] VMAs at a
    /// time go into the sum, and there is no bound on VMAs, which only
    /// records need. The chunk ends after the VMA that brings it to
    /// [`CHUNK_COUNTED_PAGES`], or between batches when a writer waits.
    /// Returns where the next chunk starts, or `None` if the range is done.
    fn sum_chunk(&mut self, guard: &MmapReadGuard<'_>, addr: usize) -> Option<usize> {
        let end = self.args.end as usize;
        let mut vmas = guard.vmas_by::<SUM_BATCH>(addr, end);
        let mut counted = 0;
        while let Some(batch) = vmas.next_batch() {
            if counted > 0 && guard.is_contended() {
                return Some(batch[0].start());
            }
            let mut n = 0;
            while n < batch.len() && counted < CHUNK_COUNTED_PAGES {
                counted += (batch[n].end() - batch[n].start()) / bindings::PAGE_SIZE;
                n += 1;
            }
            let mut sum = Counters::default();
            vma_counters(&batch[..n], &mut sum);
            add_counters(&mut self.rollup, &sum);
            self.nrec += n;
            if n < batch.len() {
                return Some(batch[n].start());
            }
        }
        // The gate VMA, last as in `chunk`: a VMA of the count, whose pages are
        // not the process's.
        if gate_vma(guard).is_some_and(|g| g.end() > addr && g.start() < end) {
            self.nrec += 1;
        }
        None
    }

    /// Writes the first `n` records of the batch to userspace as records
    /// `first..first + n`, those of them that fit the caller's buffer; returns
    /// how many of the `n` are done, fewer if a page was not present and
    /// writable (then `faulted` is set).
    fn put(&mut self, first: usize, n: usize) -> usize {
        let (cap, size) = (self.args.vma_count as usize, self.args.vma_size as usize);
        let fit = n.min(cap.saturating_sub(first));
        if fit == 0 {
            return n;
        }
        let at = record_addr(self.args, first);
        // SAFETY: `batch` holds at least `fit` records (`n <= VMA_BATCH`). The function writes
        // to userspace only, with page faults disabled, as a holder of an mmap lock may.
        let done = unsafe {
            bindings::vmgi_put_vmas(at as _, self.batch.as_ptr(), fit as u32, size as u32)
        } as usize;
        if done < fit {
            self.faulted = true;
            return done;
        }
        n
    }

    /// Faults in the pages of the records from record `written` on, as many as
    /// a chunk writes. `EFAULT` if the first of them cannot be written.
    fn fault_in(&self, written: usize) -> Result {
        let (cap, size) = (self.args.vma_count as usize, self.args.vma_size as usize);
        let at = record_addr(self.args, written);
        let len = cap.saturating_sub(written).clamp(1, CHUNK_VMAS) * size;
        // SAFETY: Called with no lock held; the function takes the caller's own mmap lock and
        // only faults pages in.
        let left = unsafe { bindings::fault_in_safe_writeable(at as _, len) };
        if len - left < size {
            return Err(EFAULT);
        }
        Ok(())
    }

    /// The offset and length of a VMA's name in the string buffer, adding the
    /// text if it is new; `None` if it is new and the chunk has no room for it.
    fn name(&mut self, name: &MapsName<'_>, strings_at: usize) -> Result<Option<(u32, u32)>> {
        let key = name.key();
        if key == EMPTY {
            return Ok(Some((bindings::VMGI_NO_NAME, 0)));
        }
        if let Some(v) = self.names.get(key) {
            return Ok(Some(v));
        }
        let value = match name.render(&mut self.scratch) {
            Ok(text) => {
                let at = self.nstr;
                let Some(dst) = self.strings.get_mut(at..at + text.len() + 1) else {
                    return Ok(None);
                };
                dst[..text.len()].copy_from_slice(text);
                dst[text.len()] = 0;
                self.nstr += text.len() + 1;
                let off = name_off_field(strings_at + at)?;
                (off, text.len() as u32)
            }
            // A name longer than `PATH_MAX`: /proc/PID/maps shows none either.
            Err(_) => (bindings::VMGI_NO_NAME, 0),
        };
        self.names.insert(key, value)?;
        Ok(Some(value))
    }

    /// Copies the chunk's strings to userspace as [`Walker::copy_strings`]
    /// does, with page faults disabled, as a holder of the mmap lock may;
    /// `false` if a page was not present and writable (then the copy is
    /// redone with the lock dropped).
    fn copy_strings_nofault(&self, strings: usize) -> bool {
        let room = (self.args.strings_size as usize).saturating_sub(strings);
        let n = self.nstr.min(room);
        if n == 0 {
            return true;
        }
        let at = (self.args.strings as usize).wrapping_add(strings);
        // SAFETY: `strings` holds at least `n` bytes (`n <= nstr`); the function writes to
        // userspace only, with page faults disabled.
        let r = unsafe { bindings::copy_to_user_nofault(at as _, self.strings.as_ptr().cast(), n) };
        r == 0
    }

    /// Copies the chunk's strings to userspace, as far as they fit: `strings`
    /// is the count before the chunk.
    fn copy_strings(&self, strings: usize) -> Result {
        let room = (self.args.strings_size as usize).saturating_sub(strings);
        let n = self.nstr.min(room);
        if n > 0 {
            let at = (self.args.strings as usize).wrapping_add(strings);
            UserSlice::new(UserPtr::from_addr(at), n)
                .writer()
                .write_slice(&self.strings[..n])?;
        }
        Ok(())
    }
}

/// Sets `c` to what smaps counts for `vmas`, summed (see
/// `smaps_counters()`); zero where smaps is not built.
#[inline]
fn vma_counters(vmas: &[&VmaRead], c: &mut Counters) {
    #[cfg(CONFIG_PROC_PAGE_MONITOR)]
    smaps_counters(vmas, c);
    #[cfg(not(CONFIG_PROC_PAGE_MONITOR))]
    {
        let _ = vmas;
        *c = Counters::default();
    }
}

/// Takes `mm`'s lock for reading again after a hold at layout sequence
/// number `seq` gave way to a waiting writer. A reader may take an rwsem
/// that a writer it woke has not taken yet, so a walk that came straight
/// back would make that writer wait again, until the lock hands itself
/// over (a jiffy later): while the number has not moved and someone waits,
/// the walk lets go and sleeps a little first, [`POLITE_WAITS`] times at
/// most, so that a target that keeps the lock busy cannot stall it.
fn read_lock_after_writer(mm: &MmUser, seq: Option<u64>) -> Result<MmapReadGuard<'_>> {
    let mut waits = 0;
    loop {
        let guard = mm.read_lock()?;
        if waits == POLITE_WAITS || seq != Some(guard.layout_seq()) || !guard.is_contended() {
            return Ok(guard);
        }
        drop(guard);
        waits += 1;
        // SAFETY: Called in process context with no lock held.
        unsafe { bindings::usleep_range_state(20, 50, bindings::TASK_UNINTERRUPTIBLE) };
    }
}

/// The user address of record `i` of the caller's buffer.
fn record_addr(args: &Args, i: usize) -> usize {
    (args.vmas as usize).wrapping_add(i * args.vma_size as usize)
}

/// Whether `mask` asks for the attribute `attr` (a `VMGI_*` bit).
fn wants(mask: u64, attr: u32) -> bool {
    mask & attr as u64 != 0
}

/// Fills `r` with the record of `vma`: the attributes of `mask` and the name
/// at `name` (offset and length in the string buffer). Every field of the
/// first version is written (zero where not asked for); the counters are
/// left as they are, to the caller, who writes them if they were asked for
/// (and never otherwise, so they stay zero): a record without them costs
/// what it did before they existed.
#[inline]
fn fill_record(r: &mut Record, mask: u64, vma: &VmaRead, name: (u32, u32)) {
    let want = |attr| wants(mask, attr);
    let flags = vma.flags();
    r.start = vma.start() as u64;
    r.end = vma.end() as u64;
    r.name_off = name.0;
    r.name_len = name.1;
    r.prot = if want(bindings::VMGI_PROT) {
        uapi_prot(flags)
    } else {
        0
    };
    r.vm_flags = if want(bindings::VMGI_VM_FLAGS) {
        uapi_vm_flags(flags)
    } else {
        0
    };
    r.offset = if want(bindings::VMGI_OFFSET) && vma.has_file() {
        (vma.pgoff() as u64) << bindings::PAGE_SIZE.trailing_zeros()
    } else {
        0
    };
    let dev_ino = if want(bindings::VMGI_INODE) {
        vma.dev_ino()
    } else {
        None
    };
    (r.dev_major, r.dev_minor, r.ino) = dev_ino.map_or((0, 0, 0), |(dev, ino)| {
        let minor_mask = (1 << bindings::MINORBITS) - 1;
        (dev >> bindings::MINORBITS, dev & minor_mask, ino)
    });
    r.name_id = 0;
    #[cfg(CONFIG_ANON_VMA_NAME_RUST)]
    if want(bindings::VMGI_NAME_ID) {
        let name = vma.anon_name();
        if !name.is_null() {
            // SAFETY: The VMA holds a reference on its name object for as long as `vma` is
            // borrowed (the mmap lock is held).
            r.name_id = unsafe { bindings::anon_vma_name_id(name) };
        }
    }
    r.attrs = 0;
    if want(bindings::VMGI_ANON_VMA) && vma.has_anon_vma() {
        r.attrs |= bindings::VMGI_VMA_ANON_VMA;
    }
    if want(bindings::VMGI_FILE) && vma.is_file() {
        r.attrs |= bindings::VMGI_VMA_FILE;
    }
    r.page_shift = if want(bindings::VMGI_PAGE_SIZE) {
        vma.page_size().trailing_zeros()
    } else {
        0
    };
    r.__reserved = 0;
}

/// `EOVERFLOW`: a count does not fit its field.
fn eoverflow() -> Error {
    Error::from_errno(-(bindings::EOVERFLOW as i32))
}

/// A count of the output (`vma_count`, `strings_size`) as its 32-bit field:
/// `EOVERFLOW` if it does not fit.
pub fn count_field(n: usize) -> Result<u32> {
    u32::try_from(n).map_err(|_| eoverflow())
}

/// The offset of a name in the string buffer as `name_off`: `EOVERFLOW` if
/// it does not fit, or is `VMGI_NO_NAME` itself, which means "no name".
pub fn name_off_field(off: usize) -> Result<u32> {
    match u32::try_from(off) {
        Ok(o) if o != bindings::VMGI_NO_NAME => Ok(o),
        _ => Err(eoverflow()),
    }
}

/// `process_vm_getinfo(pidfd, uargs, size, flags)`; returns the number of
/// records (with `PROCESS_VM_GETINFO_ROLLUP`, of VMAs summed). The errors are
/// those of `Documentation/userspace-api/process_vm_getinfo.rst`.
pub fn process_vm_getinfo(pidfd: i32, uargs: UserPtr, size: usize, flags: u32) -> Result<usize> {
    let rollup_only = flags == bindings::PROCESS_VM_GETINFO_ROLLUP;
    if flags != 0 && !rollup_only {
        return Err(EINVAL);
    }
    let ver0 = bindings::PROCESS_VM_GETINFO_ARGS_SIZE_VER0 as usize;
    let mut args = kernel::mm::read_ext_args::<ArgsBlock>(uargs, size, ver0)?.0;
    check_args(&args, rollup_only)?;
    // The rollup goes out in the argument block, if the caller's has room.
    let has_rollup = size >= size_of::<Args>();
    let mut mask = (args.mask | bindings::VMGI_RANGE as u64) & SUPPORTED;
    let mut walk_args = args;
    if rollup_only {
        if !has_rollup {
            return Err(EINVAL);
        }
        if SUPPORTED & bindings::VMGI_COUNTERS as u64 == 0 {
            return Err(Error::from_errno(-(bindings::EOPNOTSUPP as i32)));
        }
        mask = (bindings::VMGI_RANGE | bindings::VMGI_COUNTERS) as u64;
        (walk_args.vma_count, walk_args.strings_size) = (0, 0);
    }
    // Counters that neither a record nor the block has room for are not counted.
    if !has_rollup && walk_args.vma_size < bindings::VMGI_VMA_SIZE_VER1 {
        mask &= !(bindings::VMGI_COUNTERS as u64);
    }
    let mm = MmUser::from_pidfd(pidfd)?;
    let mut walker = Walker::new(&walk_args, mask)?;
    let mut attempts = 0;
    // Records only: first without the mmap lock, then with it.
    let spec = if wants(mask, bindings::VMGI_COUNTERS) {
        None
    } else {
        match walker.spec_walk(&mm) {
            Ok(t) => Some(t),
            Err(Stop::Failed(e)) => return Err(e),
            Err(Stop::Changed) => None,
        }
    };
    let totals = if let Some(t) = spec {
        t
    } else {
        loop {
            let mending = (CHUNKED_WALKS..CHUNKED_WALKS + MENDING_WALKS).contains(&attempts);
            let walked = if mending {
                // The last mending walks come straight back to the lock, as a walk before them
                // that let the writers go first may have let too many go by to mend.
                walker.mend_walk(&mm, attempts < CHUNKED_WALKS + MENDING_WALKS / 2)
            } else {
                walker.walk(&mm, attempts >= CHUNKED_WALKS)
            };
            match walked {
                Ok(t) => break t,
                Err(Stop::Failed(e)) => return Err(e),
                Err(Stop::Changed) => {
                    attempts += 1;
                    if attempts == MAX_ATTEMPTS {
                        return Err(EAGAIN);
                    }
                }
            }
        }
    };
    if wants(mask, bindings::VMGI_COUNTERS) {
        args.rollup = counters_in_bytes(&walker.rollup);
    }
    drop(walker);
    args.mask = mask;
    args.mm_id = mm.layout_id();
    args.seq = totals.seq;
    let fits = rollup_only
        || totals.vmas <= args.vma_count as usize && totals.strings <= args.strings_size as usize;
    args.vma_count = count_field(totals.vmas)?;
    args.strings_size = if rollup_only {
        0
    } else {
        count_field(totals.strings)?
    };
    write_args(uargs, &args, size)?;
    if fits {
        Ok(totals.vmas)
    } else {
        Err(ERANGE)
    }
}

/// Writes the argument block back, as much of it as the caller's `size`
/// covers (a caller built against an older header passes a smaller block).
fn write_args(uargs: UserPtr, args: &Args, size: usize) -> Result {
    let mut w = UserSlice::new(uargs, size.min(size_of::<Args>())).writer();
    if size >= size_of::<Args>() {
        return w.write(&ArgsBlock(*args));
    }
    // The fields of the first version, one by one: `Args` has no padding.
    w.write(&args.mask)?;
    w.write(&args.start)?;
    w.write(&args.end)?;
    w.write(&args.vmas)?;
    w.write(&args.strings)?;
    w.write(&args.vma_size)?;
    w.write(&args.vma_count)?;
    w.write(&args.strings_size)?;
    w.write(&args.__reserved)?;
    w.write(&args.mm_id)?;
    w.write(&args.seq)
}

/// `n` zero bytes, charged to the caller's memory cgroup and zeroed by the
/// allocator (`__GFP_ZERO`, one `memset()`), where `KVec::from_elem()` would
/// store them one at a time: 20 KiB of buffers at every call.
fn zeroed_bytes(n: usize) -> Result<KVec<u8>> {
    let v = KVec::<u8>::with_capacity(n, GFP_KERNEL_ACCOUNT | __GFP_ZERO)?;
    let (ptr, _, capacity) = v.into_raw_parts();
    // SAFETY: `ptr` and `capacity` come from a vector of that capacity, at least `n` bytes,
    // all zeroed by the allocator, and zero is a valid `u8`.
    Ok(unsafe { KVec::from_raw_parts(ptr, n, capacity) })
}

// --- The parts of the address space the walk reads through C. ---

/// The gate VMA of the address space, if it has one: x86_64's `[vsyscall]`
/// page with vsyscall emulation, which `/proc/PID/maps` lists after the VMAs
/// of the tree. It is not in the tree (no iterator of the guard yields it),
/// lies above every user address, and is a static VMA that no one changes
/// after boot.
fn gate_vma<'a>(guard: &'a MmapReadGuard<'_>) -> Option<&'a VmaRead> {
    gate_vma_of(guard.as_mm_ptr())
}

/// [`gate_vma`] of a valid mm, locked or not: the gate VMA is static.
fn gate_vma_of<'a>(mm: *mut bindings::mm_struct) -> Option<&'a VmaRead> {
    // SAFETY: The caller's mm is valid; the function only reads its flags, set at exec.
    let gate = unsafe { bindings::vmgi_gate_vma(mm) };
    // SAFETY: A non-null gate VMA is static and never changes, which satisfies the
    // requirements of `VmaRead::from_raw()` for any lifetime.
    (!gate.is_null()).then(|| unsafe { VmaRead::from_raw(gate) })
}

/// Sets `c` to what `/proc/PID/smaps` counts for `vmas`, summed, by smaps'
/// own page-table walk (`vma_smaps_counters()`), the PSS fields in bytes <<
/// `VMGI_PSS_SHIFT`: for one VMA its figures, for a batch its share of a
/// rollup (summed before rounding, as `smaps_rollup` sums). Nothing for the
/// gate VMA, whose pages are not the process's. May sleep; takes time in
/// proportion to the VMAs' page tables.
#[cfg(CONFIG_PROC_PAGE_MONITOR)]
fn smaps_counters(vmas: &[&VmaRead], c: &mut Counters) {
    // SAFETY: The VMAs are valid and their mmap lock is held for reading while they are
    // borrowed, as the walk needs (the gate VMA has no mm, and the walk leaves it alone); a
    // `&VmaRead` is a pointer to the C struct, and there are `vmas.len()` of them; `c` is
    // valid for writes.
    unsafe { bindings::vma_smaps_counters(vmas.as_ptr().cast(), vmas.len() as u32, c) };
}

/// The names `/proc/PID/maps` shows for `vmas`, into `names` (as many as
/// fit). One call into C for a batch of VMAs: cheaper than one for each.
fn maps_names<'b>(vmas: &[&'b VmaRead], names: &mut [RawMapsName<'b>]) {
    let n = vmas.len().min(names.len());
    // INVARIANT: `vma_maps_names()` sets the first `n` names to ones of VMAs borrowed for
    // `'b`, from their file, name object or operations (static strings), all alive and
    // unchanged while the lock is held.
    // SAFETY: The VMAs are valid and locked for reading, by the mmap lock or their own, for
    // `'b` (as a `&VmaRead` is); a `&VmaRead` is a pointer to the C struct; `names` has room
    // for `n` entries, each the C struct (transparent wrapper).
    unsafe { bindings::vma_maps_names(vmas.as_ptr().cast(), n as u32, names.as_mut_ptr().cast()) };
}

/// The name of a VMA in `/proc/PID/maps` as C gives it ([`MapsName`] is the
/// decoded form), borrowed from the VMA.
///
/// # Invariants
///
/// All three pointers are null, or the struct was written by
/// `vma_maps_names()` for a VMA whose mmap lock is held for `'a`: the path and
/// strings it points to stay valid and unchanged for `'a`.
#[repr(transparent)]
#[derive(Clone, Copy)]
struct RawMapsName<'a>(bindings::vma_maps_name, PhantomData<&'a VmaRead>);

impl<'a> RawMapsName<'a> {
    /// No name.
    const NONE: Self = Self(
        bindings::vma_maps_name {
            path: core::ptr::null(),
            name: core::ptr::null(),
            name_fmt: core::ptr::null(),
        },
        PhantomData,
    );

    /// The name, decoded.
    #[inline]
    fn get(&self) -> MapsName<'a> {
        let r = &self.0;
        match (
            NonNull::new(r.path.cast_mut()),
            NonNull::new(r.name_fmt.cast_mut()),
            NonNull::new(r.name.cast_mut()),
        ) {
            // SAFETY: By the type invariant the path is valid for `'a`.
            (Some(p), _, _) => MapsName::File(unsafe { p.cast::<Path>().as_ref() }),
            // INVARIANT: By the type invariant the strings are valid and unchanged for `'a`.
            (None, Some(f), Some(n)) => {
                MapsName::Format(CStrPtr(f, PhantomData), CStrPtr(n, PhantomData))
            }
            (None, None, Some(n)) => MapsName::Label(CStrPtr(n, PhantomData)),
            _ => MapsName::None,
        }
    }
}

/// A NUL-terminated string borrowed for `'a`, whose length is only measured
/// when its bytes are needed: comparing names by source costs no `strlen()`.
///
/// # Invariants
///
/// The pointer is to a NUL-terminated string that stays valid and unchanged
/// for `'a`.
#[derive(Clone, Copy)]
struct CStrPtr<'a>(NonNull<c_char>, PhantomData<&'a CStr>);

impl<'a> CStrPtr<'a> {
    /// The address of the string.
    fn addr(&self) -> usize {
        self.0.as_ptr() as usize
    }

    /// The string.
    fn get(&self) -> &'a CStr {
        // SAFETY: By the type invariant the string is valid and unchanged for `'a`.
        unsafe { CStr::from_char_ptr(self.0.as_ptr()) }
    }
}

/// The name of a VMA in `/proc/PID/maps`, borrowed from the VMA.
#[derive(Clone, Copy)]
enum MapsName<'a> {
    /// No name.
    None,
    /// The path of the mapped file.
    File(&'a Path),
    /// A `printf()` format with one `%s` (`"[anon:%s]"`), and its argument.
    Format(CStrPtr<'a>, CStrPtr<'a>),
    /// A fixed label (`"[heap]"`, `"[vdso]"`, ...).
    Label(CStrPtr<'a>),
}

impl MapsName<'_> {
    /// A key that is equal for two names of the same snapshot exactly when
    /// they come from the same object (file path, name object, label), so the
    /// text only has to be made once. Zero for no name.
    fn key(&self) -> (usize, usize) {
        match *self {
            MapsName::None => (0, 0),
            MapsName::File(p) => {
                let p = p.0.get();
                // SAFETY: The path is valid while borrowed.
                unsafe { ((*p).mnt as usize, (*p).dentry as usize) }
            }
            MapsName::Format(f, a) => (f.addr(), a.addr()),
            MapsName::Label(l) => (1, l.addr()),
        }
    }

    /// Writes the name, as `/proc/PID/maps` shows it but for newlines in file
    /// names (which maps escapes as `\012`), into `buf`, and returns the part
    /// of `buf` written. `ERANGE` if it does not fit.
    fn render<'b>(&self, buf: &'b mut [u8]) -> Result<&'b [u8]> {
        match *self {
            MapsName::None => concat(buf, &[]),
            MapsName::File(p) => p.render(buf),
            MapsName::Format(f, a) => {
                let f = f.get().to_bytes();
                let at = f.windows(2).position(|w| w == b"%s").ok_or(EINVAL)?;
                concat(buf, &[&f[..at], a.get().to_bytes(), &f[at + 2..]])
            }
            MapsName::Label(l) => concat(buf, &[l.get().to_bytes()]),
        }
    }
}

/// Writes `parts` one after the other at the start of `buf`.
fn concat<'b>(buf: &'b mut [u8], parts: &[&[u8]]) -> Result<&'b [u8]> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let out = buf.get_mut(..len).ok_or(ERANGE)?;
    let mut at = 0;
    for p in parts {
        out[at..at + p.len()].copy_from_slice(p);
        at += p.len();
    }
    Ok(out)
}

/// A `struct path`: a mount and a dentry.
#[repr(transparent)]
struct Path(Opaque<bindings::path>);

impl Path {
    /// Writes the path name (`d_path()`) at the start of `buf` and returns
    /// that part. `ERANGE` if it does not fit.
    fn render<'b>(&self, buf: &'b mut [u8]) -> Result<&'b [u8]> {
        let len = i32::try_from(buf.len()).unwrap_or(i32::MAX);
        // SAFETY: The path is valid while borrowed and `buf` is valid for `len` bytes.
        let p =
            from_err_ptr(unsafe { bindings::d_path(self.0.get(), buf.as_mut_ptr().cast(), len) })?;
        // `d_path()` writes the name, NUL-terminated, inside `buf` and returns its start.
        let from = (p as usize).wrapping_sub(buf.as_ptr() as usize);
        // SAFETY: `p` points to a NUL-terminated string inside `buf`.
        let n = unsafe { CStr::from_char_ptr(p) }.to_bytes().len();
        if from.checked_add(n).map_or(true, |e| e > buf.len()) {
            return Err(ERANGE);
        }
        buf.copy_within(from..from + n, 0);
        Ok(&buf[..n])
    }
}

// --- The entry point C calls. ---

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
    match process_vm_getinfo(pidfd, UserPtr::from_ptr(uargs.cast()), usize, flags) {
        Ok(n) => n as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}

#[cfg(CONFIG_KUNIT)]
mod tests {
    use kernel::{kunit_check, kunit_check_eq, kunit_tests, prelude::*};

    fn adds_counters() -> Result {
        use super::{add_counters, Counters};

        let mut sum = Counters {
            rss: 4096,
            swap: 1,
            ..Default::default()
        };
        add_counters(
            &mut sum,
            &Counters {
                rss: 8192,
                locked: 3,
                ..Default::default()
            },
        );
        kunit_check_eq!((sum.rss, sum.swap, sum.locked), (12288, 1, 3));
        Ok(())
    }

    fn rounds_pss_down_to_bytes() -> Result {
        use super::{counters_in_bytes, Counters};
        use kernel::bindings::VMGI_PSS_SHIFT;

        let half_page = 4096u64 << VMGI_PSS_SHIFT >> 1;
        let c = counters_in_bytes(&Counters {
            rss: 4096,
            pss: half_page + 1,
            ..Default::default()
        });
        kunit_check_eq!((c.rss, c.pss), (4096, 2048));
        Ok(())
    }

    fn translates_vm_flags() -> Result {
        use super::uapi_vm_flags;
        use kernel::bindings::*;

        // bindgen types each constant by its value, which differs between
        // configurations: a cast may be to the type the constant already has.
        #[allow(clippy::unnecessary_cast)]
        {
            let flags = (VM_READ | VM_MAYREAD | VM_MAYWRITE) as usize;
            kunit_check_eq!(
                uapi_vm_flags(flags),
                (VMGI_VM_RD | VMGI_VM_MR | VMGI_VM_MW) as u64
            );
            kunit_check_eq!(uapi_vm_flags(VM_DROPPABLE as usize), VMGI_VM_DP as u64);
            kunit_check_eq!(
                uapi_vm_flags((VM_SEALED_HI32 as usize) << 32),
                VMGI_VM_SL as u64
            );
        }
        kunit_check_eq!(uapi_vm_flags(0), 0);
        Ok(())
    }

    fn translates_prot() -> Result {
        use super::uapi_prot;
        use kernel::bindings::*;

        kunit_check_eq!(
            uapi_prot((VM_READ | VM_EXEC | VM_MAYSHARE) as usize),
            VMGI_PROT_READ | VMGI_PROT_EXEC | VMGI_PROT_SHARED
        );
        kunit_check_eq!(uapi_prot(VM_WRITE as usize), VMGI_PROT_WRITE);
        Ok(())
    }

    fn checks_args() -> Result {
        use super::{check_args, Args};
        use kernel::{bindings::VMGI_ALL, error::code::EINVAL};

        let good = Args {
            mask: VMGI_ALL as u64,
            end: 4096,
            vma_size: 80,
            ..Default::default()
        };
        kunit_check!(check_args(&good, false).is_ok());
        // An undefined attribute, an empty range, a record size out of bounds, a reserved field.
        let bad = [
            Args {
                mask: 1 << 40,
                ..good
            },
            Args {
                start: 4096,
                ..good
            },
            Args {
                vma_size: 79,
                ..good
            },
            Args {
                vma_size: 4097,
                ..good
            },
            Args {
                __reserved: 1,
                ..good
            },
        ];
        for a in &bad {
            kunit_check_eq!(check_args(a, false), Err(EINVAL));
        }
        // A rollup writes no records: their size does not matter.
        kunit_check!(check_args(
            &Args {
                vma_size: 0,
                ..good
            },
            true
        )
        .is_ok());
        Ok(())
    }

    fn name_table_finds_what_it_holds() -> Result {
        use super::NameTable;

        let mut t = NameTable::new();
        kunit_check_eq!(t.get((1, 2)), None);
        for i in 1..1000usize {
            t.insert((i, 7), (i as u32, 3))?;
        }
        kunit_check_eq!(t.get((500, 7)), Some((500, 3)));
        kunit_check_eq!(t.get((500, 8)), None);
        t.clear();
        kunit_check_eq!(t.get((500, 7)), None);
        Ok(())
    }

    fn count_field_overflows() -> Result {
        use super::count_field;
        use kernel::bindings::EOVERFLOW;

        kunit_check_eq!(count_field(65530), Ok(65530));
        kunit_check_eq!(count_field(u32::MAX as usize), Ok(u32::MAX));
        let e = count_field(u32::MAX as usize + 1).unwrap_err();
        kunit_check_eq!(e.to_errno(), -(EOVERFLOW as i32));
        Ok(())
    }

    fn name_off_field_overflows() -> Result {
        use super::name_off_field;
        use kernel::bindings::{EOVERFLOW, VMGI_NO_NAME};

        kunit_check_eq!(name_off_field(0), Ok(0));
        kunit_check_eq!(
            name_off_field(VMGI_NO_NAME as usize - 1),
            Ok(VMGI_NO_NAME - 1)
        );
        for off in [VMGI_NO_NAME as usize, 1 << 32] {
            kunit_check_eq!(
                name_off_field(off).unwrap_err().to_errno(),
                -(EOVERFLOW as i32)
            );
        }
        Ok(())
    }

    fn staging_forgets_what_a_change_covers() -> Result {
        use super::{Record, Staged, Staging};
        use kernel::alloc::flags::GFP_KERNEL;

        let rec = |start: u64, end: u64| Staged {
            rec: Record {
                start,
                end,
                ..Default::default()
            },
            live: true,
        };
        let mut st = Staging::new();
        for (a, b) in [(0x1000, 0x3000), (0x3000, 0x4000), (0x5000, 0x8000)] {
            st.main.push(rec(a, b), GFP_KERNEL)?;
        }
        st.push_extra(rec(0x9000, 0xa000))?;
        // The change covers 0x3000..0x4000 whole and 0x5000..0x8000 in part: only the VMA
        // inside it can have changed.
        st.kill(0x2000, 0x6000);
        kunit_check!(st.has(0x1000));
        kunit_check!(!st.has(0x3000));
        kunit_check!(st.has(0x5000));
        kunit_check!(st.has(0x9000));
        kunit_check!(!st.has(0x2000));
        st.kill(0x9000, 0xa000);
        kunit_check!(!st.has(0x9000));
        kunit_check_eq!(st.extra_live, 0);
        // Dead records of `extra` do not pile up: 200 changes of one place.
        for _ in 0..200 {
            st.push_extra(rec(0xb000, 0xc000))?;
            kunit_check!(st.has(0xb000));
            st.kill(0xb000, 0xc000);
        }
        kunit_check!(st.extra.len() <= 64);
        Ok(())
    }

    kunit_tests!(
        process_vm_getinfo,
        [
            adds_counters,
            staging_forgets_what_a_change_covers,
            rounds_pss_down_to_bytes,
            translates_vm_flags,
            translates_prot,
            checks_args,
            name_table_finds_what_it_holds,
            count_field_overflows,
            name_off_field_overflows,
        ]
    );
}
