/* SPDX-License-Identifier: GPL-2.0 */
/*
 * process_vm_madvise(2): what mm/process_vm_madvise.rs needs from C.
 */
#ifndef _LINUX_PROCESS_VM_MADVISE_H
#define _LINUX_PROCESS_VM_MADVISE_H

#include <linux/madvise_filter.h>
#include <linux/uio.h>
#include <uapi/linux/process_vm_madvise.h>

struct mm_struct;
struct vm_area_struct;

/*
 * madvise_check_vma - whether advice can be applied to a VMA under the mmap_lock
 * @vma: a VMA of an mm whose mmap_lock the caller holds for reading
 * @behavior: MADV_COLD, MADV_PAGEOUT or MADV_WILLNEED
 * @filter: 0, MADV_ANONYMOUS_FILTER or MADV_FILE_FILTER
 *
 * Returns 0 if the advice can be applied to @vma or @filter skips it,
 * -EINVAL if madvise() would fail on it, or -EOPNOTSUPP if applying it would
 * drop the mmap_lock (MADV_WILLNEED reading a file ahead). (mm/madvise.c)
 */
int madvise_check_vma(struct vm_area_struct *vma, int behavior, int filter);

/*
 * madvise_range_locked - apply advice to [start, end), under the caller's
 * read hold of the mmap_lock
 * @vma: the first VMA that ends after @start; it starts before @end
 *
 * Every VMA of the range must have passed madvise_check_vma() in the same
 * hold of the lock: the lock is never dropped. Gaps are skipped (the caller
 * has decided about them). Returns 0 or -errno.
 * (mm/madvise.c)
 */
int madvise_range_locked(struct vm_area_struct *vma, unsigned long start,
			 unsigned long end, int behavior, int filter);

/*
 * process_vm_untagged_addr - untagged_addr_remote(), which is inline, for
 * mm/process_vm_madvise.rs: the caller holds @mm's mmap_lock.
 */
unsigned long process_vm_untagged_addr(struct mm_struct *mm, unsigned long addr);

/* The system call, in Rust. */
long do_process_vm_madvise(int pidfd, const struct process_vm_madvise_args __user *uargs,
			   size_t usize, unsigned int flags);

#endif /* _LINUX_PROCESS_VM_MADVISE_H */
