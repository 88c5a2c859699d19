// SPDX-License-Identifier: GPL-2.0
/*
 * Prints a transcript of what prctl(PR_SET_VMA_ANON_NAME) does for a fixed
 * sequence of inputs: each call's result and errno, and the lines of
 * /proc/self/maps for the test area with addresses made relative to it. Run
 * on two kernels, the transcripts must be byte-for-byte identical: this is how
 * the series is checked against stock 6.12.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

#define PAGES 16

static char *area;
static long pg;

static void call(const char *what, unsigned long off, unsigned long len,
		 const char *name)
{
	int r = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME,
		      (unsigned long)area + off, len, (unsigned long)name);

	printf("%s: %d %s\n", what, r, r ? strerror(errno) : "");
}

static void dump_range(const char *when, char *base, int pages)
{
	unsigned long lo = (unsigned long)base, hi = lo + pages * pg;
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	printf("maps %s:\n", when);
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		int pos = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s%n", &s, &e, &pos) < 2 ||
		    s < lo || s >= hi)
			continue;
		/* The name, without the padding that follows the inode. */
		while (line[pos] == ' ')
			pos++;
		printf("  +%lu..+%lu %.4s %s", (s - lo) / pg, (e - lo) / pg,
		       line + strcspn(line, " ") + 1, line + pos);
	}
	if (f)
		fclose(f);
}

static void dump_maps(const char *when)
{
	dump_range(when, area, PAGES);
}

int main(void)
{
	char name[128], *shm;
	int c, len;

	pg = sysconf(_SC_PAGESIZE);
	area = mmap(NULL, PAGES * pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 1;

	for (c = 1; c < 256; c++) {
		char what[32];

		snprintf(name, sizeof(name), "a%cb", c);
		snprintf(what, sizeof(what), "byte 0x%02x", c);
		call(what, 0, pg, name);
	}
	for (len = 0; len <= 82; len++) {
		char what[32];

		memset(name, 'x', len);
		name[len] = '\0';
		snprintf(what, sizeof(what), "length %d", len);
		call(what, 0, pg, name);
	}
	call("unaligned", 1, pg, "u");
	call("overflow", 0, -pg, "o");
	call("zero length", 0, 0, "z");
	call("bad pointer", 0, pg, (const char *)8);
	call("null on unnamed", 2 * pg, pg, NULL);
	dump_maps("after single-page calls");

	call("whole", 0, PAGES * pg, "whole");
	call("middle", 4 * pg, 4 * pg, "middle");
	call("inner", 5 * pg, pg, "inner");
	call("empty", 10 * pg, pg, "");
	dump_maps("after splits");
	call("rejoin", 4 * pg, 4 * pg, "whole");
	dump_maps("after rejoin");
	mprotect(area + 12 * pg, pg, PROT_READ);
	call("across prot", 11 * pg, 3 * pg, "prot");
	dump_maps("after mprotect");
	munmap(area + 14 * pg, pg);
	call("across hole", 13 * pg, 3 * pg, "hole");
	dump_maps("after hole");
	if (fork() == 0) {
		call("child rename", 0, pg, "child");
		dump_maps("in child");
		_exit(0);
	}
	wait(NULL);
	dump_maps("in parent after fork");

	/* mremap carries the name along, to a new place and when growing. */
	munmap(area + 8 * pg, 6 * pg);
	if (mremap(area, 2 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED,
		   area + 8 * pg) == MAP_FAILED)
		printf("mremap failed: %s\n", strerror(errno));
	dump_maps("after mremap");

	/* Shared anonymous memory is named [anon_shmem:NAME]. */
	shm = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return 1;
	area = shm;
	call("shmem", 0, pg, "shm");
	dump_range("shmem", shm, 2);
	return 0;
}
