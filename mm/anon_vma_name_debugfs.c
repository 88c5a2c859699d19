// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/anon_vma_names: how many anonymous VMA name objects
 * exist, for tests that check that names do not leak. The counting is done by
 * mm/anon_vma_name.rs; this file only shows it.
 */
#include <linux/anon_vma_name.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/seq_file.h>

static int anon_vma_names_show(struct seq_file *m, void *v)
{
	seq_printf(m, "interned %zu\nlive %zu\n", anon_vma_name_interned(),
		   anon_vma_name_live());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(anon_vma_names);

static int __init anon_vma_name_debugfs_init(void)
{
	debugfs_create_file("anon_vma_names", 0400, NULL, NULL,
			    &anon_vma_names_fops);
	return 0;
}
late_initcall(anon_vma_name_debugfs_init);
