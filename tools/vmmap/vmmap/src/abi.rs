// SPDX-License-Identifier: GPL-2.0

//! The kernel ABI: `include/uapi/linux/process_vm_getinfo.h`,
//! `include/uapi/linux/process_vm_madvise.h`, the madvise filter bits of
//! `include/uapi/asm-generic/mman-common.h` and `PROCMAP_QUERY` of
//! `include/uapi/linux/fs.h`.
//!
//! The uapi headers are the source of truth; `tests/abi.rs` compiles a C
//! program against them and checks every size, offset and constant here.

// No system call numbers: they are not reserved, and the kernel says which
// it has in /sys/kernel/process_vm_syscalls (`crate::syscalls`).

/// Attributes (`VMGI_*`).
pub const VMGI_RANGE: u64 = 1 << 0;
pub const VMGI_PROT: u64 = 1 << 1;
pub const VMGI_VM_FLAGS: u64 = 1 << 2;
pub const VMGI_OFFSET: u64 = 1 << 3;
pub const VMGI_INODE: u64 = 1 << 4;
pub const VMGI_NAME_ID: u64 = 1 << 5;
pub const VMGI_NAME: u64 = 1 << 6;
pub const VMGI_ANON_VMA: u64 = 1 << 7;
pub const VMGI_PAGE_SIZE: u64 = 1 << 8;
pub const VMGI_FILE: u64 = 1 << 9;
/// The memory counters (kernels since the counters; others reject the bit).
pub const VMGI_COUNTERS: u64 = 1 << 10;
pub const VMGI_ALL: u64 = (1 << 11) - 1;
/// Every attribute of the layout (all but the counters): what a kernel of
/// the first version knows, and what a snapshot asks for.
pub const VMGI_LAYOUT: u64 = VMGI_ALL & !VMGI_COUNTERS;

/// `process_vm_getinfo()` flags: the rollup alone, as `smaps_rollup`.
pub const PROCESS_VM_GETINFO_ROLLUP: u32 = 1 << 0;

pub const VMGI_PROT_READ: u32 = 1 << 0;
pub const VMGI_PROT_WRITE: u32 = 1 << 1;
pub const VMGI_PROT_EXEC: u32 = 1 << 2;
pub const VMGI_PROT_SHARED: u32 = 1 << 3;

/// `VMGI_VM_*`: the smaps `VmFlags` mnemonics, bit `i` is `VM_FLAG_NAMES[i]`.
pub const VM_FLAG_NAMES: [&str; 36] = [
    "rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "pf", "lo", "io", "sr", "rr", "dc", "de",
    "lf", "ac", "nr", "ht", "sf", "ar", "wf", "dd", "sd", "mm", "hg", "nh", "mg", "um", "uw", "mt",
    "ui", "ss", "dp", "sl",
];
pub const VMGI_VM_PF: u64 = 1 << 9;
pub const VMGI_VM_LO: u64 = 1 << 10;
pub const VMGI_VM_HT: u64 = 1 << 19;

pub const VMGI_VMA_ANON_VMA: u32 = 1 << 0;
pub const VMGI_VMA_FILE: u32 = 1 << 1;
pub const VMGI_NO_NAME: u32 = 0xffff_ffff;

/// `struct process_vm_getinfo_vma`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetinfoVma {
    pub start: u64,
    pub end: u64,
    pub offset: u64,
    pub vm_flags: u64,
    pub ino: u64,
    pub name_id: u64,
    pub dev_major: u32,
    pub dev_minor: u32,
    pub prot: u32,
    pub page_shift: u32,
    pub name_off: u32,
    pub name_len: u32,
    pub attrs: u32,
    pub reserved: u32,
}

/// `struct process_vm_getinfo_counters`: what smaps shows of a VMA (or
/// `smaps_rollup` of a range), in bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counters {
    pub rss: u64,
    pub pss: u64,
    pub pss_dirty: u64,
    pub pss_anon: u64,
    pub pss_file: u64,
    pub pss_shmem: u64,
    pub shared_clean: u64,
    pub shared_dirty: u64,
    pub private_clean: u64,
    pub private_dirty: u64,
    pub referenced: u64,
    pub anonymous: u64,
    pub ksm: u64,
    pub lazyfree: u64,
    pub anon_huge: u64,
    pub shmem_pmd: u64,
    pub file_pmd: u64,
    pub shared_hugetlb: u64,
    pub private_hugetlb: u64,
    pub swap: u64,
    pub swap_pss: u64,
    pub locked: u64,
}

impl Counters {
    /// The unique set size: the private pages, clean and dirty.
    pub fn uss(&self) -> u64 {
        self.private_clean + self.private_dirty
    }

    /// Adds `o`, field by field.
    pub fn add(&mut self, o: &Counters) {
        let (a, b) = (self.fields_mut(), o.fields());
        a.into_iter().zip(b).for_each(|(x, y)| *x += y);
    }

