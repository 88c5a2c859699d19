// SPDX-License-Identifier: GPL-2.0
/*
 * The user ABI of anonymous VMA names, prctl(PR_SET_VMA_ANON_NAME), as
 * Linux 6.12 defines it: which names are accepted, which errno each bad
 * input gets, and how names show in /proc/self/maps. The same binary runs on
 * the stock kernel and on the series kernel; both must pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

#define NAME_MAX_LEN	80	/* including the NUL */

static long page_size;

static int set_name(void *addr, size_t len, const char *name)
{
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)addr, len,
		  (unsigned long)name))
		return -errno;
	return 0;
}

/*
 * Copies the name field of the /proc/self/maps line whose range starts at
 * addr into buf ("" if the line has none). Returns 0, or -1 if no line starts
 * at addr.
 */
static int maps_name(void *addr, char *buf, size_t size)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		int pos = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s%n", &start, &end,
			   &pos) < 2 || start != (unsigned long)addr)
			continue;
		while (line[pos] == ' ')
			pos++;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, size, "%s", line + pos);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/*
 * The series' count of name objects (/sys/kernel/debug/anon_vma_names), or
 * -1 on a kernel without it (stock 6.12): tests of sharing skip there.
 */
static long name_objects(const char *which)
{
	char key[32];
	long v, ret = -1;
	FILE *f = fopen("/sys/kernel/debug/anon_vma_names", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%31s %ld", key, &v) == 2)
		if (!strcmp(key, which))
			ret = v;
	fclose(f);
	return ret;
}

/*
 * Waits until name_objects(which) is at most limit, for up to 5 s, and
 * returns it. VMAs are freed from an RCU callback, so the count of objects
 * lags a munmap() or an exit; and since nothing else in the guest names
 * memory, pending frees only ever lower it. A count that stays above where a
 * test started is a leak.
 */
static long objects_at_most(const char *which, long limit)
{
	long v = name_objects(which);
	int i;

	for (i = 0; i < 250 && v > limit; i++) {
		usleep(20000);
		v = name_objects(which);
	}
	return v;
}

FIXTURE(anon) {
	char *p;
};

FIXTURE_SETUP(anon)
{
	page_size = sysconf(_SC_PAGESIZE);
	self->p = mmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->p);
}

FIXTURE_TEARDOWN(anon)
{
	munmap(self->p, 4 * page_size);
}

