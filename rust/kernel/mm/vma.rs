// SPDX-License-Identifier: GPL-2.0

//! Address spaces of other processes and their VMAs, read under the mmap lock.
//!
//! C headers: [`include/linux/mm.h`](srctree/include/linux/mm.h),
//! [`include/linux/mmap_lock.h`](srctree/include/linux/mmap_lock.h),
//! [`include/linux/vma_layout_seq.h`](srctree/include/linux/vma_layout_seq.h)
//!
//! The lock a reference needs is part of its type: an [`MmUser`] keeps an
//! address space alive, an [`MmapReadGuard`] borrowed from it holds its mmap
//! lock for reading, and a [`VmaRead`] can only be borrowed from a guard, so
//! the borrow checker rejects any use of a VMA after the lock is dropped.
//!
//! # Examples
//!
//! ```
//! use kernel::mm::vma::MmapReadGuard;
//!
//! /// The number of VMAs and the size of the largest one.
//! fn census(guard: &MmapReadGuard<'_>) -> (usize, usize) {
//!     guard.vmas(0, usize::MAX).fold((0, 0), |(n, big), v| (n + 1, big.max(v.end() - v.start())))
//! }
//! ```

use crate::{
    bindings,
    error::{code::*, from_err_ptr, to_result, Result},
    types::Opaque,
};
use core::{
    marker::PhantomData,
    mem::MaybeUninit,
    ptr::{self, NonNull},
};

/// An address space that is kept alive: a `struct mm_struct` with a reference
/// on its users count (`mm_users`), so its VMAs and page tables stay.
///
/// # Invariants
///
/// `mm` points to a valid `mm_struct` and this object owns one `mm_users`
/// reference on it, dropped with `mmput()`.
pub struct MmUser {
    mm: NonNull<bindings::mm_struct>,
}

impl MmUser {
    /// The address space of the process that `pidfd` refers to, if the caller
    /// may read it as it may read `/proc/PID/maps` (`PTRACE_MODE_READ_FSCREDS`).
    ///
    /// Errors: `EBADF` if `pidfd` is not a pidfd, `ESRCH` if the process has
    /// exited (or is a kernel thread), `EACCES` if the caller may not read it,
    /// `EINTR` if a fatal signal came while waiting for the target's
    /// credentials lock.
    pub fn from_pidfd(pidfd: i32) -> Result<Self> {
        let mut f_flags = 0u32;
        // SAFETY: `pidfd_get_task()` accepts any integer and `f_flags` is valid for writes.
        let task = from_err_ptr(unsafe { bindings::pidfd_get_task(pidfd, &mut f_flags) })?;
        // SAFETY: `task` is valid: `pidfd_get_task()` returned it with a reference.
        let mm = unsafe { bindings::mm_access(task, bindings::PTRACE_MODE_READ_FSCREDS) };
        // SAFETY: Drops the reference `pidfd_get_task()` took; `task` is not used again.
        unsafe { bindings::put_task_struct(task) };
        let mm = NonNull::new(from_err_ptr(mm)?).ok_or(ESRCH)?;
        // INVARIANT: `mm_access()` returned a valid mm with an `mm_users` reference for us.
        Ok(Self { mm })
    }

    #[inline]
    fn as_ptr(&self) -> *mut bindings::mm_struct {
        self.mm.as_ptr()
    }

    /// The identifier of this address space, never used by another one in
    /// this boot: the first half of a layout token.
    #[inline]
    pub fn layout_id(&self) -> u64 {
        // SAFETY: By the type invariant the mm is valid; the function reads only the creation
        // number, set before the mm is visible to anyone and never changed, and the key.
        unsafe { bindings::vma_layout_mm_id(self.as_ptr()) }
    }

    /// Whether this is the address space of the calling task.
    #[inline]
    pub fn is_current(&self) -> bool {
        // SAFETY: `get_current()` returns the running task, which stays valid while it runs;
        // only the task itself changes its `mm` field (exec, exit), and it is here instead.
        unsafe { (*bindings::get_current()).mm == self.as_ptr() }
    }