    fn fields(&self) -> [u64; 22] {
        [
            self.rss,
            self.pss,
            self.pss_dirty,
            self.pss_anon,
            self.pss_file,
            self.pss_shmem,
            self.shared_clean,
            self.shared_dirty,
            self.private_clean,
            self.private_dirty,
            self.referenced,
            self.anonymous,
            self.ksm,
            self.lazyfree,
            self.anon_huge,
            self.shmem_pmd,
            self.file_pmd,
            self.shared_hugetlb,
            self.private_hugetlb,
            self.swap,
            self.swap_pss,
            self.locked,
        ]
    }

    fn fields_mut(&mut self) -> [&mut u64; 22] {
        [
            &mut self.rss,
            &mut self.pss,
            &mut self.pss_dirty,
            &mut self.pss_anon,
            &mut self.pss_file,
            &mut self.pss_shmem,
            &mut self.shared_clean,
            &mut self.shared_dirty,
            &mut self.private_clean,
            &mut self.private_dirty,
            &mut self.referenced,
            &mut self.anonymous,
            &mut self.ksm,
            &mut self.lazyfree,
            &mut self.anon_huge,
            &mut self.shmem_pmd,
            &mut self.file_pmd,
            &mut self.shared_hugetlb,
            &mut self.private_hugetlb,
            &mut self.swap,
            &mut self.swap_pss,
            &mut self.locked,
        ]
    }
}

/// A record with counters: `struct process_vm_getinfo_vma` of
/// `VMGI_VMA_SIZE_VER1` bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetinfoVmaCounted {
    pub vma: GetinfoVma,
    pub counters: Counters,
}

/// `struct process_vm_getinfo_args` of `PROCESS_VM_GETINFO_ARGS_SIZE_VER1`
/// bytes, with the rollup.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetinfoArgsRollup {
    pub args: GetinfoArgs,
    pub rollup: Counters,
}

/// `struct process_vm_getinfo_args`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetinfoArgs {
    pub mask: u64,
    pub start: u64,
    pub end: u64,
    pub vmas: u64,
    pub strings: u64,
    pub vma_size: u32,
    pub vma_count: u32,
    pub strings_size: u32,
    pub reserved: u32,
    pub mm_id: u64,
    pub seq: u64,
}

/// `struct process_vm_madvise_args`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MadviseArgs {
    pub ranges: u64,
    pub nr_ranges: u64,
    pub advice: i32,
    pub reserved: u32,
    pub mm_id: u64,
    pub seq: u64,
}

/// `UIO_MAXIOV`: the most ranges one call takes.
pub const MAX_RANGES: usize = 1024;

pub const MADV_COLD: i32 = 20;
pub const MADV_PAGEOUT: i32 = 21;
pub const MADV_WILLNEED: i32 = 3;
/// `flags` of `process_vm_madvise()`: the token holds only while nothing in
/// the whole address space changed (without it, only the advised ranges
/// count).
pub const PROCESS_VM_MADVISE_WHOLE_LAYOUT: u32 = 0x1;
pub const MADV_ANONYMOUS_FILTER: i32 = 0x4000_0000;
pub const MADV_FILE_FILTER: i32 = 0x2000_0000;

/// `PR_SET_VMA` and `PR_SET_VMA_ANON_NAME`.
pub const PR_SET_VMA: libc::c_int = 0x5356_4d41;
pub const PR_SET_VMA_ANON_NAME: libc::c_ulong = 0;

/// `struct procmap_query` (Linux 6.11).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProcmapQuery {
    pub size: u64,
    pub query_flags: u64,
    pub query_addr: u64,
    pub vma_start: u64,
    pub vma_end: u64,
    pub vma_flags: u64,
    pub vma_page_size: u64,
    pub vma_offset: u64,
    pub inode: u64,
    pub dev_major: u32,
    pub dev_minor: u32,
    pub vma_name_size: u32,
    pub build_id_size: u32,
    pub vma_name_addr: u64,
    pub build_id_addr: u64,
}

pub const PROCMAP_QUERY_VMA_READABLE: u64 = 0x01;
pub const PROCMAP_QUERY_VMA_WRITABLE: u64 = 0x02;
pub const PROCMAP_QUERY_VMA_EXECUTABLE: u64 = 0x04;
pub const PROCMAP_QUERY_VMA_SHARED: u64 = 0x08;
pub const PROCMAP_QUERY_COVERING_OR_NEXT_VMA: u64 = 0x10;

/// `PROCMAP_QUERY`: `_IOWR('f', 17, struct procmap_query)`.
pub const PROCMAP_QUERY: libc::c_ulong = (3 << 30)
    | ((std::mem::size_of::<ProcmapQuery>() as libc::c_ulong) << 16)
    | ((b'f' as libc::c_ulong) << 8)
    | 17;
