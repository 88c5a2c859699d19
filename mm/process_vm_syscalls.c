// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/process_vm_syscalls: which process_vm_* system calls of the
 * series this kernel has, and their numbers.
 *
 * The calls are not in mainline, so their numbers are reserved nowhere and
 * a later kernel may give the same numbers to other calls. Userspace must
 * not guess: it reads this file, one "NAME NUMBER" line per call the kernel
 * was built with, and issues a number only if the file names it. The file
 * does not exist on kernels without the calls. Numbers are those of the
 * native ABI; compat tasks do not have the calls.
 * See Documentation/userspace-api/process_vm_getinfo.rst.
 */
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include <asm/unistd.h>

static ssize_t process_vm_syscalls_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	int len = 0;

	len += sysfs_emit_at(buf, len, "process_vm_getinfo %d\n",
			     __NR_process_vm_getinfo);
#ifdef CONFIG_PROCESS_VM_MADVISE
	len += sysfs_emit_at(buf, len, "process_vm_madvise %d\n",
			     __NR_process_vm_madvise);
#endif
	return len;
}

static struct kobj_attribute process_vm_syscalls_attr =
	__ATTR(process_vm_syscalls, 0444, process_vm_syscalls_show, NULL);

static int __init process_vm_syscalls_init(void)
{
	return sysfs_create_file(kernel_kobj, &process_vm_syscalls_attr.attr);
}
subsys_initcall(process_vm_syscalls_init);