    /// Takes the mmap lock for reading; fails with `EINTR` if a fatal signal
    /// comes while waiting.
    pub fn read_lock(&self) -> Result<MmapReadGuard<'_>> {
        // SAFETY: By the type invariant the mm is valid.
        to_result(unsafe { bindings::mmap_read_lock_killable(self.as_ptr()) })?;
        // INVARIANT: The lock was just taken.
        Ok(MmapReadGuard {
            mm: self,
            _not_send: PhantomData,
        })
    }
}

impl MmUser {
    /// Begins a read of the VMAs without the mmap lock, if no writer holds
    /// it now; `None` if one does (or the kernel has no per-VMA locks).
    #[inline]
    pub fn speculate(&self) -> Option<MmapSpeculation<'_>> {
        let mut seq = 0;
        // SAFETY: By the type invariant the mm is valid; `seq` is valid for writes.
        let begun = unsafe { bindings::mmap_lock_speculate_try_begin(self.as_ptr(), &mut seq) };
        // INVARIANT: `seq` is the even sequence just read.
        begun.then_some(MmapSpeculation {
            mm: self,
            seq,
            _not_send: PhantomData,
        })
    }
}

impl MmUser {
    /// `vma_layout_changes_since()` of the mm, for [`MmapReadGuard`] and
    /// [`MmapSpeculation`]: the answer is exact under the mmap lock, and
    /// counts without it only if no writer took the lock meanwhile (the
    /// function reads each field once, with `READ_ONCE()`).
    #[inline]
    fn layout_changes_since(&self, seq: u64) -> Option<core::ops::Range<usize>> {
        let (mut start, mut end) = (0, 0);
        // SAFETY: By the type invariant the mm is valid; the function may be called with or
        // without its mmap lock, and writes only `start` and `end`, valid for writes.
        let known =
            unsafe { bindings::vma_layout_changes_since(self.as_ptr(), seq, &mut start, &mut end) };
        known.then_some(start..end)
    }
}

impl Drop for MmUser {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this object owns one `mm_users` reference.
        unsafe { bindings::mmput(self.as_ptr()) };
    }
}

/// The mmap lock of an [`MmUser`], held for reading.
///
/// # Invariants
///
/// The mmap lock of `mm` is held for reading by the current task, and is
/// released when the guard is dropped. The guard is not [`Send`]: a read
/// lock of an rwsem must be released by the task that took it.
pub struct MmapReadGuard<'a> {
    mm: &'a MmUser,
    _not_send: PhantomData<*mut ()>,
}

impl<'a> MmapReadGuard<'a> {
    /// Whether another task waits for the lock (a writer, or a reader
    /// queued behind one): a holder doing long work should give it way.
    #[inline]
    pub fn is_contended(&self) -> bool {
        // SAFETY: The mm is valid (type invariant); the function only reads the lock's state.
        unsafe { bindings::mmap_lock_is_contended(self.mm.as_ptr()) != 0 }
    }

    /// The layout sequence number: the second half of a layout token. It does
    /// not change while the guard exists.
    #[inline]
    pub fn layout_seq(&self) -> u64 {
        // SAFETY: By the type invariants the mm is valid and its mmap lock is held, so the
        // writers of the field (holders of the write lock) are excluded.
        unsafe { (*self.mm.as_ptr()).__bindgen_anon_1.vma_layout_seq }
    }

    /// Where the layout may differ from that of number `seq`, an earlier
    /// [`MmapReadGuard::layout_seq`] of the same address space: a range that
    /// holds every address whose VMA, lack of one, or `[heap]`/`[stack]`
    /// label changed since (empty if none did), or `None` if the address
    /// space no longer keeps what changed that far back. See
    /// `include/linux/vma_layout_seq.h`.
    #[inline]
    pub fn layout_changes_since(&self, seq: u64) -> Option<core::ops::Range<usize>> {
        self.mm.layout_changes_since(seq)
    }

    /// The number of VMAs in the tree (the gate VMA is not one of them).
    #[inline]
    pub fn map_count(&self) -> usize {
        // SAFETY: By the type invariants the mm is valid and its mmap lock is held, so the
        // writers of the field (holders of the write lock) are excluded.
        let n = unsafe { (*self.mm.as_ptr()).__bindgen_anon_1.map_count };
        usize::try_from(n).unwrap_or(0)
    }

    /// The address space, for calls into C that need its mmap lock held for
    /// reading, which the guard holds for as long as it exists.
    #[inline]
    pub fn as_mm_ptr(&self) -> *mut bindings::mm_struct {
        self.mm.as_ptr()
    }

