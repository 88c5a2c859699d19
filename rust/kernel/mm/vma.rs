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

    fn as_ptr(&self) -> *mut bindings::mm_struct {
        self.mm.as_ptr()
    }

    /// The identifier of this address space, never used by another one in
    /// this boot: the first half of a layout token.
    pub fn layout_id(&self) -> u64 {
        // SAFETY: By the type invariant the mm is valid; the field is set before the mm is
        // visible to anyone and never changes.
        unsafe { (*self.as_ptr()).__bindgen_anon_1.vma_layout_mm_id }
    }

    /// Whether this is the address space of the calling task.
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
    pub fn is_contended(&self) -> bool {
        // SAFETY: The mm is valid (type invariant); the function only reads the lock's state.
        unsafe { bindings::mmap_lock_is_contended(self.mm.as_ptr()) != 0 }
    }

    /// The layout sequence number: the second half of a layout token. It does
    /// not change while the guard exists.
    pub fn layout_seq(&self) -> u64 {
        // SAFETY: By the type invariants the mm is valid and its mmap lock is held, so the
        // writers of the field (holders of the write lock) are excluded.
        unsafe { (*self.mm.as_ptr()).__bindgen_anon_1.vma_layout_seq }
    }

    /// Lets other tasks run if this one should give way; the lock stays held
    /// (sleeping with a read lock of the mmap lock is allowed).
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

#[cfg(CONFIG_PROCESS_VM_GETINFO)]
impl MmapReadGuard<'_> {
    /// The gate VMA of the address space, if it has one: x86_64's
    /// `[vsyscall]` page with vsyscall emulation, which `/proc/PID/maps`
    /// lists after the VMAs of the tree. It is not in the tree (no iterator
    /// of this guard yields it), lies above every user address, and is a
    /// static VMA that no one changes after boot.
    pub fn gate_vma(&self) -> Option<&VmaRead> {
        // SAFETY: The mm is valid (type invariant); the function only reads its flags.
        let gate = unsafe { bindings::vmgi_gate_vma(self.mm.as_ptr()) };
        // SAFETY: A non-null gate VMA is static and never changes, which satisfies the
        // invariants of `VmaRead` for any lifetime.
        (!gate.is_null()).then(|| unsafe { VmaRead::from_raw(gate) })
    }

    /// The number of VMAs in the tree (the gate VMA is not one of them).
    pub fn map_count(&self) -> usize {
        // SAFETY: By the type invariants the mm is valid and its mmap lock is held, so the
        // writers of the field (holders of the write lock) are excluded.
        let n = unsafe { (*self.mm.as_ptr()).__bindgen_anon_1.map_count };
        usize::try_from(n).unwrap_or(0)
    }
}

#[cfg(CONFIG_PROCESS_VM_MADVISE)]
impl MmapReadGuard<'_> {
    /// `addr` without the tag bits the address space ignores (arm64 TBI,
    /// x86 LAM), as the address `madvise()` works on.
    pub fn untagged_addr(&self, addr: usize) -> usize {
        // SAFETY: The mm is valid and its lock held (type invariants), as
        // `untagged_addr_remote()` asks.
        unsafe { bindings::process_vm_untagged_addr(self.mm.as_ptr(), addr) }
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
#[cfg(CONFIG_PROCESS_VM_MADVISE)]
pub struct VmaCursor<'a> {
    guard: &'a MmapReadGuard<'a>,
    iter: VmaIter<'a>,
    from: usize,
    cur: Option<&'a VmaRead>,
}

