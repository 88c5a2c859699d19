// SPDX-License-Identifier: GPL-2.0
/*
 * Identifiers of address spaces for VMA layout tokens.
 *
 * A layout token is the pair (vma_layout_mm_id(mm), mm->vma_layout_seq), see
 * include/linux/vma_layout_seq.h. The sequence number alone would let a token
 * taken before exec() match the new address space, whose count starts again
 * from zero; the identifier, never reused in a boot, prevents that.
 *
 * The identifier must not tell anything either: a plain counter would let any
 * process that can snapshot itself count the address spaces that the whole
 * machine (every user, every container) created between two of its calls.
 * Every mm_struct therefore keeps the number of its creation, and callers see
 * its image under a keyed permutation of the 64-bit integers: unique for the
 * boot because the permutation is a bijection and the counter never wraps,
 * and in an order no one without the key can see. The permutation is applied
 * when the identifier is read, by a system call, so that its key can be drawn
 * then: the first mm_struct is made long before the random pool is ready,
 * and before the work queues that DO_ONCE() needs.
 */

#include <linux/atomic.h>
#include <linux/mm_types.h>
#include <linux/once.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/vma_layout_seq.h>

/* The next creation number; init_mm keeps 0 and is never asked for its id. */
static atomic64_t vma_layout_next_mm = ATOMIC64_INIT(1);
static hsiphash_key_t vma_layout_id_key __read_mostly;

u64 vma_layout_new_mm_id(void)
{
	return atomic64_fetch_inc_relaxed(&vma_layout_next_mm);
}

/*
 * Four Feistel rounds on 32-bit halves, each round's function hsiphash() of
 * the round number and one half under the key: with a pseudorandom round
 * function, four rounds make a strong pseudorandom permutation (three only a
 * pseudorandom one, told apart from random after about 2^16 values when
 * inverse queries are possible).
 */
static u64 vma_layout_permute(u64 n)
{
	u32 l = n >> 32, r = n, t, i;

	for (i = 0; i < 4; i++) {
		t = r;
		r = l ^ hsiphash_2u32(i, r, &vma_layout_id_key);
		l = t;
	}
	return (u64)l << 32 | r;
}

/*
 * vma_layout_mm_id - the identifier of an address space, as tokens carry it
 * @mm: the address space
 *
 * Called in process context. Returns an identifier that no other address
 * space has in this boot, never 0.
 */
u64 vma_layout_mm_id(const struct mm_struct *mm)
{
	u64 id;

	get_random_once(&vma_layout_id_key, sizeof(vma_layout_id_key));
	id = vma_layout_permute(mm->vma_layout_mm_id);
	/*
	 * The one creation number whose image is 0 takes the image of U64_MAX,
	 * a number the counter never reaches: still one image per number.
	 */
	return id ? id : vma_layout_permute(U64_MAX);
}

/*
 * vma_layout_changes_since - where the layout changed after a number
 * @mm: the address space, its mmap lock held (for reading at least), or
 *	read with none while no writer holds it (its mm_lock_seq even; the
 *	result counts only if mm_lock_seq is still the same afterwards)
 * @seq: a layout sequence number of @mm read before, at most the current one
 * @start: set to the start of the range
 * @end: set to its end (@start >= @end: nothing changed)
 *
 * Returns true and a range that holds every address whose VMA (or lack of
 * one) or label the write-locked sections after @seq changed, as
 * vma_layout_touch() noted them; false if @mm no longer keeps the ranges of
 * them all (more than VMA_LAYOUT_CHANGES sections, or one that kept its
 * number in between).
 */
bool vma_layout_changes_since(const struct mm_struct *mm, u64 seq,
			      unsigned long *start, unsigned long *end)
{
	u64 now = READ_ONCE(mm->vma_layout_seq), s;

	*start = ULONG_MAX;
	*end = 0;
	if (seq > now || now - seq > VMA_LAYOUT_CHANGES)
		return false;
	for (s = seq + 1; s <= now; s++) {
		const struct vma_layout_change *c =
			&mm->vma_layout_changes[s % VMA_LAYOUT_CHANGES];

		if (READ_ONCE(c->seq) != s)
			return false;
		*start = min(*start, READ_ONCE(c->start));
		*end = max(*end, READ_ONCE(c->end));
	}
	return true;
}
