/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * process_vm_madvise(2): advice to a process's memory, applied only if its
 * VMA layout is still the one a process_vm_getinfo(2) snapshot saw.
 *
 *   long process_vm_madvise(int pidfd, const struct process_vm_madvise_args *args,
 *                           size_t size, unsigned int flags);
 *
 * The system call number is reserved nowhere: read it from
 * /sys/kernel/process_vm_syscalls (a "process_vm_madvise NUMBER" line, on
 * kernels that have the call), never guess it. 64-bit tasks only.
 *
 * The advice may have MADV_ANONYMOUS_FILTER or MADV_FILE_FILTER OR-ed in.
 * The token holds for a range as long as no VMA of the range was created or
 * changed since the snapshot; changes elsewhere do not matter (unless flags
 * has PROCESS_VM_MADVISE_WHOLE_LAYOUT). Every range is checked before any
 * is advised: -1 with errno (ESTALE if a range changed) means nothing was
 * advised. The advice is then applied in order, letting the target's
 * writers in between chunks; if a range still to advise changed meanwhile,
 * the call stops there. Returns the bytes advised: the sum of the lengths
 * of the ranges (as process_madvise() does when it advises them all), or,
 * if it stopped, of the ranges before it and of the part of the range it
 * stopped in. See Documentation/userspace-api/process_vm_madvise.rst.
 */
#ifndef _UAPI_LINUX_PROCESS_VM_MADVISE_H
#define _UAPI_LINUX_PROCESS_VM_MADVISE_H

#include <linux/types.h>

struct process_vm_madvise_args {
	__aligned_u64 ranges;	/* in: const struct iovec *, as process_madvise() */
	__u64 nr_ranges;	/* in: at most UIO_MAXIOV (1024) */
	__s32 advice;		/* in: MADV_COLD, MADV_PAGEOUT or MADV_WILLNEED */
	__u32 __reserved;	/* must be zero */
	__u64 mm_id;		/* in: the layout token of process_vm_getinfo(): */
	__u64 seq;		/*     the address space and its sequence number */
};

#define PROCESS_VM_MADVISE_ARGS_SIZE_VER0	40	/* sizeof first published struct */

/*
 * flags: the token holds only while nothing in the whole address space
 * changed, as its sequence number says (the advice still stops when the
 * number moves while the target's writers are let in).
 */
#define PROCESS_VM_MADVISE_WHOLE_LAYOUT	0x1

#endif /* _UAPI_LINUX_PROCESS_VM_MADVISE_H */
