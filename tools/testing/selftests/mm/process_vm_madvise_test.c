// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm_madvise() and the madvise filter bits, with swap on zram so
 * that advice has a visible effect: a current token advises every range, a
 * stale one (after each kind of layout change) advises nothing, a manager
 * racing a target that keeps remapping never advises a mapping made after
 * its snapshot, the filters pick the right VMAs with all three calls (and
 * hold while madvise() drops the lock), and every bad input gets its errno
 * with nothing advised. Tests of a feature the running kernel lacks skip.
 */
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

#include "../kselftest_harness.h"
#include "process_vm_madvise.h"

static const char absent[] = "process_vm_madvise() not in this kernel";
static const char no_filters[] = "madvise filters not in this kernel";

static long psize;

static void one_cpu(void);

static void __attribute__((constructor)) init(void)
{
	psize = sysconf(_SC_PAGESIZE);
	one_cpu();
}

/* Anonymous memory, every page written. */
static char *anon(size_t pages)
{
	char *p = mmap(NULL, pages * psize, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		memset(p, 0x5a, pages * psize);
	return p;
}

static int self_pidfd(void)
{
	return sys_pidfd_open(getpid());
}

/*
 * Pages a process has just faulted in wait in a per-CPU batch before they
 * reach the LRU lists, and MADV_PAGEOUT drains only the caller's CPU: every
 * test runs on one CPU, with the targets it forks, so that the pages it
 * advises are on the LRU lists.
 */
static void one_cpu(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- A current token advises everything, and the effect shows ---- */

TEST(current_token_pages_out_and_in)
{
	const size_t n = 64;
	char *a = anon(n), *b = anon(n);
	struct iovec iov[2] = { { a, n * psize }, { b, n * psize } };
	uint64_t id, seq;
	int pidfd = self_pidfd();

	if (!have_vm_madvise())
		SKIP(return, absent);
	if (ensure_swap())
		SKIP(return, "no swap on zram");
	ASSERT_GE(pidfd, 0);
	ASSERT_EQ(0, layout_token(pidfd, &id, &seq));
	EXPECT_EQ(2 * n * psize, vm_madvise(pidfd, iov, 2, MADV_PAGEOUT, id, seq));
	EXPECT_EQ(0, resident(a, n * psize));
	EXPECT_EQ(0, resident(b, n * psize));
	/* Paging out is not a layout change: the token still holds. */
	EXPECT_EQ(2 * n * psize, vm_madvise(pidfd, iov, 2, MADV_WILLNEED, id, seq));
	EXPECT_EQ(n, resident(a, n * psize));
	EXPECT_EQ(n, resident(b, n * psize));
	EXPECT_EQ(0x5a, a[n * psize - 1]);
	close(pidfd);
}

/* Another process, advised by one that has CAP_SYS_NICE (the test runs as root). */
TEST(other_process)
{
	const size_t n = 32;
	char *a = anon(n);
	struct iovec iov = { a, n * psize };
	int go[2], done[2], pidfd, status;
	uint64_t id, seq;
	pid_t pid;
	char c;

	if (!have_vm_madvise())
		SKIP(return, absent);
	if (ensure_swap())
		SKIP(return, "no swap on zram");
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		memset(a, 1, n * psize);	/* its own copy, resident */
		if (write(done[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(10);
		_exit(resident(a, n * psize) == 0 ? 0 : 11);
	}
	ASSERT_EQ(1, read(done[0], &c, 1));
	pidfd = sys_pidfd_open(pid);
	ASSERT_GE(pidfd, 0);
	ASSERT_EQ(0, layout_token(pidfd, &id, &seq));
	EXPECT_EQ(n * psize, vm_madvise(pidfd, &iov, 1, MADV_PAGEOUT, id, seq));
	/* The caller's own pages are another copy and stay. */
	EXPECT_EQ(n, resident(a, n * psize));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(pidfd);
}

/*
 * Ranges in any order: backwards, overlapping, repeated, far apart, inside
 * one VMA and across several. The kernel finds the VMAs of ranges in address
 * order with one forward walk of the tree and starts a new walk for the
 * others; every range must be advised, and nothing else.
 */
#define ORDER_VMAS 48	/* of 2 pages each */

static const struct { int first, pages; } order_ranges[] = {
	{ 0, 1 }, { 80, 8 }, { 7, 1 }, { 10, 1 }, { 60, 4 }, { 10, 1 },
	{ 41, 4 }, { 92, 4 }, { 8, 1 }, { 0, 1 }, { 81, 2 },
};

/* Sets the advised pages of order_ranges[0 .. n) in in[]. */
static void order_expect(char *in, int n)
{
	int i, j;

	memset(in, 0, 2 * ORDER_VMAS);
	for (i = 0; i < n; i++)
		for (j = 0; j < order_ranges[i].pages; j++)
			in[order_ranges[i].first + j] = 1;
}

/* A region of ORDER_VMAS VMAs of 2 written pages (every other one read-only). */
static char *order_region(void)
{
	char *p = anon(2 * ORDER_VMAS);
	int i;

	for (i = 1; p != MAP_FAILED && i < ORDER_VMAS; i += 2)
		if (mprotect(p + 2 * i * psize, 2 * psize, PROT_READ))
			return MAP_FAILED;
	return p;
}

TEST(ranges_in_any_order)
{
	const int n = ARRAY_SIZE(order_ranges);
	struct iovec iov[ARRAY_SIZE(order_ranges) + 1];
	char *p = order_region(), *hole, advised[2 * ORDER_VMAS];
	int pidfd = self_pidfd(), i, wrong = 0;
	size_t total = 0;
	uint64_t id, seq;

	if (!have_vm_madvise())
		SKIP(return, absent);
	if (ensure_swap())
		SKIP(return, "no swap on zram");
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_GE(pidfd, 0);
	for (i = 0; i < n; i++) {
		iov[i].iov_base = p + order_ranges[i].first * psize;
		iov[i].iov_len = order_ranges[i].pages * psize;
		total += iov[i].iov_len;
	}
	/* A last range over a hole: ENOMEM, and nothing advised. */
	hole = anon(3);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole + psize, psize));
	iov[n] = (struct iovec){ hole, 3 * psize };
	ASSERT_EQ(0, layout_token(pidfd, &id, &seq));
	EXPECT_EQ(-ENOMEM, vm_madvise(pidfd, iov, n + 1, MADV_PAGEOUT, id, seq));
	EXPECT_EQ(2 * ORDER_VMAS, resident(p, 2 * ORDER_VMAS * psize));

	EXPECT_EQ(total, vm_madvise(pidfd, iov, n, MADV_PAGEOUT, id, seq));
	order_expect(advised, n);
	for (i = 0; i < 2 * ORDER_VMAS; i++) {
		long in = resident(p + i * psize, psize);

		if (in != !advised[i]) {
			ksft_print_msg("page %d: resident %ld, advised %d\n", i, in, advised[i]);
			wrong++;
		}
	}
	EXPECT_EQ(0, wrong);
	close(pidfd);
}

/* ---- A stale token advises nothing ---- */

struct pages {
	size_t n;
	char *target;	/* the pages advised */
	char *other;	/* pages the layout changes act on */
};

FIXTURE(stale)
{
	void *guard;
	int pidfd;
	struct pages p;
	uint64_t id, seq;
};

/* A change returns 0, or OP_UNSUPPORTED if this process may not make it. */
#define OP_UNSUPPORTED	77

FIXTURE_VARIANT(stale)
{
	int (*change)(struct pages *p);
	bool in_range;	/* the change is in the advised range */
};

static int op_mmap(struct pages *self)
{
	mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return 0;
}

static int op_munmap(struct pages *self)
{
	munmap(self->other, psize);
	return 0;
}

static int op_mprotect(struct pages *self)
{
	mprotect(self->other, psize, PROT_READ);
	return 0;
}

static int op_mremap(struct pages *self)
{
	mremap(self->other, 2 * psize, psize, 0);
	return 0;
}

static int op_mlock(struct pages *self)
{
	mlock(self->other, psize);
	return 0;
}

static int op_dontfork(struct pages *self)
{
	madvise(self->other, psize, MADV_DONTFORK);
	return 0;
}

static int op_name(struct pages *self)
{
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)self->other, psize,
	      (unsigned long)"stale");
	return 0;
}

