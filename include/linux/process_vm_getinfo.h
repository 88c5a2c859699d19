/* SPDX-License-Identifier: GPL-2.0 */
/*
 * process_vm_getinfo(2): what mm/process_vm_getinfo.rs needs from C.
 */
#ifndef _LINUX_PROCESS_VM_GETINFO_H
#define _LINUX_PROCESS_VM_GETINFO_H

#include <uapi/linux/process_vm_getinfo.h>

struct path;
struct vm_area_struct;

/*
 * vma_maps_name - the name /proc/PID/maps shows for a VMA (fs/proc/task_mmu.c)
 *
 * Sets one of: *path (a file), *name_fmt and *name (printf format with one
 * %s, and its argument), or *name (a label such as "[heap]"); the others are
 * NULL. All three NULL: no name. Called with the mmap_lock held.
 */
void vma_maps_name(struct vm_area_struct *vma, const struct path **path,
		   const char **name, const char **name_fmt);

/* The system call, in Rust. */
long do_process_vm_getinfo(int pidfd, struct process_vm_getinfo_args __user *uargs,
			   size_t usize, unsigned int flags);

#endif /* _LINUX_PROCESS_VM_GETINFO_H */
