// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzer of every entry point the series adds or extends:
 * process_vm_getinfo(), process_vm_madvise(), prctl(PR_SET_VMA,
 * PR_SET_VMA_ANON_NAME) and madvise()/process_madvise() with the filter bits.
 *
 *	process_vm_fuzz [-t SECONDS] [-s SEED] [-j THREADS]
 *
 * Worker threads call the entry points with random and boundary values of
 * every argument (bad pidfds, exited targets, NULL, unmapped, read-only,
 * kernel and misaligned pointers, struct sizes around the known ones with
 * zero and non-zero tails, unknown mask and flag bits, huge counts, ranges
 * over holes and wrapping, every advice value), while other threads of this
 * process remap, reprotect and rename the memory the calls point into and
 * fork children that exit or exec, and while a separate victim process,
 * killed and started again all the time, is the target. Every errno must be
 * one the documentation lists for that call: one TAP result per entry point
 * says how many calls ended how, and the first undocumented errno with the
 * arguments that gave it. The kernel must stay clean (scripts/vm-run fails
 * the run on any splat).
 *
 * The values each worker draws follow from the seed printed first (worker i
 * uses the stream of seed + i); the interleaving with the layout changers
 * does not, so a failure is reproduced by running the same seed again,
 * usually at once.
 *
 * Nothing here touches memory the fuzzer itself depends on: every address a
 * call may write to or advise destructively is inside the scratch
 * reservation, a hole, a kernel address or a deliberately bad pointer.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "process_vm_madvise.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define SCRATCH_PAGES	512	/* remapped all the time */
#define HOLE_PAGES	16	/* unmapped, just below scratch */
#define GUARD_PAGES	(SCRATCH_PAGES + 64)	/* PROT_NONE, past any range's end */
#define MAX_WORKERS	8
#define MAX_ERRNO	4096

/* The entry points, each with the errnos its documentation lists. */
enum { EP_GETINFO, EP_VM_MADVISE, EP_ANON_NAME, EP_MADVISE, EP_PROCESS_MADVISE, EP_N };

static const char *const ep_name[EP_N] = {
	"process_vm_getinfo", "process_vm_madvise", "prctl(PR_SET_VMA_ANON_NAME)",
	"madvise() with the filter bits", "process_madvise() with the filter bits",
};

/* Documentation/userspace-api/process_vm_getinfo.rst, "Errors". */
static const int ok_getinfo[] = { EBADF, ESRCH, EACCES, EINVAL, E2BIG, EFAULT,
	ERANGE, EAGAIN, EINTR, ENOMEM, EOVERFLOW, 0 };
/* Documentation/userspace-api/process_vm_madvise.rst, "Errors". */
static const int ok_vm_madvise[] = { EINVAL, E2BIG, EFAULT, EBADF, ESRCH, EACCES,
	EPERM, EINTR, ESTALE, ENOMEM, EOPNOTSUPP, 0 };
/* prctl(2), PR_SET_VMA: 6.12's madvise_set_anon_name() and the name copy. */
static const int ok_anon_name[] = { EINVAL, EFAULT, ENOMEM, EBADF, 0 };
/*
 * madvise(2), and process_madvise(2) on top of it; the filter bits add only
 * EINVAL (Documentation/userspace-api/process_vm_madvise.rst).
 */
static const int ok_madvise[] = { EACCES, EAGAIN, EBADF, EBUSY, EFAULT, EINVAL,
	EIO, ENOMEM, EPERM, EINTR, EHWPOISON, 0 };
static const int ok_process_madvise[] = { EACCES, EAGAIN, EBADF, EBUSY, EFAULT,
	EINVAL, EIO, ENOMEM, EPERM, EINTR, EHWPOISON, ESRCH, EOPNOTSUPP, 0 };

static const int *const ep_ok[EP_N] = {
	ok_getinfo, ok_vm_madvise, ok_anon_name, ok_madvise, ok_process_madvise,
};

struct ep_stats {
	atomic_ulong calls, ok;
	atomic_ulong err[MAX_ERRNO];
	atomic_int bad;			/* first undocumented errno, once */
	char bad_msg[512];
};