/* The race itself: the very range unmapped and mapped again, and written. */
static int op_remap_target(struct pages *self)
{
	mmap(self->target, self->n * psize, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	memset(self->target, 0x33, self->n * psize);
	return 0;
}

/*
 * prctl(PR_SET_MM) moves the [heap] and [stack] labels; it takes the mmap
 * lock for writing, so a token from before is stale, even when it writes
 * the values already there (as here). CAP_SYS_RESOURCE for the single
 * fields, CONFIG_CHECKPOINT_RESTORE for PR_SET_MM_MAP.
 */

/*
 * Fields 3 to 52 of /proc/self/stat into f[3..52] (the numbering of
 * proc(5)); 0 or -1. No allocation, so no layout change.
 */
static int self_stat(unsigned long f[53])
{
	char buf[2048], *p;
	int fd = open("/proc/self/stat", O_RDONLY), i;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the end of comm, which may hold anything */
	if (!p || p[1] != ' ')
		return -1;
	p += 2;
	for (i = 3; i <= 52; i++) {
		f[i] = strtoul(p, NULL, 10);
		if (i == 52)
			break;
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	return 0;
}

static int set_mm_result(int ret)
{
	if (ret == 0)
		return 0;
	return errno == EPERM ? OP_UNSUPPORTED : -1;
}

static int op_prctl_mm_brk(struct pages *self)
{
	return set_mm_result(prctl(PR_SET_MM, PR_SET_MM_BRK, (unsigned long)sbrk(0), 0UL, 0UL));
}

static int op_prctl_mm_start_stack(struct pages *self)
{
	unsigned long f[53];

	if (self_stat(f))
		return -1;
	return set_mm_result(prctl(PR_SET_MM, PR_SET_MM_START_STACK, f[28], 0UL, 0UL));
}

static int op_prctl_mm_map(struct pages *self)
{
	struct prctl_mm_map map;
	unsigned int size = 0;
	unsigned long f[53];

	/* Without CONFIG_CHECKPOINT_RESTORE: EINVAL (or EPERM before that). */
	if (prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, (unsigned long)&size, 0UL, 0UL))
		return errno == EINVAL || errno == EPERM ? OP_UNSUPPORTED : -1;
	if (size != sizeof(map) || self_stat(f))
		return -1;
	map = (struct prctl_mm_map){
		.start_code = f[26], .end_code = f[27], .start_stack = f[28],
		.start_data = f[45], .end_data = f[46], .start_brk = f[47],
		.brk = (uintptr_t)sbrk(0), .arg_start = f[48], .arg_end = f[49],
		.env_start = f[50], .env_end = f[51],
		.auxv = NULL, .auxv_size = 0, .exe_fd = -1,
	};
	return set_mm_result(prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map,
				   sizeof(map), 0UL));
}

FIXTURE_VARIANT_ADD(stale, mmap) { .change = op_mmap };
FIXTURE_VARIANT_ADD(stale, munmap) { .change = op_munmap };
FIXTURE_VARIANT_ADD(stale, mprotect) { .change = op_mprotect };
FIXTURE_VARIANT_ADD(stale, mremap) { .change = op_mremap };
FIXTURE_VARIANT_ADD(stale, mlock) { .change = op_mlock };
FIXTURE_VARIANT_ADD(stale, madv_dontfork) { .change = op_dontfork };
FIXTURE_VARIANT_ADD(stale, prctl_name) { .change = op_name };
FIXTURE_VARIANT_ADD(stale, remap_target) { .change = op_remap_target, .in_range = true };
FIXTURE_VARIANT_ADD(stale, prctl_mm_brk) { .change = op_prctl_mm_brk };
FIXTURE_VARIANT_ADD(stale, prctl_mm_start_stack) { .change = op_prctl_mm_start_stack };
FIXTURE_VARIANT_ADD(stale, prctl_mm_map) { .change = op_prctl_mm_map };

FIXTURE_SETUP(stale)
{
	self->pidfd = -1;
	if (!have_vm_madvise())
		SKIP(return, absent);
	if (ensure_swap())
		SKIP(return, "no swap on zram");
	self->p.n = 16;
	self->p.target = anon(self->p.n);
	/*
	 * Not next to the target, which it would merge with: a change of it
	 * would then be one of the target's VMA.
	 */
	self->guard = mmap(NULL, psize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->guard);
	self->p.other = anon(4);
	ASSERT_NE(MAP_FAILED, self->p.target);
	ASSERT_NE(MAP_FAILED, self->p.other);
	self->pidfd = self_pidfd();
	ASSERT_GE(self->pidfd, 0);
	ASSERT_EQ(0, layout_token(self->pidfd, &self->id, &self->seq));
}

FIXTURE_TEARDOWN(stale)
{
	if (self->pidfd >= 0)
		close(self->pidfd);
	if (self->p.target && self->p.target != MAP_FAILED)
		munmap(self->p.target, self->p.n * psize);
	if (self->guard && self->guard != MAP_FAILED)
		munmap(self->guard, psize);
	if (self->p.other && self->p.other != MAP_FAILED)
		munmap(self->p.other, 4 * psize);
}

/*
 * With PROCESS_VM_MADVISE_WHOLE_LAYOUT every change makes the token stale;
 * without it only a change in the advised range does, and a change
 * elsewhere leaves the call to advise all of it.
 */
