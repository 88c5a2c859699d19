// SPDX-License-Identifier: GPL-2.0

//! Name, snapshot and advise the memory map of a Linux process.
//!
//! - [`name_range`]: name anonymous memory (`prctl(PR_SET_VMA_ANON_NAME)`).
//! - [`snapshot`]: the VMAs of a process in one call of
//!   `process_vm_getinfo(2)`, with its layout [`Token`]; on a kernel without
//!   it, a `PROCMAP_QUERY` loop, and before Linux 6.11 `/proc/PID/maps`
//!   parsed ([`Source`] says which).
//! - [`advise`]: advice (`MADV_PAGEOUT`, ...) to the VMAs a caller picks from
//!   a snapshot, checked against its token by `process_vm_madvise(2)` and
//!   retried with a fresh snapshot when the layout changed meanwhile.
//!
//! The two system calls are out of tree, so their numbers are reserved
//! nowhere: the crate issues one only if `/sys/kernel/process_vm_syscalls`
//! names it ([`syscalls`]); otherwise the call is `ENOSYS`, unissued, and the
//! fallbacks are used.
//!
//! ```no_run
//! use vmmap::{advise, Kind, Process, RetryPolicy, Selection};
//!
//! let p = Process::open(1234)?;
//! let snap = p.snapshot()?;
//! println!("{} VMAs from {:?}", snap.vmas.len(), snap.source);
//! let report = advise(&p, &Selection::kind(Kind::Anonymous), vmmap::abi::MADV_PAGEOUT,
//!                     RetryPolicy::default())?;
//! println!("paged out {} bytes in {} ranges", report.bytes, report.ranges);
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod abi;
pub mod maps;
mod sys;
pub mod syscalls;

pub use abi::Counters;
use abi::*;
use serde::Serialize;
use std::io::{Error, ErrorKind, Result};
use std::os::fd::OwnedFd;

/// What backs a VMA, the way the madvise filter bits divide them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Private anonymous memory: heap, stacks, `[anon:...]`, unnamed.
    Anonymous,
    /// A file, shmem, memfd or shared anonymous memory.
    File,
    /// A special mapping without a file (`[vdso]`, `[vvar]`, ...).
    Special,
}

/// One VMA, whichever way it was read. Fields a source cannot give are `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    /// `rwxp`/`rwxs`, as maps prints it.
    pub perms: String,
    pub offset: u64,
    pub dev_major: u32,
    pub dev_minor: u32,
    pub inode: u64,
    /// The name maps shows (`""` for none).
    pub name: String,
    pub kind: Kind,
    /// The anonymous-name object's id (`process_vm_getinfo` only): VMAs with
    /// the same non-zero id carry the same name.
    pub name_id: Option<u64>,
    /// smaps' `VmFlags` mnemonics, as bits (`process_vm_getinfo` only).
    pub vm_flags: Option<u64>,
    /// Whether it has (or had) anonymous pages (`process_vm_getinfo` only).
    pub anon_vma: Option<bool>,
    pub page_size: Option<u64>,
    /// Memory counters, as smaps shows them (a snapshot with counters, or
    /// smaps parsed; see [`Process::snapshot_with_counters`]).
    pub counters: Option<Counters>,
}

impl Vma {
    /// Bytes.
    pub fn size(&self) -> u64 {
        self.end - self.start
    }

    /// The kind of a VMA as maps shows it: a path or an inode is a file, a
    /// bracketed label other than heap, stack and anonymous names is special.
    pub fn kind_from_maps(inode: u64, name: &str) -> Kind {
        if inode != 0 || name.starts_with('/') {
            Kind::File
        } else if name.is_empty()
            || name == "[heap]"
            || name.starts_with("[stack")
            || name.starts_with("[anon:")
            || name.starts_with("[anon_shmem:")
        {
            Kind::Anonymous
        } else {
            Kind::Special
        }
    }