static struct ep_stats stats[EP_N];
static atomic_int stop;
static unsigned int only = (1U << EP_N) - 1;	/* -e: the entry points fuzzed */
static long page;
static char *scratch;			/* SCRATCH_PAGES, remapped by changers */
static char *ro_page;			/* a read-only page */
static char *guard;			/* GUARD_PAGES of PROT_NONE after scratch */
static char *hole;			/* HOLE_PAGES that nothing maps */
static atomic_int victim_pidfd = -1;	/* the current victim */
static int dead_pidfd = -1;		/* a victim that exited and was reaped */
static int self_pidfd;
static int null_fd;

/* splitmix64: one stream per worker, from the seed. */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? next(s) % n : 0;
}

static int chance(uint64_t *s, int one_in)
{
	return below(s, one_in) == 0;
}

/*
 * Half of the calls are wild: every argument is drawn from the good and the
 * bad values alike. The other half are near misses: each argument is bad
 * only one time in eight, so that calls get past the first check and reach
 * the walks, the advice and the name table.
 */
static __thread int wild;

static int mutate(uint64_t *s)
{
	return wild || chance(s, 8);
}

/* Sizes around a known one: v-1, v, v+1, and the edges of what is taken. */
static uint64_t around(uint64_t *s, uint64_t v)
{
	if (!mutate(s))
		return v;
	static const uint64_t edge[] = { 0, 1, 7, 8, 4095, 4096, 4097, 65536,
		0x7fffffff, 0xffffffff, 0x100000000ULL, ~0ULL };

	switch (below(s, 4)) {
	case 0:
		return v - 1;
	case 1:
		return v + 1;
	case 2:
		return edge[below(s, ARRAY_SIZE(edge))];
	default:
		return v;
	}
}

/* A pointer a call may read or write: good, or bad in one of many ways. */
static uint64_t any_ptr(uint64_t *s, void *good, size_t good_len)
{
	if (!mutate(s))
		return (uintptr_t)good;
	switch (below(s, 12)) {
	case 0:
		return 0;	/* NULL */
	case 1:
		return (uintptr_t)guard + below(s, page);	/* not accessible */
	case 2:
		return (uintptr_t)ro_page;	/* read-only */
	case 3:
		return 0xffff800000000000ULL + below(s, 1 << 20) * 8;	/* kernel */
	case 4:
		return ~0ULL - below(s, 64);	/* wraps */
	case 5:
		return (uintptr_t)good + 1 + below(s, 7);	/* misaligned */
	case 6:
		return (uintptr_t)scratch + below(s, SCRATCH_PAGES * page);
	case 7:
		/* so that its end runs into the guard page */
		return (uintptr_t)guard - 1 - below(s, good_len < (size_t)page ? good_len : page);
	default:
		return (uintptr_t)good;
	}
}

static int pick_pidfd(uint64_t *s)
{
	if (!mutate(s))
		return chance(s, 2) ? self_pidfd : atomic_load(&victim_pidfd);
	switch (below(s, 10)) {
	case 0:
		return -1;
	case 1:
		return null_fd;	/* not a pidfd */
	case 2:
		return 0x7fffffff;	/* not open */
	case 3:
		return dead_pidfd;	/* exited */
	case 4:
	case 5:
	case 6:
		return self_pidfd;
	default:
		return atomic_load(&victim_pidfd);
	}
}

/*
 * An address range: over scratch, the hole before it, wrapping, unaligned,
 * kernel or huge. Every range that can be applied ends inside the guard, so
 * even destructive advice never reaches memory the fuzzer uses; "mine" says
 * the range is for a call on this process that may destroy memory, which
 * rules out the whole address space.
 */