TEST_F(stale, only_where_it_changed)
{
	struct iovec iov = { self->p.target, self->p.n * psize };
	const long all = self->p.n * psize;
	uint64_t id, seq;
	int ret;

	ret = variant->change(&self->p);
	if (ret == OP_UNSUPPORTED)
		SKIP(return, "prctl(PR_SET_MM) needs CAP_SYS_RESOURCE%s",
		     " (and PR_SET_MM_MAP CONFIG_CHECKPOINT_RESTORE)");
	ASSERT_EQ(0, ret);
	EXPECT_EQ(-ESTALE, vm_madvise_flags(self->pidfd, &iov, 1, MADV_PAGEOUT, self->id,
					    self->seq, PROCESS_VM_MADVISE_WHOLE_LAYOUT));
	EXPECT_EQ(self->p.n, resident(self->p.target, all));
	ret = vm_madvise(self->pidfd, &iov, 1, MADV_PAGEOUT, self->id, self->seq);
	if (variant->in_range) {
		EXPECT_EQ(-ESTALE, ret);
		EXPECT_EQ(self->p.n, resident(self->p.target, all));
	} else {
		EXPECT_EQ(all, ret);
		EXPECT_EQ(0, resident(self->p.target, all));
		memset(self->p.target, 0x5a, all);
	}
	/* A fresh token works: the same address space, a later sequence number. */
	ASSERT_EQ(0, layout_token(self->pidfd, &id, &seq));
	EXPECT_EQ(self->id, id);
	EXPECT_NE(self->seq, seq);
	EXPECT_EQ(all, vm_madvise_flags(self->pidfd, &iov, 1, MADV_PAGEOUT, id, seq,
					PROCESS_VM_MADVISE_WHOLE_LAYOUT));
	EXPECT_EQ(0, resident(self->p.target, all));
}

/* A token of another address space, or none, is never current. */
TEST(token_of_another_mm)
{
	char *a = anon(4);
	struct iovec iov = { a, 4 * psize };
	uint64_t id, seq, cid, cseq;
	int pidfd = self_pidfd(), cfd, status;
	pid_t pid;

	if (!have_vm_madvise())
		SKIP(return, absent);
	ASSERT_GE(pidfd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	cfd = sys_pidfd_open(pid);
	ASSERT_GE(cfd, 0);
	ASSERT_EQ(0, layout_token(pidfd, &id, &seq));
	ASSERT_EQ(0, layout_token(cfd, &cid, &cseq));
	EXPECT_NE(id, cid);
	EXPECT_EQ(-ESTALE, vm_madvise(cfd, &iov, 1, MADV_COLD, id, seq));
	EXPECT_EQ(-ESTALE, vm_madvise(pidfd, &iov, 1, MADV_COLD, cid, cseq));
	EXPECT_EQ(-ESTALE, vm_madvise(pidfd, &iov, 1, MADV_COLD, 0, seq));
	EXPECT_EQ(-ESTALE, vm_madvise(pidfd, &iov, 1, MADV_COLD, id, seq + 1));
	EXPECT_EQ(4 * psize, vm_madvise(cfd, &iov, 1, MADV_COLD, cid, cseq));
	/*
	 * No ranges: the token is still checked. An older token is one of this
	 * address space, and no range of it changed; the whole layout did.
	 */
	EXPECT_EQ(0, vm_madvise(pidfd, NULL, 0, MADV_COLD, id, seq));
	EXPECT_EQ(0, vm_madvise(pidfd, NULL, 0, MADV_COLD, id, seq - 1));
	EXPECT_EQ(-ESTALE, vm_madvise_flags(pidfd, NULL, 0, MADV_COLD, id, seq - 1,
					    PROCESS_VM_MADVISE_WHOLE_LAYOUT));
	EXPECT_EQ(-ESTALE, vm_madvise(pidfd, NULL, 0, MADV_COLD, id, seq + 1));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(cfd);
	close(pidfd);
}

/* ---- The race: snapshot, then advise, while the target remaps ---- */

#define GENERATIONS 65536

/* Shared by the two processes; read and written with __atomic builtins. */
struct race {
	int stop;
	int gen;				/* the target's current generation */
	unsigned char swapped[GENERATIONS];	/* target saw its pages go */
	unsigned char advised[GENERATIONS];	/* manager advised it */
};

#define load(x)		__atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define store(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

/* The target: maps generation after generation at the same place. */
static void race_target(struct race *r, char *at, size_t n)
{
	char name[32];
	int g, i;

	for (g = 1; g < GENERATIONS && !load(r->stop); g++) {
		if (mmap(at, n * psize, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != at)
			_exit(20);
		snprintf(name, sizeof(name), "gen:%d", g);
		prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)at,
		      n * psize, (unsigned long)name);
		memset(at, g, n * psize);
		store(r->gen, g);
		for (i = 0; i < 50000 && !load(r->stop); i++)
			__asm__ __volatile__("" ::: "memory");
		if (resident(at, n * psize) < (long)n)
			store(r->swapped[g], 1);
	}
	_exit(0);
}

/*
 * The manager: snapshot the range, read the generation from the name, and
 * advise. Returns the number of generations whose pages went without the
 * manager having advised that very generation; counts successes and stale
 * tokens. With checked == 0 it uses plain process_madvise() instead.
 */
