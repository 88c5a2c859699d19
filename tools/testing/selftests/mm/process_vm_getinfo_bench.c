// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm_getinfo_bench N...: the cost of reading the whole memory map of
 * a process with N VMAs, three ways:
 *   getinfo   one process_vm_getinfo() call, every attribute and every name
 *             (and getinfo_range_only: start and end only, the walk's floor)
 *   maps      read all of /proc/PID/maps (read only, no parsing)
 *   procmap   a PROCMAP_QUERY ioctl loop over all VMAs, names included
 * With counters (VMGI_COUNTERS), on a target of N VMAs that holds about
 * 200 MB spread over them (at least a page each), an eighth of its VMAs
 * paged out where there is swap, four more ways:
 *   smaps             read all of /proc/PID/smaps
 *   smaps_rollup      read /proc/PID/smaps_rollup
 *   getinfo_counters  one call, every attribute, counters included
 *   getinfo_rollup    one call with PROCESS_VM_GETINFO_ROLLUP
 * each also per resident page. The rows without counters ask for every
 * other attribute, in records of the first version's size: what they cost
 * before the counters existed.
 * Prints "bench: NAME VALUE UNIT" lines for scripts/bench. Meant to run under
 * QEMU with -icount shift=0, where guest time counts instructions. On a
 * kernel without process_vm_getinfo() the getinfo lines are left out.
 *
 * process_vm_getinfo_bench -p MASK CALLS N: only CALLS process_vm_getinfo()
 * calls asking for MASK, on a target of N VMAs, for scripts/profile-guest
 * (with CALLS 0 for the base run).
 */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/fs.h>

#include "process_vm_madvise.h"	/* ensure_swap(), and process_vm_getinfo.h */

#define ROUNDS 5

static long psize;

/*
 * The VMAs of pid's maps, which end with the gate VMA where there is one
 * ([vsyscall] on x86_64); *gate is 1 then (PROCMAP_QUERY does not see it).
 */
static int count_maps(pid_t pid, int *gate)
{
	char path[64], *line = NULL;
	size_t size = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	*gate = 0;
	while (getline(&line, &size, f) > 0) {
		n++;
		*gate = !!strstr(line, " [vsyscall]\n");
	}
	free(line);
	fclose(f);
	return n;
}

static int count_vmas(pid_t pid)
{
	char path[64], buf[65536];
	int fd, n = 0;
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < r; i++)
			n += buf[i] == '\n';
	close(fd);
	return n;
}

/*
 * A child that runs build(nr, arg), which makes its map, then waits until
 * *release (the write end of a pipe) is closed. Returns its pid, or -1.
 */
static pid_t start_child(void (*build)(int nr, int arg), int nr, int arg, int *release)
{
	int ready[2], hold[2];
	pid_t pid;
	char c;

	if (pipe(ready) || pipe(hold))
		return -1;
	pid = fork();
	if (pid == 0) {
		build(nr, arg);
		close(ready[0]);
		close(hold[1]);
		write(ready[1], "x", 1);
		read(hold[0], &c, 1);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &c, 1) != 1)
		return -1;
	close(ready[0]);
	*release = hold[1];
	return pid;
}

/*
 * A map of exactly nr VMAs, shaped like an app's: named allocator and
 * stack regions, guard pages, a few file mappings.
 */
static void app_layout(int nr, int unused)
{
	static const char *const names[] = {
		"libc_malloc", "scudo:primary", "stack_and_tls:main", "dalvik-heap",
	};
	int fd = open("/selftests/process_vm_getinfo_bench", O_RDONLY);
	int have = count_vmas(getpid()), i;

	(void)unused;
	for (i = 0; have + i < nr; i++) {
		char *p;

		if (i % 64 == 0 && fd >= 0)
			p = mmap(NULL, psize, PROT_READ, MAP_PRIVATE, fd, 0);
		else
			p = mmap(NULL, psize, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(2);
		if (i % 4)
			prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p,
			      psize, (unsigned long)names[i % 4]);
	}
}