#[cfg(CONFIG_PROCESS_VM_MADVISE)]
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

    /// Checks `[start, end)` for `advice` under this hold of the lock: every
    /// VMA must accept it ([`VmaRead::madvise_check`]) and be stamped at most
    /// `seq` ([`VmaRead::layout_seq`]: unchanged since the layout that number
    /// names). Returns the range's first VMA, `None` if it has none.
    ///
    /// Errors: `ENOMEM` for a gap (unless the advice has a filter, which
    /// skips gaps), `ESTALE` for a VMA stamped above `seq`, and those of
    /// [`VmaRead::madvise_check`]; the first in address order wins.
    pub fn madvise_check(
        &mut self,
        start: usize,
        end: usize,
        advice: crate::mm::madvise::Advice,
        seq: u64,
    ) -> Result<Option<&'a VmaRead>> {
        let gaps_ok = advice.filter() != 0;
        let first = self.seek(start, end);
        let (mut at, mut vma) = (start, first);
        while let Some(v) = vma {
            if v.start() > at && !gaps_ok {
                return Err(ENOMEM);
            }
            if v.layout_seq() > seq {
                return Err(crate::mm::madvise::estale());
            }
            v.madvise_check(advice)?;
            at = v.end();
            vma = self.next_in(end);
        }
        if at < end && !gaps_ok {
            return Err(ENOMEM);
        }
        Ok(first)
    }

    /// Checks `[start, end)` as [`Self::madvise_check`] does and, if it
    /// passes, applies `advice` to its VMAs, in the same hold of the lock.
    /// Errors: those of the check, and of the advice.
    pub fn madvise(
        &mut self,
        start: usize,
        end: usize,
        advice: crate::mm::madvise::Advice,
        seq: u64,
    ) -> Result {
        let Some(first) = self.madvise_check(start, end, advice, seq)? else {
            // Only gaps, which the check let pass (a filter).
            return Ok(());
        };
        // SAFETY: The lock is held for reading for all of `'a` (`self.guard`), and `first` is
        // the range's first VMA, taken from the tree under it. Every VMA of the range has just
        // accepted the advice under this same hold (VMAs do not change while it is held), so
        // `madvise_range_locked()` does not drop the lock; and `Advice` only holds advice that
        // leaves the tree as it is, so the VMAs the cursor has taken from the tree stay in it.
        to_result(unsafe {
            bindings::madvise_range_locked(
                first.as_ptr(),
                start,
                end,
                advice.behavior(),
                advice.filter(),
            )
        })
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
/// an address space whose mmap lock is held (at least) for reading for the
/// whole lifetime of the reference, or for the static gate VMA
/// ([`MmapReadGuard::gate_vma`]), which never changes. Therefore the VMA stays allocated, the
/// objects it holds references on (file, name object) stay alive, and these
/// fields, which the kernel writes only with the mmap lock held for writing,
/// do not change: `vm_start`, `vm_end`, `vm_pgoff`, `vm_flags`, `vm_file`,
/// `vm_ops`, `anon_name`, `vm_mm` and `vm_layout_seq`. Every other field may change under the
/// read lock; of those, this type reads only `anon_vma`, and only with
/// [`ptr::read_volatile`].
#[repr(transparent)]
pub struct VmaRead(Opaque<bindings::vm_area_struct>);

impl VmaRead {
    /// # Safety
    ///
    /// `vma` must be a VMA in the tree of an address space whose mmap lock is
    /// held for reading for all of `'a`, or the gate VMA.
    unsafe fn from_raw<'a>(vma: *const bindings::vm_area_struct) -> &'a Self {
        // INVARIANT: Guaranteed by the caller.
        // SAFETY: `VmaRead` is a transparent wrapper of the C struct, valid for `'a`.
        unsafe { &*vma.cast() }
    }

    /// The VMA, for reads of its fields through a raw pointer.
    fn as_ptr(&self) -> *mut bindings::vm_area_struct {
        self.0.get()
    }

    /// The first address of the VMA.
    pub fn start(&self) -> usize {
        // SAFETY: The VMA is valid and `vm_start` stable (type invariant); a VMA in the tree
        // uses the `vm_start`/`vm_end` arm of the union.
        unsafe { (*self.as_ptr()).__bindgen_anon_1.__bindgen_anon_1.vm_start }
    }

    /// The first address after the VMA.
    pub fn end(&self) -> usize {
        // SAFETY: As in `start()`, for `vm_end`.
        unsafe { (*self.as_ptr()).__bindgen_anon_1.__bindgen_anon_1.vm_end }
    }

    /// The `VM_*` flags.
    pub fn flags(&self) -> usize {
        // SAFETY: The VMA is valid and `vm_flags` stable (type invariant); both arms of the
        // union are the same `vm_flags_t`.
        unsafe { (*self.as_ptr()).__bindgen_anon_2.vm_flags }
    }

    /// The offset in the file, in pages (for anonymous VMAs: the start address
    /// in pages, at the time the VMA was created).
    pub fn pgoff(&self) -> usize {
        // SAFETY: The VMA is valid and `vm_pgoff` stable (type invariant).
        unsafe { (*self.as_ptr()).vm_pgoff }
    }

    fn file(&self) -> *mut bindings::file {
        // SAFETY: The VMA is valid and `vm_file` stable (type invariant).
        unsafe { (*self.as_ptr()).vm_file }
    }

    fn has_ops(&self) -> bool {
        // SAFETY: The VMA is valid and `vm_ops` stable (type invariant).
        !unsafe { (*self.as_ptr()).vm_ops }.is_null()
    }

    /// Whether the VMA is anonymous memory, as `vma_is_anonymous()` says: it
    /// has no operations. Private mappings of `/dev/zero` are anonymous
    /// although they have a file.
    pub fn is_anonymous(&self) -> bool {
        !self.has_ops()
    }

    /// Whether the VMA maps a file and is not anonymous (shmem and memfd
    /// included, private `/dev/zero` mappings not): the classification of
    /// `VMGI_VMA_FILE` and `MADV_FILE_FILTER`.
    pub fn is_file(&self) -> bool {
        !self.file().is_null() && !self.is_anonymous()
    }

    /// Whether the VMA has a file at all, for the fields `/proc/PID/maps`
    /// shows of it (offset, device and inode), which it shows for private
    /// `/dev/zero` mappings too.
    pub fn has_file(&self) -> bool {
        !self.file().is_null()
    }

    /// The device and inode number of the file, as `/proc/PID/maps` shows
    /// them (the user-visible inode of a backing file).
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
    pub fn has_anon_vma(&self) -> bool {
        // SAFETY: The VMA is valid (type invariant). A fault may set `anon_vma` under the read
        // lock at any time, so it is read once, volatile, as `READ_ONCE()` would.
        !unsafe { ptr::read_volatile(&raw const (*self.as_ptr()).anon_vma) }.is_null()
    }

    /// The size of the pages the kernel backs the VMA with.
    pub fn page_size(&self) -> usize {
        // What `vma_kernel_pagesize()` returns without operations, as for every
        // anonymous VMA; only their `pagesize` operation may say otherwise.
        if !self.has_ops() {
            return bindings::PAGE_SIZE;
        }
        // SAFETY: The VMA is valid (type invariant); the function only reads it.
        unsafe { bindings::vma_page_size(self.0.get()) }
    }

    /// Sets `c` to what `/proc/PID/smaps` counts for `vmas`, summed, by
    /// smaps' own page-table walk (`vma_smaps_counters()`), the PSS fields
    /// in bytes << `VMGI_PSS_SHIFT`: for one VMA its figures, for a batch
    /// its share of a rollup (summed before rounding, as `smaps_rollup`
    /// sums). Nothing for the gate VMA, whose pages are not the process's.
    /// May sleep; takes time in proportion to the VMAs' page tables.
    #[cfg(all(CONFIG_PROCESS_VM_GETINFO, CONFIG_PROC_PAGE_MONITOR))]
    pub fn smaps_counters(vmas: &[&VmaRead], c: &mut bindings::process_vm_getinfo_counters) {
        // SAFETY: The VMAs are valid and their mmap lock is held for reading (type invariant),
        // as the walk needs (the gate VMA has no mm, and the walk leaves it alone); a `&VmaRead`
        // is a pointer to the C struct, and there are `vmas.len()` of them; `c` is valid for
        // writes.
        unsafe { bindings::vma_smaps_counters(vmas.as_ptr().cast(), vmas.len() as u32, c) };
    }

    /// Checks that `advice` can be applied to this VMA under the mmap lock
    /// (or that its filter leaves the VMA out): `EINVAL` if `madvise()`
    /// would fail on it (`MADV_COLD` or `MADV_PAGEOUT` on locked, PFN-mapped
    /// or hugetlb memory), `EOPNOTSUPP` if the advice would drop the lock
    /// (`MADV_WILLNEED` reading a file ahead).
    #[cfg(CONFIG_PROCESS_VM_MADVISE)]
    pub fn madvise_check(&self, advice: crate::mm::madvise::Advice) -> Result {
        // SAFETY: The VMA is valid and its mmap lock held (type invariant); the function only
        // reads the VMA and its file.
        to_result(unsafe {
            bindings::madvise_check_vma(self.0.get(), advice.behavior(), advice.filter())
        })
    }

    /// The layout sequence number of the write-locked section that last
    /// created or changed the VMA (its bounds, flags, protection, file or
    /// name): a VMA stamped at most a token's number is one that the token's
    /// snapshot saw, as it is now. See `include/linux/vma_layout_seq.h`.
    #[cfg(CONFIG_PROCESS_VM_MADVISE)]
    pub fn layout_seq(&self) -> u64 {
        // SAFETY: The VMA is valid (type invariant), and the stamp is written only under the
        // mmap lock held for writing (or before the VMA is in the tree), which the read lock
        // excludes.
        unsafe { (*self.as_ptr()).vm_layout_seq }
    }

    /// The name object given to the VMA with `prctl(PR_SET_VMA_ANON_NAME)`.
    #[cfg(CONFIG_ANON_VMA_NAME_RUST)]
    pub fn anon_name(&self) -> Option<&crate::mm::anon_name::AnonVmaName> {
        // SAFETY: The VMA is valid and `anon_name` stable (type invariant).
        let name = unsafe { (*self.as_ptr()).anon_name };
        // SAFETY: The VMA holds a reference on its name object while it is in the tree, which
        // the mmap lock guarantees for the lifetime of `self`.
        (!name.is_null()).then(|| unsafe { crate::mm::anon_name::AnonVmaName::from_held(name) })
    }

    /// The names `/proc/PID/maps` shows for `vmas`, into `names` (as many as
    /// fit). One call into C for a batch of VMAs: cheaper than one for each.
    #[cfg(CONFIG_PROCESS_VM_GETINFO)]
    pub fn maps_names<'b>(vmas: &[&'b VmaRead], names: &mut [RawMapsName<'b>; VMA_BATCH]) {
        let n = vmas.len().min(VMA_BATCH);
        // INVARIANT: `vma_maps_names()` sets the first `n` names to ones of VMAs borrowed for
        // `'b`, from their file, name object or operations (static strings), all alive and
        // unchanged while the lock is held.
        // SAFETY: The VMAs are valid and their mmap lock held for `'b` (type invariant); a
        // `&VmaRead` is a pointer to the C struct; `names` has room for `n` entries, each the
        // C struct (transparent wrapper).
        unsafe {
            bindings::vma_maps_names(vmas.as_ptr().cast(), n as u32, names.as_mut_ptr().cast())
        };
    }
}

