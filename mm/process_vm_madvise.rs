// SPDX-License-Identifier: GPL-2.0

//! `process_vm_madvise(2)`: advice to another process's memory, applied only
//! if its VMA layout is the one a `process_vm_getinfo(2)` snapshot saw.
//!
//! UAPI header:
//! [`include/uapi/linux/process_vm_madvise.h`](srctree/include/uapi/linux/process_vm_madvise.h)
//!
//! All of the call is in this file, on top of `kernel::mm::vma`;
//! `process_vm_madvise_sys.c` holds the `SYSCALL_DEFINE` (a C macro) and the
//! C helper for untagging; `madvise_check_vma()` and `madvise_range_locked()`
//! are `mm/madvise.c`'s. The KUnit suite `process_vm_madvise` at the end tests
//! the parsing of advice and ranges.
//!
//! The token is checked against the VMAs of the ranges, not against the
//! whole address space: every VMA the call meets carries the layout sequence
//! number of the write-locked section that last created or changed it
//! (`VmaRead::layout_seq()` of `kernel::mm::vma`), and one
//! stamped above the token's number is one the snapshot did not see.
//!
//! All ranges are checked first (gaps, stamps, VMAs the advice cannot apply
//! to, advice that would have to drop the lock): a call that fails has
//! advised nothing. The advice is then applied in chunks of at most
//! [`CHUNK_PAGES`] pages, each checked again and applied in one hold. Both
//! passes go chunk by chunk and let the lock go between chunks when a writer
//! waits for it, or after [`HOLD_PAGES`] pages, so the target's `mmap()`s
//! wait for one chunk at most. If a chunk has changed when its turn
//! comes, the call stops there and returns the bytes advised before it.

use core::mem::size_of;
use kernel::{
    bindings,
    error::{from_err_ptr, to_result},
    ffi::c_long,
    mm::vma::{MmUser, MmapReadGuard, VmaCursor, VmaRead},
    prelude::*,
    transmute::FromBytes,
    types::ScopeGuard,
    uaccess::UserPtr,
};

/// The argument block of the system call.
pub type Args = bindings::process_vm_madvise_args;

/// [`Args`] as the bytes userspace passes.
#[repr(transparent)]
struct ArgsBlock(Args);

// SAFETY: `Args` has only integer fields, which take any bit pattern.
unsafe impl FromBytes for ArgsBlock {}

kernel::static_assert!(size_of::<Args>() == bindings::PROCESS_VM_MADVISE_ARGS_SIZE_VER0 as usize);

/// The most ranges one call takes: `UIO_MAXIOV`, as for `process_madvise()`.
pub const MAX_RANGES: usize = bindings::UIO_MAXIOV as usize;

/// The most pages advised in one check-and-apply step, under one hold of
/// the lock. With 512, a target behind `MADV_PAGEOUT` waited 1.04x (p99)
/// and 1.16x (max) as long as behind `process_madvise()` (medians of three
/// runs of `process_vm_stall_bench`); with 128, 0.99x and 0.99x, for 0.4 %
/// more time per call.
pub const CHUNK_PAGES: usize = 128;

/// The most pages advised in one hold of the lock, when no one waits for it.
pub const HOLD_PAGES: usize = 4 * CHUNK_PAGES;

/// `ESTALE`: the layout token, or the layout of a range, is not the one the
/// snapshot saw.
pub fn estale() -> Error {
    Error::from_errno(-(bindings::ESTALE as i32))
}

/// `EOPNOTSUPP`: the advice cannot be applied without dropping the lock.
fn eopnotsupp() -> Error {
    Error::from_errno(-(bindings::EOPNOTSUPP as i32))
}

/// Whether the caller has `cap` in the initial user namespace (`capable()`).
fn capable(cap: u32) -> bool {
    // SAFETY: `capable()` may be called by any task in process context; it reads the task's
    // credentials and records the use of the capability.
    unsafe { bindings::capable(cap as i32) }
}

/// Advice this call accepts: `MADV_COLD`, `MADV_PAGEOUT` or `MADV_WILLNEED`,
/// and at most one filter bit.
///
/// # Invariants
///
/// `behavior` is one of the three advice values and `filter` is 0, or, with
/// `CONFIG_MADVISE_FILTER`, exactly one of `MADV_ANONYMOUS_FILTER` and
/// `MADV_FILE_FILTER`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Advice {
    behavior: i32,
    filter: i32,
}