TEST_F(anon, name_shows_in_maps)
{
	char buf[256];

	ASSERT_EQ(0, set_name(self->p, 4 * page_size, "libc_malloc"));
	ASSERT_EQ(0, maps_name(self->p, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:libc_malloc]", buf);
}

TEST_F(anon, empty_name_is_accepted)
{
	char buf[256];

	ASSERT_EQ(0, set_name(self->p, 4 * page_size, ""));
	ASSERT_EQ(0, maps_name(self->p, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:]", buf);
}

TEST_F(anon, null_clears_the_name)
{
	char buf[256];

	ASSERT_EQ(0, set_name(self->p, 4 * page_size, "x"));
	ASSERT_EQ(0, set_name(self->p, 4 * page_size, NULL));
	ASSERT_EQ(0, maps_name(self->p, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
}

TEST_F(anon, every_printable_byte)
{
	char name[2] = { 0, 0 }, want[16], buf[256];
	int c;

	for (c = 1; c < 256; c++) {
		int valid = c >= 0x20 && c <= 0x7e && !strchr("\\`$[]", c);

		name[0] = c;
		EXPECT_EQ(valid ? 0 : -EINVAL,
			  set_name(self->p, page_size, name)) {
			TH_LOG("byte 0x%02x", c);
		}
		if (!valid)
			continue;
		snprintf(want, sizeof(want), "[anon:%c]", c);
		ASSERT_EQ(0, maps_name(self->p, buf, sizeof(buf)));
		EXPECT_STREQ(want, buf);
	}
}

TEST_F(anon, length_limit)
{
	char name[NAME_MAX_LEN + 1], want[NAME_MAX_LEN + 16], buf[256];

	memset(name, 'n', NAME_MAX_LEN - 1);
	name[NAME_MAX_LEN - 1] = '\0';
	ASSERT_EQ(0, set_name(self->p, page_size, name));
	snprintf(want, sizeof(want), "[anon:%s]", name);
	ASSERT_EQ(0, maps_name(self->p, buf, sizeof(buf)));
	EXPECT_STREQ(want, buf);

	memset(name, 'n', NAME_MAX_LEN);
	name[NAME_MAX_LEN] = '\0';
	EXPECT_EQ(-EINVAL, set_name(self->p, page_size, name));
	/* The rejected call left the old name in place. */
	ASSERT_EQ(0, maps_name(self->p, buf, sizeof(buf)));
	EXPECT_STREQ(want, buf);
}

TEST_F(anon, bad_range)
{
	EXPECT_EQ(-EINVAL, set_name(self->p + 1, page_size, "x"));
	EXPECT_EQ(-EINVAL, set_name(self->p, -page_size, "x"));
	EXPECT_EQ(0, set_name(self->p, 0, "x"));
}

TEST_F(anon, bad_pointer)
{
	EXPECT_EQ(-EFAULT, set_name(self->p, page_size, (char *)8));
}

TEST_F(anon, hole_gives_enomem_and_names_the_rest)
{
	char buf[256];

	ASSERT_EQ(0, munmap(self->p + page_size, page_size));
	EXPECT_EQ(-ENOMEM, set_name(self->p, 4 * page_size, "holey"));
	ASSERT_EQ(0, maps_name(self->p, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:holey]", buf);
	ASSERT_EQ(0, maps_name(self->p + 2 * page_size, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:holey]", buf);
}

TEST_F(anon, file_mapping_is_ebadf)
{
	int fd = open("/proc/self/exe", O_RDONLY);
	void *f;

	ASSERT_LE(0, fd);
	f = mmap(NULL, page_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, f);
	EXPECT_EQ(-EBADF, set_name(f, page_size, "file"));
	munmap(f, page_size);
	close(fd);
}

TEST_F(anon, split_keeps_names)
{
	char buf[256];

	ASSERT_EQ(0, set_name(self->p, 4 * page_size, "outer"));
	ASSERT_EQ(0, set_name(self->p + page_size, page_size, "inner"));
	ASSERT_EQ(0, maps_name(self->p, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:outer]", buf);
	ASSERT_EQ(0, maps_name(self->p + page_size, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:inner]", buf);
	ASSERT_EQ(0, maps_name(self->p + 2 * page_size, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:outer]", buf);
	/* Equal names merge again into one VMA. */
	ASSERT_EQ(0, set_name(self->p + page_size, page_size, "outer"));
	EXPECT_EQ(-1, maps_name(self->p + page_size, buf, sizeof(buf)));
}

TEST_F(anon, separate_ranges_with_equal_names_merge)
{
	char buf[256];

	ASSERT_EQ(0, set_name(self->p, page_size, "same"));
	ASSERT_EQ(0, set_name(self->p + 2 * page_size, page_size, "same"));
	ASSERT_EQ(0, set_name(self->p + page_size, page_size, "same"));
	ASSERT_EQ(0, maps_name(self->p, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:same]", buf);
	/* One VMA now covers the three pages. */
	EXPECT_EQ(-1, maps_name(self->p + page_size, buf, sizeof(buf)));
	EXPECT_EQ(-1, maps_name(self->p + 2 * page_size, buf, sizeof(buf)));
}

TEST_F(anon, mremap_moves_the_name)
{
	char buf[256];
	char *q;

	ASSERT_EQ(0, set_name(self->p, 2 * page_size, "moving"));
	q = mremap(self->p, 2 * page_size, 2 * page_size,
		   MREMAP_MAYMOVE | MREMAP_FIXED, self->p + 2 * page_size);
	ASSERT_EQ(self->p + 2 * page_size, q);
	ASSERT_EQ(0, maps_name(q, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:moving]", buf);
	/* Growing in place keeps it too. */
	ASSERT_EQ(0, munmap(self->p, 2 * page_size));
	q = mremap(q, 2 * page_size, 3 * page_size, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	ASSERT_EQ(0, maps_name(q, buf, sizeof(buf)));
	EXPECT_STREQ("[anon:moving]", buf);
	munmap(q, 3 * page_size);
	self->p = mmap(NULL, 4 * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->p);
}

TEST(shmem_name)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char buf[256];

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, set_name(p, pg, "ashmem"));
	ASSERT_EQ(0, maps_name(p, buf, sizeof(buf)));
	EXPECT_STREQ("[anon_shmem:ashmem]", buf);
	munmap(p, pg);
}

TEST(heap_label_takes_precedence)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *brk0 = sbrk(0), *heap, buf[256];

	/* The initial heap: grow it by two pages and name the first. */
	heap = (char *)(((unsigned long)brk0 + pg - 1) & ~(pg - 1));
	ASSERT_NE((void *)-1, sbrk(heap - brk0 + 2 * pg));
	ASSERT_EQ(0, set_name(heap, pg, "heapname"));
	/* The name splits the heap at heap; the label still wins there. */
	ASSERT_EQ(0, maps_name(heap, buf, sizeof(buf)));
	EXPECT_STREQ("[heap]", buf);
}

TEST_F(anon, fork_shares_the_name_object)
{
	long before, after;
	char buf[256];
	int status;
	pid_t pid;

	ASSERT_EQ(0, set_name(self->p, 4 * page_size, "forked"));
	before = name_objects("live");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (maps_name(self->p, buf, sizeof(buf)) ||
		    strcmp(buf, "[anon:forked]"))
			_exit(1);
		/* The child's VMA holds a reference, not a copy. */
		_exit(before >= 0 && name_objects("live") > before ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	if (before < 0)
		SKIP(return, "no /sys/kernel/debug/anon_vma_names (stock kernel)");
	after = objects_at_most("live", before);
	EXPECT_LE(after, before);
}

TEST(equal_names_share_one_object)
{
	long pg = sysconf(_SC_PAGESIZE), before, during;
	int n = 64, i;
	char *p = mmap(NULL, 2 * n * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	before = name_objects("live");
	if (before < 0) {
		munmap(p, 2 * n * pg);
		SKIP(return, "no /sys/kernel/debug/anon_vma_names (stock kernel)");
	}
	/* n separate VMAs (a gap between each) named alike: one object. */
	for (i = 0; i < n; i++) {
		munmap(p + (2 * i + 1) * pg, pg);
		ASSERT_EQ(0, set_name(p + 2 * i * pg, pg, "shared-by-64"));
	}
	/* At most one more object (pending frees can only lower the count). */
	during = name_objects("live");
	EXPECT_LE(during, before + 1);
	for (i = 0; i < n; i++)
		munmap(p + 2 * i * pg, pg);
	EXPECT_LE(objects_at_most("live", before), before);
}

/* Stress: threads naming, renaming, forking and unmapping at once. */
#define STRESS_THREADS	4
#define STRESS_ROUNDS	300

static void *stress_thread(void *arg)
{
	long pg = sysconf(_SC_PAGESIZE), t = (long)arg;
	char name[64];
	int r;

	for (r = 0; r < STRESS_ROUNDS; r++) {
		char *p = mmap(NULL, 8 * pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return (void *)1;
		snprintf(name, sizeof(name), "stress:%d:%ld:%d", getpid(), t,
			 r % 7);
		if (set_name(p, 8 * pg, name) ||
		    set_name(p + pg, 2 * pg, "stress:common") ||
		    set_name(p + 4 * pg, pg, name + 1))
			return (void *)2;
		p[0] = 1;
		if (r % 25 == 0) {
			pid_t pid = fork();

			if (pid == 0) {
				set_name(p + 5 * pg, pg, "stress:child");
				_exit(0);
			}
			waitpid(pid, NULL, 0);
		}
		if (r % 3 == 0)
			set_name(p, 8 * pg, NULL);
		munmap(p + 2 * pg, 3 * pg);
		munmap(p, 8 * pg);
	}
	return NULL;
}

/*
 * The harness's default limit is 30 s of wall time; on a sanitizer kernel
 * under TCG, beside another guest, the stress takes about that long. The
 * work is fixed: only a hang should end it.
 */
FIXTURE(stress) {};
FIXTURE_SETUP(stress) {}
FIXTURE_TEARDOWN(stress) {}

TEST_F_TIMEOUT(stress, leaves_no_names_behind, 900)
{
	pthread_t th[STRESS_THREADS];
	long before, interned;
	void *ret;
	int i;

	before = name_objects("live");
	interned = name_objects("interned");
	for (i = 0; i < STRESS_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, stress_thread,
					    (void *)(long)i));
	for (i = 0; i < STRESS_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(th[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	if (before < 0)
		SKIP(return, "no /sys/kernel/debug/anon_vma_names (stock kernel)");
	EXPECT_LE(objects_at_most("live", before), before);
	EXPECT_LE(objects_at_most("interned", interned), interned);
}

TEST_HARNESS_MAIN
