// SPDX-License-Identifier: GPL-2.0
/*
 * Identifiers of address spaces for VMA layout tokens.
 *
 * A layout token is the pair (mm->vma_layout_mm_id, mm->vma_layout_seq), see
 * include/linux/vma_layout_seq.h. The sequence number alone would let a token
 * taken before exec() match the new address space, whose count starts again
 * from zero; the identifier, never reused in a boot, prevents that.
 *
 * The identifier must not tell anything either: a plain counter would let any
 * process that can snapshot itself count the address spaces that the whole
 * machine (every user, every container) created between two of its calls.
 * Identifiers are therefore the images of a counter under a keyed permutation
 * of the 64-bit integers: unique for the boot because the permutation is a
 * bijection and the counter never wraps, and in an order no one without the
 * key, drawn at the first fork, can see.
 */

#include <linux/atomic.h>
#include <linux/once.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/vma_layout_seq.h>

static atomic64_t vma_layout_next_mm_id = ATOMIC64_INIT(0);
static hsiphash_key_t vma_layout_id_key __read_mostly;

/*
 * Four Feistel rounds on 32-bit halves, each round's function hsiphash() of
 * the round number and one half under the key: with a pseudorandom round
 * function, four rounds make a strong pseudorandom permutation (three only
 * a pseudorandom one, told apart from random after about 2^16 values when
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
 * Returns an address-space identifier that was never returned before in this
 * boot, and never zero (init_mm's); called by mm_init() for every new
 * mm_struct. 2^64 identifiers last for more than 500 years at a billion forks
 * a second.
 */
u64 vma_layout_new_mm_id(void)
{
	u64 id;

	get_random_once(&vma_layout_id_key, sizeof(vma_layout_id_key));
	do {
		id = vma_layout_permute(atomic64_fetch_inc_relaxed(&vma_layout_next_mm_id));
	} while (unlikely(!id));
	return id;
}