    /// Lets other tasks run if this one should give way; the lock stays held
    /// (sleeping with a read lock of the mmap lock is allowed).
    #[inline]
    pub fn cond_resched(&self) {
        // SAFETY: `cond_resched()` may be called from any sleepable context, which a holder
        // of the mmap lock (a sleeping lock) is in.
        unsafe { bindings::cond_resched() };
    }

    /// The VMAs that intersect `[start, end)`, in address order.
    #[inline]
    pub fn vmas(&self, start: usize, end: usize) -> VmaIter<'_> {
        self.vmas_by(start, end)
    }

    /// The VMAs that intersect `[start, end)`, in address order, taken from
    /// the tree up to `N` at a time (batches span leaves).
    #[inline]
    pub fn vmas_by<const N: usize>(&self, start: usize, end: usize) -> VmaIter<'_, N> {
        let mut vmi = MaybeUninit::<bindings::vma_iterator>::uninit();
        // SAFETY: `vmi` is valid for writes and the mm is valid (type invariant);
        // `vma_iter_init()` initialises every field.
        unsafe { bindings::vma_iter_init(vmi.as_mut_ptr(), self.mm.as_ptr(), start) };
        // INVARIANT: `vmi` is initialised on the guard's mm and no VMA is batched yet.
        VmaIter {
            // SAFETY: Initialised just above.
            vmi: unsafe { vmi.assume_init() },
            end,
            batch: [core::ptr::null_mut(); N],
            next: 0,
            len: 0,
            _guard: PhantomData,
        }
    }
}

/// Finds the VMAs of one range after another, for ranges that mostly come in
/// address order: it moves forward through one walk of the tree, and
/// descends from the root again only for a range that starts behind it or
/// far ahead.
///
/// # Invariants
///
/// Every VMA `iter` returned before `cur` ends at or before `from`; `cur` is
/// the last VMA `iter` returned, or `None` if it returned none or ran out.
pub struct VmaCursor<'a> {
    guard: &'a MmapReadGuard<'a>,
    iter: VmaIter<'a>,
    from: usize,
    cur: Option<&'a VmaRead>,
}

impl<'a> VmaCursor<'a> {
    /// VMAs stepped over to reach a range before a descent from the root is
    /// cheaper.
    const MAX_SKIP: usize = 8;

    /// A cursor before the first VMA.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::mm::vma::{MmapReadGuard, VmaCursor};
    ///
    /// /// The number of VMAs that intersect each range.
    /// fn count(guard: &MmapReadGuard<'_>, ranges: &[(usize, usize)], out: &mut [usize]) {
    ///     let mut vmas = VmaCursor::new(guard);
    ///     for (&(start, end), n) in ranges.iter().zip(out.iter_mut()) {
    ///         let mut vma = vmas.seek(start, end);
    ///         *n = 0;
    ///         while vma.is_some() {
    ///             *n += 1;
    ///             vma = vmas.next_in(end);
    ///         }
    ///     }
    /// }
    /// ```
    pub fn new(guard: &'a MmapReadGuard<'a>) -> Self {
        let mut iter = guard.vmas(0, usize::MAX);
        let cur = iter.next();
        // INVARIANT: `iter` returned nothing before `cur`, its first VMA.
        Self {
            guard,
            iter,
            from: 0,
            cur,
        }
    }

    /// The first VMA that ends after `start`, if it starts before `end`.
    #[inline]
    pub fn seek(&mut self, start: usize, end: usize) -> Option<&'a VmaRead> {
        let mut skipped = 0;
        if start < self.from {
            self.restart(start);
        }
        while let Some(v) = self.cur {
            if v.end() > start {
                break;
            }
            if skipped == Self::MAX_SKIP {
                self.restart(start);
                break;
            }
            // INVARIANT: `v` ends at or before `start`, and so do those before it.
            self.from = v.end();
            self.cur = self.iter.next();
            skipped += 1;
        }
        self.cur.filter(|v| v.start() < end)
    }

    /// The VMA after the one [`Self::seek`] or this last returned, if it
    /// starts before `end`.
    #[inline]
    pub fn next_in(&mut self, end: usize) -> Option<&'a VmaRead> {
        let v = self.cur?;
        if v.end() >= end {
            return None;
        }
        // INVARIANT: `v` ends before `end`; the range's next VMA comes after it.
        self.from = v.end();
        self.cur = self.iter.next();
        self.cur.filter(|v| v.start() < end)
    }

    /// Starts a new walk at `addr`, with a descent from the root.
    fn restart(&mut self, addr: usize) {
        self.iter = self.guard.vmas(addr, usize::MAX);
        // INVARIANT: The new walk returned nothing before `cur`, the first VMA that ends
        // after `addr`.
        self.cur = self.iter.next();
        self.from = addr;
    }
}