/// The name of a VMA in `/proc/PID/maps` as C gives it ([`MapsName`] is the
/// decoded form), borrowed from the VMA.
///
/// # Invariants
///
/// All three pointers are null, or the struct was written by
/// `vma_maps_names()` for a VMA whose mmap lock is held for `'a`: the path and
/// strings it points to stay valid and unchanged for `'a`.
#[cfg(CONFIG_PROCESS_VM_GETINFO)]
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct RawMapsName<'a>(bindings::vma_maps_name, PhantomData<&'a VmaRead>);

#[cfg(CONFIG_PROCESS_VM_GETINFO)]
impl<'a> RawMapsName<'a> {
    /// No name.
    pub const NONE: Self = Self(
        bindings::vma_maps_name {
            path: core::ptr::null(),
            name: core::ptr::null(),
            name_fmt: core::ptr::null(),
        },
        PhantomData,
    );

    /// The name, decoded.
    #[inline]
    pub fn get(&self) -> MapsName<'a> {
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
#[cfg(CONFIG_PROCESS_VM_GETINFO)]
#[derive(Clone, Copy)]
pub struct CStrPtr<'a>(
    NonNull<crate::ffi::c_char>,
    PhantomData<&'a crate::str::CStr>,
);

#[cfg(CONFIG_PROCESS_VM_GETINFO)]
impl<'a> CStrPtr<'a> {
    /// The address of the string.
    pub fn addr(&self) -> usize {
        self.0.as_ptr() as usize
    }

