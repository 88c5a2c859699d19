/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMA layout sequence number of an address space.
 *
 * mm->vma_layout_seq advances every time the mmap_lock is taken for writing,
 * which is the only way to create, remove, split, merge, move or resize a VMA
 * or to change its flags, protection or name (prctl(PR_SET_MM), which moves
 * the [heap] and [stack] labels, takes it for writing as well). A file that is
 * renamed or unlinked changes the path a snapshot shows without the lock, and
 * does not advance the number. Holders of the lock for reading
 * see a stable value: two equal values read under the read lock, with the
 * same vma_layout_mm_id(mm), mean that the layout did not change in between.
 * The pair is the "layout token" of process_vm_getinfo(2).
 *
 * A write-locked section that changes no VMA and no attribute that
 * process_vm_getinfo(2) reports calls vma_layout_seq_keep() right after
 * taking the lock, so that it does not invalidate the tokens of userspace:
 * fork() (which write-locks the parent) and the collapse of huge pages do.
 *
 * Every VMA also carries the number of the write-locked section that last
 * created or changed it, vma->vm_layout_seq (vma_layout_stamp()), so that
 * process_vm_madvise(2) can check a token against the VMAs of the ranges it
 * advises and not against the whole address space: a VMA whose stamp is not
 * above a token's number is one the token's snapshot saw, unchanged.
 */
#ifndef _LINUX_VMA_LAYOUT_SEQ_H
#define _LINUX_VMA_LAYOUT_SEQ_H

#include <linux/mm_types.h>

#ifdef CONFIG_VMA_LAYOUT_SEQ

/*
 * The creation number of a new mm_struct, never used before in this boot;
 * vma_layout_mm_id() gives the identifier tokens carry (mm/vma_layout_seq.c).
 */
u64 vma_layout_new_mm_id(void);
u64 vma_layout_mm_id(const struct mm_struct *mm);

static inline void vma_layout_seq_init(struct mm_struct *mm)
{
	mm->vma_layout_mm_id = vma_layout_new_mm_id();
	mm->vma_layout_seq = 0;
	mm->vma_layout_kept = false;
}

/* Called by the mmap_write_lock*() functions once they hold the lock. */
static inline void vma_layout_seq_begin(struct mm_struct *mm)
{
	WRITE_ONCE(mm->vma_layout_seq, mm->vma_layout_seq + 1);
	mm->vma_layout_kept = false;
}

/*
 * Undoes the vma_layout_seq_begin() of the mmap_write_lock*() just taken, for
 * a section that leaves the layout alone; no reader can have seen the value.
 * The VMAs the section write-locks keep their stamps.
 */
static inline void vma_layout_seq_keep(struct mm_struct *mm)
{
	WRITE_ONCE(mm->vma_layout_seq, mm->vma_layout_seq - 1);
	mm->vma_layout_kept = true;
}

/*
 * Called by dup_mmap() with both locks held for writing: the child's VMAs are
 * copies that keep the parent's stamps, so its count starts from the
 * parent's, and every stamp of the child is at most its count.
 */
static inline void vma_layout_seq_fork(struct mm_struct *mm, struct mm_struct *oldmm)
{
	WRITE_ONCE(mm->vma_layout_seq, oldmm->vma_layout_seq);
}

/*
 * Stamps @vma with the number of the write-locked section under way: for
 * every VMA allocated or copied (vm_area_alloc(), vm_area_dup()), and every
 * VMA write-locked (vma_start_write(), which the per-VMA locks make every
 * change of a VMA in the tree call first). Sections that keep the number
 * leave the stamps alone, as copies made by fork() keep the parent's.
 */
static inline void vma_layout_stamp(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!mm->vma_layout_kept)
		vma->vm_layout_seq = READ_ONCE(mm->vma_layout_seq);
}

#else /* CONFIG_VMA_LAYOUT_SEQ */

static inline void vma_layout_seq_init(struct mm_struct *mm) {}
static inline void vma_layout_seq_begin(struct mm_struct *mm) {}
static inline void vma_layout_seq_keep(struct mm_struct *mm) {}
static inline void vma_layout_seq_fork(struct mm_struct *mm, struct mm_struct *oldmm) {}
static inline void vma_layout_stamp(struct vm_area_struct *vma) {}

#endif /* CONFIG_VMA_LAYOUT_SEQ */

#endif /* _LINUX_VMA_LAYOUT_SEQ_H */