static void any_range(uint64_t *s, uint64_t *start, uint64_t *len, int mine)
{
	uint64_t base = (uintptr_t)scratch;

	switch (mutate(s) ? below(s, 8) : 7) {
	case 0:
		*start = base + below(s, SCRATCH_PAGES) * page;
		*len = below(s, SCRATCH_PAGES * page); break;	/* unaligned length */
	case 1:
		*start = base + below(s, SCRATCH_PAGES * page);
		*len = page; break;				/* unaligned start */
	case 2:
		*start = ~0ULL & ~(page - 1);
		*len = 2 * page; break;				/* wraps */
	case 3:
		if (mine) {
			*start = 0xffffffff80000000ULL;
			*len = ~0ULL;
		} else {
			*start = 0;			/* everything */
			*len = ~0ULL;
		}
		break;
	case 4:
		*start = 0xffff800000000000ULL;
		*len = page;
		break;
		/* kernel */
	case 5:
		*start = (uintptr_t)hole;
		*len = HOLE_PAGES * page;
		break;
	case 6:
		*start = (uintptr_t)hole;	/* hole and scratch */
		*len = (HOLE_PAGES + 16) * page; break;
	default:
		*start = base + below(s, SCRATCH_PAGES) * page;
		*len = (1 + below(s, 64)) * page; break;
	}
}

static int all_advice(uint64_t *s)
{
	int a = below(s, 10) ? (int)below(s, 32) : (int)next(s);

	switch (below(s, 4)) {
	case 0:
		a |= MADV_ANONYMOUS_FILTER;
		break;
	case 1:
		a |= MADV_FILE_FILTER;
		break;
	case 2:
		if (chance(s, 4))
			a |= MADV_ANONYMOUS_FILTER | MADV_FILE_FILTER;
		break;
	}
	return a;
}

/*
 * The advice madvise() may apply to our own scratch and holes: anything
 * but what would kill us or need privileges we should not use even as
 * root (poisoning, offlining).
 */
static int self_advice(uint64_t *s)
{
	int a;

	do {
		a = all_advice(s);
	} while ((a & 0xffff) == MADV_HWPOISON || (a & 0xffff) == 101 /* SOFT_OFFLINE */);
	return a;
}

static void record(int ep, long ret, const char *fmt, ...)
{
	struct ep_stats *st = &stats[ep];
	const int *ok;
	int e = ret < 0 ? (int)-ret : 0;
	va_list ap;

	atomic_fetch_add(&st->calls, 1);
	if (!e) {
		atomic_fetch_add(&st->ok, 1);
		return;
	}
	if (e < MAX_ERRNO)
		atomic_fetch_add(&st->err[e], 1);
	for (ok = ep_ok[ep]; *ok; ok++)
		if (*ok == e)
			return;
	if (atomic_exchange(&st->bad, 1))
		return;
	va_start(ap, fmt);
	snprintf(st->bad_msg, sizeof(st->bad_msg), "errno %d (%s): ", e, strerror(e));
	vsnprintf(st->bad_msg + strlen(st->bad_msg),
		  sizeof(st->bad_msg) - strlen(st->bad_msg), fmt, ap);
	va_end(ap);
}

/* A page per worker for argument structs, whose end is the guard page. */
struct worker {
	uint64_t rng;
	char *argpage;		/* one page, then a PROT_NONE page */
	struct iovec iov[1100];
	char name[200];
};

/* The argument struct at the end of its page, followed by the tail. */
static void *place_args(struct worker *w, const void *args, size_t known, size_t size)
{
	char *p;
	size_t i;

	if (size > (size_t)page)
		size = page;
	if (size < known)
		size = known;
	p = w->argpage + page - size;
	memcpy(p, args, known);
	for (i = known; i < size; i++)
		p[i] = chance(&w->rng, 3) ? (char)next(&w->rng) : 0;
	return p;
}

