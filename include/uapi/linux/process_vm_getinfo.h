/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * process_vm_getinfo(2): a binary snapshot of a process's memory map.
 *
 *   long process_vm_getinfo(int pidfd, struct process_vm_getinfo_args *args,
 *                           size_t size, unsigned int flags);
 *
 * The system call number is reserved nowhere: read it from
 * /sys/kernel/process_vm_syscalls (a "process_vm_getinfo NUMBER" line, on
 * kernels that have the call), never guess it. 64-bit tasks only.
 *
 * See Documentation/userspace-api/process_vm_getinfo.rst.
 */
#ifndef _UAPI_LINUX_PROCESS_VM_GETINFO_H
#define _UAPI_LINUX_PROCESS_VM_GETINFO_H

#include <linux/types.h>

/*
 * Attributes, for process_vm_getinfo_args.mask. On input the caller says what
 * it wants; on return the mask says what the kernel filled in. Fields of
 * attributes not returned are zero, but for name_off, which is then
 * VMGI_NO_NAME (as for a VMA without a name), so that 0 always means an
 * offset in the string buffer.
 */
#define VMGI_RANGE	(1ULL << 0)	/* start, end: always returned */
#define VMGI_PROT	(1ULL << 1)	/* prot */
#define VMGI_VM_FLAGS	(1ULL << 2)	/* vm_flags */
#define VMGI_OFFSET	(1ULL << 3)	/* offset */
#define VMGI_INODE	(1ULL << 4)	/* dev_major, dev_minor, ino */
#define VMGI_NAME_ID	(1ULL << 5)	/* name_id */
#define VMGI_NAME	(1ULL << 6)	/* name_off, name_len */
#define VMGI_ANON_VMA	(1ULL << 7)	/* VMGI_VMA_ANON_VMA in attrs */
#define VMGI_PAGE_SIZE	(1ULL << 8)	/* page_shift */
#define VMGI_FILE	(1ULL << 9)	/* VMGI_VMA_FILE in attrs */
#define VMGI_COUNTERS	(1ULL << 10)	/* counters, and the args' rollup */
#define VMGI_ALL	((1ULL << 11) - 1)

/* process_vm_getinfo_vma.prot, as the "rwxp" column of /proc/PID/maps */
#define VMGI_PROT_READ		(1U << 0)
#define VMGI_PROT_WRITE		(1U << 1)
#define VMGI_PROT_EXEC		(1U << 2)
#define VMGI_PROT_SHARED	(1U << 3)	/* 's' (VM_MAYSHARE), else 'p' */

/*
 * process_vm_getinfo_vma.vm_flags: one bit per two-letter mnemonic of the
 * VmFlags line of /proc/PID/smaps, in the order smaps prints them. Bits that
 * a kernel's configuration cannot set are never set.
 */
#define VMGI_VM_RD	(1ULL << 0)	/* readable */
#define VMGI_VM_WR	(1ULL << 1)	/* writeable */
#define VMGI_VM_EX	(1ULL << 2)	/* executable */
#define VMGI_VM_SH	(1ULL << 3)	/* shared */
#define VMGI_VM_MR	(1ULL << 4)	/* may read */
#define VMGI_VM_MW	(1ULL << 5)	/* may write */
#define VMGI_VM_ME	(1ULL << 6)	/* may execute */
#define VMGI_VM_MS	(1ULL << 7)	/* may share */
#define VMGI_VM_GD	(1ULL << 8)	/* stack segment grows down */
#define VMGI_VM_PF	(1ULL << 9)	/* pure PFN range */
#define VMGI_VM_LO	(1ULL << 10)	/* pages are locked in memory */
#define VMGI_VM_IO	(1ULL << 11)	/* memory mapped I/O area */
#define VMGI_VM_SR	(1ULL << 12)	/* sequential read advise */
#define VMGI_VM_RR	(1ULL << 13)	/* random read advise */
#define VMGI_VM_DC	(1ULL << 14)	/* do not copy on fork */
#define VMGI_VM_DE	(1ULL << 15)	/* do not expand on remap */
#define VMGI_VM_LF	(1ULL << 16)	/* lock on fault */
#define VMGI_VM_AC	(1ULL << 17)	/* accountable */
#define VMGI_VM_NR	(1ULL << 18)	/* swap space not reserved */
#define VMGI_VM_HT	(1ULL << 19)	/* hugetlb */
#define VMGI_VM_SF	(1ULL << 20)	/* synchronous page faults */
#define VMGI_VM_AR	(1ULL << 21)	/* architecture specific ("bt" on arm64 with BTI) */
#define VMGI_VM_WF	(1ULL << 22)	/* wipe on fork */
#define VMGI_VM_DD	(1ULL << 23)	/* do not include in core dumps */
#define VMGI_VM_SD	(1ULL << 24)	/* soft dirty */
#define VMGI_VM_MM	(1ULL << 25)	/* mixed map */
#define VMGI_VM_HG	(1ULL << 26)	/* huge page advise */
#define VMGI_VM_NH	(1ULL << 27)	/* no huge page advise */
#define VMGI_VM_MG	(1ULL << 28)	/* mergeable advise */
#define VMGI_VM_UM	(1ULL << 29)	/* userfaultfd missing tracking */
#define VMGI_VM_UW	(1ULL << 30)	/* userfaultfd wr-protect tracking */
#define VMGI_VM_MT	(1ULL << 31)	/* arm64 MTE allocation tags */
#define VMGI_VM_UI	(1ULL << 32)	/* userfaultfd minor fault tracking */
#define VMGI_VM_SS	(1ULL << 33)	/* shadow stack */
#define VMGI_VM_DP	(1ULL << 34)	/* droppable */
#define VMGI_VM_SL	(1ULL << 35)	/* sealed */

