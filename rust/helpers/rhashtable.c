// SPDX-License-Identifier: GPL-2.0

#include <linux/rhashtable.h>

#ifdef CONFIG_RUST_RHASHTABLE
/*
 * The inline functions get the table's own parameters, ht->p: they are not
 * compile-time constants here, which <linux/rhashtable.h> allows when they
 * are those the table was initialised with.
 */
/*
 * One lock class for the tables of Rust: the key of the call site below,
 * a static of this function (so not a __rust_helper, which may be inlined).
 */
int rust_helper_rhashtable_init(struct rhashtable *ht,
				const struct rhashtable_params *params)
{
	return rhashtable_init(ht, params);
}

__rust_helper void *
rust_helper_rhashtable_lookup(struct rhashtable *ht, const void *key)
{
	return rhashtable_lookup(ht, key, ht->p);
}

__rust_helper void *
rust_helper_rhashtable_lookup_get_insert_key(struct rhashtable *ht,
					     const void *key,
					     struct rhash_head *obj)
{
	return rhashtable_lookup_get_insert_key(ht, key, obj, ht->p);
}

__rust_helper int
rust_helper_rhashtable_replace_fast(struct rhashtable *ht,
				    struct rhash_head *old,
				    struct rhash_head *new)
{
	return rhashtable_replace_fast(ht, old, new, ht->p);
}

__rust_helper int
rust_helper_rhashtable_remove_fast(struct rhashtable *ht,
				   struct rhash_head *obj)
{
	return rhashtable_remove_fast(ht, obj, ht->p);
}

__rust_helper unsigned int
rust_helper_rhashtable_nelems(struct rhashtable *ht)
{
	return atomic_read(&ht->nelems);
}

/* The size of the bucket array in use now. */
__rust_helper unsigned int
rust_helper_rhashtable_buckets(struct rhashtable *ht)
{
	unsigned int size;

	rcu_read_lock();
	size = rcu_dereference(ht->tbl)->size;
	rcu_read_unlock();
	return size;
}
#endif
