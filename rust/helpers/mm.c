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

#ifdef CONFIG_PER_VMA_LOCK
/*
 * A read of mm's VMAs with no mmap_lock: begins only while no writer holds
 * the lock (mm_lock_seq, a seqcount odd while it is write-locked), and what
 * was read counts only if the sequence has not moved since.
 */
bool rust_helper_mmap_lock_speculate_try_begin(struct mm_struct *mm,
					       unsigned int *seq)
{
	*seq = raw_read_seqcount(&mm->mm_lock_seq);
	return !(*seq & 1);
}

bool rust_helper_mmap_lock_speculate_retry(struct mm_struct *mm,
					   unsigned int seq)
{
	return read_seqcount_retry(&mm->mm_lock_seq, seq);
}

/*
 * The first VMA of mm that ends above addr and starts below end, locked for
 * reading with its own lock (vma_start_read()), with no mmap_lock held;
 * NULL if there is none, ERR_PTR(-EAGAIN) if it is write-locked or was
 * removed or changed while it was being locked. Found under RCU, as
 * lock_vma_under_rcu() finds the VMA of a fault. Unlock with vma_end_read().
 */
struct vm_area_struct *rust_helper_vma_read_lock_next(struct mm_struct *mm,
						      unsigned long addr,
						      unsigned long end)
{
	MA_STATE(mas, &mm->mm_mt, addr, addr);
	struct vm_area_struct *vma;

	rcu_read_lock();
	vma = mas_find(&mas, end - 1);
	if (!vma)
		goto out;
	if (xa_is_zero(vma) || !vma_start_read(vma)) {
		vma = ERR_PTR(-EAGAIN);
		goto out;
	}
	/* Removed, or moved away from [addr, end), before it was locked. */
	if (vma->detached || vma->vm_end <= addr || vma->vm_start >= end) {
		vma_end_read(vma);
		vma = ERR_PTR(-EAGAIN);
	}
out:
	rcu_read_unlock();
	return vma;
}

void rust_helper_vma_end_read(struct vm_area_struct *vma)
{
	vma_end_read(vma);
}

u64 rust_helper_vma_layout_seq_once(const struct mm_struct *mm)
{
	return READ_ONCE(mm->vma_layout_seq);
}

int rust_helper_mm_map_count_once(const struct mm_struct *mm)
{
	return READ_ONCE(mm->map_count);
}
#endif

int rust_helper_copy_struct_from_user(void *dst, size_t ksize,
				      const void __user *src, size_t usize)
{
	return copy_struct_from_user(dst, ksize, src, usize);
}
#endif