static int race_run(int checked, double seconds, size_t n, int *ok, int *stale, int *part)
{
	struct race *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *at = mmap(NULL, n * psize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct iovec iov = { at, n * psize };
	struct timespec t0, t;
	struct snap s = { 0 };
	int pidfd, status, g, bad = 0, iter = 0;
	pid_t pid;

	*ok = *stale = *part = 0;
	pid = fork();
	if (pid == 0)
		race_target(r, at, n);
	pidfd = sys_pidfd_open(pid);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		long ret;

		if (snap_take(&s, pidfd, VMGI_NAME, (uintptr_t)at, (uintptr_t)at + 1) ||
		    s.n != 1 || sscanf(snap_name(&s, &s.vmas[0]), "[anon:gen:%d]", &g) != 1)
			goto next;
		/*
		 * A manager takes a while to choose, and the target runs
		 * meanwhile; every other time it is quick.
		 */
		if (++iter & 1)
			usleep(100);
		if (checked)
			ret = vm_madvise(pidfd, &iov, 1, MADV_PAGEOUT,
					 s.args.mm_id, s.args.seq);
		else
			ret = sys_process_madvise(pidfd, &iov, 1, MADV_PAGEOUT);
		/*
		 * A call that stopped part of the way (the range changed while
		 * it let the target in) advised generation g too.
		 */
		if (ret > 0)
			store(r->advised[g], 1);
		if (ret == (long)(n * psize))
			++*ok;
		else if (ret > 0)
			++*part;
		else if (ret == -ESTALE)
			++*stale;
next:
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	store(r->stop, 1);
	waitpid(pid, &status, 0);
	for (g = 1; g < GENERATIONS; g++)
		bad += r->swapped[g] && !r->advised[g];
	snap_free(&s);
	close(pidfd);
	munmap(r, sizeof(*r));
	munmap(at, n * psize);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? bad : -1;
}

/*
 * The range of 8 pages is advised in one hold of the lock; the one of 1536
 * in twelve chunks (CHUNK_PAGES is 128), between which the call lets the
 * target's mmap() in when it waits, and stops if the range changed.
 */
TEST(race_never_advises_a_newer_mapping)
{
	int ok, stale, part, bad;

	if (!have_vm_madvise())
		SKIP(return, absent);
	if (ensure_swap())
		SKIP(return, "no swap on zram");
	/* For reference: the same loop with 6.12's process_madvise(). */
	bad = race_run(0, 1.0, 8, &ok, &stale, &part);
	TH_LOG("process_madvise: %d advised, %d generations paged out unasked", ok, bad);
	bad = race_run(1, 2.0, 8, &ok, &stale, &part);
	TH_LOG("process_vm_madvise: %d advised, %d stale, %d paged out unasked",
	       ok, stale, bad);
	EXPECT_EQ(0, bad);
	EXPECT_GT(ok, 0);
	EXPECT_EQ(0, part);
	bad = race_run(1, 2.0, 1536, &ok, &stale, &part);
	TH_LOG("process_vm_madvise, 1536 pages: %d advised, %d in part, %d stale, %s %d",
	       ok, part, stale, "paged out unasked", bad);
	EXPECT_EQ(0, bad);
	EXPECT_GT(ok + part, 0);
}

/*
 * A target that maps and unmaps a page elsewhere all the time: every call
 * advises the whole range, whenever the churn falls between the snapshot
 * and the advice. With PROCESS_VM_MADVISE_WHOLE_LAYOUT such calls are
 * stale (counted, not judged: the churn may or may not fall in between).
 */
TEST(churn_elsewhere_is_not_stale)
{
	const size_t n = 16;
	char *a = anon(n);
	struct iovec iov = { a, n * psize };
	int pidfd, i, failed = 0, churned = 0, whole_stale = 0, status;
	uint64_t id, seq, id2, seq2;
	pid_t pid;
	long ret;

	if (!have_vm_madvise())
		SKIP(return, absent);
	ASSERT_NE(MAP_FAILED, a);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		for (;;) {
			void *p = mmap(NULL, psize, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				_exit(1);
			munmap(p, psize);
		}
	}
	pidfd = sys_pidfd_open(pid);
	ASSERT_GE(pidfd, 0);
	for (i = 0; i < 400; i++) {
		ASSERT_EQ(0, layout_token(pidfd, &id, &seq));
		/* Let the target run between the snapshot and the advice. */
		sched_yield();
		ret = vm_madvise(pidfd, &iov, 1, MADV_COLD, id, seq);
		failed += ret != (long)(n * psize);
		ret = vm_madvise_flags(pidfd, &iov, 1, MADV_COLD, id, seq,
				       PROCESS_VM_MADVISE_WHOLE_LAYOUT);
		whole_stale += ret == -ESTALE;
		ASSERT_EQ(0, layout_token(pidfd, &id2, &seq2));
		churned += seq2 != seq;
	}
	TH_LOG("%d of 400 calls had the target change its map meanwhile; %d stale with the flag",
	       churned, whole_stale);
	EXPECT_EQ(0, failed);
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(pidfd);
	munmap(a, n * psize);
}

/* ---- The filters ---- */

/*
 * A layout to filter, in one range: private anonymous, a memfd (shmem: a
 * file), a gap, shared anonymous memory (a file too), locked anonymous
 * memory (skipped by a filtered COLD/PAGEOUT), private anonymous again.
 */
struct layout {
	size_t n;
	char *base;
	int memfd, pidfd;
};

FIXTURE(filters)
{
	struct layout l;
};

FIXTURE_VARIANT(filters)
{
	int call;	/* 0 madvise(), 1 process_madvise(), 2 process_vm_madvise() */
};

FIXTURE_VARIANT_ADD(filters, madvise) { .call = 0 };
FIXTURE_VARIANT_ADD(filters, process_madvise) { .call = 1 };
FIXTURE_VARIANT_ADD(filters, process_vm_madvise) { .call = 2 };

enum { ANON1, MEMFD, GAP, SHARED, LOCKED, ANON2, PARTS };

static char *part(struct layout *self, int i)
{
	return self->base + i * self->n * psize;
}

FIXTURE_SETUP(filters)
{
	struct layout *l = &self->l;

	size_t len;
	int i;

	l->memfd = -1;
	l->pidfd = -1;
	if (!have_filters())
		SKIP(return, no_filters);
	if (variant->call == 2 && !have_vm_madvise())
		SKIP(return, absent);
	if (ensure_swap())
		SKIP(return, "no swap on zram");
	l->n = 8;
	len = l->n * psize;
	l->base = mmap(NULL, PARTS * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, l->base);
	l->memfd = memfd_create("filters", 0);
	ASSERT_GE(l->memfd, 0);
	ASSERT_EQ(0, ftruncate(l->memfd, len));
	ASSERT_NE(MAP_FAILED, mmap(part(l, ANON1), len, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	ASSERT_NE(MAP_FAILED, mmap(part(l, MEMFD), len, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED, l->memfd, 0));
	ASSERT_EQ(0, munmap(part(l, GAP), len));
	ASSERT_NE(MAP_FAILED, mmap(part(l, SHARED), len, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	for (i = LOCKED; i <= ANON2; i++)
		ASSERT_NE(MAP_FAILED, mmap(part(l, i), len, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	/* Different names keep the two anonymous neighbours apart. */
	ASSERT_EQ(0, prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME,
			   (unsigned long)part(l, ANON2), len, (unsigned long)"anon2"));
	ASSERT_EQ(0, mlock(part(l, LOCKED), len));
	for (i = 0; i < PARTS; i++)
		if (i != GAP)
			memset(part(l, i), i + 1, len);
	l->pidfd = self_pidfd();
	ASSERT_GE(l->pidfd, 0);
}

FIXTURE_TEARDOWN(filters)
{
	struct layout *l = &self->l;

	if (l->memfd >= 0) {
		munmap(l->base, PARTS * l->n * psize);
		close(l->memfd);
	}
	if (l->pidfd >= 0)
		close(l->pidfd);
}

static long filtered(struct layout *self, int call, int advice)
{
	struct iovec iov = { self->base, PARTS * self->n * psize };
	uint64_t id, seq;

	switch (call) {
	case 0:
		return madvise(iov.iov_base, iov.iov_len, advice) ? -errno : 0;
	case 1:
		return sys_process_madvise(self->pidfd, &iov, 1, advice);
	}
	if (layout_token(self->pidfd, &id, &seq))
		return -EIO;
	return vm_madvise(self->pidfd, &iov, 1, advice, id, seq);
}

/* The return of a call that advised the whole range. */
static long whole(struct layout *self, int call)
{
	return call == 0 ? 0 : (long)(PARTS * self->n * psize);
}

/* Bit i set: part i is fully resident. */
static int residency(struct layout *self)
{
	int i, mask = 0;

	for (i = 0; i < PARTS; i++)
		if (i != GAP && resident(part(self, i), self->n * psize) == (long)self->n)
			mask |= 1 << i;
	return mask;
}

#define ALL_PARTS	((1 << ANON1) | (1 << MEMFD) | (1 << SHARED) | (1 << LOCKED) | (1 << ANON2))

TEST_F(filters, anonymous_only)
{
	struct layout *l = &self->l;

	ASSERT_EQ(ALL_PARTS, residency(l));
	EXPECT_EQ(whole(l, variant->call),
		  filtered(l, variant->call, MADV_PAGEOUT | MADV_ANONYMOUS_FILTER));
	EXPECT_EQ((1 << MEMFD) | (1 << SHARED) | (1 << LOCKED), residency(l));
	EXPECT_EQ(0, resident(part(l, ANON1), l->n * psize));
	EXPECT_EQ(0, resident(part(l, ANON2), l->n * psize));
}

TEST_F(filters, file_only)
{
	struct layout *l = &self->l;

	EXPECT_EQ(whole(l, variant->call),
		  filtered(l, variant->call, MADV_PAGEOUT | MADV_FILE_FILTER));
	EXPECT_EQ((1 << ANON1) | (1 << LOCKED) | (1 << ANON2), residency(l));
	EXPECT_EQ(0, resident(part(l, MEMFD), l->n * psize));
	EXPECT_EQ(0, resident(part(l, SHARED), l->n * psize));
}

TEST_F(filters, both_is_einval)
{
	struct layout *l = &self->l;

	EXPECT_EQ(-EINVAL, filtered(l, variant->call,
				    MADV_PAGEOUT | MADV_ANONYMOUS_FILTER | MADV_FILE_FILTER));
	EXPECT_EQ(ALL_PARTS, residency(l));
}

/*
 * Without a filter, madvise() and process_madvise() fail at the locked part
 * (-EINVAL, as in 6.12) after paging out what came before it;
 * process_vm_madvise() finds the gap first and advises nothing at all.
 */
TEST_F(filters, none_fails)
{
	struct layout *l = &self->l;
	long ret = filtered(l, variant->call, MADV_PAGEOUT);

	if (variant->call == 2) {
		EXPECT_EQ(-ENOMEM, ret);
		EXPECT_EQ(ALL_PARTS, residency(l));
	} else {
		EXPECT_EQ(-EINVAL, ret);
		EXPECT_EQ((1 << LOCKED) | (1 << ANON2), residency(l));
	}
}

/* One call over the whole address space pages out only anonymous memory. */
TEST_F(filters, whole_address_space)
{
	struct layout *l = &self->l;

	/* The longest range an iovec may hold; it covers all of user space. */
	struct iovec iov = { NULL, LONG_MAX & -psize };
	uint64_t id, seq;
	long ret;

	switch (variant->call) {
	case 0:
		ret = madvise(NULL, iov.iov_len, MADV_PAGEOUT | MADV_ANONYMOUS_FILTER) ?
			-errno : 0;
		break;
	case 1:
		/* process_madvise() cuts the total at MAX_RW_COUNT: not the whole space. */
		SKIP(return, "process_madvise() limits a call to 2 GiB");
	default:
		ASSERT_EQ(0, layout_token(l->pidfd, &id, &seq));
		ret = vm_madvise(l->pidfd, &iov, 1,
				 MADV_PAGEOUT | MADV_ANONYMOUS_FILTER, id, seq);
		EXPECT_EQ((long)iov.iov_len, ret);
		ret = ret == (long)iov.iov_len ? 0 : ret;
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ((1 << MEMFD) | (1 << SHARED) | (1 << LOCKED), residency(l));
}

/* Without the knob (or on 6.12) the bits are unknown advice. */
TEST(filters_absent_are_einval)
{
	char *a = anon(1);
	struct iovec iov = { a, psize };
	uint64_t id, seq;
	int pidfd;

	if (have_filters())
		SKIP(return, "madvise filters present");
	EXPECT_EQ(-1, madvise(a, psize, MADV_COLD | MADV_ANONYMOUS_FILTER));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, madvise(a, psize, MADV_COLD | MADV_FILE_FILTER));
	EXPECT_EQ(EINVAL, errno);
	/* process_vm_madvise() without CONFIG_MADVISE_FILTER: EINVAL too. */
	if (have_vm_madvise()) {
		pidfd = self_pidfd();
		ASSERT_GE(pidfd, 0);
		ASSERT_EQ(0, layout_token(pidfd, &id, &seq));
		EXPECT_EQ(-EINVAL, vm_madvise(pidfd, &iov, 1, MADV_COLD | MADV_ANONYMOUS_FILTER,
					      id, seq));
		EXPECT_EQ(-EINVAL, vm_madvise(pidfd, &iov, 1, MADV_COLD | MADV_FILE_FILTER,
					      id, seq));
		close(pidfd);
	}
	munmap(a, psize);
}

/* 1 if every byte of [p, p + len) is c. */
static int all_bytes(const char *p, size_t len, char c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/*
 * A private mapping of /dev/zero has a file but is anonymous memory
 * (vma_is_anonymous()): the file filter leaves it out, the anonymous one
 * takes it. MADV_DONTNEED shows which: zapped private pages read back as
 * zeroes. No swap needed.
 */
TEST(dev_zero_private_is_anonymous)
{
	const size_t n = 4;
	int fd;
	char *p;

	if (!have_filters())
		SKIP(return, no_filters);
	fd = open("/dev/zero", O_RDWR);
	if (fd < 0)
		SKIP(return, "no /dev/zero");
	p = mmap(NULL, n * psize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x77, n * psize);
	EXPECT_EQ(0, madvise(p, n * psize, MADV_DONTNEED | MADV_FILE_FILTER));
	EXPECT_TRUE(all_bytes(p, n * psize, 0x77));	/* left out */
	EXPECT_EQ(0, madvise(p, n * psize, MADV_DONTNEED | MADV_ANONYMOUS_FILTER));
	EXPECT_TRUE(all_bytes(p, n * psize, 0));	/* zapped */
	munmap(p, n * psize);
	close(fd);
}

/*
 * The same with process_vm_madvise() and MADV_PAGEOUT, as a manager would
 * page out "file" memory: the 16 pages stay (a kernel that classified by
 * vm_file paged them all out), and the anonymous filter pages them out. A
 * shared mapping of /dev/zero (shmem) is file memory.
 */
TEST(dev_zero_pageout_filters)
{
	const size_t n = 16;
	struct iovec iov[2];
	char *priv, *shared;
	uint64_t id, seq;
	int fd, pidfd;

	if (!have_filters())
		SKIP(return, no_filters);
	if (!have_vm_madvise())
		SKIP(return, absent);
	if (ensure_swap())
		SKIP(return, "no swap on zram");
	fd = open("/dev/zero", O_RDWR);
	if (fd < 0)
		SKIP(return, "no /dev/zero");
	priv = mmap(NULL, n * psize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, priv);
	shared = mmap(NULL, n * psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, shared);
	memset(priv, 0x77, n * psize);
	memset(shared, 0x66, n * psize);
	iov[0] = (struct iovec){ priv, n * psize };
	iov[1] = (struct iovec){ shared, n * psize };
	pidfd = self_pidfd();
	ASSERT_GE(pidfd, 0);
	ASSERT_EQ(0, layout_token(pidfd, &id, &seq));

	EXPECT_EQ(2 * n * psize, vm_madvise(pidfd, iov, 2, MADV_PAGEOUT | MADV_FILE_FILTER,
					    id, seq));
	EXPECT_EQ(n, resident(priv, n * psize));
	EXPECT_EQ(0, resident(shared, n * psize));
	EXPECT_EQ(2 * n * psize, vm_madvise(pidfd, iov, 2, MADV_PAGEOUT | MADV_ANONYMOUS_FILTER,
					    id, seq));
	EXPECT_EQ(0, resident(priv, n * psize));
	EXPECT_TRUE(all_bytes(priv, n * psize, 0x77));	/* swapped in again */
	EXPECT_TRUE(all_bytes(shared, n * psize, 0x66));
	close(pidfd);
	munmap(priv, n * psize);
	munmap(shared, n * psize);
	close(fd);
}

/* ---- The filter holds while madvise() drops the lock ---- */

struct dontneed_call {
	char *p;
	int ret, err;
};

static void *dontneed_anonymous(void *arg)
{
	struct dontneed_call *c = arg;

	c->ret = madvise(c->p, psize, MADV_DONTNEED | MADV_ANONYMOUS_FILTER);
	c->err = c->ret ? errno : 0;
	return NULL;
}

/*
 * Under userfaultfd with UFFD_FEATURE_EVENT_REMOVE, MADV_DONTNEED queues a
 * remove event and waits, with the mmap lock dropped, until it is read
 * (userfaultfd_remove()); then it looks the VMA up again. Meanwhile this
 * thread changes the page: with @unmap it unmaps it, otherwise it maps a
 * file over it and writes to it (a copy-on-write page of a file VMA).
 */
static void dontneed_across_dropped_lock(struct __test_metadata *_metadata, bool unmap)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_EVENT_REMOVE };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct pollfd pfd = { .events = POLLIN };
	struct dontneed_call call = { 0 };
	struct uffd_msg msg;
	int uffd, memfd;
	pthread_t t;
	char *a, *f;

	if (!have_filters())
		SKIP(return, no_filters);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "no userfaultfd (errno %d)", errno);
	if (ioctl(uffd, UFFDIO_API, &api) || !(api.features & UFFD_FEATURE_EVENT_REMOVE)) {
		close(uffd);
		SKIP(return, "no UFFD_FEATURE_EVENT_REMOVE");
	}
	memfd = memfd_create("filter-remap", 0);
	ASSERT_GE(memfd, 0);
	f = malloc(psize);
	ASSERT_NE(NULL, f);
	memset(f, 'F', psize);
	ASSERT_EQ(psize, pwrite(memfd, f, psize, 0));
	free(f);
	a = mmap(NULL, psize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	a[0] = 'A';
	reg.range.start = (uintptr_t)a;
	reg.range.len = psize;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	call.p = a;
	ASSERT_EQ(0, pthread_create(&t, NULL, dontneed_anonymous, &call));
	/* Readable: the event is queued, the thread waits, the lock is free. */
	pfd.fd = uffd;
	ASSERT_EQ(1, poll(&pfd, 1, -1));
	if (unmap) {
		ASSERT_EQ(0, munmap(a, psize));
	} else {
		ASSERT_EQ(a, mmap(a, psize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
				  memfd, 0));
		EXPECT_EQ('F', a[0]);
		a[0] = 'W';
	}
	/* Reading the event lets the thread go on, on what is there now. */
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	EXPECT_EQ(UFFD_EVENT_REMOVE, msg.event);
	EXPECT_EQ((uintptr_t)a, msg.arg.remove.start);
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, call.ret) TH_LOG("madvise: errno %d", call.err);
	if (!unmap) {
		/* not zapped: a file VMA, and the filter says anonymous */
		EXPECT_EQ('W', a[0]);
		munmap(a, psize);
	}
	close(memfd);
	close(uffd);
}

/*
 * The anonymous filter is checked again on the VMA found after the lock was
 * dropped: the page keeps what was written. (Before, the file VMA was
 * zapped: the page read back the file's 'F'.)
 */
TEST(filter_holds_across_dropped_lock)
{
	dontneed_across_dropped_lock(_metadata, false);
}

/*
 * A gap left where the VMA was is no error of a filtered call, as a gap
 * anywhere else in its range is not. (Before, it was ENOMEM.)
 */
TEST(filter_gap_across_dropped_lock)
{
	dontneed_across_dropped_lock(_metadata, true);
}

/*
 * MADV_COLLAPSE drops the lock and finds the VMAs again on its own, past
 * any filter: a filter with it is EINVAL (before, it collapsed, or its
 * ENOMEM came back as EAGAIN), with madvise() and process_madvise().
 */
TEST(filter_with_collapse_is_einval)
{
	const size_t huge = 2UL << 20;
	struct iovec iov;
	char *map, *p;
	int pidfd;

	if (!have_filters())
		SKIP(return, no_filters);
	map = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	p = (char *)(((uintptr_t)map + huge - 1) & ~(huge - 1));
	iov = (struct iovec){ p, huge };
	if (madvise(p, huge, MADV_HUGEPAGE)) {
		munmap(map, 2 * huge);
		SKIP(return, "no transparent huge pages");
	}
	memset(p, 1, huge);
	/* Unfiltered, the advice is taken here (whatever the collapse gives). */
	if (madvise(p, huge, MADV_COLLAPSE) && errno == EINVAL) {
		munmap(map, 2 * huge);
		SKIP(return, "MADV_COLLAPSE is EINVAL here (THP disabled)");
	}
	EXPECT_EQ(-1, madvise(p, huge, MADV_COLLAPSE | MADV_ANONYMOUS_FILTER));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, madvise(p, huge, MADV_COLLAPSE | MADV_FILE_FILTER));
	EXPECT_EQ(EINVAL, errno);
	pidfd = self_pidfd();
	ASSERT_GE(pidfd, 0);
	EXPECT_EQ(-EINVAL, sys_process_madvise(pidfd, &iov, 1,
					       MADV_COLLAPSE | MADV_ANONYMOUS_FILTER));
	close(pidfd);
	munmap(map, 2 * huge);
}

/* ---- Bad input: its errno, and nothing advised ---- */

FIXTURE(bad)
{
	int pidfd;
	char *a;
	struct iovec iov[2];
	struct process_vm_madvise_args args;
	char big[2 * 4096 + 16];
};

FIXTURE_SETUP(bad)
{
	uint64_t id, seq;

	self->pidfd = -1;
	if (!have_vm_madvise())
		SKIP(return, absent);
	if (ensure_swap())
		SKIP(return, "no swap on zram");
	self->a = anon(8);
	ASSERT_NE(MAP_FAILED, self->a);
	self->iov[0] = (struct iovec){ self->a, 4 * psize };
	self->iov[1] = (struct iovec){ self->a + 4 * psize, 4 * psize };
	self->pidfd = self_pidfd();
	ASSERT_GE(self->pidfd, 0);
	ASSERT_EQ(0, layout_token(self->pidfd, &id, &seq));
	self->args = (struct process_vm_madvise_args){
		.ranges = (uintptr_t)self->iov, .nr_ranges = 2,
		.advice = MADV_PAGEOUT, .mm_id = id, .seq = seq,
	};
}

FIXTURE_TEARDOWN(bad)
{
	if (self->pidfd >= 0) {
		/* Whatever failed advised nothing. */
		EXPECT_EQ(8, resident(self->a, 8 * psize));
		close(self->pidfd);
	}
}

static long vcall(int pidfd, const struct process_vm_madvise_args *a)
{
	return sys_vm_madvise(pidfd, a, sizeof(*a), 0);
}

TEST_F(bad, flags)
{
	EXPECT_EQ(-EINVAL, sys_vm_madvise(self->pidfd, &self->args, sizeof(self->args), 2));
	EXPECT_EQ(-EINVAL, sys_vm_madvise(self->pidfd, &self->args, sizeof(self->args),
					  VM_MADVISE_UNKNOWN_FLAG));
}

TEST_F(bad, size_small)
{
	EXPECT_EQ(-EINVAL, sys_vm_madvise(self->pidfd, &self->args, 0, 0));
	EXPECT_EQ(-EINVAL, sys_vm_madvise(self->pidfd, &self->args,
					  PROCESS_VM_MADVISE_ARGS_SIZE_VER0 - 1, 0));
}

TEST_F(bad, size_large)
{
	memset(self->big, 0, sizeof(self->big));
	self->args.advice = -1;	/* a larger struct of zeros is read: EINVAL below */
	memcpy(self->big, &self->args, sizeof(self->args));
	EXPECT_EQ(-EINVAL, sys_vm_madvise(self->pidfd, (void *)self->big, 64, 0));
	self->big[63] = 1;
	EXPECT_EQ(-E2BIG, sys_vm_madvise(self->pidfd, (void *)self->big, 64, 0));
	EXPECT_EQ(-E2BIG, sys_vm_madvise(self->pidfd, (void *)self->big, 4096 + 1, 0));
}

TEST_F(bad, args_pointer)
{
	EXPECT_EQ(-EFAULT, sys_vm_madvise(self->pidfd, NULL, sizeof(self->args), 0));
}

TEST_F(bad, reserved)
{
	self->args.__reserved = 1;
	EXPECT_EQ(-EINVAL, vcall(self->pidfd, &self->args));
}

TEST_F(bad, advice)
{
	int advice[] = { MADV_DONTNEED, MADV_FREE, MADV_NORMAL, -1, 0x10000,
			 MADV_PAGEOUT | MADV_ANONYMOUS_FILTER | MADV_FILE_FILTER };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(advice); i++) {
		self->args.advice = advice[i];
		EXPECT_EQ(-EINVAL, vcall(self->pidfd, &self->args)) TH_LOG("advice %#x", advice[i]);
	}
}

TEST_F(bad, collapse_drops_the_lock)
{
	self->args.advice = MADV_COLLAPSE;
	EXPECT_EQ(-EOPNOTSUPP, vcall(self->pidfd, &self->args));
}

TEST_F(bad, too_many_ranges)
{
	self->args.nr_ranges = 1025;
	EXPECT_EQ(-EINVAL, vcall(self->pidfd, &self->args));
	self->args.nr_ranges = 1ULL << 62;
	EXPECT_EQ(-EINVAL, vcall(self->pidfd, &self->args));
}

TEST_F(bad, ranges_pointer)
{
	self->args.ranges = 8;
	EXPECT_EQ(-EFAULT, vcall(self->pidfd, &self->args));
}

TEST_F(bad, unaligned)
{
	self->iov[1].iov_base = self->a + 4 * psize + 1;
	EXPECT_EQ(-EINVAL, vcall(self->pidfd, &self->args));
}

TEST_F(bad, wraps)
{
	self->iov[1] = (struct iovec){ (void *)-psize, 2 * psize };
	EXPECT_EQ(-EINVAL, vcall(self->pidfd, &self->args));
	self->iov[1] = (struct iovec){ self->a, (size_t)-1 };
	EXPECT_EQ(-EINVAL, vcall(self->pidfd, &self->args));
}

/* Each range may be as long as ssize_t allows, but not all of them together. */
TEST_F(bad, total_too_long)
{
	size_t len = SSIZE_MAX & -psize;

	self->iov[0] = (struct iovec){ self->a, len };
	self->iov[1] = (struct iovec){ self->a, len };
	EXPECT_EQ(-EINVAL, vcall(self->pidfd, &self->args));
}

TEST_F(bad, gap_is_enomem)
{
	char *b = mmap(NULL, 3 * psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_EQ(0, munmap(b + psize, psize));
	self->iov[1] = (struct iovec){ b, 3 * psize };
	ASSERT_EQ(0, layout_token(self->pidfd, (uint64_t *)&self->args.mm_id,
				  (uint64_t *)&self->args.seq));
	EXPECT_EQ(-ENOMEM, vcall(self->pidfd, &self->args));
}

TEST_F(bad, locked_is_einval)
{
	char *b = anon(2);

	ASSERT_EQ(0, mlock(b, 2 * psize));
	self->iov[1] = (struct iovec){ b, 2 * psize };
	self->args.advice = MADV_COLD;
	/* The token changed with the mlock(): take the current one. */
	ASSERT_EQ(0, layout_token(self->pidfd, (uint64_t *)&self->args.mm_id,
				  (uint64_t *)&self->args.seq));
	EXPECT_EQ(-EINVAL, vcall(self->pidfd, &self->args));
}

/* MADV_WILLNEED would read a (non-shmem) file ahead with the lock dropped. */
TEST_F(bad, willneed_on_a_file)
{
	char dir[] = "/tmp/pvmadv.XXXXXX", path[64];
	int filters = have_filters(), fd;
	char *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	if (mount("none", dir, "ramfs", 0, NULL)) {
		rmdir(dir);
		SKIP(return, "cannot mount ramfs");
	}
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, psize));
	f = mmap(NULL, psize, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, f);
	self->iov[1] = (struct iovec){ f, psize };
	self->args.advice = MADV_WILLNEED;
	ASSERT_EQ(0, layout_token(self->pidfd, (uint64_t *)&self->args.mm_id,
				  (uint64_t *)&self->args.seq));
	EXPECT_EQ(-EOPNOTSUPP, vcall(self->pidfd, &self->args));
	/* With the anonymous filter the file is left out, and that is fine. */
	self->args.advice = MADV_WILLNEED | MADV_ANONYMOUS_FILTER;
	if (filters)
		EXPECT_EQ(5 * psize, vcall(self->pidfd, &self->args));
	munmap(f, psize);
	close(fd);
	umount(dir);
	rmdir(dir);
}

TEST_F(bad, pidfd)
{
	int fd = open("/proc/self/maps", O_RDONLY), status;
	pid_t pid;

	EXPECT_EQ(-EBADF, sys_vm_madvise(-1, &self->args, sizeof(self->args), 0));
	EXPECT_EQ(-EBADF, sys_vm_madvise(fd, &self->args, sizeof(self->args), 0));
	close(fd);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(0);
	fd = sys_pidfd_open(pid);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(-ESRCH, sys_vm_madvise(fd, &self->args, sizeof(self->args), 0));
	close(fd);
}

TEST_F(bad, kernel_thread)
{
	int fd = sys_pidfd_open(2);	/* kthreadd: no address space */

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-ESRCH, sys_vm_madvise(fd, &self->args, sizeof(self->args), 0));
	close(fd);
}

