// SPDX-License-Identifier: GPL-2.0
/*
 * Identifiers of address spaces for VMA layout tokens.
 *
 * A layout token is the pair (mm->vma_layout_mm_id, mm->vma_layout_seq), see
 * include/linux/vma_layout_seq.h. The sequence number alone would let a token
 * taken before exec() match the new address space, whose count starts again
 * from zero; the identifier, never reused in a boot, prevents that.
 */

#include <linux/atomic.h>
#include <linux/vma_layout_seq.h>

/* The next identifier; zero is never handed out (it is init_mm's). */
static atomic64_t vma_layout_next_mm_id = ATOMIC64_INIT(1);

/*
 * Returns an address-space identifier that was never returned before in this
 * boot; called by mm_init() for every new mm_struct. 2^64 identifiers last
 * for more than 500 years at a billion forks a second.
 */
u64 vma_layout_new_mm_id(void)
{
	return atomic64_fetch_inc_relaxed(&vma_layout_next_mm_id);
}
