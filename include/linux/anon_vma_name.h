/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anonymous VMA names: the functions that mm/anon_vma_name.rs exports to C.
 *
 * Name objects (struct anon_vma_name) are interned: all live VMAs whose names
 * are the same string share one object, so two names are equal exactly when
 * their pointers are. anon_vma_name_alloc() returns that object with a new
 * reference; anon_vma_name_get()/anon_vma_name_put() in <linux/mm_inline.h>
 * take and drop references.
 */
#ifndef _LINUX_ANON_VMA_NAME_H
#define _LINUX_ANON_VMA_NAME_H

#ifdef CONFIG_ANON_VMA_NAME

#include <linux/mm_types.h>

/*
 * anon_vma_name_check - check a name given to prctl(PR_SET_VMA_ANON_NAME)
 * @name: NUL-terminated name, without the "[anon:" decoration
 *
 * Return: 0 if @name is valid, -EINVAL if it is too long or holds a byte
 * other than printable ASCII, or one of \ ` $ [ ].
 */
int anon_vma_name_check(const char *name);

/* Number of interned name objects, and of all name objects alive. */
size_t anon_vma_name_interned(void);
size_t anon_vma_name_live(void);

/*
 * anon_vma_name_id - the identifier of a name object
 *
 * Unique for the life of the boot: userspace can aggregate by it and fetch
 * each string once.
 */
static inline u64 anon_vma_name_id(const struct anon_vma_name *anon_name)
{
	return anon_name->id;
}

#endif /* CONFIG_ANON_VMA_NAME */

#endif /* _LINUX_ANON_VMA_NAME_H */
