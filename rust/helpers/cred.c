// SPDX-License-Identifier: GPL-2.0

#include <linux/cred.h>

#ifdef CONFIG_ANON_VMA_NAME_RUST /* no other user yet */
kuid_t rust_helper_current_euid(void)
{
	return current_euid();
}
#endif