static void fuzz_getinfo(struct worker *w)
{
	uint64_t *s = &w->rng;
	struct process_vm_getinfo_args a = { 0 };
	uint64_t start, len, size, ptr, flags = 0;
	int pidfd = pick_pidfd(s);
	long ret;

	a.mask = mutate(s) && chance(s, 4) ? next(s) : below(s, VMGI_ALL + 1);
	any_range(s, &start, &len, 0);
	a.start = start;
	a.end = chance(s, 6) ? start - below(s, 2) : start + len;
	a.vma_size = around(s, chance(s, 2) ? VMGI_VMA_SIZE_VER1 : VMGI_VMA_SIZE_VER0);
	if (mutate(s) && chance(s, 3))
		a.vma_size = below(s, 2) ? VMGI_VMA_SIZE_MAX : VMGI_VMA_SIZE_MAX + 1;
	a.vma_count = mutate(s) && chance(s, 4) ? (uint32_t)next(s) : below(s, 300);
	a.vmas = any_ptr(s, scratch + below(s, SCRATCH_PAGES) * page, a.vma_size);
	a.strings_size = mutate(s) && chance(s, 4) ? (uint32_t)next(s) : below(s, 16384);
	a.strings = any_ptr(s, scratch + below(s, SCRATCH_PAGES) * page, a.strings_size);
	if (mutate(s) && chance(s, 10))
		a.__reserved = next(s);
	size = around(s, sizeof(a));
	if (mutate(s) && chance(s, 10))
		flags = next(s);
	else if (chance(s, 8))
		flags = PROCESS_VM_GETINFO_ROLLUP;
	ptr = any_ptr(s, place_args(w, &a, sizeof(a), size), size);
	ret = sys_getinfo(pidfd, (void *)(uintptr_t)ptr, size, flags);
	record(EP_GETINFO, ret,
	       "pidfd %d args %#llx size %llu flags %#llx mask %#llx range %#llx-%#llx vmas %#llx x%u size %u strings %#llx size %u",
	       pidfd, (unsigned long long)ptr, (unsigned long long)size,
	       (unsigned long long)flags, (unsigned long long)a.mask,
	       (unsigned long long)a.start, (unsigned long long)a.end,
	       (unsigned long long)a.vmas, a.vma_count, a.vma_size,
	       (unsigned long long)a.strings, a.strings_size);
}

static void fuzz_iovecs(struct worker *w, size_t n, int mine)
{
	size_t i;

	for (i = 0; i < n && i < ARRAY_SIZE(w->iov); i++) {
		uint64_t start, len;

		any_range(&w->rng, &start, &len, mine);
		w->iov[i].iov_base = (void *)(uintptr_t)start;
		w->iov[i].iov_len = len;
	}
}

static size_t any_count(uint64_t *s)
{
	static const size_t edge[] = { 0, 1, 2, 1023, 1024, 1025, 1100, 65536, ~0UL };

	if (mutate(s) && chance(s, 3))
		return edge[below(s, ARRAY_SIZE(edge))];
	return 1 + below(s, 16);
}

/* What process_vm_madvise() takes first, then what process_madvise() may. */
static const int remote_advice[] = { MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED,
	MADV_COLLAPSE, MADV_DONTNEED, MADV_FREE };

static void fuzz_vm_madvise(struct worker *w)
{
	uint64_t *s = &w->rng;
	struct process_vm_madvise_args a = { 0 };
	uint64_t size, ptr, flags = 0, mm_id = 0, seq = 0;
	int pidfd = pick_pidfd(s);
	long ret;

	/* Mostly a real token, so that calls get past the staleness check. */
	if (!chance(s, 4))
		layout_token(pidfd, &mm_id, &seq);
	a.mm_id = mutate(s) && chance(s, 4) ? next(s) : mm_id;
	a.seq = mutate(s) && chance(s, 4) ? seq + below(s, 3) - 1 : seq;
	a.nr_ranges = any_count(s);
	fuzz_iovecs(w, a.nr_ranges, 0);
	a.ranges = any_ptr(s, w->iov, sizeof(struct iovec) * 4);
	a.advice = !mutate(s) || below(s, 3) ? remote_advice[below(s, 3)] : all_advice(s);
	if (below(s, 3) == 0)
		a.advice |= below(s, 2) ? MADV_ANONYMOUS_FILTER : MADV_FILE_FILTER;
	if (mutate(s) && chance(s, 10))
		a.__reserved = next(s);
	size = around(s, sizeof(a));
	if (mutate(s) && chance(s, 10))
		flags = next(s);
	ptr = any_ptr(s, place_args(w, &a, sizeof(a), size), size);
	ret = sys_vm_madvise(pidfd, (void *)(uintptr_t)ptr, size, flags);
	record(EP_VM_MADVISE, ret,
	       "pidfd %d args %#llx size %llu flags %#llx ranges %#llx x%llu advice %#x token %#llx/%llu",
	       pidfd, (unsigned long long)ptr, (unsigned long long)size,
	       (unsigned long long)flags, (unsigned long long)a.ranges,
	       (unsigned long long)a.nr_ranges, a.advice, (unsigned long long)a.mm_id,
	       (unsigned long long)a.seq);
}