impl Drop for MmapReadGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the current task holds the read lock.
        unsafe { bindings::mmap_read_unlock(self.mm.as_ptr()) };
    }
}

/// A read of an [`MmUser`]'s VMAs without its mmap lock, each VMA locked
/// for reading on its own while it is read ([`MmapSpeculation::lock_next`]),
/// as a page fault locks the VMA it faults in.
///
/// Writers do not wait for it, but for the VMA it holds at the moment. What
/// it reads of the address space as a whole (the layout sequence number, the
/// changes since a number, which VMAs follow which) describes one moment only
/// if [`MmapSpeculation::is_stale`] is still false after it was read: a
/// writer that took the mmap lock meanwhile may have changed it. Each VMA it
/// locks is consistent on its own, and is one no writer has changed since
/// the speculation began (the VMAs a writer changes stay write-locked until
/// it lets the mmap lock go).
///
/// # Invariants
///
/// `seq` is a value of the mm's `mm_lock_seq` read when no writer held its
/// mmap lock (even).
pub struct MmapSpeculation<'a> {
    mm: &'a MmUser,
    seq: u32,
    _not_send: PhantomData<*mut ()>,
}

impl<'a> MmapSpeculation<'a> {
    /// Whether a writer has taken the mmap lock since the speculation began.
    #[inline]
    pub fn is_stale(&self) -> bool {
        // SAFETY: The mm is valid (type invariant of `MmUser`); the function reads its
        // sequence only.
        unsafe { bindings::mmap_lock_speculate_retry(self.mm.as_ptr(), self.seq) }
    }

    /// The layout sequence number, as [`MmapReadGuard::layout_seq`], read
    /// now: it is the one of the speculation's moment if
    /// [`MmapSpeculation::is_stale`] is false afterwards.
    #[inline]
    pub fn layout_seq(&self) -> u64 {
        // SAFETY: The mm is valid; the function reads the field once (`READ_ONCE()`).
        unsafe { bindings::vma_layout_seq_once(self.mm.as_ptr()) }
    }

    /// As [`MmapReadGuard::layout_changes_since`]; the answer counts only if
    /// [`MmapSpeculation::is_stale`] is false afterwards.
    #[inline]
    pub fn layout_changes_since(&self, seq: u64) -> Option<core::ops::Range<usize>> {
        self.mm.layout_changes_since(seq)
    }

    /// The number of VMAs in the tree, read now.
    #[inline]
    pub fn map_count(&self) -> usize {
        // SAFETY: The mm is valid; the function reads the field once.
        let n = unsafe { bindings::mm_map_count_once(self.mm.as_ptr()) };
        usize::try_from(n).unwrap_or(0)
    }

    /// The address space, for calls into C that read what does not change
    /// while it is alive (its gate VMA).
    #[inline]
    pub fn as_mm_ptr(&self) -> *mut bindings::mm_struct {
        self.mm.as_ptr()
    }

    /// The first VMA that ends above `addr` and starts below `end`, locked
    /// for reading: `Ok(None)` if there is none, `EAGAIN` if it is being
    /// changed (write-locked), or was changed while it was being locked.
    /// Holding it makes a writer that would change it wait, so it is to be
    /// dropped soon; the caller may hold one at a time (they share a lock
    /// class).
    #[inline]
    pub fn lock_next(&self, addr: usize, end: usize) -> Result<Option<VmaReadLock<'_>>> {
        if addr >= end {
            return Ok(None);
        }
        // SAFETY: The mm is valid; the function takes no lock but RCU and the VMA's own.
        let vma = unsafe { bindings::vma_read_lock_next(self.mm.as_ptr(), addr, end) };
        let vma = from_err_ptr(vma)?;
        // INVARIANT: A non-null VMA was returned locked for reading, in the mm's tree.
        Ok(NonNull::new(vma).map(|vma| VmaReadLock {
            vma,
            _spec: PhantomData,
        }))
    }
}