static pid_t start_target(int nr, int *release)
{
	return start_child(app_layout, nr, 0, release);
}

static int procmap_loop(pid_t pid)
{
	static char name[4096];
	struct procmap_query q;
	char path[64];
	uint64_t addr = 0;
	int fd, n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (;;) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA;
		q.query_addr = addr;
		q.vma_name_addr = (uintptr_t)name;
		q.vma_name_size = sizeof(name);
		if (ioctl(fd, PROCMAP_QUERY, &q))
			break;
		addr = q.vma_end;
		n++;
	}
	close(fd);
	return n;
}

/* One line of results for scripts/bench. */
static void report(const char *what, int nr, double ns, int vmas)
{
	printf("bench: %s_%d_call %.0f ns\n", what, nr, ns);
	printf("bench: %s_%d_per_vma %.1f ns\n", what, nr, ns / vmas);
}

static void run(int nr)
{
	double t[4][ROUNDS];
	struct snap s = { 0 };
	int release, pidfd, vmas, gate = 0, r, status, have = have_getinfo();
	pid_t pid = start_target(nr, &release);

	if (pid < 0) {
		printf("# could not build a target with %d VMAs\n", nr);
		exit(1);
	}
	pidfd = sys_pidfd_open(pid);
	vmas = count_maps(pid, &gate);
	s.stride = VMGI_VMA_SIZE_VER0;
	if (have && snap_take(&s, pidfd, VMGI_ALL & ~VMGI_COUNTERS, 0, UINT64_MAX))
		exit(1);
	for (r = 0; r < ROUNDS; r++) {
		double t0 = bench_now_ns();

		if (have && snap_take(&s, pidfd, VMGI_ALL & ~VMGI_COUNTERS, 0, UINT64_MAX))
			exit(1);
		t[0][r] = bench_now_ns() - t0;
		t0 = bench_now_ns();
		bench_read_maps(pid);
		t[1][r] = bench_now_ns() - t0;
		t0 = bench_now_ns();
		if (procmap_loop(pid) != vmas - gate) {
			printf("# PROCMAP_QUERY found a different number of VMAs\n");
			exit(1);
		}
		t[2][r] = bench_now_ns() - t0;
		/* The floor: the walk and the copy, no attribute to compute. */
		t0 = bench_now_ns();
		if (have && snap_take(&s, pidfd, VMGI_RANGE, 0, UINT64_MAX))
			exit(1);
		t[3][r] = bench_now_ns() - t0;
	}
	if (have && (int)s.n != vmas) {
		printf("# process_vm_getinfo: %u records for %d VMAs\n", s.n, vmas);
		exit(1);
	}
	printf("# target: %d VMAs, strings %u bytes\n", vmas, s.args.strings_size);
	if (have) {
		report("getinfo", nr, bench_median(t[0], ROUNDS), vmas);
		report("getinfo_range_only", nr, bench_median(t[3], ROUNDS), vmas);
	}
	report("maps_read", nr, bench_median(t[1], ROUNDS), vmas);
	report("procmap_query", nr, bench_median(t[2], ROUNDS), vmas);
	close(release);
	close(pidfd);
	waitpid(pid, &status, 0);
	snap_free(&s);
}

/* Reads all of a /proc/PID file; 0 or -1. */
static int read_all(pid_t pid, const char *what)
{
	static char buf[1 << 16];
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	return 0;
}

#define RESIDENT_PAGES	49152	/* 192 MiB of 4 KiB pages */

/*
 * A map of nr VMAs in all and about RESIDENT_PAGES pages written, spread
 * over them, every eighth VMA paged out if swap.
 */
static void resident_layout(int nr, int swap)
{
	int have = count_vmas(getpid()), want = nr - have, i;
	long pages = want > 0 && RESIDENT_PAGES / want ? RESIDENT_PAGES / want : 1;
	size_t len = pages * psize;

	for (i = 0; i < want; i++) {
		/* Neighbours differ in protection, so they do not merge. */
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(2);
		memset(p, i, len);
		if (i % 2)
			mprotect(p, len, PROT_READ);
		if (swap && i % 8 == 0)
			madvise(p, len, MADV_PAGEOUT);
	}
}

