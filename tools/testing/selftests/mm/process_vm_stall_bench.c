// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm_stall_bench: how long a target waits for its own mmap() and
 * munmap() while a manager works on it, and how often process_vm_madvise()
 * advises against a target that keeps changing its map elsewhere.
 *
 * The target keeps 1,024 VMAs of 4 written pages (neighbours differ in
 * protection, so they do not merge; PROT_NONE pages on either side keep
 * other mappings from merging with the first and the last). It maps,
 * writes and unmaps one page outside them, times the pair, writes one byte in each
 * page of 16 of the ranges (bringing back what was paged out) and sleeps
 * 200 us, ITERS times. Meanwhile the manager, in another process, does one
 * of the following over and over:
 *   idle               nothing (the reference)
 *   maps               reads /proc/PID/maps
 *   getinfo            takes a process_vm_getinfo() snapshot of it all
 *   process_madvise    MADV_PAGEOUT of the 1,024 ranges, 6.12's call
 *   process_vm_madvise a snapshot, then MADV_PAGEOUT of the same ranges
 *                      against its token
 * Each row runs ROUNDS times, the rows in turn; the figures are the medians
 * over the rounds of the target's p50, p99 and maximum latency, and, for
 * process_vm_madvise, the share of calls that advised every range (the
 * target changes its map only outside them, so all should). Prints
 * "bench: NAME VALUE UNIT" lines for scripts/bench; under QEMU's -icount
 * the time is guest time. Rows a kernel lacks are left out. Swap is on
 * zram when the kernel has it (so that MADV_PAGEOUT writes pages out).
 *
 * With -b, the same question for a big target while its layout keeps
 * moving: BIG_VMAS VMAs of 2 written pages, the target timing its own
 * mmap()+munmap() of a page every 200 us for BIG_SECS seconds, and a peer
 * of the same user writing "5" to /proc/PID/clear_refs every 500 us (a
 * write lock of the target's mmap_lock that moves the layout sequence
 * number and changes no VMA). The manager:
 *   idle               nothing (the reference)
 *   smaps_rollup       reads /proc/PID/smaps_rollup, 6.12's rollup, which
 *                      gives way to a waiting writer
 *   getinfo_counters   takes a process_vm_getinfo() snapshot of it all with
 *                      the counters
 * Prints "bench: stall_big_ROW_{p50,p99,max}" (medians over BIG_ROUNDS
 * rounds) and "bench: stall_big_ROW_ops", the target's iterations.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "process_vm_madvise.h"

#define RANGES	1024
#define PAGES	4	/* per range */
#define ITERS	400
#define ROUNDS	3
#define TOUCH	16	/* ranges the target writes to per iteration */

enum row { IDLE, MAPS, GETINFO, PROCESS_MADVISE, VM_MADVISE, NROWS };

static const char *const row_name[NROWS] = {
	"idle", "maps", "getinfo", "process_madvise", "process_vm_madvise",
};

/* Shared between the manager and the target; __atomic builtins. */
struct shared {
	int ready, go, done;
	double lat[ITERS];
};

static long ps;
static char *base;

