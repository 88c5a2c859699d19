/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the process_vm_getinfo() selftests and benchmark: the raw
 * system calls and a snapshot that grows its buffers as the documentation
 * says (call, and on ERANGE grow to the sizes returned, and call again).
 */
#ifndef PROCESS_VM_GETINFO_SELFTEST_H
#define PROCESS_VM_GETINFO_SELFTEST_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/process_vm_getinfo.h>

/* What the C library's headers (Debian 12's) may not have yet. */
#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif
#ifndef MADV_COLD
#define MADV_COLD	20
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#ifndef __NR_process_vm_getinfo
#define __NR_process_vm_getinfo 472
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

static inline long sys_getinfo(int pidfd, struct process_vm_getinfo_args *args,
			       size_t size, unsigned int flags)
{
	long ret = syscall(__NR_process_vm_getinfo, pidfd, args, size, flags);

	return ret < 0 ? -errno : ret;
}

static inline int sys_pidfd_open(pid_t pid)
{
	return syscall(__NR_pidfd_open, pid, 0);
}

/* 1 if the running kernel has the system call: it rejects unknown flags. */
static inline int have_getinfo(void)
{
	return sys_getinfo(-1, NULL, 0, 1) == -EINVAL;
}

/*
 * A snapshot. The buffers come from mmap() and are kept between calls, so
 * taking a snapshot of oneself changes no layout once they are big enough.
 */
struct snap {
	struct process_vm_getinfo_vma *vmas;
	char *strings;
	size_t vmas_bytes, strings_bytes;	/* mapped sizes */
	unsigned int n;				/* records */
	struct process_vm_getinfo_args args;	/* of the last call */
};

static inline int snap_grow(void **buf, size_t *bytes, size_t need)
{
	void *p;

	if (need <= *bytes)
		return 0;
	need = (need + need / 4 + 4095) & ~4095UL;
	p = mmap(NULL, need, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	if (*bytes)
		munmap(*buf, *bytes);
	*buf = p;
	*bytes = need;
	return 0;
}

/* Takes a snapshot of [start, end); returns 0 or -errno. */
static inline int snap_take(struct snap *s, int pidfd, uint64_t mask,
			    uint64_t start, uint64_t end)
{
	int tries, ret = -EAGAIN;

	for (tries = 0; tries < 8; tries++) {
		struct process_vm_getinfo_args *a = &s->args;

		memset(a, 0, sizeof(*a));
		a->mask = mask;
		a->start = start;
		a->end = end;
		a->vmas = (uintptr_t)s->vmas;
		a->vma_size = sizeof(*s->vmas);
		a->vma_count = s->vmas_bytes / sizeof(*s->vmas);
		a->strings = (uintptr_t)s->strings;
		a->strings_size = s->strings_bytes;
		ret = sys_getinfo(pidfd, a, sizeof(*a), 0);
		if (ret >= 0) {
			s->n = ret;
			return 0;
		}
		if (ret != -ERANGE && ret != -EAGAIN)
			return ret;
		if (snap_grow((void **)&s->vmas, &s->vmas_bytes,
			      (size_t)a->vma_count * sizeof(*s->vmas)) ||
		    snap_grow((void **)&s->strings, &s->strings_bytes,
			      a->strings_size))
			return -ENOMEM;
	}
	return ret;
}

static inline void snap_free(struct snap *s)
{
	if (s->vmas_bytes)
		munmap(s->vmas, s->vmas_bytes);
	if (s->strings_bytes)
		munmap(s->strings, s->strings_bytes);
	memset(s, 0, sizeof(*s));
}

static inline const char *snap_name(const struct snap *s,
				    const struct process_vm_getinfo_vma *v)
{
	return v->name_off == VMGI_NO_NAME ? "" : s->strings + v->name_off;
}

/* The layout token of a process: 0, or -errno. */
static inline int layout_token(int pidfd, uint64_t *mm_id, uint64_t *seq)
{
	struct process_vm_getinfo_args a = {
		.start = 0, .end = 1, .vma_size = sizeof(struct process_vm_getinfo_vma),
	};
	long ret = sys_getinfo(pidfd, &a, sizeof(a), 0);

	if (ret < 0 && ret != -ERANGE)
		return ret;
	*mm_id = a.mm_id;
	*seq = a.seq;
	return 0;
}

/* For the benchmarks: guest time (instructions under -icount), and medians. */
static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* The median of v[0..n), which it sorts. */
static inline double bench_median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

#endif