impl Advice {
    /// Parses the `advice` argument. `EINVAL` for advice `process_madvise()`
    /// does not take, for both filter bits, or for a filter bit without
    /// `CONFIG_MADVISE_FILTER`; `EOPNOTSUPP` for `MADV_COLLAPSE`, which drops
    /// the mmap lock to allocate and copy huge pages and finds the VMAs again
    /// on its own, past any check.
    pub fn parse(advice: i32) -> Result<Self> {
        let filters = (bindings::MADV_ANONYMOUS_FILTER | bindings::MADV_FILE_FILTER) as i32;
        let filter = advice & filters;
        let behavior = advice & !filters;
        if filter == filters || (filter != 0 && !cfg!(CONFIG_MADVISE_FILTER)) {
            return Err(EINVAL);
        }
        match u32::try_from(behavior) {
            Ok(bindings::MADV_COLD | bindings::MADV_PAGEOUT | bindings::MADV_WILLNEED) => {
                // INVARIANT: Checked just above.
                Ok(Self { behavior, filter })
            }
            Ok(bindings::MADV_COLLAPSE) => Err(eopnotsupp()),
            _ => Err(EINVAL),
        }
    }

    /// The advice without its filter bit.
    pub fn behavior(&self) -> i32 {
        self.behavior
    }

    /// The filter bit, or 0.
    pub fn filter(&self) -> i32 {
        self.filter
    }
}

/// One range of the caller, as `madvise()` takes it: a page-aligned start and
/// a length rounded up to whole pages, not wrapping around.
///
/// # Invariants
///
/// `start` is a multiple of `PAGE_SIZE`, `len` is a non-zero multiple of
/// `PAGE_SIZE`, `start + len` does not overflow, and `given` (the length as
/// the caller gave it) is at most `len` and more than `len - PAGE_SIZE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    start: usize,
    len: usize,
    given: usize,
}

impl Range {
    /// Checks one `struct iovec`; `None` for an empty one, which advises
    /// nothing. `EINVAL` if the start is not page-aligned, if the length is
    /// larger than `ssize_t` allows (as `import_iovec()` says) or if the
    /// range wraps around.
    pub fn new(start: usize, len: usize) -> Result<Option<Self>> {
        let page = bindings::PAGE_SIZE;
        if start % page != 0 || isize::try_from(len).is_err() {
            return Err(EINVAL);
        }
        let given = len;
        let len = len.checked_next_multiple_of(page).ok_or(EINVAL)?;
        if len == 0 {
            return Ok(None);
        }
        start.checked_add(len).ok_or(EINVAL)?;
        // INVARIANT: Alignment, rounding and overflow were checked above.
        Ok(Some(Self { start, len, given }))
    }

    /// The first address.
    pub fn start(&self) -> usize {
        self.start
    }

    /// The length, a whole number of pages.
    pub fn size(&self) -> usize {
        self.len
    }

    /// The length as the caller gave it, in bytes.
    pub fn given(&self) -> usize {
        self.given
    }

    /// The bytes of the range counted as advised when the advice stopped
    /// `advised` bytes (a multiple of the page size) into it: at most the
    /// length given.
    pub fn given_part(&self, advised: usize) -> usize {
        advised.min(self.given)
    }

    /// The range in the target, `[start, end)`, without the tag bits that
    /// its address space ignores (arm64 TBI, x86 LAM), as `madvise()` does.
    pub fn bounds(&self, guard: &MmapReadGuard<'_>) -> (usize, usize) {
        let start = untagged_addr(guard, self.start);
        (start, start.saturating_add(self.len))
    }
}

