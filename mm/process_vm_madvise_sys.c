// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm_madvise(2): the system call entry. The work is done in
 * mm/process_vm_madvise.rs; see Documentation/userspace-api/process_vm_madvise.rst.
 */
#include <linux/mm.h>
#include <linux/process_vm_madvise.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

unsigned long process_vm_untagged_addr(struct mm_struct *mm, unsigned long addr)
{
	return untagged_addr_remote(mm, addr);
}

SYSCALL_DEFINE4(process_vm_madvise, int, pidfd,
		const struct process_vm_madvise_args __user *, uargs, size_t, usize,
		unsigned int, flags)
{
	return do_process_vm_madvise(pidfd, uargs, usize, flags);
}
