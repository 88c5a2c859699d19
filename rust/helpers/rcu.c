// SPDX-License-Identifier: GPL-2.0

#include <linux/rcupdate.h>

#ifdef CONFIG_RUST_RHASHTABLE
void rust_helper_rcu_read_lock(void)
{
	rcu_read_lock();
}

void rust_helper_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

/* kvfree_call_rcu() is inline with Tiny RCU: reach it under its own name. */
void rust_helper_kvfree_rcu_head(struct rcu_head *head, void *ptr)
{
	kvfree_call_rcu(head, ptr);
}
#endif
