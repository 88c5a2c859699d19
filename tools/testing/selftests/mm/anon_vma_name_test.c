// SPDX-License-Identifier: GPL-2.0
/*
 * The user ABI of anonymous VMA names, prctl(PR_SET_VMA_ANON_NAME), as
 * Linux 6.12 defines it: which names are accepted, which errno each bad
 * input gets, and how names show in /proc/self/maps. The same binary runs on
 * the stock kernel and on the series kernel; both must pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

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

TEST_HARNESS_MAIN