static void fuzz_anon_name(struct worker *w)
{
	uint64_t *s = &w->rng;
	uint64_t start, len, name;
	size_t n = below(s, 100), i;
	long ret;

	any_range(s, &start, &len, 0);
	for (i = 0; i < n; i++)
		w->name[i] = chance(s, 20) ? (char)next(s) : 'a' + below(s, 4);
	w->name[n] = 0;
	name = any_ptr(s, w->name, n + 1);
	if (chance(s, 5))	/* the string's end runs into the guard page */
		name = (uintptr_t)memcpy(w->argpage + page - n, w->name, n);
	ret = prctl(PR_SET_VMA, mutate(s) && chance(s, 20) ? next(s) : PR_SET_VMA_ANON_NAME,
		    start, len, name);
	record(EP_ANON_NAME, ret < 0 ? -errno : ret, "start %#llx len %#llx name %#llx (%zu bytes)",
	       (unsigned long long)start, (unsigned long long)len,
	       (unsigned long long)name, n);
}

static void fuzz_madvise(struct worker *w)
{
	uint64_t *s = &w->rng;
	uint64_t start, len;
	int advice = self_advice(s);
	long ret;

	any_range(s, &start, &len, 1);
	ret = madvise((void *)(uintptr_t)start, len, advice);
	record(EP_MADVISE, ret < 0 ? -errno : ret, "start %#llx len %#llx advice %#x",
	       (unsigned long long)start, (unsigned long long)len, advice);
}

static void fuzz_process_madvise(struct worker *w)
{
	uint64_t *s = &w->rng;
	int pidfd = pick_pidfd(s), advice = self_advice(s);
	size_t n = any_count(s);
	uint64_t ptr;
	long ret;

	fuzz_iovecs(w, n, 1);
	if (chance(s, 2))
		advice = (advice & ~0xffff) | remote_advice[below(s, ARRAY_SIZE(remote_advice))];
	/*
	 * The iovecs themselves are either ours or unreadable: an iovec array
	 * read from scratch or from a shifted pointer could name any of our
	 * memory, and advice on ourselves may destroy it.
	 */
	switch (below(s, 8)) {
	case 0:
		ptr = 0;
		break;
	case 1:
		ptr = (uintptr_t)guard;
		break;
	case 2:
		ptr = 0xffff800000000000ULL;
		break;
	case 3:
		ptr = (uintptr_t)ro_page;
		break;	/* zeroes: empty iovecs */
	default:
		ptr = (uintptr_t)w->iov;
		break;
	}
	ret = syscall(__NR_process_madvise, pidfd, (void *)(uintptr_t)ptr, n, advice,
		      chance(s, 10) ? (unsigned int)next(s) : 0);
	record(EP_PROCESS_MADVISE, ret < 0 ? -errno : ret, "pidfd %d iov %#llx x%zu advice %#x",
	       pidfd, (unsigned long long)ptr, n, advice);
}

static void *worker(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&stop)) {
		int ep = below(&w->rng, EP_N);

		wild = chance(&w->rng, 2);
		if (!(only & (1U << ep)))
			continue;
		switch (ep) {
		case EP_GETINFO:
			fuzz_getinfo(w);
			break;
		case EP_VM_MADVISE:
			fuzz_vm_madvise(w);
			break;
		case EP_ANON_NAME:
			fuzz_anon_name(w);
			break;
		case EP_MADVISE:
			fuzz_madvise(w);
			break;
		default:
			fuzz_process_madvise(w);
			break;
		}
	}
	return NULL;
}

