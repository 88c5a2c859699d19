/* SPDX-License-Identifier: GPL-2.0 */
/*
 * process_vm_getinfo(2): what mm/process_vm_getinfo.rs needs from C.
 */
#ifndef _LINUX_PROCESS_VM_GETINFO_H
#define _LINUX_PROCESS_VM_GETINFO_H

#include <linux/pagemap.h>
#include <uapi/linux/process_vm_getinfo.h>

struct path;
struct vm_area_struct;

/*
 * The name /proc/PID/maps shows for a VMA: one of path (a file), name_fmt and
 * name (a printf format with one %s, and its argument), or name alone (a label
 * such as "[heap]"); the others NULL. All three NULL: no name.
 */
struct vma_maps_name {
	const struct path *path;
	const char *name;
	const char *name_fmt;
};

/*
 * vma_maps_names - the names of n VMAs, into names[] (fs/proc/task_mmu.c).
 * Called with the mmap_lock held.
 */
void vma_maps_names(struct vm_area_struct *const *vmas, unsigned int n,
		    struct vma_maps_name *names);

/*
 * vmgi_put_vmas - write records to userspace without taking a page fault
 * @dst: where the first record goes; the others follow @size bytes apart
 * @recs: @n records
 * @size: bytes per record in userspace, at least VMGI_VMA_SIZE_VER0; the
 *        counters are written if they fit (VMGI_VMA_SIZE_VER1), and the
 *        bytes past what was written are zeroed
 *
 * For a caller that holds an mmap_lock (mm/process_vm_getinfo_sys.c).
 * Returns the number of records written, from the first: fewer than @n if
 * a page was not present and writable.
 */
unsigned int vmgi_put_vmas(struct process_vm_getinfo_vma __user *dst,
			   const struct process_vm_getinfo_vma *recs,
			   unsigned int n, unsigned int size);

/*
 * vma_smaps_counters - what /proc/PID/smaps counts for n VMAs, by its walk
 * (fs/proc/task_mmu.c), summed into *c; the PSS fields in bytes <<
 * VMGI_PSS_SHIFT. Called with the mmap_lock held for reading; may sleep.
 */
#define VMGI_PSS_SHIFT 12
void vma_smaps_counters(struct vm_area_struct *const *vmas, unsigned int n,
			struct process_vm_getinfo_counters *c);

/* get_gate_vma(), for mm/process_vm_getinfo.rs (mm/process_vm_getinfo_sys.c). */
struct vm_area_struct *vmgi_gate_vma(struct mm_struct *mm);

/* The system call, in Rust. */
long do_process_vm_getinfo(int pidfd, struct process_vm_getinfo_args __user *uargs,
			   size_t usize, unsigned int flags);

#endif /* _LINUX_PROCESS_VM_GETINFO_H */