/// Reads the caller's `struct iovec` array: the ranges, and the sum of the
/// lengths as given (the return value of a successful call).
///
/// The array is read by `iovec_from_user()`, the first half of
/// `import_iovec()`, as `process_madvise()` reads it: `EINVAL` for more than
/// [`MAX_RANGES`] entries or a length above `SSIZE_MAX`, `EFAULT` if it
/// cannot be read. Unlike `import_iovec()` the total is not then cut at
/// `MAX_RW_COUNT` (a range of advice is not a read or write; the call
/// advises all of it, or says how much it advised): it must fit in the
/// return value, or the call fails with `EINVAL`.
fn read_ranges(uptr: u64, count: u64) -> Result<(KVec<Range>, usize)> {
    let count = usize::try_from(count)
        .ok()
        .filter(|&n| n <= MAX_RANGES)
        .ok_or(EINVAL)?;
    let mut fast: [bindings::iovec; bindings::UIO_FASTIOV as usize] =
        core::array::from_fn(|_| bindings::iovec::default());
    let fast_ptr = fast.as_mut_ptr();
    // SAFETY: The function reads `count` entries at the user address `uptr`, which it checks,
    // into `fast` (room for `UIO_FASTIOV` entries) or into an array it allocates; a 64-bit
    // task's array (the call takes no compat tasks).
    let iov = from_err_ptr(unsafe {
        bindings::iovec_from_user(
            uptr as usize as *const bindings::iovec,
            count as _,
            bindings::UIO_FASTIOV as _,
            fast_ptr,
            false,
        )
    })?;
    // An array other than `fast` was allocated for the call.
    let _free = ScopeGuard::new(|| {
        if iov != fast_ptr {
            // SAFETY: `iovec_from_user()` allocated it with `kmalloc_array()`, and nothing
            // refers to it after this function.
            unsafe { bindings::kfree(iov.cast()) };
        }
    });
    let iovs: &[bindings::iovec] = if count == 0 {
        &[]
    } else {
        // SAFETY: `iov` holds the `count` entries just read, and stays allocated (and
        // unchanged) until `_free` runs at the end of this function.
        unsafe { core::slice::from_raw_parts(iov, count) }
    };
    let mut ranges = KVec::with_capacity(count, GFP_KERNEL)?;
    let mut total = 0usize;
    for v in iovs {
        let (base, len) = (v.iov_base as usize, v.iov_len);
        if let Some(r) = Range::new(base, len)? {
            ranges.push(r, GFP_KERNEL)?;
        }
        total = total
            .checked_add(len)
            .filter(|&t| isize::try_from(t).is_ok())
            .ok_or(EINVAL)?;
    }
    Ok((ranges, total))
}

/// Where the advice of one call has got to: the range, and the bytes of it
/// advised so far.
#[derive(Default)]
struct Progress {
    range: usize,
    offset: usize,
    /// The given lengths of the ranges before `range`, all advised.
    bytes: usize,
}

impl Progress {
    /// The bytes advised, counted as the return value counts them.
    fn advised(&self, ranges: &[Range]) -> usize {
        let part = ranges
            .get(self.range)
            .map_or(0, |r| r.given_part(self.offset));
        self.bytes + part
    }
}

/// What a walk over the ranges does to each chunk.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Checks it ([`madvise_check`]), advising nothing.
    Check,
    /// Checks it again and advises it ([`madvise`]).
    Advise,
}

/// Walks `ranges` from `at` on, chunk by chunk, under the one hold of the
/// lock that `guard` is, checking or advising each chunk as `pass` says.
/// Returns `true` when every range is done, and `false` after a chunk when a
/// writer waits for the lock or the hold has covered [`HOLD_PAGES`]: the
/// caller lets the lock go and calls again. Errors: those of
/// [`madvise_check`] or [`madvise`] for the chunk at `at`, which was not
/// advised.
fn walk_hold(
    guard: &MmapReadGuard<'_>,
    ranges: &[Range],
    at: &mut Progress,
    advice: Advice,
    seq: u64,
    pass: Pass,
) -> Result<bool> {
    let page = bindings::PAGE_SIZE;
    let mut budget = HOLD_PAGES * page;
    let mut vmas = VmaCursor::new(guard);
    while let Some(r) = ranges.get(at.range) {
        let (start, end) = r.bounds(guard);
        while at.offset < end - start {
            let mut from = start + at.offset;
            if advice.filter() != 0 {
                // A filter skips gaps: go to the range's next VMA, so that a
                // range over the whole address space costs chunks of memory
                // mapped, not of addresses.
                match vmas.seek(from, end) {
                    None => from = end,
                    Some(v) => from = from.max(v.start()),
                }
                at.offset = from - start;
                if from == end {
                    break;
                }
            }
            let to = end.min(from.saturating_add(CHUNK_PAGES * page));
            match pass {
                Pass::Check => madvise_check(&mut vmas, from, to, advice, seq).map(|_| ())?,
                Pass::Advise => madvise(&mut vmas, from, to, advice, seq)?,
            }
            at.offset += to - from;
            budget = budget.saturating_sub(to - from);
            if budget == 0 || guard.is_contended() {
                return Ok(false);
            }
        }
        at.bytes += r.given();
        at.range += 1;
        at.offset = 0;
    }
    Ok(true)
}