    /// The smaps `VmFlags` line, when known.
    pub fn vm_flags_text(&self) -> Option<String> {
        let f = self.vm_flags?;
        Some(
            VM_FLAG_NAMES
                .iter()
                .enumerate()
                .filter(|(i, _)| f & (1 << i) != 0)
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

/// Where a snapshot came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// One `process_vm_getinfo()` call: consistent, with a token.
    Getinfo,
    /// A `PROCMAP_QUERY` loop (Linux 6.11+): one ioctl per VMA.
    ProcmapQuery,
    /// `/proc/PID/maps`, parsed.
    ProcMaps,
    /// `/proc/PID/smaps` (or `smaps_rollup`), parsed: for the counters, on
    /// a kernel whose `process_vm_getinfo()` has none.
    ProcSmaps,
}

/// A layout token: the address space and its layout sequence number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Token {
    pub mm_id: u64,
    pub seq: u64,
}

/// The VMAs of a process at one moment.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    pub pid: i32,
    pub source: Source,
    /// Only from `process_vm_getinfo()`.
    pub token: Option<Token>,
    pub vmas: Vec<Vma>,
}

/// A process whose map is read and advised, held by a pidfd.
pub struct Process {
    pid: i32,
    pidfd: OwnedFd,
}

impl Process {
    /// Opens process `pid` (`pidfd_open()`).
    pub fn open(pid: i32) -> Result<Self> {
        Ok(Self {
            pid,
            pidfd: sys::pidfd_open(pid)?,
        })
    }

    /// The process id.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// A snapshot: `process_vm_getinfo()`, else `PROCMAP_QUERY`, else maps.
    pub fn snapshot(&self) -> Result<Snapshot> {
        match self.getinfo() {
            Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {}
            r => return r,
        }
        match self.procmap_query() {
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOTTY) | Some(libc::EINVAL)) => {}
            r => return r,
        }
        let text = std::fs::read_to_string(format!("/proc/{}/maps", self.pid))?;
        let vmas = maps::parse(&text).map_err(|e| Error::new(ErrorKind::InvalidData, e))?;
        Ok(Snapshot {
            pid: self.pid,
            source: Source::ProcMaps,
            token: None,
            vmas,
        })
    }

    /// A snapshot by `process_vm_getinfo()` only.
    pub fn getinfo(&self) -> Result<Snapshot> {
        self.getinfo_records(VMGI_LAYOUT, |r: &GetinfoVma, strings| {
            vma_from_record(r, strings)
        })
        .map(|(snap, _)| snap)
    }

    /// One snapshot by `process_vm_getinfo()` of the attributes `mask`, in
    /// records of type `R` (with counters or without), each made a [`Vma`]
    /// by `to_vma`; and the mask the kernel returned.
    fn getinfo_records<R: sys::Record>(
        &self,
        mask: u64,
        to_vma: impl Fn(&R, &[u8]) -> Vma,
    ) -> Result<(Snapshot, u64)> {
        let mut bufs = GetinfoBuffers::<R>::default();
        let policy = GrowPolicy {
            mask,
            ..Default::default()
        };
        let (args, n) = getinfo_grow(&mut bufs, policy, |a, v, s| {
            sys::getinfo(&self.pidfd, a, v, s)
        })?;
        let vmas = bufs.vmas[..n]
            .iter()
            .map(|r| to_vma(r, &bufs.strings))
            .collect();
        let snap = Snapshot {
            pid: self.pid,
            source: Source::Getinfo,
            token: Some(Token {
                mm_id: args.mm_id,
                seq: args.seq,
            }),
            vmas,
        };
        Ok((snap, args.mask))
    }

    /// A snapshot with memory counters: `process_vm_getinfo()` with
    /// `VMGI_COUNTERS`; on a kernel without them (`ENOSYS`, or `EOPNOTSUPP`
    /// from [`Process::getinfo_counters`]), `/proc/PID/smaps` parsed.
    pub fn snapshot_with_counters(&self) -> Result<Snapshot> {
        match self.getinfo_counters() {
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP)
                ) => {}
            r => return r,
        }
        let text = std::fs::read_to_string(format!("/proc/{}/smaps", self.pid))?;
        let vmas = maps::parse_smaps(&text).map_err(|e| Error::new(ErrorKind::InvalidData, e))?;
        Ok(Snapshot {
            pid: self.pid,
            source: Source::ProcSmaps,
            token: None,
            vmas,
        })
    }

    /// A snapshot with counters by `process_vm_getinfo()` only: every
    /// record has them. `EOPNOTSUPP` if the kernel has the call but not the
    /// counters (it rejects the bit, or leaves it out of the mask).
    pub fn getinfo_counters(&self) -> Result<Snapshot> {
        let unsupported = || Error::from_raw_os_error(libc::EOPNOTSUPP);
        let (snap, mask) = self
            .getinfo_records(
                VMGI_LAYOUT | VMGI_COUNTERS,
                |r: &GetinfoVmaCounted, strings| Vma {
                    counters: Some(r.counters),
                    ..vma_from_record(&r.vma, strings)
                },
            )
            .map_err(|e| {
                // A kernel of the first version rejects the bit.
                if e.raw_os_error() == Some(libc::EINVAL) {
                    unsupported()
                } else {
                    e
                }
            })?;
        if mask & VMGI_COUNTERS == 0 {
            return Err(unsupported());
        }
        Ok(snap)
    }

    /// The counters summed over the whole map, as `smaps_rollup`, and the
    /// number of VMAs: `process_vm_getinfo()` with
    /// `PROCESS_VM_GETINFO_ROLLUP` (no records), else `smaps_rollup`
    /// parsed (the count is then `None`).
    pub fn rollup(&self) -> Result<(Counters, Option<usize>, Source)> {
        let mut a = GetinfoArgsRollup {
            args: GetinfoArgs {
                end: u64::MAX,
                ..Default::default()
            },
            ..Default::default()
        };
        match sys::getinfo_rollup(&self.pidfd, &mut a) {
            Ok(n) => return Ok((a.rollup, Some(n), Source::Getinfo)),
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::ENOSYS) | Some(libc::EINVAL) | Some(libc::EOPNOTSUPP)
                ) => {}
            Err(e) => return Err(e),
        }
        let text = std::fs::read_to_string(format!("/proc/{}/smaps_rollup", self.pid))?;
        let mut c = Counters::default();
        text.lines().for_each(|l| {
            maps::counter_line(&mut c, l);
        });
        Ok((c, None, Source::ProcSmaps))
    }

    /// A snapshot by a `PROCMAP_QUERY` loop only.
    pub fn procmap_query(&self) -> Result<Snapshot> {
        let f = std::fs::File::open(format!("/proc/{}/maps", self.pid))?;
        let mut name = vec![0u8; 4096];
        let mut vmas = Vec::new();
        let mut addr = 0u64;
        loop {
            let mut q = ProcmapQuery {
                query_flags: PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
                query_addr: addr,
                ..Default::default()
            };
            match sys::procmap_query(&f, &mut q, &mut name) {
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => break,
                r => r?,
            }
            let n = &name[..(q.vma_name_size as usize).saturating_sub(1)];
            let name = String::from_utf8_lossy(n).into_owned();
            let f = q.vma_flags;
            let perms = perms(
                f & PROCMAP_QUERY_VMA_READABLE != 0,
                f & PROCMAP_QUERY_VMA_WRITABLE != 0,
                f & PROCMAP_QUERY_VMA_EXECUTABLE != 0,
                f & PROCMAP_QUERY_VMA_SHARED != 0,
            );
            vmas.push(Vma {
                start: q.vma_start,
                end: q.vma_end,
                perms,
                offset: q.vma_offset,
                dev_major: q.dev_major,
                dev_minor: q.dev_minor,
                inode: q.inode,
                kind: Vma::kind_from_maps(q.inode, &name),
                name,
                name_id: None,
                vm_flags: None,
                anon_vma: None,
                page_size: Some(q.vma_page_size),
                counters: None,
            });
            addr = q.vma_end;
        }
        Ok(Snapshot {
            pid: self.pid,
            source: Source::ProcmapQuery,
            token: None,
            vmas,
        })
    }
}

