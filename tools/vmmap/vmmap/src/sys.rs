// SPDX-License-Identifier: GPL-2.0

//! The raw system calls. Every `unsafe` block of the crate is here, each a
//! call into the C library with arguments it documents as valid.

use crate::abi::*;
use crate::syscalls;
use std::io::{Error, Result};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

fn check(ret: libc::c_long) -> Result<usize> {
    if ret < 0 {
        Err(Error::last_os_error())
    } else {
        Ok(ret as usize)
    }
}

/// The number of a call of the series, if the kernel says it has it; else
/// `ENOSYS`, and nothing is issued.
fn nr(n: Option<libc::c_long>) -> Result<libc::c_long> {
    n.ok_or_else(|| Error::from_raw_os_error(libc::ENOSYS))
}

/// `pidfd_open(pid, 0)`.
pub fn pidfd_open(pid: i32) -> Result<OwnedFd> {
    // SAFETY: pidfd_open takes two integers and returns a new descriptor or -1.
    let fd = check(unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) })?;
    // SAFETY: `fd` was just returned by the kernel and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// `process_vm_getinfo(pidfd, args, sizeof(*args), 0)`; the buffers `args`
/// points to must be `vmas` and `strings`, which are borrowed for the call.
/// `ENOSYS`, with no system call, if `/sys/kernel/process_vm_syscalls` does
/// not name it.
pub fn getinfo<R: Record>(
    pidfd: &OwnedFd,
    args: &mut GetinfoArgs,
    vmas: &mut [R],
    strings: &mut [u8],
) -> Result<usize> {
    let nr = nr(syscalls::numbers().getinfo)?;
    args.vmas = vmas.as_mut_ptr() as u64;
    args.vma_size = std::mem::size_of::<R>() as u32;
    args.vma_count = u32::try_from(vmas.len()).unwrap_or(u32::MAX);
    args.strings = strings.as_mut_ptr() as u64;
    args.strings_size = u32::try_from(strings.len()).unwrap_or(u32::MAX);
    // SAFETY: `args` is a valid struct of the size passed, and its buffers are the two
    // exclusive slices borrowed for the duration of the call, with their true lengths; `R`
    // is a record of the uapi (`Record`), which the kernel writes as plain integers.
    check(unsafe {
        libc::syscall(
            nr,
            pidfd.as_raw_fd(),
            args as *mut GetinfoArgs,
            std::mem::size_of::<GetinfoArgs>(),
            0,
        )
    })
}

/// A record of `struct process_vm_getinfo_vma`, of one version or another:
/// `repr(C)` integers only, so that any bytes the kernel writes are valid.
pub trait Record: Copy + Default {}
impl Record for GetinfoVma {}
impl Record for GetinfoVmaCounted {}

/// `process_vm_getinfo(pidfd, args, sizeof(*args), PROCESS_VM_GETINFO_ROLLUP)`:
/// the counters of the whole range into `args.rollup`, no records; returns
/// the number of VMAs. `ENOSYS`, with no system call, as [`getinfo`].
pub fn getinfo_rollup(pidfd: &OwnedFd, args: &mut GetinfoArgsRollup) -> Result<usize> {
    let nr = nr(syscalls::numbers().getinfo)?;
    args.args.mask = VMGI_RANGE | VMGI_COUNTERS;
    // SAFETY: `args` is a valid struct of the size passed; with the flag the kernel writes
    // no buffer, only `args`.
    check(unsafe {
        libc::syscall(
            nr,
            pidfd.as_raw_fd(),
            args as *mut GetinfoArgsRollup,
            std::mem::size_of::<GetinfoArgsRollup>(),
            PROCESS_VM_GETINFO_ROLLUP,
        )
    })
}

/// `process_vm_madvise(pidfd, ...)` over `ranges` (start, length); `ENOSYS`,
/// with no system call, if `/sys/kernel/process_vm_syscalls` does not name it.
pub fn vm_madvise(
    pidfd: &OwnedFd,
    ranges: &[(u64, u64)],
    advice: i32,
    mm_id: u64,
    seq: u64,
) -> Result<usize> {
    let nr = nr(syscalls::numbers().madvise)?;
    let iov = iovecs(ranges);
    let args = MadviseArgs {
        ranges: iov.as_ptr() as u64,
        nr_ranges: iov.len() as u64,
        advice,
        mm_id,
        seq,
        ..Default::default()
    };
    // SAFETY: `args` is valid for its size and points to `iov`, alive for the call; the
    // kernel only reads both.
    check(unsafe {
        libc::syscall(
            nr,
            pidfd.as_raw_fd(),
            &args as *const MadviseArgs,
            std::mem::size_of::<MadviseArgs>(),
            0,
        )
    })
}

