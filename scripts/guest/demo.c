// SPDX-License-Identifier: GPL-2.0
/*
 * The demo `make run` shows: name some anonymous memory the way Android's
 * allocators do and show the result in /proc/self/maps.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

static void name(void *p, size_t len, const char *n)
{
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, len,
		  (unsigned long)n))
		perror("prctl(PR_SET_VMA_ANON_NAME)");
	else
		printf("named %p-%p \"%s\"\n", p, (char *)p + len, n);
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char line[512];
	FILE *f;

	if (p == MAP_FAILED)
		return 1;
	name(p, 4 * pg, "libc_malloc");
	name(p + 4 * pg, 2 * pg, "stack_and_tls:1234");
	name(p + 6 * pg, 2 * pg, "dalvik-main space");
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, pg,
		  (unsigned long)"bad[name]"))
		printf("\"bad[name]\" refused: %s (the check runs in Rust)\n",
		       strerror(errno));
	/* Apart from the first, so they stay two VMAs: one name object for both. */
	name(p + 7 * pg, pg, "libc_malloc");
	printf("\n/proc/self/maps:\n");
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		fputs(line, stdout);
	if (f)
		fclose(f);
	f = fopen("/sys/kernel/debug/anon_vma_names", "r");
	printf("\n/sys/kernel/debug/anon_vma_names (name objects in the system):\n");
	while (f && fgets(line, sizeof(line), f))
		fputs(line, stdout);
	printf("\nThe demo named anonymous ranges as Android's allocators do; /proc/self/maps\n"
	       "shows them as [anon:NAME]. The name check ran in Rust, and the two\n"
	       "libc_malloc ranges share one interned name object.\n");
	return 0;
}