/*
 * Permissions, as process_madvise(): another user's process is EACCES (the
 * errno of /proc/PID/maps), one's own other process without CAP_SYS_NICE is
 * EPERM; both calls agree.
 */
TEST(permissions)
{
	pid_t parent = getpid(), target, pid;
	int status;

	if (!have_vm_madvise())
		SKIP(return, absent);
	if (getuid() != 0)
		SKIP(return, "needs root to switch users");
	target = fork();
	ASSERT_GE(target, 0);
	if (target == 0) {
		/* A change of user makes a process undumpable: undo that. */
		if (setgid(65534) || setuid(65534) || prctl(PR_SET_DUMPABLE, 1))
			_exit(1);
		pause();
		_exit(0);
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *a = anon(1);
		struct iovec iov = { a, psize };
		int other = sys_pidfd_open(parent), own = sys_pidfd_open(target);
		uint64_t id, seq;

		if (other < 0 || own < 0 || setgid(65534) || setuid(65534))
			_exit(10);
		/* Wait until the target has switched users too. */
		while (layout_token(own, &id, &seq))
			usleep(1000);
		if (sys_process_madvise(other, &iov, 1, MADV_COLD) != -EACCES)
			_exit(11);
		if (vm_madvise(other, &iov, 1, MADV_COLD, id, seq) != -EACCES)
			_exit(12);
		if (sys_process_madvise(own, &iov, 1, MADV_COLD) != -EPERM)
			_exit(13);
		if (vm_madvise(own, &iov, 1, MADV_COLD, id, seq) != -EPERM)
			_exit(14);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	kill(target, SIGKILL);
	waitpid(target, &status, 0);
}

/*
 * MADV_WILLNEED on anonymous memory reads it back from swap: without
 * CONFIG_SWAP (no /proc/swaps) madvise() answers EBADF, and so does
 * process_vm_madvise() (nothing advised); with it, the advice is taken,
 * with or without a swap area.
 */
TEST(willneed_on_anonymous_memory)
{
	const size_t n = 4;
	char *a = anon(n);
	struct iovec iov = { a, n * psize };
	int swap = access("/proc/swaps", F_OK) == 0, pidfd;
	uint64_t id, seq;

	if (!have_vm_madvise())
		SKIP(return, absent);
	ASSERT_NE(MAP_FAILED, a);
	pidfd = self_pidfd();
	ASSERT_GE(pidfd, 0);
	ASSERT_EQ(0, layout_token(pidfd, &id, &seq));
	TH_LOG("CONFIG_SWAP %s", swap ? "on" : "off");
	if (swap) {
		EXPECT_EQ(n * psize, vm_madvise(pidfd, &iov, 1, MADV_WILLNEED, id, seq));
		EXPECT_EQ(0, madvise(a, n * psize, MADV_WILLNEED));
	} else {
		EXPECT_EQ(-EBADF, vm_madvise(pidfd, &iov, 1, MADV_WILLNEED, id, seq));
		EXPECT_EQ(-1, madvise(a, n * psize, MADV_WILLNEED));
		EXPECT_EQ(EBADF, errno);
	}
	EXPECT_EQ(n, resident(a, n * psize));
	close(pidfd);
	munmap(a, n * psize);
}

/* ---- Compat tasks: the call is 64-bit only ---- */

/*
 * An i386 task (or a 64-bit one through int $0x80) reaches the compat
 * table, which does not have the call: ENOSYS for its number, where the
 * native call with the same arguments answers (EFAULT for no argument
 * block). A compat task could not pass 16-byte iovecs anyway.
 */
TEST(compat_task_has_no_call)
{
#ifndef __x86_64__
	SKIP(return, "the i386 ABI is x86_64's");
#else
	long nr = __NR_process_vm_madvise;
	int pidfd;

	if (!have_vm_madvise())
		SKIP(return, absent);
	if (!have_int80())
		SKIP(return, "int $0x80 does not work here (no IA32 emulation)");
	pidfd = self_pidfd();
	ASSERT_GE(pidfd, 0);
	ASSERT_GT(nr, 0);
	EXPECT_EQ(-EFAULT, sys_vm_madvise(pidfd, NULL, sizeof(struct process_vm_madvise_args), 0));
	EXPECT_EQ(-ENOSYS, (int)int80_syscall(nr, pidfd, 0,
					      sizeof(struct process_vm_madvise_args), 0));
	close(pidfd);
#endif
}

TEST_HARNESS_MAIN