static void target_loop(struct shared *sh)
{
	long len = PAGES * ps;
	int i, j, next = 0;

	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		usleep(100);
	for (i = 0; i < ITERS; i++) {
		double t0 = bench_now_ns();
		char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(2);
		*p = 1;
		munmap(p, ps);
		sh->lat[i] = bench_now_ns() - t0;
		for (j = 0; j < TOUCH; j++, next = (next + 1) % RANGES)
			for (long o = 0; o < len; o += ps)
				base[2 * next * len + o] = (char)i;
		usleep(200);
	}
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One round of one row: a fresh target, the manager's loop until the target
 * is done. Fills p50/p99/max (ns) and, for VM_MADVISE, the calls and those
 * that advised everything.
 */
static int round_of(enum row row, struct iovec *iov, double out[3], int *calls, int *full)
{
	long len = PAGES * ps, all = RANGES * len;
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct snap s = { 0 };
	int pidfd, status, i;
	pid_t pid;

	if (sh == MAP_FAILED)
		return -1;
	*calls = *full = 0;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		memset(base, 1, 2 * all);
		for (i = 0; i < RANGES; i++)
			mprotect(base + (2 * i + 1) * len, len, PROT_READ);
		target_loop(sh);
	}
	pidfd = sys_pidfd_open(pid);
	if (pidfd < 0)
		return -1;
	/* The target sets up before the clock starts. */
	while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE)) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		usleep(1000);
	}
	__atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
		long ret = 0;

		switch (row) {
		case IDLE:
			usleep(1000);
			continue;
		case MAPS:
			ret = bench_read_maps(pid);
			break;
		case GETINFO:
			ret = snap_take(&s, pidfd, VMGI_RANGE | VMGI_PROT | VMGI_NAME, 0, ~0ULL);
			break;
		case PROCESS_MADVISE:
			ret = sys_process_madvise(pidfd, iov, RANGES, MADV_PAGEOUT);
			ret = ret == all ? 0 : ret;
			break;
		case VM_MADVISE:
			ret = snap_take(&s, pidfd, VMGI_RANGE, 0, ~0ULL);
			if (ret)
				break;
			ret = vm_madvise(pidfd, iov, RANGES, MADV_PAGEOUT, s.args.mm_id,
					 s.args.seq);
			/* A call that met the target's exit is not one of the round's. */
			if (ret == -ESRCH && __atomic_load_n(&sh->done, __ATOMIC_ACQUIRE))
				continue;
			*full += ret == all;
			ret = ret == all || ret == -ESTALE || ret > 0 ? 0 : ret;
			break;
		default:
			break;
		}
		if (ret && !__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
			fprintf(stderr, "%s: %ld\n", row_name[row], ret);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
		++*calls;
	}
	waitpid(pid, &status, 0);
	close(pidfd);
	snap_free(&s);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	qsort(sh->lat, ITERS, sizeof(double), cmp);
	out[0] = sh->lat[ITERS / 2];
	out[1] = sh->lat[ITERS * 99 / 100];
	out[2] = sh->lat[ITERS - 1];
	munmap(sh, sizeof(*sh));
	return 0;
}

#define BIG_VMAS	20000
#define BIG_SECS	6
#define BIG_ROUNDS	3
#define BIG_MAXLAT	65536

enum big_row { BIG_IDLE, BIG_ROLLUP, BIG_GETINFO, BIG_NROWS };

static const char *const big_name[BIG_NROWS] = {
	"idle", "smaps_rollup", "getinfo_counters",
};

struct big_shared {
	int ready, go, done, n;
	double lat[BIG_MAXLAT];
};

static void big_target(struct big_shared *sh)
{
	double end;

	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		usleep(100);
	end = bench_now_ns() + BIG_SECS * 1e9;
	while (sh->n < BIG_MAXLAT) {
		double t0 = bench_now_ns();
		char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(2);
		*p = 1;
		munmap(p, ps);
		sh->lat[sh->n++] = bench_now_ns() - t0;
		if (bench_now_ns() > end)
			break;
		usleep(200);
	}
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/* Writes "5" to the target's clear_refs every 500 us until it is done. */
static void big_peer(struct big_shared *sh, pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", pid);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		_exit(2);
	while (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
		if (pwrite(fd, "5", 1, 0) != 1)
			_exit(3);
		usleep(500);
	}
	_exit(0);
}

/* One round of one row of -b: out[] gets p50, p99, max (ns) and the ops. */
static int big_round(enum big_row row, double out[4])
{
	struct big_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long len = 2 * ps;
	struct snap s = { 0 };
	pid_t pid, peer;
	int pidfd, status, ok = 1, i;
	char *b;

	if (sh == MAP_FAILED)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* Neighbours differ in protection, so that none merge. */
		b = mmap(NULL, BIG_VMAS * len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		if (b == MAP_FAILED)
			_exit(2);
		for (i = 0; i < BIG_VMAS; i++) {
			b[i * len] = 1;
			b[i * len + ps] = 1;
			if (i % 2 && mprotect(b + i * len, len, PROT_READ))
				_exit(2);
		}
		big_target(sh);
	}
	pidfd = sys_pidfd_open(pid);
	if (pidfd < 0)
		return -1;
	while (!__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE)) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		usleep(1000);
	}
	peer = fork();
	if (peer < 0)
		return -1;
	if (peer == 0)
		big_peer(sh, pid);
	__atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);
	while (ok && !__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
		switch (row) {
		case BIG_ROLLUP:
			ok = !bench_read_proc(pid, "smaps_rollup");
			break;
		case BIG_GETINFO:
			ok = !snap_take(&s, pidfd, VMGI_RANGE | VMGI_COUNTERS, 0, ~0ULL);
			break;
		default:
			usleep(1000);
			break;
		}
	}
	if (!ok && !__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
		fprintf(stderr, "big %s: the manager's call failed\n", big_name[row]);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	ok = ok && WIFEXITED(status) && !WEXITSTATUS(status);
	waitpid(peer, &status, 0);
	ok = ok && WIFEXITED(status) && !WEXITSTATUS(status) && sh->n > 0;
	close(pidfd);
	snap_free(&s);
	if (ok) {
		qsort(sh->lat, sh->n, sizeof(double), cmp);
		out[0] = sh->lat[sh->n / 2];
		out[1] = sh->lat[sh->n * 99 / 100];
		out[2] = sh->lat[sh->n - 1];
		out[3] = sh->n;
	}
	munmap(sh, sizeof(*sh));
	return ok ? 0 : -1;
}