/// The permission column of maps: `rwxp`, with `-` for what is missing and
/// `s` for shared.
fn perms(r: bool, w: bool, x: bool, shared: bool) -> String {
    [
        (r, 'r'),
        (w, 'w'),
        (x, 'x'),
        (true, if shared { 's' } else { 'p' }),
    ]
    .iter()
    .map(|&(on, c)| if on { c } else { '-' })
    .collect()
}

/// The kind of a snapshot record: the kernel's `VMGI_VMA_FILE` decides,
/// since a name cannot (a private `/dev/zero` mapping shows a path but is
/// anonymous memory, as `vma_is_anonymous()` says); the name only tells
/// anonymous from special (`[vdso]`, `[vsyscall]`, ...) among the rest.
fn kind_from_record(attrs: u32, name: &str) -> Kind {
    if attrs & VMGI_VMA_FILE != 0 {
        return Kind::File;
    }
    match Vma::kind_from_maps(0, name) {
        Kind::File => Kind::Anonymous,
        kind => kind,
    }
}

fn vma_from_record(r: &GetinfoVma, strings: &[u8]) -> Vma {
    let name = if r.name_off == VMGI_NO_NAME {
        String::new()
    } else {
        let at = r.name_off as usize;
        let s = strings.get(at..at + r.name_len as usize).unwrap_or(&[]);
        String::from_utf8_lossy(s).into_owned()
    };
    let p = r.prot;
    let perms = perms(
        p & VMGI_PROT_READ != 0,
        p & VMGI_PROT_WRITE != 0,
        p & VMGI_PROT_EXEC != 0,
        p & VMGI_PROT_SHARED != 0,
    );
    let kind = kind_from_record(r.attrs, &name);
    Vma {
        start: r.start,
        end: r.end,
        perms,
        offset: r.offset,
        dev_major: r.dev_major,
        dev_minor: r.dev_minor,
        inode: r.ino,
        name,
        kind,
        name_id: Some(r.name_id),
        vm_flags: Some(r.vm_flags),
        anon_vma: Some(r.attrs & VMGI_VMA_ANON_VMA != 0),
        page_size: Some(1 << r.page_shift),
        counters: None,
    }
}

