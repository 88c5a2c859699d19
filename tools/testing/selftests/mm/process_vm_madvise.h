/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the process_vm_madvise() selftests and benchmark: the raw
 * system calls, swap on zram (so that anonymous pages can really be paged
 * out), and page residency.
 */
#ifndef PROCESS_VM_MADVISE_SELFTEST_H
#define PROCESS_VM_MADVISE_SELFTEST_H

#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
#include <linux/process_vm_madvise.h>

#include "process_vm_getinfo.h"

/* __NR_process_vm_madvise: from the kernel's file (process_vm_getinfo.h). */
#ifndef __NR_process_madvise
#define __NR_process_madvise 440
#endif
#ifndef MADV_ANONYMOUS_FILTER
#define MADV_ANONYMOUS_FILTER	0x40000000
#define MADV_FILE_FILTER	0x20000000
#endif

static inline long sys_vm_madvise(int pidfd, const struct process_vm_madvise_args *args,
				  size_t size, unsigned int flags)
{
	return process_vm_syscall4(__NR_process_vm_madvise, pidfd, (long)args,
				   size, flags);
}

static inline long sys_process_madvise(int pidfd, const struct iovec *iov,
				       size_t n, int advice)
{
	long ret = syscall(__NR_process_madvise, pidfd, iov, n, advice, 0);

	return ret < 0 ? -errno : ret;
}

/* A flag no kernel knows. */
#define VM_MADVISE_UNKNOWN_FLAG	0x80000000u

/*
 * 1 if the running kernel has process_vm_madvise(): the file names it, and
 * that number rejects unknown flags.
 */
static inline int have_vm_madvise(void)
{
	return sys_vm_madvise(-1, NULL, 0, VM_MADVISE_UNKNOWN_FLAG) == -EINVAL;
}

/* 1 if madvise() takes the filter bits. */
static inline int have_filters(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int ok = madvise(p, ps, MADV_COLD | MADV_ANONYMOUS_FILTER) == 0;

	munmap(p, ps);
	return ok;
}

/* process_vm_madvise() with a token and flags; the result or -errno. */
static inline long vm_madvise_flags(int pidfd, const struct iovec *iov, size_t n,
				    int advice, uint64_t mm_id, uint64_t seq,
				    unsigned int flags)
{
	struct process_vm_madvise_args a = {
		.ranges = (uintptr_t)iov, .nr_ranges = n, .advice = advice,
		.mm_id = mm_id, .seq = seq,
	};

	return sys_vm_madvise(pidfd, &a, sizeof(a), flags);
}

/* process_vm_madvise() with a token; returns the result or -errno. */
static inline long vm_madvise(int pidfd, const struct iovec *iov, size_t n,
			      int advice, uint64_t mm_id, uint64_t seq)
{
	return vm_madvise_flags(pidfd, iov, n, advice, mm_id, seq, 0);
}

/* Pages of [p, p + len) in memory (or in the swap cache), by mincore(). */
static inline long resident(void *p, size_t len)
{
	long ps = sysconf(_SC_PAGESIZE), n = len / ps, i, in = 0;
	unsigned char vec[4096];

	for (i = 0; i < n; i += sizeof(vec)) {
		long k = n - i < (long)sizeof(vec) ? n - i : (long)sizeof(vec), j;

		if (mincore((char *)p + i * ps, k * ps, vec))
			return -errno;
		for (j = 0; j < k; j++)
			in += vec[j] & 1;
	}
	return in;
}

static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -EIO;
}

/*
 * Swap on zram0, set up once: 0, or -errno if there can be none (not root,
 * no zram). A swap area needs only its header: the signature at the end of
 * the first page, version 1 and the number of the last page at 1024.
 */
static inline int ensure_swap(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	uint32_t *info;
	char line[256], *page;
	FILE *f = fopen("/proc/swaps", "r");
	int lines = 0, fd, ret;

	while (f && fgets(line, sizeof(line), f))
		lines++;
	if (f)
		fclose(f);
	if (lines > 1)
		return 0;
	ret = write_file("/sys/block/zram0/disksize", "256M");
	if (ret)
		return ret;
	fd = open("/dev/zram0", O_WRONLY);
	if (fd < 0)
		return -errno;
	page = calloc(1, ps);
	info = (uint32_t *)(page + 1024);
	info[0] = 1;				/* version */
	info[1] = (256 << 20) / ps - 1;		/* last_page */
	memcpy(page + ps - 10, "SWAPSPACE2", 10);
	ret = write(fd, page, ps) == ps ? 0 : -EIO;
	free(page);
	close(fd);
	if (!ret && syscall(SYS_swapon, "/dev/zram0", 0))
		ret = -errno;
	return ret;
}

#endif