/* Remaps, reprotects and renames scratch, and forks children that exit or exec. */
static void *changer(void *arg)
{
	uint64_t s = (uintptr_t)arg;

	while (!atomic_load(&stop)) {
		size_t off = below(&s, SCRATCH_PAGES) * page;
		size_t len = (1 + below(&s, 16)) * page;
		static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };
		int prot = prots[below(&s, 3)];
		pid_t pid;

		if (off + len > SCRATCH_PAGES * (size_t)page)
			len = SCRATCH_PAGES * page - off;
		switch (below(&s, 8)) {
		case 0:
			mmap(scratch + off, len, prot,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 1:
			/* a hole, filled again later */
			munmap(scratch + off, len);
			break;
		case 2:
			mprotect(scratch + off, len, prot);
			break;
		case 3:
			prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, scratch + off, len,
			      below(&s, 2) ? "fuzz-a" : NULL);
			break;
		case 4:
			mmap(scratch + off, len, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 5:
			madvise(scratch + off, len, MADV_POPULATE_WRITE);
			break;
		case 6:
			pid = fork();
			if (pid == 0) {
				if (below(&s, 2))
					execl("/bin/true", "true", (char *)NULL);
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, NULL, 0);
			break;
		default:
			mmap(scratch + off, len, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0);
			break;
		}
	}
	return NULL;
}

