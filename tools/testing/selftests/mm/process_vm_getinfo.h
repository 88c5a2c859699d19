/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the process_vm_getinfo() selftests and benchmark: the raw
 * system calls and a snapshot that grows its buffers as the documentation
 * says (call, and on ERANGE grow to the sizes returned, and call again).
 */
#ifndef PROCESS_VM_GETINFO_SELFTEST_H
#define PROCESS_VM_GETINFO_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/statfs.h>
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

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

/*
 * The series' system calls are out of tree: their numbers are reserved
 * nowhere, and a later kernel may give them to other calls. The kernel says
 * which it has in /sys/kernel/process_vm_syscalls, one "NAME NUMBER" line
 * each (numbers of the native ABI; no file on a kernel without the calls),
 * and these tests issue no other number.
 */
#define PROCESS_VM_SYSCALLS_PATH	"/sys/kernel/process_vm_syscalls"
#define PROCESS_VM_SYSFS_MAGIC		0x62656572	/* SYSFS_MAGIC */

/* The calls the file may name, in the order of the parser's nr[]. */
#define PROCESS_VM_NCALLS	2

static inline int process_vm_call_index(const char *name, size_t len)
{
	static const char *const names[PROCESS_VM_NCALLS] = {
		"process_vm_getinfo", "process_vm_madvise",
	};

	for (int i = 0; i < PROCESS_VM_NCALLS; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], name, len))
			return i;
	return -1;
}

/*
 * Parses the file's text into nr[] (-1 for a call not named) as the vmmap
 * crate does: a line is NAME, one space, a number as the kernel prints it
 * (decimal digits, no sign, no leading zero, at most INT_MAX) and a newline.
 * Other lines, unknown names and a last line without its newline are
 * ignored; a name on two lines is ambiguous, so not available.
 */
static inline void process_vm_syscalls_parse(const char *text,
					     long nr[PROCESS_VM_NCALLS])
{
	int seen[PROCESS_VM_NCALLS] = { 0 };
	const char *line, *end;

	for (int i = 0; i < PROCESS_VM_NCALLS; i++)
		nr[i] = -1;
	for (line = text; (end = strchr(line, '\n')); line = end + 1) {
		const char *sp = memchr(line, ' ', end - line), *d;
		long v = 0;
		int i;

		if (!sp || sp == line || sp + 1 == end ||
		    (sp[1] == '0' && sp + 2 != end))
			continue;
		for (d = sp + 1; d < end && *d >= '0' && *d <= '9'; d++) {
			v = v * 10 + (*d - '0');
			if (v > 0x7fffffff)
				break;
		}
		if (d != end)
			continue;
		i = process_vm_call_index(line, sp - line);
		if (i >= 0)
			nr[i] = seen[i]++ ? -1 : v;
	}
}

/*
 * The number of the series' call NAME ("process_vm_getinfo",
 * "process_vm_madvise") on this kernel, or -1 if the file does not name it,
 * is absent or is not on sysfs. The file is read once.
 */
static inline long process_vm_syscall_nr(const char *name)
{
	static long cached[PROCESS_VM_NCALLS] = { -2, -2 };	/* -2: not read yet */
	int i = process_vm_call_index(name, strlen(name));

	if (i < 0)
		return -1;
	if (__atomic_load_n(&cached[i], __ATOMIC_ACQUIRE) == -2) {
		long nr[PROCESS_VM_NCALLS] = { -1, -1 };
		char text[4096];
		struct statfs sfs;
		ssize_t len = -1;
		int fd = open(PROCESS_VM_SYSCALLS_PATH, O_RDONLY | O_CLOEXEC);

		if (fd >= 0 && !fstatfs(fd, &sfs) &&
		    sfs.f_type == PROCESS_VM_SYSFS_MAGIC)
			len = read(fd, text, sizeof(text) - 1);
		if (fd >= 0)
			close(fd);
		if (len >= 0) {
			text[len] = '\0';
			process_vm_syscalls_parse(text, nr);
		}
		for (int j = 0; j < PROCESS_VM_NCALLS; j++)
			__atomic_store_n(&cached[j], nr[j], __ATOMIC_RELEASE);
	}
	return __atomic_load_n(&cached[i], __ATOMIC_ACQUIRE);
}