/// A VMA locked for reading with its own lock (`vma_start_read()`), which
/// keeps it in the tree and unchanged; unlocked when dropped.
///
/// # Invariants
///
/// `vma` is a VMA in the tree of the speculation's mm, locked for reading by
/// the current task with `vma_start_read()`.
pub struct VmaReadLock<'a> {
    vma: NonNull<bindings::vm_area_struct>,
    _spec: PhantomData<&'a MmapSpeculation<'a>>,
}

impl core::ops::Deref for VmaReadLock<'_> {
    type Target = VmaRead;

    #[inline]
    fn deref(&self) -> &VmaRead {
        // SAFETY: By the type invariant the VMA is in the tree and locked for reading for as
        // long as `self` lives, which the returned borrow cannot outlive.
        unsafe { VmaRead::from_raw(self.vma.as_ptr()) }
    }
}

impl Drop for VmaReadLock<'_> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: By the type invariant the current task holds the VMA's read lock.
        unsafe { bindings::vma_end_read(self.vma.as_ptr()) };
    }
}

/// VMAs an iterator takes from the tree at a time: a leaf of the tree holds
/// at most 16 entries.
pub const VMA_BATCH: usize = 16;

/// An iterator over the VMAs of a read-locked address space.
///
/// It takes the VMAs from the tree a leaf at a time (`mas_find_batch()`),
/// which costs a fraction of a `vma_find()` call per VMA.
///
/// # Invariants
///
/// `vmi` was initialised by `vma_iter_init()` on the mm of a guard that lives
/// for `'a`. A `struct ma_state` holds no pointer to itself, so moving it is
/// fine. `batch[next..len]` are VMAs of that mm's tree, the ones that follow
/// those already returned, in address order.
pub struct VmaIter<'a, const N: usize = VMA_BATCH> {
    vmi: bindings::vma_iterator,
    end: usize,
    batch: [*mut bindings::vm_area_struct; N],
    next: usize,
    len: usize,
    _guard: PhantomData<&'a MmapReadGuard<'a>>,
}

