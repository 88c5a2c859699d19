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
 *
 * And the address space keeps, for each of its last VMA_LAYOUT_CHANGES
 * write-locked sections, a range of addresses that holds everything the
 * section changed: the whole range, before and after, of every VMA it
 * created, removed or changed, and of every [heap] or [stack] label it moved
 * (vma_layout_touch()). A reader that gave up the read lock and took it
 * again learns from vma_layout_changes_since() where the layout it had read
 * may differ from the one it sees now, and needs to read only that part
 * again, instead of all of it.
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

bool vma_layout_changes_since(const struct mm_struct *mm, u64 seq,
			      unsigned long *start, unsigned long *end);

static inline void vma_layout_seq_init(struct mm_struct *mm)
{
	mm->vma_layout_mm_id = vma_layout_new_mm_id();
	mm->vma_layout_seq = 0;
	mm->vma_layout_kept = false;
	/* No entry matches a number above 0 before its section begins. */
	memset(mm->vma_layout_changes, 0, sizeof(mm->vma_layout_changes));
}

static inline struct vma_layout_change *
vma_layout_change_of(struct mm_struct *mm, u64 seq)
{
	return &mm->vma_layout_changes[seq % VMA_LAYOUT_CHANGES];
}

/* Called by the mmap_write_lock*() functions once they hold the lock. */
static inline void vma_layout_seq_begin(struct mm_struct *mm)
{
	u64 seq = mm->vma_layout_seq + 1;
	struct vma_layout_change *c = vma_layout_change_of(mm, seq);

	WRITE_ONCE(mm->vma_layout_seq, seq);
	mm->vma_layout_kept = false;
	c->seq = seq;
	c->start = ULONG_MAX;
	c->end = 0;
}

/*
 * Notes that the write-locked section under way changes the layout within
 * [@start, @end): called with the range of every VMA write-locked
 * (vma_start_write(), as it is then), of every range stored into or cleared
 * from the VMA tree, and of the [heap] and [stack] labels brk() and
 * prctl(PR_SET_MM) move. Sections that keep the number note nothing.
 */
static inline void vma_layout_touch(struct mm_struct *mm, unsigned long start,
				    unsigned long end)
{
	struct vma_layout_change *c;

	if (mm->vma_layout_kept)
		return;
	c = vma_layout_change_of(mm, mm->vma_layout_seq);
	c->start = min(c->start, start);
	c->end = max(c->end, end);
}

/*
 * brk() moves mm->brk from @old to @new, which decides which VMAs
 * /proc/PID/maps labels [heap]: those that reach [start_brk, brk], one that
 * ends where the heap starts included. A page either side of the two
 * covers them. (Plain comparisons: min() and max() would take numbers from
 * __COUNTER__ in mm/mmap.c even with the feature off.)
 */
static inline void vma_layout_touch_brk(struct mm_struct *mm, unsigned long old,
					unsigned long new)
{
	unsigned long lo = old < new ? old : new, hi = old < new ? new : old;

	vma_layout_touch(mm, lo > PAGE_SIZE ? lo - PAGE_SIZE : 0, hi + PAGE_SIZE);
}

/*
 * Undoes the vma_layout_seq_begin() of the mmap_write_lock*() just taken, for
 * a section that leaves the layout alone; no reader can have seen the value.
 * The VMAs the section write-locks keep their stamps. The entry of the
 * number given back no longer describes the section that had it before, so
 * it is marked as matching none (a reader that needs it reads everything).
 */
static inline void vma_layout_seq_keep(struct mm_struct *mm)
{
	vma_layout_change_of(mm, mm->vma_layout_seq)->seq = 0;
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
static inline void vma_layout_touch(struct mm_struct *mm, unsigned long start,
				    unsigned long end) {}
static inline void vma_layout_touch_brk(struct mm_struct *mm, unsigned long old,
					unsigned long new) {}

#endif /* CONFIG_VMA_LAYOUT_SEQ */

#endif /* _LINUX_VMA_LAYOUT_SEQ_H */