/// Checks every range before any is advised, so that a call that fails has
/// advised nothing: chunk by chunk as [`walk_hold`] goes, letting the lock go
/// to a waiting writer like every other hold. What a hold let in is caught
/// either way: by the token (`current`) when the lock is taken again, and by
/// the stamps of each chunk's VMAs when it is advised. A gap (without a
/// filter) is `ENOMEM` if the layout is the token's, and `ESTALE` if it has
/// changed since: the snapshot may have seen a VMA there. Returns the guard
/// to advise under.
fn check_all<'a>(
    mm: &'a MmUser,
    mut guard: MmapReadGuard<'a>,
    ranges: &[Range],
    advice: Advice,
    seq: u64,
    current: impl Fn(&MmapReadGuard<'_>) -> bool,
) -> Result<MmapReadGuard<'a>> {
    let mut at = Progress::default();
    loop {
        match walk_hold(&guard, ranges, &mut at, advice, seq, Pass::Check) {
            Ok(true) => return Ok(guard),
            Ok(false) => {}
            Err(e) if e == ENOMEM && guard.layout_seq() != seq => return Err(estale()),
            Err(e) => return Err(e),
        }
        drop(guard);
        guard = mm.read_lock()?;
        if !current(&guard) {
            return Err(estale());
        }
    }
}

/// `process_vm_madvise(pidfd, uargs, size, flags)`; returns the sum of the
/// lengths of the ranges, or, if the layout of a range changed while the
/// call let the lock go, the bytes advised before it. The errors are those
/// of `Documentation/userspace-api/process_vm_madvise.rst`.
pub fn process_vm_madvise(pidfd: i32, uargs: UserPtr, size: usize, flags: u32) -> Result<isize> {
    let whole = bindings::PROCESS_VM_MADVISE_WHOLE_LAYOUT;
    if flags & !whole != 0 {
        return Err(EINVAL);
    }
    let whole = flags & whole != 0;
    let args = kernel::mm::read_ext_args::<ArgsBlock>(uargs, size, size_of::<Args>())?.0;
    if args.__reserved != 0 {
        return Err(EINVAL);
    }
    let advice = Advice::parse(args.advice)?;
    let (ranges, total) = read_ranges(args.ranges, args.nr_ranges)?;
    let mm = MmUser::from_pidfd(pidfd)?;
    // Influencing another process's performance needs CAP_SYS_NICE, as for
    // `process_madvise()`.
    if !mm.is_current() && !capable(bindings::CAP_SYS_NICE) {
        return Err(EPERM);
    }
    let seq = args.seq;
    // The token's layout, or (without the flag) one that only moved on since.
    let current = |guard: &MmapReadGuard<'_>| {
        let now = guard.layout_seq();
        if whole {
            now == seq
        } else {
            now >= seq
        }
    };
    let guard = mm.read_lock()?;
    if mm.layout_id() != args.mm_id || !current(&guard) {
        return Err(estale());
    }
    let mut guard = check_all(&mm, guard, &ranges, advice, seq, current)?;
    let mut at = Progress::default();
    let stop = loop {
        match walk_hold(&guard, &ranges, &mut at, advice, seq, Pass::Advise) {
            Ok(true) => return Ok(total as isize),
            Ok(false) => {}
            Err(e) => break e,
        }
        // Let the waiting writer in; then go on if the token still holds.
        drop(guard);
        guard = match mm.read_lock() {
            Ok(g) if current(&g) => g,
            Ok(_) => break estale(),
            Err(e) => break e,
        };
    };
    // Stopped: what was advised, or, if nothing was, why.
    match at.advised(&ranges) {
        0 => Err(stop),
        n => Ok(n as isize),
    }
}

// --- Advice under the lock, through C. ---

/// `addr` without the tag bits the address space ignores (arm64 TBI, x86
/// LAM), as the address `madvise()` works on.
fn untagged_addr(guard: &MmapReadGuard<'_>, addr: usize) -> usize {
    // SAFETY: The mm is valid and its lock held while the guard exists, as
    // `untagged_addr_remote()` asks.
    unsafe { bindings::process_vm_untagged_addr(guard.as_mm_ptr(), addr) }
}

/// Checks that `advice` can be applied to this VMA under the mmap lock
/// (or that its filter leaves the VMA out): `EINVAL` if `madvise()`
/// would fail on it (`MADV_COLD` or `MADV_PAGEOUT` on locked, PFN-mapped
/// or hugetlb memory), `EOPNOTSUPP` if the advice would drop the lock
/// (`MADV_WILLNEED` reading a file ahead).
fn vma_madvise_check(vma: &VmaRead, advice: Advice) -> Result {
    // SAFETY: The VMA is valid and its mmap lock held while it is borrowed; the function only
    // reads the VMA and its file.
    to_result(unsafe {
        bindings::madvise_check_vma(vma.as_ptr(), advice.behavior(), advice.filter())
    })
}

