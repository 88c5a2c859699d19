// SPDX-License-Identifier: GPL-2.0
/*
 * app_workload SECONDS [READY_FILE]: a process whose map is shaped like an
 * Android app's: allocator arenas named libc_malloc and scudo:*, thread
 * stacks named stack_and_tls:<tid>, a Java-heap-like region, a JIT cache in
 * a memfd and a file mapping, all of it written. While it runs it keeps
 * changing its map (a scratch arena unmapped and mapped again every few
 * milliseconds), as an app does. Writes READY_FILE when set up, ends after
 * SECONDS.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

#define MB (1UL << 20)

static volatile int stop;

static void name(void *p, size_t len, const char *n)
{
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, len, (unsigned long)n);
}

static char *arena(size_t len, const char *n)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memset(p, 0x42, len);
	name(p, len, n);
	return p;
}

/* A thread names its own stack, as bionic does. */
static void *thread(void *arg)
{
	pthread_attr_t a;
	size_t size;
	void *stack;
	char n[64];

	pthread_getattr_np(pthread_self(), &a);
	pthread_attr_getstack(&a, &stack, &size);
	snprintf(n, sizeof(n), "stack_and_tls:%ld", (long)syscall(SYS_gettid));
	name(stack, size, n);
	memset((char *)stack + size / 2 - 64 * 1024, 1, 32 * 1024);
	while (!stop)
		usleep(10000);
	return arg;
}

int main(int argc, char **argv)
{
	long seconds = argc > 1 ? atol(argv[1]) : 10;
	pthread_t t[4];
	struct timespec t0, now;
	char *scratch, *heap, *jit, *file;
	int i, fd, memfd;

	for (i = 0; i < 4; i++)
		arena(MB, "libc_malloc");
	arena(2 * MB, "scudo:primary");
	arena(MB, "scudo:secondary");
	/* A Java heap: reserved, partly used. */
	heap = mmap(NULL, 16 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	name(heap, 16 * MB, "dalvik-main space");
	memset(heap, 7, 4 * MB);
	/* A JIT cache: a memfd mapped twice, as ART does. */
	memfd = memfd_create("jit-cache", 0);
	if (memfd < 0 || ftruncate(memfd, MB))
		return 1;
	jit = mmap(NULL, MB, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	memset(jit, 0xc3, MB);
	mmap(NULL, MB, PROT_READ | PROT_EXEC, MAP_SHARED, memfd, 0);
	/* A file mapping: the program itself. */
	fd = open("/proc/self/exe", O_RDONLY);
	file = mmap(NULL, 64 * 1024, PROT_READ, MAP_PRIVATE, fd, 0);
	if (file != MAP_FAILED)
		(void)*(volatile char *)file;
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, thread, NULL);
	usleep(100000);
	if (argc > 2) {
		FILE *f = fopen(argv[2], "w");

		if (f) {
			fprintf(f, "%d\n", getpid());
			fclose(f);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		scratch = arena(256 * 1024, "scudo:secondary");
		usleep(5000);
		munmap(scratch, 256 * 1024);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - t0.tv_sec < seconds);
	stop = 1;
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}