static void run_counters(int nr)
{
	struct process_vm_getinfo_args a;
	double t[4][ROUNDS];
	struct snap s = { 0 };
	int release, pidfd, vmas, gate = 0, r, status;
	int have = have_getinfo(), swap = ensure_swap() == 0;
	pid_t pid = start_child(resident_layout, nr, swap, &release);
	uint64_t resident;

	if (pid < 0) {
		printf("# could not build a target with %d VMAs\n", nr);
		exit(1);
	}
	pidfd = sys_pidfd_open(pid);
	vmas = count_maps(pid, &gate);
	if (have && snap_take(&s, pidfd, VMGI_ALL, 0, UINT64_MAX))
		exit(1);
	if (have && !(s.args.mask & VMGI_COUNTERS))
		have = 0;
	for (r = 0; r < ROUNDS; r++) {
		double t0 = bench_now_ns();

		read_all(pid, "smaps");
		t[0][r] = bench_now_ns() - t0;
		t0 = bench_now_ns();
		read_all(pid, "smaps_rollup");
		t[1][r] = bench_now_ns() - t0;
		t0 = bench_now_ns();
		if (have && snap_take(&s, pidfd, VMGI_ALL, 0, UINT64_MAX))
			exit(1);
		t[2][r] = bench_now_ns() - t0;
		memset(&a, 0, sizeof(a));
		a.end = UINT64_MAX;
		t0 = bench_now_ns();
		if (have && sys_getinfo(pidfd, &a, sizeof(a), PROCESS_VM_GETINFO_ROLLUP) < 0)
			exit(1);
		t[3][r] = bench_now_ns() - t0;
	}
	resident = have ? a.rollup.rss / psize : RESIDENT_PAGES;
	printf("# target: %d VMAs, %llu pages resident, %llu swapped%s\n", vmas,
	       (unsigned long long)resident,
	       have ? (unsigned long long)(a.rollup.swap / psize) : 0ULL,
	       swap ? "" : " (no swap)");
	report("smaps", nr, bench_median(t[0], ROUNDS), vmas);
	report("smaps_rollup", nr, bench_median(t[1], ROUNDS), vmas);
	if (have) {
		report("getinfo_counters", nr, bench_median(t[2], ROUNDS), vmas);
		report("getinfo_rollup", nr, bench_median(t[3], ROUNDS), vmas);
	}
	for (int k = 0; k < 4; k++) {
		static const char *const what[] = {
			"smaps", "smaps_rollup", "getinfo_counters", "getinfo_rollup",
		};

		if (k < 2 || have)
			printf("bench: %s_%d_per_page %.1f ns\n", what[k], nr,
			       bench_median(t[k], ROUNDS) / (resident ? resident : 1));
	}
	close(release);
	close(pidfd);
	waitpid(pid, &status, 0);
	snap_free(&s);
}

/* Only getinfo calls, for scripts/profile-guest. */
static int profile(uint64_t mask, int calls, int nr)
{
	int release, pidfd, status, i;
	struct snap s = { 0 };
	pid_t pid = start_target(nr, &release);

	if (pid < 0 || !have_getinfo())
		return 1;
	pidfd = sys_pidfd_open(pid);
	for (i = 0; i < calls; i++)
		if (snap_take(&s, pidfd, mask, 0, UINT64_MAX))
			return 1;
	printf("# %d calls, %u records each\n", calls, s.n);
	close(release);
	close(pidfd);
	waitpid(pid, &status, 0);
	snap_free(&s);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	psize = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# process_vm_getinfo %s\n", have_getinfo() ? "present" : "absent");
	if (argc == 5 && !strcmp(argv[1], "-p"))
		return profile(strtoull(argv[2], NULL, 0), atoi(argv[3]), atoi(argv[4]));
	for (i = 1; i < argc; i++)
		run(atoi(argv[i]));
	for (i = 1; i < argc; i++)
		run_counters(atoi(argv[i]));
	return 0;
}