/*
 * Every syscall(__NR_process_vm_getinfo, ...) goes through the file, never
 * a number the kernel headers or the C library may have (a different one,
 * or one the running kernel gives to another call). -1 when the kernel does
 * not have the call: the wrappers below then return -ENOSYS and issue
 * nothing.
 */
#undef __NR_process_vm_getinfo
#undef __NR_process_vm_madvise
#undef SYS_process_vm_getinfo
#undef SYS_process_vm_madvise
#define __NR_process_vm_getinfo	process_vm_syscall_nr("process_vm_getinfo")
#define __NR_process_vm_madvise	process_vm_syscall_nr("process_vm_madvise")
#define SYS_process_vm_getinfo	__NR_process_vm_getinfo
#define SYS_process_vm_madvise	__NR_process_vm_madvise

/*
 * syscall(nr, ...) for a number from the file, -errno on failure; for -1,
 * nothing is issued and it fails as a call the kernel does not have.
 */
static inline long process_vm_syscall4(long nr, long a, long b, long c, long d)
{
	long ret;

	if (nr < 0) {
		errno = ENOSYS;
		return -errno;
	}
	ret = syscall(nr, a, b, c, d);
	return ret < 0 ? -errno : ret;
}

/* 1 if a wrapper's result says the kernel has no such call. */
static inline int process_vm_no_call(long ret)
{
	return ret == -ENOSYS && errno == ENOSYS;
}

static inline long sys_getinfo(int pidfd, struct process_vm_getinfo_args *args,
			       size_t size, unsigned int flags)
{
	return process_vm_syscall4(__NR_process_vm_getinfo, pidfd, (long)args,
				   size, flags);
}

static inline int sys_pidfd_open(pid_t pid)
{
	return syscall(__NR_pidfd_open, pid, 0);
}

/*
 * 1 if the running kernel has the system call: the file names it, and that
 * number rejects unknown flags.
 */
static inline int have_getinfo(void)
{
	return sys_getinfo(-1, NULL, 0, 1U << 31) == -EINVAL;
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
	/*
	 * Bytes per record if not the whole struct: VMGI_VMA_SIZE_VER0 for a
	 * caller that needs no counters (then vmas[] must not be indexed).
	 */
	unsigned int stride;
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
	size_t stride = s->stride ? s->stride : sizeof(*s->vmas);
	int tries, ret = -EAGAIN;

	for (tries = 0; tries < 8; tries++) {
		struct process_vm_getinfo_args *a = &s->args;

		memset(a, 0, sizeof(*a));
		a->mask = mask;
		a->start = start;
		a->end = end;
		a->vmas = (uintptr_t)s->vmas;
		a->vma_size = stride;
		a->vma_count = s->vmas_bytes / stride;
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
			      (size_t)a->vma_count * stride) ||
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

/* For the benchmarks: reads all of /proc/PID/FILE; 0 or -1. */
static inline int bench_read_proc(pid_t pid, const char *file)
{
	static char buf[1 << 16];
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return close(fd);
}

static inline int bench_read_maps(pid_t pid)
{
	return bench_read_proc(pid, "maps");
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

#ifdef __x86_64__
#include <sys/wait.h>

/* A system call through the i386 ABI: eax, then ebx, ecx, edx, esi. */
static inline long int80_syscall(long nr, long a, long b, long c, long d)
{
	long ret;

	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
		     : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

/*
 * 1 if int $0x80 works in this 64-bit process (CONFIG_IA32_EMULATION, not
 * disabled at boot): tried in a child, which dies of it otherwise.
 */
static inline int have_int80(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(int80_syscall(20, 0, 0, 0, 0) == getpid() ? 0 : 1);	/* i386 getpid */
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
#endif

#endif