/* The victim: another process that keeps changing its own map. */
static void victim(uint64_t s)
{
	char *base = mmap(NULL, 256 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		_exit(1);
	for (;;) {
		size_t off = below(&s, 256) * page, len = (1 + below(&s, 8)) * page;

		if (off + len > 256 * (size_t)page)
			len = 256 * page - off;
		switch (below(&s, 6)) {
		case 5:
			/* a new address space under the same pidfd */
			if (chance(&s, 50))
				execl("/bin/sleep", "sleep", "10", (char *)NULL);
			break;
		case 0:
			mmap(base + off, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			memset(base + off, 2, len);
			break;
		case 1:
			munmap(base + off, len);
			break;
		case 2:
			mprotect(base + off, len,
				 below(&s, 2) ? PROT_READ : PROT_READ | PROT_WRITE);
			break;
		case 3:
			prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, base + off, len,
			      below(&s, 2) ? "victim" : "victim-b");
			break;
		default:
			if (fork() == 0)
				_exit(0);
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			break;
		}
	}
}

static void help(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-t SECONDS] [-s SEED] [-j THREADS] [-e MASK]\n  -e MASK: the entry points to fuzz, bit i for the i-th TAP result\n",
		argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	struct worker workers[MAX_WORKERS];
	pthread_t wt[MAX_WORKERS], ct[2];
	uint64_t seed = 0, vs;
	int seconds = 60, nworkers = 4, opt, i, e, failed = 0;
	time_t end;
	pid_t vpid;

	while ((opt = getopt(argc, argv, "t:s:j:e:")) != -1) {
		switch (opt) {
		case 'e':
			only = strtoul(optarg, NULL, 0) & ((1U << EP_N) - 1);
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'j':
			nworkers = atoi(optarg);
			break;
		default:
			help(argv[0]);
		}
	}
	if (nworkers < 1 || nworkers > MAX_WORKERS || !only)
		help(argv[0]);
	if (!seed)
		seed = (uint64_t)time(NULL) * 2654435761ULL ^ getpid();

	printf("TAP version 13\n");
	printf("# seed %llu (process_vm_fuzz -t %d -s %llu -j %d)\n",
	       (unsigned long long)seed, seconds, (unsigned long long)seed, nworkers);
	if (!have_getinfo() || !have_vm_madvise() || !have_filters()) {
		printf("1..0 # SKIP the kernel lacks the series' calls\n");
		return 4;
	}
	printf("1..%d\n", EP_N);
	fflush(stdout);

	page = sysconf(_SC_PAGESIZE);
	ro_page = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro_page == MAP_FAILED)
		return 1;
	for (i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		memset(w, 0, sizeof(*w));
		w->rng = seed + i;
		w->argpage = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w->argpage == MAP_FAILED)
			return 1;
		mprotect(w->argpage + page, page, PROT_NONE);
	}
	/*
	 * The hole, scratch and the guard, last of the small mappings, so that
	 * nothing lands in the hole later: what is mapped afterwards (thread
	 * stacks, arenas) is larger than the hole, which is closed on both sides.
	 */
	hole = mmap(NULL, (HOLE_PAGES * 2 + SCRATCH_PAGES + GUARD_PAGES) * page, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED)
		return 1;
	/* PROT_NONE below the hole too, or a larger mapping could take it. */
	hole += HOLE_PAGES * page;
	munmap(hole, HOLE_PAGES * page);
	scratch = hole + HOLE_PAGES * page;
	guard = scratch + SCRATCH_PAGES * page;
	mprotect(scratch, SCRATCH_PAGES * page, PROT_READ | PROT_WRITE);
	self_pidfd = sys_pidfd_open(getpid());
	null_fd = open("/dev/null", O_RDONLY);

	/* A victim that exited and was reaped: its pidfd stays. */
	vpid = fork();
	if (vpid == 0)
		_exit(0);
	dead_pidfd = sys_pidfd_open(vpid);
	waitpid(vpid, NULL, 0);

	vs = seed ^ 0xfeedULL;
	vpid = -1;
	end = time(NULL) + seconds;
	for (i = 0; i < 2; i++)
		pthread_create(&ct[i], NULL, changer, (void *)(uintptr_t)(seed * 3 + i));
	for (i = 0; i < nworkers; i++)
		pthread_create(&wt[i], NULL, worker, &workers[i]);

	/* The victim dies and is born again, 5 times a second. */
	while (time(NULL) < end) {
		int fd;

		if (vpid > 0) {
			kill(vpid, SIGKILL);
			waitpid(vpid, NULL, 0);
		}
		vpid = fork();
		if (vpid == 0)
			victim(next(&vs));
		fd = sys_pidfd_open(vpid);
		fd = atomic_exchange(&victim_pidfd, fd);
		if (fd >= 0)
			close(fd);	/* a worker may still use it: EBADF, or another fd */
		usleep(200000);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < nworkers; i++)
		pthread_join(wt[i], NULL);
	for (i = 0; i < 2; i++)
		pthread_join(ct[i], NULL);
	kill(vpid, SIGKILL);
	waitpid(vpid, NULL, 0);

	for (i = 0; i < EP_N; i++) {
		struct ep_stats *st = &stats[i];
		char line[1024];
		size_t at = 0;
		int bad = atomic_load(&st->bad);

		at += snprintf(line + at, sizeof(line) - at, "%lu calls, %lu succeeded",
			       atomic_load(&st->calls), atomic_load(&st->ok));
		for (e = 1; e < MAX_ERRNO && at < sizeof(line) - 32; e++)
			if (atomic_load(&st->err[e]))
				at += snprintf(line + at, sizeof(line) - at, ", %s %lu",
					       strerrorname_np(e) ? strerrorname_np(e) : "?",
					       atomic_load(&st->err[e]));
		printf("# %s: %s\n", ep_name[i], line);
		if (bad)
			printf("# %s: undocumented %s\n", ep_name[i], st->bad_msg);
		if (!(only & (1U << i))) {
			printf("ok %d %s # SKIP not chosen (-e)\n", i + 1, ep_name[i]);
			continue;
		}
		/* A call that never got past its argument checks tested little. */
		if (!atomic_load(&st->ok)) {
			printf("# %s: no call succeeded\n", ep_name[i]);
			bad = 1;
		}
		failed += bad;
		printf("%sok %d %s\n", bad ? "not " : "", i + 1, ep_name[i]);
	}
	printf("# Totals: pass:%d fail:%d (seed %llu)\n", EP_N - failed, failed,
	       (unsigned long long)seed);
	return failed ? 1 : 0;
}
