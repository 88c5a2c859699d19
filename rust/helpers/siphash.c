// SPDX-License-Identifier: GPL-2.0

#include <linux/siphash.h>

#ifdef CONFIG_RUST_RHASHTABLE
__rust_helper u32 rust_helper_hsiphash(const void *data, size_t len,
				       const hsiphash_key_t *key)
{
	return hsiphash(data, len, key);
}
#endif