    /// The string.
    pub fn get(&self) -> &'a crate::str::CStr {
        // SAFETY: By the type invariant the string is valid and unchanged for `'a`.
        unsafe { crate::str::CStr::from_char_ptr(self.0.as_ptr()) }
    }
}

/// The name of a VMA in `/proc/PID/maps`, borrowed from the VMA.
#[cfg(CONFIG_PROCESS_VM_GETINFO)]
#[derive(Clone, Copy)]
pub enum MapsName<'a> {
    /// No name.
    None,
    /// The path of the mapped file.
    File(&'a Path),
    /// A `printf()` format with one `%s` (`"[anon:%s]"`), and its argument.
    Format(CStrPtr<'a>, CStrPtr<'a>),
    /// A fixed label (`"[heap]"`, `"[vdso]"`, ...).
    Label(CStrPtr<'a>),
}

#[cfg(CONFIG_PROCESS_VM_GETINFO)]
impl MapsName<'_> {
    /// A key that is equal for two names of the same snapshot exactly when
    /// they come from the same object (file path, name object, label), so the
    /// text only has to be made once. Zero for no name.
    pub fn key(&self) -> (usize, usize) {
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
    pub fn render<'b>(&self, buf: &'b mut [u8]) -> Result<&'b [u8]> {
        match *self {
            MapsName::None => concat(buf, &[]),
            MapsName::File(p) => p.render(buf),
            MapsName::Format(f, a) => {
                let f = f.get().as_bytes();
                let at = f.windows(2).position(|w| w == b"%s").ok_or(EINVAL)?;
                concat(buf, &[&f[..at], a.get().as_bytes(), &f[at + 2..]])
            }
            MapsName::Label(l) => concat(buf, &[l.get().as_bytes()]),
        }
    }
}

