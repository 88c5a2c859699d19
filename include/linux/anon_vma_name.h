/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anonymous VMA names: the functions that mm/anon_vma_name.rs exports to C.
 */
#ifndef _LINUX_ANON_VMA_NAME_H
#define _LINUX_ANON_VMA_NAME_H

#ifdef CONFIG_ANON_VMA_NAME

/*
 * anon_vma_name_check - check a name given to prctl(PR_SET_VMA_ANON_NAME)
 * @name: NUL-terminated name, without the "[anon:" decoration
 *
 * Return: 0 if @name is valid, -EINVAL if it is too long or holds a byte
 * other than printable ASCII, or one of \ ` $ [ ].
 */
int anon_vma_name_check(const char *name);

#endif /* CONFIG_ANON_VMA_NAME */

#endif /* _LINUX_ANON_VMA_NAME_H */
