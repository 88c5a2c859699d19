// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm_getinfo(2): the system call entry. The work is done in
 * mm/process_vm_getinfo.rs; see Documentation/userspace-api/process_vm_getinfo.rst.
 */
#include <linux/mm.h>
#include <linux/process_vm_getinfo.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>

SYSCALL_DEFINE4(process_vm_getinfo, int, pidfd,
		struct process_vm_getinfo_args __user *, uargs, size_t, usize,
		unsigned int, flags)
{
	return do_process_vm_getinfo(pidfd, uargs, usize, flags);
}

/* get_gate_vma() is inline on some architectures and not on others. */
struct vm_area_struct *vmgi_gate_vma(struct mm_struct *mm)
{
	return get_gate_vma(mm);
}

unsigned int vmgi_put_vmas(struct process_vm_getinfo_vma __user *dst,
			   const struct process_vm_getinfo_vma *recs,
			   unsigned int n, unsigned int size)
{
	unsigned int i = 0, j, words;

	/*
	 * A record's first 10 words, those of VMGI_VMA_SIZE_VER0, are written
	 * spelt out below (-Os would loop); the counters only into records
	 * with room for them.
	 */
	BUILD_BUG_ON(VMGI_VMA_SIZE_VER0 != 10 * sizeof(u64));
	BUILD_BUG_ON(sizeof(*recs) != VMGI_VMA_SIZE_VER1);
	if (size < VMGI_VMA_SIZE_VER0)
		return 0;
	words = (size >= sizeof(*recs) ? sizeof(*recs) : VMGI_VMA_SIZE_VER0) / sizeof(u64);
	pagefault_disable();
	if (!user_write_access_begin(dst, (size_t)n * size))
		goto out;
	for (; i < n; i++) {
		u64 __user *u = (void __user *)dst + (size_t)i * size;
		const u64 *w = (const u64 *)&recs[i];

		unsafe_put_user(w[0], &u[0], fault);
		unsafe_put_user(w[1], &u[1], fault);
		unsafe_put_user(w[2], &u[2], fault);
		unsafe_put_user(w[3], &u[3], fault);
		unsafe_put_user(w[4], &u[4], fault);
		unsafe_put_user(w[5], &u[5], fault);
		unsafe_put_user(w[6], &u[6], fault);
		unsafe_put_user(w[7], &u[7], fault);
		unsafe_put_user(w[8], &u[8], fault);
		unsafe_put_user(w[9], &u[9], fault);
		for (j = 10; j < words; j++)
			unsafe_put_user(w[j], &u[j], fault);
		for (j = words * sizeof(u64); j < size; j++)
			unsafe_put_user(0, (u8 __user *)u + j, fault);
	}
fault:
	user_write_access_end();
out:
	pagefault_enable();
	return i;
}
