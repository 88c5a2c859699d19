// SPDX-License-Identifier: GPL-2.0

#include <linux/fs.h>
#include <linux/hugetlb.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#ifdef CONFIG_RUST_MM_ABSTRACTIONS
int rust_helper_mmap_read_lock_killable(struct mm_struct *mm)
{
	return mmap_read_lock_killable(mm);
}

void rust_helper_mmap_read_unlock(struct mm_struct *mm)
{
	mmap_read_unlock(mm);
}

int rust_helper_mmap_lock_is_contended(struct mm_struct *mm)
{
	return mmap_lock_is_contended(mm);
}

void rust_helper_vma_iter_init(struct vma_iterator *vmi, struct mm_struct *mm,
			       unsigned long addr)
{
	vma_iter_init(vmi, mm, addr);
}

const struct inode *rust_helper_file_user_inode(const struct file *f)
{
	return file_user_inode(f);
}

unsigned long rust_helper_vma_page_size(struct vm_area_struct *vma)
{
	return vma_kernel_pagesize(vma);
}

void rust_helper_cond_resched(void)
{
	cond_resched();
}

int rust_helper_copy_struct_from_user(void *dst, size_t ksize,
				      const void __user *src, size_t usize)
{
	return copy_struct_from_user(dst, ksize, src, usize);
}
#endif