impl<'a, const N: usize> VmaIter<'a, N> {
    /// The next VMAs, at most `N` (by default a leaf of the tree, 16) at a
    /// time; `None` when there are no more.
    ///
    /// # Examples
    ///
    /// ```
    /// use kernel::mm::vma::MmapReadGuard;
    ///
    /// fn count(guard: &MmapReadGuard<'_>) -> usize {
    ///     let (mut vmas, mut n) = (guard.vmas(0, usize::MAX), 0);
    ///     while let Some(batch) = vmas.next_batch() {
    ///         n += batch.len();
    ///     }
    ///     n
    /// }
    /// ```
    pub fn next_batch(&mut self) -> Option<&[&'a VmaRead]> {
        if self.next == self.len && !self.refill() {
            return None;
        }
        let batch = &self.batch[self.next..self.len];
        self.next = self.len;
        // SAFETY: By the type invariant the pointers are VMAs of the tree, valid while the read
        // lock is held, for `'a`; `&VmaRead` has the layout of a non-null pointer to the C
        // struct (`VmaRead` is a transparent wrapper).
        Some(unsafe { &*(batch as *const [*mut bindings::vm_area_struct] as *const [&'a VmaRead]) })
    }

    /// Takes the next VMAs from the tree into `batch`; `false` if there are
    /// none left.
    fn refill(&mut self) -> bool {
        if self.end == 0 {
            return false;
        }
        // SAFETY: By the type invariant `vmi` is an initialised iterator over a tree whose
        // lock is held for `'a`, which excludes writers as `mas_find_batch()` asks; `batch` has
        // room for `N` pointers. `vma_find(vmi, end)` is `mas_find(&vmi->mas, end - 1)`.
        let n = unsafe {
            bindings::mas_find_batch(
                &mut self.vmi.mas,
                self.end - 1,
                self.batch.as_mut_ptr().cast(),
                N as u32,
            )
        };
        // INVARIANT: `mas_find_batch()` stored `n` VMAs, the next ones of the tree.
        (self.next, self.len) = (0, (n as usize).min(N));
        self.len > 0
    }
}

impl<'a, const N: usize> Iterator for VmaIter<'a, N> {
    type Item = &'a VmaRead;

    fn next(&mut self) -> Option<&'a VmaRead> {
        if self.next == self.len && !self.refill() {
            return None;
        }
        let vma = self.batch[self.next];
        self.next += 1;
        // SAFETY: By the type invariant `vma` is a VMA of the tree, and stays valid while the
        // read lock is held, for `'a`.
        Some(unsafe { VmaRead::from_raw(vma) })
    }
}

/// A VMA, borrowed while its address space's mmap lock is held for reading.
///
/// Other CPUs may write some fields of a VMA while its mmap lock is held for
/// reading (a first write fault sets `anon_vma` under the read lock or the
/// per-VMA lock; NUMA balancing writes `numab_state`; the per-VMA lock writes
/// `vm_lock_seq`), so no Rust reference ever covers the `vm_area_struct`: it
/// sits in an [`Opaque`], every field is read through a raw pointer, and the
/// fields that may change are read once, with `READ_ONCE()` semantics.
///
/// # Invariants
///
/// A shared reference to a `VmaRead` is only created for a VMA in the tree of
/// an address space whose mmap lock is held (at least) for reading, or that
/// is locked for reading with its own lock ([`VmaReadLock`]), for the
/// whole lifetime of the reference, or for the static gate VMA
/// (`get_gate_vma()`), which never changes. Therefore the VMA stays allocated, the
/// objects it holds references on (file, name object) stay alive, and these
/// fields, which the kernel writes only with the mmap lock held for writing,
/// do not change: `vm_start`, `vm_end`, `vm_pgoff`, `vm_flags`, `vm_file`,
/// `vm_ops`, `anon_name`, `vm_mm` and `vm_layout_seq`. Every other field may change under the
/// read lock; of those, this type reads only `anon_vma`, and only with
/// [`ptr::read_volatile`].
#[repr(transparent)]
pub struct VmaRead(Opaque<bindings::vm_area_struct>);

impl VmaRead {
    /// Borrows the VMA `vma` under the lock the caller holds.
    ///
    /// # Safety
    ///
    /// `vma` must be a VMA in the tree of an address space whose mmap lock is
    /// held for reading for all of `'a`, or that is locked for reading with
    /// its own lock for all of `'a`, or the gate VMA.
    #[inline]
    pub unsafe fn from_raw<'a>(vma: *const bindings::vm_area_struct) -> &'a Self {
        // INVARIANT: Guaranteed by the caller.
        // SAFETY: `VmaRead` is a transparent wrapper of the C struct, valid for `'a`.
        unsafe { &*vma.cast() }
    }

    /// The VMA, for reads of its fields through a raw pointer and for calls
    /// into C that need the lock this reference implies.
    #[inline]
    pub fn as_ptr(&self) -> *mut bindings::vm_area_struct {
        // The address of the C struct, which `Opaque::get()` returns too, but through a call
        // that 6.12 does not mark `#[inline]`, so callers in the features' crates would pay for
        // it: `VmaRead` and `Opaque` are transparent wrappers of the struct, and the
        // `UnsafeCell` inside `Opaque` makes it writable through the pointer.
        ptr::from_ref(self).cast_mut().cast()
    }

    /// The first address of the VMA.
    #[inline]
    pub fn start(&self) -> usize {
        // SAFETY: The VMA is valid and `vm_start` stable (type invariant); a VMA in the tree
        // uses the `vm_start`/`vm_end` arm of the union.
        unsafe { (*self.as_ptr()).__bindgen_anon_1.__bindgen_anon_1.vm_start }
    }

    /// The first address after the VMA.
    #[inline]
    pub fn end(&self) -> usize {
        // SAFETY: As in `start()`, for `vm_end`.
        unsafe { (*self.as_ptr()).__bindgen_anon_1.__bindgen_anon_1.vm_end }
    }

    /// The `VM_*` flags.
    #[inline]
    pub fn flags(&self) -> usize {
        // SAFETY: The VMA is valid and `vm_flags` stable (type invariant); both arms of the
        // union are the same `vm_flags_t`.
        unsafe { (*self.as_ptr()).__bindgen_anon_2.vm_flags }
    }

    /// The offset in the file, in pages (for anonymous VMAs: the start address
    /// in pages, at the time the VMA was created).
    #[inline]
    pub fn pgoff(&self) -> usize {
        // SAFETY: The VMA is valid and `vm_pgoff` stable (type invariant).
        unsafe { (*self.as_ptr()).vm_pgoff }
    }

    #[inline]
    fn file(&self) -> *mut bindings::file {
        // SAFETY: The VMA is valid and `vm_file` stable (type invariant).
        unsafe { (*self.as_ptr()).vm_file }
    }

    #[inline]
    fn has_ops(&self) -> bool {
        // SAFETY: The VMA is valid and `vm_ops` stable (type invariant).
        !unsafe { (*self.as_ptr()).vm_ops }.is_null()
    }

    /// Whether the VMA is anonymous memory, as `vma_is_anonymous()` says: it
    /// has no operations. Private mappings of `/dev/zero` are anonymous
    /// although they have a file.
    #[inline]
    pub fn is_anonymous(&self) -> bool {
        !self.has_ops()
    }

    /// Whether the VMA maps a file and is not anonymous (shmem and memfd
    /// included, private `/dev/zero` mappings not): the classification of
    /// `VMGI_VMA_FILE` and `MADV_FILE_FILTER`.
    #[inline]
    pub fn is_file(&self) -> bool {
        !self.file().is_null() && !self.is_anonymous()
    }

    /// Whether the VMA has a file at all, for the fields `/proc/PID/maps`
    /// shows of it (offset, device and inode), which it shows for private
    /// `/dev/zero` mappings too.
    #[inline]
    pub fn has_file(&self) -> bool {
        !self.file().is_null()
    }

    /// The device and inode number of the file, as `/proc/PID/maps` shows
    /// them (the user-visible inode of a backing file).
    #[inline]
    pub fn dev_ino(&self) -> Option<(u32, u64)> {
        let file = self.file();
        if file.is_null() {
            return None;
        }
        // SAFETY: The VMA holds a reference on its file, and `file_user_inode()` returns an
        // inode that the file keeps alive, on a mounted superblock.
        let (dev, ino) = unsafe {
            let inode = bindings::file_user_inode(file);
            ((*(*inode).i_sb).s_dev, (*inode).i_ino)
        };
        Some((dev, ino as u64))
    }

    /// Whether the VMA has an `anon_vma`: it has, or had, anonymous pages
    /// (for a private file mapping: copy-on-write copies).
    #[inline]
    pub fn has_anon_vma(&self) -> bool {
        // SAFETY: The VMA is valid (type invariant). A fault may set `anon_vma` under the read
        // lock at any time, so it is read once, volatile, as `READ_ONCE()` would.
        !unsafe { ptr::read_volatile(&raw const (*self.as_ptr()).anon_vma) }.is_null()
    }

    /// The size of the pages the kernel backs the VMA with.
    #[inline]
    pub fn page_size(&self) -> usize {
        // What `vma_kernel_pagesize()` returns without operations, as for every
        // anonymous VMA; only their `pagesize` operation may say otherwise.
        if !self.has_ops() {
            return bindings::PAGE_SIZE;
        }
        // SAFETY: The VMA is valid (type invariant); the function only reads it.
        unsafe { bindings::vma_page_size(self.as_ptr()) }
    }

    /// The layout sequence number of the write-locked section that last
    /// created or changed the VMA (its bounds, flags, protection, file or
    /// name): a VMA stamped at most a token's number is one that the token's
    /// snapshot saw, as it is now. See `include/linux/vma_layout_seq.h`.
    #[inline]
    pub fn layout_seq(&self) -> u64 {
        // SAFETY: The VMA is valid (type invariant), and the stamp is written only under the
        // mmap lock held for writing (or before the VMA is in the tree), which the read lock
        // excludes.
        unsafe { (*self.as_ptr()).vm_layout_seq }
    }

    /// The name object given to the VMA with `prctl(PR_SET_VMA_ANON_NAME)`, or
    /// null: the VMA holds a reference on it while it is in the tree, so at
    /// least for the lifetime of `self`.
    #[cfg(CONFIG_ANON_VMA_NAME)]
    #[inline]
    pub fn anon_name(&self) -> *const bindings::anon_vma_name {
        // SAFETY: The VMA is valid and `anon_name` stable (type invariant).
        unsafe { (*self.as_ptr()).anon_name }
    }
}
