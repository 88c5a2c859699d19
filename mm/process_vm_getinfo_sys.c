// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm_getinfo(2): the system call entry. The work is done in
 * mm/process_vm_getinfo.rs; see Documentation/userspace-api/process_vm_getinfo.rst.
 */
#include <linux/process_vm_getinfo.h>
#include <linux/syscalls.h>

SYSCALL_DEFINE4(process_vm_getinfo, int, pidfd,
		struct process_vm_getinfo_args __user *, uargs, size_t, usize,
		unsigned int, flags)
{
	return do_process_vm_getinfo(pidfd, uargs, usize, flags);
}