/// Checks `[start, end)` for `advice` under the hold of the lock that `vmas`
/// walks under: every
/// VMA must accept it ([`vma_madvise_check`]) and be stamped at most
/// `seq` (`VmaRead::layout_seq()`: unchanged since the layout that number
/// names). Returns the range's first VMA, `None` if it has none.
///
/// Errors: `ENOMEM` for a gap (unless the advice has a filter, which
/// skips gaps), `ESTALE` for a VMA stamped above `seq`, and those of
/// [`vma_madvise_check`]; the first in address order wins.
fn madvise_check<'a>(
    vmas: &mut VmaCursor<'a>,
    start: usize,
    end: usize,
    advice: Advice,
    seq: u64,
) -> Result<Option<&'a VmaRead>> {
    let gaps_ok = advice.filter() != 0;
    let first = vmas.seek(start, end);
    let (mut at, mut vma) = (start, first);
    while let Some(v) = vma {
        if v.start() > at && !gaps_ok {
            return Err(ENOMEM);
        }
        if v.layout_seq() > seq {
            return Err(estale());
        }
        vma_madvise_check(v, advice)?;
        at = v.end();
        vma = vmas.next_in(end);
    }
    if at < end && !gaps_ok {
        return Err(ENOMEM);
    }
    Ok(first)
}

/// Checks `[start, end)` as [`madvise_check`] does and, if it
/// passes, applies `advice` to its VMAs, in the same hold of the lock.
/// Errors: those of the check, and of the advice.
fn madvise(vmas: &mut VmaCursor<'_>, start: usize, end: usize, advice: Advice, seq: u64) -> Result {
    let Some(first) = madvise_check(vmas, start, end, advice, seq)? else {
        // Only gaps, which the check let pass (a filter).
        return Ok(());
    };
    // SAFETY: The lock is held for reading while the cursor exists, and `first` is
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

// --- The entry point C calls. ---

/// Carries out `process_vm_madvise(pidfd, uargs, usize, flags)`.
///
/// Returns the total length of the ranges advised, or a negative errno.
#[no_mangle]
pub extern "C" fn do_process_vm_madvise(
    pidfd: i32,
    uargs: *const bindings::process_vm_madvise_args,
    usize: usize,
    flags: u32,
) -> c_long {
    match process_vm_madvise(
        pidfd,
        UserPtr::from_ptr(uargs.cast_mut().cast()),
        usize,
        flags,
    ) {
        Ok(n) => n as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}

#[cfg(CONFIG_KUNIT)]
mod tests {
    use kernel::{kunit_check, kunit_check_eq, kunit_tests, prelude::*};

    fn parses_advice() -> Result {
        use super::Advice;
        use kernel::bindings::*;

        let cold = Advice::parse(MADV_COLD as i32).unwrap();
        kunit_check_eq!((cold.behavior(), cold.filter()), (MADV_COLD as i32, 0));
        let anon = (MADV_PAGEOUT | MADV_ANONYMOUS_FILTER) as i32;
        kunit_check_eq!(Advice::parse(anon).is_ok(), cfg!(CONFIG_MADVISE_FILTER));
        let both = (MADV_PAGEOUT | MADV_ANONYMOUS_FILTER | MADV_FILE_FILTER) as i32;
        kunit_check_eq!(
            Advice::parse(both).unwrap_err().to_errno(),
            -(EINVAL as i32)
        );
        kunit_check_eq!(
            Advice::parse(MADV_DONTNEED as i32).unwrap_err().to_errno(),
            -(EINVAL as i32)
        );
        kunit_check_eq!(Advice::parse(-1).unwrap_err().to_errno(), -(EINVAL as i32));
        let collapse = Advice::parse(MADV_COLLAPSE as i32).unwrap_err();
        kunit_check_eq!(collapse.to_errno(), -(EOPNOTSUPP as i32));
        Ok(())
    }

    fn rounds_ranges_as_madvise_does() -> Result {
        use super::Range;
        use kernel::{bindings::PAGE_SIZE, error::code::EINVAL};

        let r = Range::new(3 * PAGE_SIZE, 1).unwrap().unwrap();
        kunit_check_eq!(
            (r.start(), r.size(), r.given()),
            (3 * PAGE_SIZE, PAGE_SIZE, 1)
        );
        kunit_check!(Range::new(PAGE_SIZE, 0).unwrap().is_none());
        kunit_check_eq!(Range::new(PAGE_SIZE + 1, 1), Err(EINVAL));
        kunit_check_eq!(
            Range::new(usize::MAX & !(PAGE_SIZE - 1), 2 * PAGE_SIZE),
            Err(EINVAL)
        );
        kunit_check_eq!(Range::new(0, usize::MAX), Err(EINVAL));
        Ok(())
    }

    kunit_tests!(
        process_vm_madvise,
        [parses_advice, rounds_ranges_as_madvise_does,]
    );
}
