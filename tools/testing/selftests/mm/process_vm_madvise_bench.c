// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm_madvise_bench: the cost of advising 1,024 ranges of another
 * process with MADV_COLD, in one call, two ways:
 *   process_madvise     6.12's call, which takes the mmap lock per range
 *   process_vm_madvise  the sequence-checked call, one lock hold for all
 * Each range is a VMA of 4 written pages (neighbours differ in protection,
 * so they do not merge), as a memory manager advises the VMAs it picked from
 * a snapshot; 5 rounds of 20 calls each, the two ways in turn, median. Prints
 * "bench: NAME VALUE UNIT" lines for scripts/bench; meant
 * to run under QEMU with -icount shift=0. On a kernel without
 * process_vm_madvise() its line is left out.
 */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <sys/wait.h>

#include "process_vm_madvise.h"

#define RANGES	1024
#define PAGES	4	/* per range */
#define CALLS	20
#define ROUNDS	5

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE), len = PAGES * ps;
	static struct iovec iov[RANGES];
	int ready[2], pidfd, i, r, have;
	double t[2][ROUNDS];
	uint64_t id = 0, seq = 0;
	double t0;
	char *base, c;
	pid_t pid;

	base = mmap(NULL, 2 * RANGES * len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED || pipe(ready))
		return 1;
	pid = fork();
	if (pid == 0) {
		memset(base, 1, 2 * RANGES * len);
		for (i = 0; i < RANGES; i++)
			mprotect(base + (2 * i + 1) * len, len, PROT_READ);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(ready[0], &c, 1) != 1)
		return 1;
	for (i = 0; i < RANGES; i++)
		iov[i] = (struct iovec){ base + 2 * i * len, len };
	pidfd = sys_pidfd_open(pid);

	/*
	 * Rounds of each call in turn, median per call: whatever else the
	 * kernel does meanwhile (reclaim, compaction) weighs on both alike.
	 */
	have = have_vm_madvise() && !layout_token(pidfd, &id, &seq);
	for (r = 0; r < ROUNDS; r++) {
		t0 = bench_now_ns();
		for (i = 0; i < CALLS; i++)
			if (sys_process_madvise(pidfd, iov, RANGES, MADV_COLD) != RANGES * len)
				return 2;
		t[0][r] = (bench_now_ns() - t0) / CALLS;
		t0 = bench_now_ns();
		for (i = 0; have && i < CALLS; i++)
			if (vm_madvise(pidfd, iov, RANGES, MADV_COLD, id, seq) != RANGES * len)
				return 3;
		t[1][r] = (bench_now_ns() - t0) / CALLS;
	}
	printf("bench: madvise_cold_%d_process_madvise %.1f ns\n", RANGES,
	       bench_median(t[0], ROUNDS));
	if (have)
		printf("bench: madvise_cold_%d_process_vm_madvise %.1f ns\n", RANGES,
		       bench_median(t[1], ROUNDS));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}