static int big_main(void)
{
	static const char *const what[4] = { "p50", "p99", "max", "ops" };
	static const char *const unit[4] = { "ns", "ns", "ns", "ops" };
	double fig[BIG_NROWS][4][BIG_ROUNDS];
	int have[BIG_NROWS] = { 1, 1, have_getinfo() };
	int r, row, k;

	for (r = 0; r < BIG_ROUNDS; r++)
		for (row = 0; row < BIG_NROWS; row++) {
			double out[4];

			if (!have[row])
				continue;
			if (big_round(row, out) < 0)
				return 2;
			for (k = 0; k < 4; k++)
				fig[row][k][r] = out[k];
		}
	for (row = 0; row < BIG_NROWS; row++)
		for (k = 0; have[row] && k < 4; k++)
			printf("bench: stall_big_%s_%s %.1f %s\n", big_name[row], what[k],
			       bench_median(fig[row][k], BIG_ROUNDS), unit[k]);
	return 0;
}

int main(int argc, char **argv)
{
	static struct iovec iov[RANGES];
	static const char *const what[3] = { "p50", "p99", "max" };
	double fig[NROWS][3][ROUNDS], share[ROUNDS];
	int have[NROWS] = { 1, 1, 0, 1, 0 };
	int r, row, k, calls, full;
	long len;

	ps = sysconf(_SC_PAGESIZE);
	if (getopt(argc, argv, "b") == 'b')
		return big_main();
	len = PAGES * ps;
	have[GETINFO] = have_getinfo();
	have[VM_MADVISE] = have_getinfo() && have_vm_madvise();
	if (ensure_swap())
		printf("# no swap on zram: MADV_PAGEOUT cannot write anonymous pages out\n");
	/*
	 * Between two PROT_NONE pages: the target's page would otherwise land
	 * next to the first range and merge with its VMA, which changes that
	 * VMA's bounds, a change of an advised range.
	 */
	base = mmap(NULL, 2 * RANGES * len + 2 * ps, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return 1;
	base += ps;
	if (mmap(base, 2 * RANGES * len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != base)
		return 1;
	for (k = 0; k < RANGES; k++)
		iov[k] = (struct iovec){ base + 2 * k * len, len };
	for (r = 0; r < ROUNDS; r++) {
		for (row = 0; row < NROWS; row++) {
			double out[3];

			if (!have[row])
				continue;
			if (round_of(row, iov, out, &calls, &full) < 0)
				return 2;
			for (k = 0; k < 3; k++)
				fig[row][k][r] = out[k];
			if (row == VM_MADVISE)
				share[r] = calls ? 100.0 * full / calls : 0;
		}
	}
	for (row = 0; row < NROWS; row++) {
		if (!have[row])
			continue;
		for (k = 0; k < 3; k++)
			printf("bench: stall_%s_%s %.1f ns\n", row_name[row], what[k],
			       bench_median(fig[row][k], ROUNDS));
	}
	if (have[VM_MADVISE])
		printf("bench: stall_process_vm_madvise_advised %.1f %%\n",
		       bench_median(share, ROUNDS));
	return 0;
}