/// Writes `parts` one after the other at the start of `buf`.
#[cfg(CONFIG_PROCESS_VM_GETINFO)]
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
#[cfg(CONFIG_PROCESS_VM_GETINFO)]
#[repr(transparent)]
pub struct Path(Opaque<bindings::path>);

#[cfg(CONFIG_PROCESS_VM_GETINFO)]
impl Path {
    /// Writes the path name (`d_path()`) at the start of `buf` and returns
    /// that part. `ERANGE` if it does not fit.
    pub fn render<'b>(&self, buf: &'b mut [u8]) -> Result<&'b [u8]> {
        let len = i32::try_from(buf.len()).unwrap_or(i32::MAX);
        // SAFETY: The path is valid while borrowed and `buf` is valid for `len` bytes.
        let p =
            from_err_ptr(unsafe { bindings::d_path(self.0.get(), buf.as_mut_ptr().cast(), len) })?;
        // `d_path()` writes the name, NUL-terminated, inside `buf` and returns its start.
        let from = (p as usize).wrapping_sub(buf.as_ptr() as usize);
        // SAFETY: `p` points to a NUL-terminated string inside `buf`.
        let n = unsafe { crate::str::CStr::from_char_ptr(p) }.len();
        if from.checked_add(n).map_or(true, |e| e > buf.len()) {
            return Err(ERANGE);
        }
        buf.copy_within(from..from + n, 0);
        Ok(&buf[..n])
    }
}