/// The buffers of [`getinfo_grow`], kept between calls: records of the
/// first version ([`GetinfoVma`]) or with counters ([`GetinfoVmaCounted`]).
#[derive(Default)]
pub struct GetinfoBuffers<R = GetinfoVma> {
    pub vmas: Vec<R>,
    pub strings: Vec<u8>,
}

/// How [`getinfo_grow`] sizes its buffers and how often it tries.
#[derive(Clone, Copy, Debug)]
pub struct GrowPolicy {
    /// Records and string bytes of the first try.
    pub first_vmas: usize,
    pub first_strings: usize,
    /// Calls before giving up (`ERANGE` and `EAGAIN` retry).
    pub max_calls: u32,
    /// The attributes asked for (`VMGI_*`).
    pub mask: u64,
}

impl Default for GrowPolicy {
    fn default() -> Self {
        Self {
            first_vmas: 256,
            first_strings: 16 << 10,
            max_calls: 8,
            mask: VMGI_LAYOUT,
        }
    }
}

/// Calls `call` (a `process_vm_getinfo()` of the policy's attributes over the
/// whole address space) until its buffers are large enough, as the documentation
/// says: on `ERANGE` the kernel returned the sizes it needs, which are grown
/// by a quarter (the map may grow meanwhile); `EAGAIN` (pages of the
/// buffers reclaimed again and again while the map changed) is tried
/// again. Returns the arguments of the successful call and the number of
/// records.
pub fn getinfo_grow<R, F>(
    bufs: &mut GetinfoBuffers<R>,
    policy: GrowPolicy,
    mut call: F,
) -> Result<(GetinfoArgs, usize)>
where
    R: Clone + Default,
    F: FnMut(&mut GetinfoArgs, &mut [R], &mut [u8]) -> Result<usize>,
{
    if bufs.vmas.len() < policy.first_vmas {
        bufs.vmas.resize(policy.first_vmas, R::default());
    }
    if bufs.strings.len() < policy.first_strings {
        bufs.strings.resize(policy.first_strings, 0);
    }
    let mut last = Error::from_raw_os_error(libc::EAGAIN);
    for _ in 0..policy.max_calls {
        let mut args = GetinfoArgs {
            mask: policy.mask,
            start: 0,
            end: u64::MAX,
            ..Default::default()
        };
        match call(&mut args, &mut bufs.vmas, &mut bufs.strings) {
            Ok(n) => return Ok((args, n)),
            Err(e) if e.raw_os_error() == Some(libc::ERANGE) => {
                let grow = |n: usize| n + n / 4 + 16;
                if args.vma_count as usize > bufs.vmas.len() {
                    bufs.vmas
                        .resize(grow(args.vma_count as usize), R::default());
                }
                if args.strings_size as usize > bufs.strings.len() {
                    bufs.strings.resize(grow(args.strings_size as usize), 0);
                }
                last = e;
            }
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Which VMAs to advise: a kind (or all) within an address range.
#[derive(Clone, Copy, Debug)]
pub struct Selection {
    pub kind: Option<Kind>,
    pub start: u64,
    pub end: u64,
}

impl Selection {
    /// Every VMA of `kind`.
    pub fn kind(kind: Kind) -> Self {
        Self {
            kind: Some(kind),
            start: 0,
            end: u64::MAX,
        }
    }

    /// Every VMA.
    pub fn all() -> Self {
        Self {
            kind: None,
            start: 0,
            end: u64::MAX,
        }
    }

    /// The ranges to advise in `snap`: the selected VMAs clipped to the range,
    /// leaving out those `MADV_COLD`/`MADV_PAGEOUT` cannot apply to (locked,
    /// PFN-mapped, hugetlb, when the snapshot says so) and special mappings.
    pub fn ranges(&self, snap: &Snapshot) -> Vec<(u64, u64)> {
        let unfit = VMGI_VM_LO | VMGI_VM_PF | VMGI_VM_HT;
        snap.vmas
            .iter()
            .filter(|v| self.kind.map_or(v.kind != Kind::Special, |k| v.kind == k))
            .filter(|v| v.vm_flags.map_or(true, |f| f & unfit == 0))
            .filter(|v| v.start < self.end && v.end > self.start)
            .map(|v| {
                let s = v.start.max(self.start);
                (s, v.end.min(self.end) - s)
            })
            .collect()
    }

    /// The filter bit for the advice, if the selection is one kind.
    pub fn filter(&self) -> i32 {
        match self.kind {
            Some(Kind::Anonymous) => MADV_ANONYMOUS_FILTER,
            Some(Kind::File) => MADV_FILE_FILTER,
            _ => 0,
        }
    }
}

/// How often [`advise`] takes a fresh snapshot after a stale token.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_tries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_tries: 8 }
    }
}

/// What [`advise`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Snapshots taken.
    pub tries: u32,
    /// Tries whose token was stale.
    pub stale: u32,
    /// Ranges and bytes advised by the last try.
    pub ranges: usize,
    pub bytes: u64,
    /// Whether the advice was sequence-checked (`process_vm_madvise`), or
    /// given unchecked by `process_madvise` (a kernel without it).
    pub checked: bool,
    /// Ranges skipped so that the rest is still advised: checked, those a
    /// call stopped in because they changed after the snapshot (the ranges
    /// after them went on with the same token); unchecked, those
    /// `process_madvise` refused (unmapped or changed since the snapshot).
    pub skipped: usize,
}

