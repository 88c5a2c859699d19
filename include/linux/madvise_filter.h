/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MADV_ANONYMOUS_FILTER and MADV_FILE_FILTER: OR-ed into the advice of
 * madvise(), process_madvise() and process_vm_madvise(), they restrict it to
 * one kind of VMA. See Documentation/userspace-api/process_vm_madvise.rst.
 *
 * With CONFIG_MADVISE_FILTER off, MADV_FILTERS is 0: no bit is taken off the
 * advice, which madvise() then rejects as unknown, and every helper here
 * folds away.
 */
#ifndef _LINUX_MADVISE_FILTER_H
#define _LINUX_MADVISE_FILTER_H

#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/mman.h>

#ifdef CONFIG_MADVISE_FILTER
#define MADV_FILTERS	(MADV_ANONYMOUS_FILTER | MADV_FILE_FILTER)
#else
#define MADV_FILTERS	0
#endif

/*
 * madvise_take_filter - split the filter bits off an advice
 * @behavior: the advice; the filter bits are cleared from it
 *
 * Returns the filter (0 for none), or -EINVAL for both bits at once or for a
 * filter on advice that does not go VMA by VMA (populate, memory failure),
 * that drops the lock and finds VMAs again past the filter (collapse), or
 * that acts on exact addresses (guard regions, where the base has them).
 */
static inline int madvise_take_filter(int *behavior)
{
	int filter = *behavior & MADV_FILTERS;

	if (!filter)
		return 0;
	*behavior &= ~MADV_FILTERS;
	if (filter == MADV_FILTERS)
		return -EINVAL;
	switch (*behavior) {
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_COLLAPSE:	/* drops the lock and finds VMAs on its own */
#ifdef MADV_GUARD_INSTALL	/* guards go on exact addresses */
	case MADV_GUARD_INSTALL:
	case MADV_GUARD_REMOVE:
#endif
#ifdef CONFIG_MEMORY_FAILURE	/* as madvise_behavior_valid(): not every arch has them */
	case MADV_HWPOISON:
	case MADV_SOFT_OFFLINE:
#endif
		return -EINVAL;
	}
	return filter;
}

/*
 * madvise_vma_is_file - the classification of MADV_FILE_FILTER and of
 * process_vm_getinfo()'s VMGI_VMA_FILE
 *
 * Anonymous is what vma_is_anonymous() says (heap, stacks, MAP_PRIVATE |
 * MAP_ANONYMOUS, named or not, and private mappings of /dev/zero, which
 * have a file but no operations). File is every other VMA with a file,
 * shmem, memfd and MAP_SHARED | MAP_ANONYMOUS included: their pages belong
 * to an object other processes may share. Special mappings (vdso, vvar) are
 * neither.
 */
static inline bool madvise_vma_is_file(struct vm_area_struct *vma)
{
	return vma->vm_file && !vma_is_anonymous(vma);
}

/*
 * madvise_filter_match - whether a filter selects a VMA
 *
 * See madvise_vma_is_file() for what each filter selects. A filtered range
 * is searched, so a VMA that MADV_COLD or MADV_PAGEOUT cannot apply to
 * (locked, PFN-mapped, hugetlb), on which madvise() would fail, is not
 * selected either.
 */
static inline bool madvise_filter_match(struct vm_area_struct *vma,
					int behavior, int filter)
{
	if (filter & MADV_ANONYMOUS_FILTER ? !vma_is_anonymous(vma) :
	    !madvise_vma_is_file(vma))
		return false;
	if (behavior == MADV_COLD || behavior == MADV_PAGEOUT)
		return !(vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB));
	return true;
}

#endif /* _LINUX_MADVISE_FILTER_H */
