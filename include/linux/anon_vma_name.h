/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anonymous VMA names: the functions that mm/anon_vma_name.rs exports to C.
 *
 * Name objects (struct anon_vma_name) are interned: all live VMAs whose names
 * are the same string, given by tasks of the same effective uid, share one
 * object. anon_vma_name_alloc() returns that object with a new
 * reference; anon_vma_name_get()/anon_vma_name_put() in <linux/mm_inline.h>
 * take and drop references.
 */
#ifndef _LINUX_ANON_VMA_NAME_H
#define _LINUX_ANON_VMA_NAME_H

#ifdef CONFIG_ANON_VMA_NAME_RUST

#include <linux/mm_types.h>

/*
 * anon_vma_name_from_user - the name object for a name in user memory
 * @uname: NUL-terminated name, without the "[anon:" decoration
 *
 * Copies and checks the name as prctl(PR_SET_VMA_ANON_NAME) defines it and
 * returns its object with a new reference.
 *
 * Return: the object, or ERR_PTR(-EFAULT) if @uname cannot be read,
 * ERR_PTR(-EINVAL) if the name is 80 bytes or longer or holds a byte other
 * than printable ASCII or one of \ ` $ [ ], ERR_PTR(-ENOMEM).
 */
struct anon_vma_name *anon_vma_name_from_user(const char __user *uname);

/*
 * anon_vma_name_id - the id of a name object, for process_vm_getinfo()
 * @name: a name object the caller holds a reference on
 *
 * Return: an id unique among all name objects of the boot, never 0.
 */
u64 anon_vma_name_id(const struct anon_vma_name *name);

/* Number of interned name objects, and of all name objects alive. */
size_t anon_vma_name_interned(void);
size_t anon_vma_name_live(void);

#endif /* CONFIG_ANON_VMA_NAME_RUST */

#endif /* _LINUX_ANON_VMA_NAME_H */