/// The kernel calls [`advise`] makes; [`Process`] is the real one, and tests
/// put in a scripted one.
pub trait Advisor {
    fn snapshot(&self) -> Result<Snapshot>;
    /// `process_vm_madvise()`: `Ok(bytes)`, or an error (`ESTALE`, `ENOSYS`, ...).
    fn madvise_checked(&self, ranges: &[(u64, u64)], advice: i32, token: Token) -> Result<usize>;
    /// `process_madvise()`.
    fn madvise_unchecked(&self, ranges: &[(u64, u64)], advice: i32) -> Result<usize>;
}

impl Advisor for Process {
    fn snapshot(&self) -> Result<Snapshot> {
        Process::snapshot(self)
    }

    fn madvise_checked(&self, ranges: &[(u64, u64)], advice: i32, token: Token) -> Result<usize> {
        sys::vm_madvise(&self.pidfd, ranges, advice, token.mm_id, token.seq)
    }

    fn madvise_unchecked(&self, ranges: &[(u64, u64)], advice: i32) -> Result<usize> {
        sys::process_madvise(&self.pidfd, ranges, advice)
    }
}

/// Takes a snapshot, selects ranges from it, and advises them against the
/// snapshot's token, in calls of at most [`MAX_RANGES`] ranges; a stale token
/// means that a range changed before anything was advised, so it starts
/// again with a fresh snapshot, at most `policy.max_tries` times (then
/// `ESTALE`). A call that stops part of the way (a range changed while the
/// kernel let the target's writers in) has advised the bytes it returns: the
/// range it stopped in is skipped, and the ranges after it go on with the
/// same token, as Android's `CachedAppOptimizer` skips and goes on with
/// `process_madvise()`. On a kernel without
/// `process_vm_madvise()` the ranges go to `process_madvise()` unchecked, and
/// the report says so.
pub fn advise<A: Advisor>(
    who: &A,
    sel: &Selection,
    advice: i32,
    policy: RetryPolicy,
) -> Result<Report> {
    let mut report = Report::default();
    'tries: while report.tries < policy.max_tries {
        report.tries += 1;
        let snap = who.snapshot()?;
        let ranges = sel.ranges(&snap);
        report.ranges = ranges.len();
        report.bytes = 0;
        let Some(token) = snap.token else {
            return advise_unchecked(who, &ranges, advice, report);
        };
        report.skipped = 0;
        let mut rest = &ranges[..];
        while !rest.is_empty() {
            let chunk = &rest[..rest.len().min(MAX_RANGES)];
            match who.madvise_checked(chunk, advice | sel.filter(), token) {
                Ok(n) => {
                    report.bytes += n as u64;
                    // A call that stopped: skip the range it stopped in.
                    let (whole, stopped) = whole_ranges(chunk, n as u64);
                    report.skipped += usize::from(stopped);
                    rest = &rest[whole + usize::from(stopped)..];
                }
                Err(e) if e.raw_os_error() == Some(libc::ESTALE) => {
                    report.stale += 1;
                    continue 'tries;
                }
                Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {
                    return advise_unchecked(who, &ranges, advice, report);
                }
                Err(e) => return Err(e),
            }
        }
        report.checked = true;
        return Ok(report);
    }
    Err(Error::from_raw_os_error(libc::ESTALE))
}