/* process_vm_getinfo_vma.attrs */
#define VMGI_VMA_ANON_VMA	(1U << 0)	/* has (or had) anonymous pages */
#define VMGI_VMA_FILE		(1U << 1)	/* backed by a file, shmem included */

/* process_vm_getinfo_vma.name_off of a VMA without a name */
#define VMGI_NO_NAME	0xffffffffU

/*
 * Memory counters: what /proc/PID/smaps shows for a VMA (or smaps_rollup for
 * a range), field by field, in bytes (smaps shows kB: bytes >> 10 is its
 * figure, to the byte; the PSS fields are rounded down). pss_anon, pss_file
 * and pss_shmem split pss by the kind of page; smaps shows them only in
 * smaps_rollup. Counted by smaps' own page-table walk, VMA by VMA, while the
 * target runs: see "Memory counters" in the documentation.
 */
struct process_vm_getinfo_counters {
	__u64 rss;		/* Rss */
	__u64 pss;		/* Pss */
	__u64 pss_dirty;	/* Pss_Dirty */
	__u64 pss_anon;		/* Pss_Anon */
	__u64 pss_file;		/* Pss_File */
	__u64 pss_shmem;	/* Pss_Shmem */
	__u64 shared_clean;	/* Shared_Clean */
	__u64 shared_dirty;	/* Shared_Dirty */
	__u64 private_clean;	/* Private_Clean */
	__u64 private_dirty;	/* Private_Dirty */
	__u64 referenced;	/* Referenced */
	__u64 anonymous;	/* Anonymous: in a private file mapping, its COW copies */
	__u64 ksm;		/* KSM */
	__u64 lazyfree;		/* LazyFree */
	__u64 anon_huge;	/* AnonHugePages */
	__u64 shmem_pmd;	/* ShmemPmdMapped */
	__u64 file_pmd;		/* FilePmdMapped */
	__u64 shared_hugetlb;	/* Shared_Hugetlb */
	__u64 private_hugetlb;	/* Private_Hugetlb */
	__u64 swap;		/* Swap */
	__u64 swap_pss;		/* SwapPss */
	__u64 locked;		/* Locked */
};

/*
 * One VMA. Records are vma_size bytes apart in the output buffer; a kernel
 * writes the fields it knows and zeroes the rest of each record. counters
 * is written only into records of at least VMGI_VMA_SIZE_VER1 bytes.
 */
struct process_vm_getinfo_vma {
	__u64 start;		/* first address */
	__u64 end;		/* first address after the VMA */
	__u64 offset;		/* file offset in bytes; 0 if not a file */
	__u64 vm_flags;		/* VMGI_VM_* */
	__u64 ino;		/* inode number of the file, or 0 */
	__u64 name_id;		/* anonymous VMA name object, or 0 */
	__u32 dev_major;	/* device of the file, or 0 */
	__u32 dev_minor;
	__u32 prot;		/* VMGI_PROT_* */
	__u32 page_shift;	/* log2 of the kernel page size backing it */
	__u32 name_off;		/* in the string buffer, or VMGI_NO_NAME */
	__u32 name_len;		/* bytes, without the NUL that follows */
	__u32 attrs;		/* VMGI_VMA_* */
	__u32 __reserved;
	struct process_vm_getinfo_counters counters;	/* VMGI_COUNTERS */
};

#define VMGI_VMA_SIZE_VER0	80	/* sizeof first published struct */
#define VMGI_VMA_SIZE_VER1	256	/* adds counters */
#define VMGI_VMA_SIZE_MAX	4096	/* largest vma_size accepted */

/*
 * The argument block, passed with its size (the clone3()/openat2() rule: a
 * larger struct is accepted if the bytes this kernel does not know are zero).
 */
struct process_vm_getinfo_args {
	__u64 mask;		/* in: VMGI_* wanted; out: VMGI_* returned */
	__u64 start;		/* in: report VMAs that intersect */
	__u64 end;		/*     [start, end); start < end */
	__aligned_u64 vmas;	/* in: records buffer */
	__aligned_u64 strings;	/* in: string buffer */
	__u32 vma_size;		/* in: bytes per record */
	__u32 vma_count;	/* in: records that fit; out: written (or needed) */
	__u32 strings_size;	/* in: bytes; out: bytes used, or needed */
	__u32 __reserved;	/* must be zero */
	__u64 mm_id;		/* out: layout token: the address space ... */
	__u64 seq;		/* out: ... and its layout sequence number */
	/* out, with VMGI_COUNTERS: the counters summed over the range */
	struct process_vm_getinfo_counters rollup;
};

#define PROCESS_VM_GETINFO_ARGS_SIZE_VER0	72	/* sizeof first published struct */
#define PROCESS_VM_GETINFO_ARGS_SIZE_VER1	248	/* adds rollup */

/*
 * process_vm_getinfo() flags. PROCESS_VM_GETINFO_ROLLUP: the rollup alone
 * (as smaps_rollup): no records and no strings are written (vmas, strings,
 * vma_size and strings_size are ignored), vma_count returns the number of
 * VMAs summed, and so does the call. Implies VMGI_COUNTERS; the argument
 * block must be at least PROCESS_VM_GETINFO_ARGS_SIZE_VER1 bytes.
 */
#define PROCESS_VM_GETINFO_ROLLUP	(1U << 0)

#endif /* _UAPI_LINUX_PROCESS_VM_GETINFO_H */
