// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark of anonymous VMA names, for `make bench`: the cost of naming
 * many VMAs, of fork() with many named VMAs, and the slab memory the names
 * take. Prints "bench: KEY VALUE UNIT" lines. Run under QEMU with
 * -icount shift=0 the guest clock counts instructions, so the figures repeat
 * from run to run.
 *
 * Usage: anon_vma_name_bench [NR_VMAS]      (default 65536)
 *        anon_vma_name_bench -c [NR_VMAS]   (default 16384)
 *
 * With -c it times only naming NR_VMAS pages with random names and with
 * names that all have one 32-bit FNV-1a hash (anon_vma_name_collide.h),
 * both 68 bytes long: a table indexed by that hash would put every one of
 * the latter in one chain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "anon_vma_name_collide.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

#define FORKS 5
#define COLLIDE_BLOCKS 17	/* 2^17 names of 68 bytes, one FNV-1a hash */
#define COLLIDE_SEED 0x62656e6368ull

static long pg;
static long nr;
static char *area;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Bytes of slab objects in use, over every cache (/proc/slabinfo: active
 * objects times object size), so that page-level slack does not count.
 */
static double slab_bytes(void)
{
	char line[512], name[64];
	unsigned long active, total, size;
	double sum = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lu %lu %lu", name, &active, &total,
			   &size) == 4)
			sum += (double)active * size;
	if (f)
		fclose(f);
	return sum;
}

/* nr one-page VMAs: every other page read-only, so that none merge. */
static void make_vmas(void)
{
	long i;

	area = mmap(NULL, nr * pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (i = 0; i < nr; i++)
		area[i * pg] = 1;
	for (i = 1; i < nr; i += 2)
		if (mprotect(area + i * pg, pg, PROT_READ)) {
			perror("mprotect (raise vm.max_map_count)");
			exit(1);
		}
}

/* Names each VMA with one call; returns ns per call. */
static double name_all(int distinct)
{
	char name[32] = "libc_malloc";
	double t0 = now_ns();
	long i;

	for (i = 0; i < nr; i++) {
		if (distinct)
			snprintf(name, sizeof(name), "name:%ld", i);
		if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME,
			  (unsigned long)area + i * pg, pg, (unsigned long)name)) {
			perror("prctl");
			exit(1);
		}
	}
	return (now_ns() - t0) / nr;
}

/*
 * Names each VMA with name i of a family, 68 bytes each (random, or all
 * with one FNV-1a hash); returns ns per call.
 */
static double name_family(const struct avn_collide *collide)
{
	char name[AVN_NAME_MAX + 1];
	double t0 = now_ns();
	long i;

	for (i = 0; i < nr; i++) {
		if (collide)
			avn_collide_name(collide, i, name);
		else
			avn_random_name(COLLIDE_SEED, i,
					COLLIDE_BLOCKS * AVN_BLOCK, name);
		if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME,
			  (unsigned long)area + i * pg, pg, (unsigned long)name)) {
			perror("prctl");
			exit(1);
		}
	}
	return (now_ns() - t0) / nr;
}

static void clear_all(void)
{
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)area,
		  nr * pg, 0)) {
		perror("prctl clear");
		exit(1);
	}
}

/* The fastest of FORKS fork()s, in ns: fork, child exits, parent reaps. */
static double fork_ns(void)
{
	double best = 0;
	int i;

	for (i = 0; i < FORKS; i++) {
		double t0 = now_ns(), t;
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		t = now_ns() - t0;
		waitpid(pid, NULL, 0);
		if (!best || t < best)
			best = t;
	}
	return best;
}

/* -c: random names against FNV-1a-colliding ones. */
static int bench_collide(void)
{
	struct avn_collide collide;
	double random_ns, collide_ns;

	if (nr > 1L << COLLIDE_BLOCKS ||
	    avn_collide_init(&collide, COLLIDE_BLOCKS, COLLIDE_SEED)) {
		fprintf(stderr, "at most %ld VMAs with -c\n", 1L << COLLIDE_BLOCKS);
		return 1;
	}
	make_vmas();
	random_ns = name_family(NULL);
	clear_all();
	collide_ns = name_family(&collide);
	clear_all();
	printf("bench: name_random_%ld %.0f ns/vma\n", nr, random_ns);
	printf("bench: name_fnv_collide_%ld %.0f ns/vma\n", nr, collide_ns);
	munmap(area, nr * pg);
	return 0;
}

int main(int argc, char **argv)
{
	double s0, s1;

	pg = sysconf(_SC_PAGESIZE);
	if (argc > 1 && !strcmp(argv[1], "-c")) {
		nr = argc > 2 ? atol(argv[2]) : 16384;
		return bench_collide();
	}
	nr = argc > 1 ? atol(argv[1]) : 65536;
	make_vmas();

	printf("bench: vmas %ld count\n", nr);
	printf("bench: fork_unnamed %.0f ns\n", fork_ns());

	s0 = slab_bytes();
	printf("bench: name_one_name %.0f ns/vma\n", name_all(0));
	s1 = slab_bytes();
	printf("bench: slab_one_name %.1f bytes/vma\n", (s1 - s0) / nr);
	printf("bench: fork_named_one_name %.0f ns\n", fork_ns());
	clear_all();

	s0 = slab_bytes();
	printf("bench: name_distinct %.0f ns/vma\n", name_all(1));
	s1 = slab_bytes();
	printf("bench: slab_distinct %.1f bytes/vma\n", (s1 - s0) / nr);
	printf("bench: fork_named_distinct %.0f ns\n", fork_ns());
	clear_all();
	return 0;
}