/// The number of whole ranges at the start of `ranges` that `bytes` (a
/// call's result) covers, and whether the call stopped before the end.
fn whole_ranges(ranges: &[(u64, u64)], bytes: u64) -> (usize, bool) {
    let mut left = bytes;
    let mut k = 0;
    while k < ranges.len() && left >= ranges[k].1 {
        left -= ranges[k].1;
        k += 1;
    }
    (k, k < ranges.len())
}

/// `process_madvise()` stops at the first range it cannot advise (one the
/// target unmapped or changed since the snapshot: `ENOMEM`, `EINVAL`) and
/// returns the bytes of the whole ranges before it; that range is skipped and
/// the call goes on from the next one.
fn advise_unchecked<A: Advisor>(
    who: &A,
    ranges: &[(u64, u64)],
    advice: i32,
    mut report: Report,
) -> Result<Report> {
    report.bytes = 0;
    report.skipped = 0;
    report.checked = false;
    let mut rest = ranges;
    while !rest.is_empty() {
        let chunk = &rest[..rest.len().min(MAX_RANGES)];
        let done = match who.madvise_unchecked(chunk, advice) {
            Ok(n) => n as u64,
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOMEM) | Some(libc::EINVAL)) => 0,
            Err(e) => return Err(e),
        };
        report.bytes += done;
        // The whole ranges the bytes cover; the next one, if any, failed.
        let (whole, stopped) = whole_ranges(chunk, done);
        report.skipped += usize::from(stopped);
        rest = &rest[whole + usize::from(stopped)..];
    }
    Ok(report)
}

/// Names `[start, start + len)` of the calling process's anonymous memory
/// (`None` removes the name). `EINVAL` for a name the kernel refuses (over 80
/// bytes, or with `[`, `]`, `\`, `$`, `` ` `` or non-printable bytes) or for
/// memory that is not anonymous.
pub fn name_range(start: u64, len: u64, name: Option<&str>) -> Result<()> {
    let c = name
        .map(std::ffi::CString::new)
        .transpose()
        .map_err(|_| Error::from_raw_os_error(libc::EINVAL))?;
    sys::set_anon_name(start, len, c.as_deref())
}

/// Maps `len` bytes of anonymous memory at `addr` in the calling process
/// (failing if anything is there) and returns its address.
pub fn map_anon_at(addr: u64, len: u64) -> Result<u64> {
    sys::map_anon_at(addr, len)
}

/// `madvise()` on the calling process's own memory.
pub fn madvise_self(start: u64, len: u64, advice: i32) -> Result<()> {
    sys::madvise(start, len, advice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_kind_follows_the_kernel() {
        assert_eq!(
            kind_from_record(VMGI_VMA_FILE, "/lib/libc.so.6"),
            Kind::File
        );
        // Shared anonymous memory is file-backed (shmem) for the kernel.
        assert_eq!(
            kind_from_record(VMGI_VMA_FILE, "/dev/zero (deleted)"),
            Kind::File
        );
        // A private /dev/zero mapping is anonymous, path or not.
        assert_eq!(kind_from_record(0, "/dev/zero"), Kind::Anonymous);
        assert_eq!(kind_from_record(0, ""), Kind::Anonymous);
        assert_eq!(kind_from_record(0, "[anon:scudo:primary]"), Kind::Anonymous);
        assert_eq!(kind_from_record(0, "[vdso]"), Kind::Special);
    }
}