/// `process_madvise(pidfd, ranges, advice, 0)`.
pub fn process_madvise(pidfd: &OwnedFd, ranges: &[(u64, u64)], advice: i32) -> Result<usize> {
    let iov = iovecs(ranges);
    // SAFETY: `iov` is an array of `iov.len()` iovecs alive for the call; the kernel reads it.
    check(unsafe {
        libc::syscall(
            libc::SYS_process_madvise,
            pidfd.as_raw_fd(),
            iov.as_ptr(),
            iov.len(),
            advice,
            0,
        )
    })
}

fn iovecs(ranges: &[(u64, u64)]) -> Vec<libc::iovec> {
    ranges
        .iter()
        .map(|&(start, len)| libc::iovec {
            iov_base: start as usize as *mut libc::c_void,
            iov_len: len as usize,
        })
        .collect()
}

/// `madvise(start, len, advice)` on the caller's own memory.
pub fn madvise(start: u64, len: u64, advice: i32) -> Result<()> {
    // SAFETY: madvise only takes advice about the range; it never makes memory the program
    // uses invalid with the advice this crate passes (none is destructive).
    check(
        unsafe { libc::madvise(start as usize as *mut libc::c_void, len as usize, advice) }
            as libc::c_long,
    )
    .map(|_| ())
}

/// `prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, start, len, name)`.
pub fn set_anon_name(start: u64, len: u64, name: Option<&std::ffi::CStr>) -> Result<()> {
    let name = name.map_or(std::ptr::null(), |n| n.as_ptr());
    // SAFETY: `name` is null or a NUL-terminated string alive for the call.
    check(
        unsafe { libc::prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, start, len, name) } as libc::c_long,
    )
    .map(|_| ())
}

/// `mmap(addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
/// MAP_FIXED_NOREPLACE)`: fresh anonymous memory at `addr`, or an error if
/// anything is mapped there.
pub fn map_anon_at(addr: u64, len: u64) -> Result<u64> {
    // SAFETY: MAP_FIXED_NOREPLACE never replaces an existing mapping, so no memory the
    // program uses can be affected.
    let p = unsafe {
        libc::mmap(
            addr as usize as *mut libc::c_void,
            len as usize,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(Error::last_os_error());
    }
    Ok(p as u64)
}

/// Whether `f` is on sysfs (`fstatfs()`'s `f_type` is `SYSFS_MAGIC`).
pub fn on_sysfs(f: &std::fs::File) -> Result<bool> {
    const SYSFS_MAGIC: u64 = 0x6265_6572;
    // SAFETY: an all-zero `statfs` is a valid value of the plain C struct.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a valid, exclusively borrowed struct the kernel fills.
    check(unsafe { libc::fstatfs(f.as_raw_fd(), &mut st) } as libc::c_long)?;
    Ok(st.f_type as u64 == SYSFS_MAGIC)
}

/// One `PROCMAP_QUERY` ioctl on an open `/proc/PID/maps`.
pub fn procmap_query(maps: &std::fs::File, q: &mut ProcmapQuery, name: &mut [u8]) -> Result<()> {
    q.size = std::mem::size_of::<ProcmapQuery>() as u64;
    q.vma_name_addr = name.as_mut_ptr() as u64;
    q.vma_name_size = u32::try_from(name.len()).unwrap_or(u32::MAX);
    q.build_id_size = 0;
    // SAFETY: `q` is a valid query of the size it states, whose name buffer is `name`,
    // borrowed exclusively for the call with its true length.
    check(
        unsafe { libc::ioctl(maps.as_raw_fd(), PROCMAP_QUERY as _, q as *mut ProcmapQuery) }
            as libc::c_long,
    )
    .map(|_| ())
}
