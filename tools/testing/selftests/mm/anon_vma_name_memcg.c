// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous VMA name objects are charged to the memory cgroup of the task
 * that names: naming many distinct names raises its memory.current by at
 * least 64 bytes a name; at memory.max, naming with a new string fails with
 * ENOMEM and kills nothing; and another cgroup can still name meanwhile.
 *
 * The test mounts cgroup2 at /sys/fs/cgroup if nothing is mounted there,
 * enables the memory controller for the root's children, and makes two
 * child cgroups, removed at the end. The names are set by processes in
 * cgroup 1, each on its copy of LAYOUT single-page VMAs made once before
 * the tests start: making a VMA costs time in proportion to the VMAs
 * already there on a kernel that validates the whole tree on each change
 * (CONFIG_DEBUG_VM_MAPLE_TREE), and fork() copies them without that.
 * A process under a limit reports through a MAP_SHARED page set up before
 * the limit (a pipe's buffers would be charged too) and touches nothing new
 * after it. Needs root; skips without the memory controller, and on a
 * kernel without process_vm_getinfo() (stock 6.12, whose name objects are
 * not charged).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "process_vm_getinfo.h"

#define CGROOT		"/sys/fs/cgroup"
#define LAYOUT		1024	/* VMAs each child names */
#define CHILDREN	16	/* (a), in cgroup 1: 16384 names in all */
#define LIMIT_CHILDREN	8	/* (b), (c): 8192 names, more than fit */
#define HEADROOM	(256 << 10)	/* memory.max = memory.current + this */
#define ENOUGH_ENOMEM	8	/* a child stops after this many ENOMEM */
#define NAME_LEN	60
#define MIN_CHARGE	64	/* bytes a name, at least */
#define WAIT_STEPS	120000	/* of 1 ms: 120 s for a step */

static long psize;

/*
 * LAYOUT rw pages, each a VMA between read-only ones, not faulted; made
 * in main() (as root), copied into every child by fork().
 */
static char *layout;
static int layout_errno;

/* Steps of a child; each field below is written by one side only. */
enum { STEP_NONE, STEP_READY, STEP_GO, STEP_NAMED, STEP_EXIT };

struct child_shared {
	int step;		/* test -> child: STEP_GO, STEP_EXIT */
	int state;		/* child -> test: STEP_READY, STEP_NAMED */
	int setup_errno;
	long ok, enomem, other, first_enomem;
	int other_errno;
};

struct child {
	pid_t pid;
	int status, reaped;
	struct child_shared *sh;
};

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		ret = -errno;
	close(fd);
	return ret;
}

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* A cgroup file as a number, or -1. */
static long cg_read_long(const char *cg, const char *file)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	if (read_str(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* The value of KEY in a flat keyed file such as memory.events, or -1. */
static long cg_read_key(const char *cg, const char *file, const char *key)
{
	char path[256], buf[1024], *p;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	if (read_str(path, buf, sizeof(buf)))
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, klen) && p[klen] == ' ')
			return strtol(p + klen + 1, NULL, 10);
	return -1;
}

static int cg_write(const char *cg, const char *file, const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return write_str(path, s);
}

static void set_step(struct child_shared *sh, int step)
{
	__atomic_store_n(&sh->step, step, __ATOMIC_SEQ_CST);
}

/* Name k of a child's batch: NAME_LEN bytes, distinct per (tag, pid, k). */
static void batch_name(char *buf, const char *tag, long k)
{
	int n = snprintf(buf, NAME_LEN + 1, "memcg-%s-%d-%ld-", tag, getpid(), k);

	memset(buf + n, 'x', NAME_LEN - n);
	buf[NAME_LEN] = '\0';
}

/*
 * Touches depth * 4 KiB of stack below the caller, before any limit: the
 * naming loop's calls, made once before too, will not fault new pages in.
 */
static void touch_stack(int depth)
{
	char buf[4096];

	memset(buf, depth, sizeof(buf));
	if (depth > 0)
		touch_stack(depth - 1);
	asm("" : : "r"(buf) : "memory");
}

/*
 * A child: joins cgroup cg, runs on CPU 0 only (so that the cgroup's
 * per-CPU charge cache, up to 64 pages that memory.current counts before
 * they are used, is on one CPU), writes every rw page of its copy of the
 * layout, says READY; on GO names its LAYOUT VMAs with distinct names
 * (stopping after ENOUGH_ENOMEM ENOMEMs), says NAMED, and on EXIT exits.
 * Nothing it does after READY allocates memory but the names.
 */
static void child_main(struct child_shared *sh, const char *cg, char *pages,
		       const char *tag, pid_t parent)
{
	char name[NAME_LEN + 1], pid[32];
	cpu_set_t cpus;
	long k;

	/* Gone with the test, whatever happens to it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(9);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	snprintf(pid, sizeof(pid), "%d", getpid());
	sh->setup_errno = -cg_write(cg, "cgroup.procs", pid);
	if (sh->setup_errno)
		_exit(10);
	for (k = 0; k < LAYOUT; k++)
		pages[2 * k * psize] = 1;
	touch_stack(16);
	batch_name(name, tag, 0);
	__atomic_store_n(&sh->state, STEP_READY, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->step, __ATOMIC_SEQ_CST) < STEP_GO)
		usleep(1000);

	for (k = 0; k < LAYOUT && sh->enomem < ENOUGH_ENOMEM; k++) {
		batch_name(name, tag, k);
		if (!prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME,
			   (unsigned long)pages + 2 * k * psize, psize,
			   (unsigned long)name)) {
			sh->ok++;
		} else if (errno == ENOMEM) {
			if (!sh->enomem++)
				sh->first_enomem = k;
		} else if (!sh->other++) {
			sh->other_errno = errno;
		}
	}
	__atomic_store_n(&sh->state, STEP_NAMED, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&sh->step, __ATOMIC_SEQ_CST) < STEP_EXIT)
		usleep(1000);
	/* Its copy of the layout goes with it. */
	_exit(0);
}

/* Waits (up to WAIT_STEPS ms) until the child reached state or died. */
static void wait_state(struct child *c, int state)
{
	int i;

	for (i = 0; i < WAIT_STEPS &&
	     __atomic_load_n(&c->sh->state, __ATOMIC_SEQ_CST) < state; i++) {
		if (!c->reaped && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
			c->reaped = 1;
		if (c->reaped)
			break;
		usleep(1000);
	}
}

static int child_start(struct child *c, const char *cg, char *pages,
		       const char *tag)
{
	pid_t parent = getpid(), pid;

	c->reaped = 0;
	c->sh = mmap(NULL, psize, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->sh == MAP_FAILED) {
		c->sh = NULL;
		return -1;
	}
	memset(c->sh, 0, psize);	/* faulted in here, before any limit */
	fflush(stdout);
	fflush(stderr);
	/* c may be shared with the parent: only this process sets it. */
	pid = fork();
	if (pid == 0)
		child_main(c->sh, cg, pages, tag, parent);
	c->pid = pid;
	return pid < 0 ? -1 : 0;
}

/* Lets the child exit; returns its wait status. */
static int child_stop(struct child *c)
{
	int status = -1;

	if (c->sh) {
		set_step(c->sh, STEP_EXIT);
		if (c->pid > 0 && !c->reaped)
			waitpid(c->pid, &c->status, 0);
		status = c->pid > 0 ? c->status : -1;
		munmap(c->sh, psize);
		c->sh = NULL;
	}
	c->pid = 0;
	return status;
}

/* What a group of children did. */
struct tally {
	long ok, enomem, other;
	int other_errno;
};

FIXTURE(memcg) {
	char cg[2][128];
	int mounted, enabled_memory;
	struct child c[CHILDREN];	/* (c): the one after the 8 in cgroup 2 */
};

FIXTURE_SETUP(memcg)
{
	char buf[512];
	int i;

	if (geteuid() != 0)
		SKIP(return, "needs root to make cgroups");
	if (!have_getinfo())
		SKIP(return, "not the series kernel: stock 6.12 does not charge name objects");
	ASSERT_NE(NULL, layout) {
		TH_LOG("making %d VMAs failed with errno %d", 2 * LAYOUT,
		       layout_errno);
	}
	if (access(CGROOT "/cgroup.controllers", F_OK)) {
		mkdir(CGROOT, 0755);
		if (mount("cgroup2", CGROOT, "cgroup2", 0, NULL))
			SKIP(return, "cannot mount cgroup2 at " CGROOT ": %s",
			     strerror(errno));
		self->mounted = 1;
	}
	ASSERT_EQ(0, read_str(CGROOT "/cgroup.controllers", buf, sizeof(buf)));
	if (!strstr(buf, "memory")) {
		if (self->mounted)
			umount(CGROOT);
		SKIP(return, "no memory controller (CONFIG_MEMCG)");
	}
	ASSERT_EQ(0, read_str(CGROOT "/cgroup.subtree_control", buf, sizeof(buf)));
	if (!strstr(buf, "memory")) {
		ASSERT_EQ(0, write_str(CGROOT "/cgroup.subtree_control", "+memory"));
		self->enabled_memory = 1;
	}
	for (i = 0; i < 2; i++) {
		snprintf(self->cg[i], sizeof(self->cg[i]),
			 CGROOT "/anon_vma_name_memcg.%d.%d", getpid(), i + 1);
		ASSERT_EQ(0, mkdir(self->cg[i], 0755));
	}
	/*
	 * With swap on (process_vm_madvise_test turns it on), reclaim would
	 * make room by swapping the children's pages out: no swap for them.
	 */
	snprintf(buf, sizeof(buf), "%s/memory.swap.max", self->cg[0]);
	if (!access(buf, F_OK))
		ASSERT_EQ(0, write_str(buf, "0"));
}

/*
 * In the parent of the test's process, so that it runs however the test
 * ended: by then that process is gone, and its children die with it
 * (PR_SET_PDEATHSIG); what is left is the cgroups.
 */
FIXTURE_TEARDOWN_PARENT(memcg)
{
	int i, tries;

	for (i = 0; i < CHILDREN; i++)
		if (self->c[i].pid > 0)
			kill(self->c[i].pid, SIGKILL);
	for (i = 0; i < 2; i++) {
		if (!self->cg[i][0])
			continue;
		/* Killed processes leave their cgroup a little after. */
		for (tries = 0; tries < 6000 && rmdir(self->cg[i]) && errno == EBUSY;
		     tries++)
			usleep(10000);
		EXPECT_NE(0, access(self->cg[i], F_OK)) {
			TH_LOG("cannot remove %s", self->cg[i]);
		}
	}
	if (self->enabled_memory)
		write_str(CGROOT "/cgroup.subtree_control", "-memory");
	if (self->mounted)
		umount(CGROOT);
}

/* Starts children [from, to) in cg; 0 once all are READY. */
static int start_children(struct __test_metadata *_metadata,
			  FIXTURE_DATA(memcg) * self, int from, int to,
			  const char *cg, const char *tag)
{
	int i;

	for (i = from; i < to; i++)
		if (child_start(&self->c[i], cg, layout, tag))
			return -1;
	for (i = from; i < to; i++) {
		struct child *c = &self->c[i];

		wait_state(c, STEP_READY);
		if (c->sh->state != STEP_READY) {
			TH_LOG("child %d not ready: %s, status 0x%x, setup errno %d",
			       i, c->reaped ? "exited" : "running", c->status,
			       c->sh->setup_errno);
			return -1;
		}
	}
	return 0;
}

/* Lets children [from, to) name, waits until all did, and adds up. */
static int name_children(FIXTURE_DATA(memcg) * self, int from, int to,
			 struct tally *t)
{
	int i, ret = 0;

	memset(t, 0, sizeof(*t));
	for (i = from; i < to; i++)
		set_step(self->c[i].sh, STEP_GO);
	for (i = from; i < to; i++) {
		struct child_shared *sh = self->c[i].sh;

		wait_state(&self->c[i], STEP_NAMED);
		if (sh->state != STEP_NAMED)
			ret = -1;
		t->ok += sh->ok;
		t->enomem += sh->enomem;
		if (sh->other && !t->other)
			t->other_errno = sh->other_errno;
		t->other += sh->other;
	}
	return ret;
}

/* Stops children [from, to); returns how many did not exit with 0. */
static int stop_children(FIXTURE_DATA(memcg) * self, int from, int to)
{
	int i, bad = 0;

	for (i = from; i < to; i++) {
		int status = child_stop(&self->c[i]);

		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	return bad;
}

/* (a) Names are charged to the cgroup of the process that names. */
TEST_F_TIMEOUT(memcg, names_are_charged, 600)
{
	long before, after, names = (long)CHILDREN * LAYOUT;
	struct tally t;

	ASSERT_EQ(0, start_children(_metadata, self, 0, CHILDREN, self->cg[0], "a"));
	before = cg_read_long(self->cg[0], "memory.current");
	ASSERT_LT(0, before);
	ASSERT_EQ(0, name_children(self, 0, CHILDREN, &t));
	after = cg_read_long(self->cg[0], "memory.current");
	EXPECT_EQ(names, t.ok) {
		TH_LOG("%ld names failed with ENOMEM, %ld with another errno",
		       t.enomem, t.other);
	}
	EXPECT_EQ(0, stop_children(self, 0, CHILDREN));
	ksft_print_msg("memory.current %ld -> %ld: %.1f bytes per name\n",
		       before, after, (double)(after - before) / names);
	EXPECT_LE(names * MIN_CHARGE, after - before) {
		TH_LOG("%ld names of %d bytes raised memory.current by %ld bytes",
		       names, NAME_LEN, after - before);
	}
}

/*
 * Starts the children in cgroup 1, puts it under memory.max =
 * memory.current + HEADROOM and lets them name; returns when all are done.
 */
static int name_under_limit(struct __test_metadata *_metadata,
			    FIXTURE_DATA(memcg) * self, long *limit,
			    struct tally *t)
{
	char buf[32];
	long cur;

	if (start_children(_metadata, self, 0, LIMIT_CHILDREN, self->cg[0], "b"))
		return -1;
	cur = cg_read_long(self->cg[0], "memory.current");
	if (cur <= 0)
		return -1;
	*limit = (cur + HEADROOM + psize - 1) / psize * psize;
	snprintf(buf, sizeof(buf), "%ld", *limit);
	if (cg_write(self->cg[0], "memory.max", buf))
		return -1;
	if (name_children(self, 0, LIMIT_CHILDREN, t))
		return -1;
	TH_LOG("memory.max %ld: %ld names fit, %ld ENOMEM, %ld other errors",
	       *limit, t->ok, t->enomem, t->other);
	return 0;
}

/* (b) At memory.max naming fails with ENOMEM, and nothing is OOM-killed. */
TEST_F_TIMEOUT(memcg, limit_gives_enomem_not_oom_kill, 600)
{
	struct tally t;
	long limit;

	ASSERT_EQ(0, name_under_limit(_metadata, self, &limit, &t));
	EXPECT_EQ(0, stop_children(self, 0, LIMIT_CHILDREN)) {
		TH_LOG("children under the limit were killed");
	}
	EXPECT_EQ(0, cg_read_key(self->cg[0], "memory.events", "oom_kill"));
	EXPECT_EQ(0, t.other) {
		TH_LOG("%ld calls failed with another errno, the first %d",
		       t.other, t.other_errno);
	}
	EXPECT_LT(0, t.enomem) {
		TH_LOG("all %ld names fit under memory.max %ld", t.ok, limit);
	}
	ksft_print_msg("memory.max %ld: %ld new names fit, %ld calls got ENOMEM\n",
		       limit, t.ok, t.enomem);
}

/* (c) Meanwhile another cgroup names new strings as before. */
TEST_F_TIMEOUT(memcg, other_cgroup_unaffected, 600)
{
	struct tally t, o;
	long limit;

	ASSERT_EQ(0, name_under_limit(_metadata, self, &limit, &t));
	/* Cgroup 1 stays at its limit while cgroup 2 names. */
	ASSERT_EQ(0, start_children(_metadata, self, LIMIT_CHILDREN,
				    LIMIT_CHILDREN + 1, self->cg[1], "c"));
	ASSERT_EQ(0, name_children(self, LIMIT_CHILDREN, LIMIT_CHILDREN + 1, &o));
	EXPECT_EQ(LAYOUT, o.ok) {
		TH_LOG("cgroup 2: %ld names, %ld ENOMEM, %ld other errors",
		       o.ok, o.enomem, o.other);
	}
	EXPECT_EQ(0, stop_children(self, 0, LIMIT_CHILDREN + 1));
	if (!t.enomem)
		SKIP(return, "cgroup 1 never reached its limit (names not charged?)");
}

int main(int argc, char **argv)
{
	long k;

	psize = sysconf(_SC_PAGESIZE);
	/* Only where the tests will run: it takes seconds on some kernels. */
	if (geteuid() == 0 && have_getinfo()) {
		layout = mmap(NULL, 2 * LAYOUT * psize, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (layout == MAP_FAILED) {
			layout_errno = errno;
			layout = NULL;
		}
		for (k = 1; layout && k < 2 * LAYOUT; k += 2)
			if (mprotect(layout + k * psize, psize, PROT_READ)) {
				layout_errno = errno;
				munmap(layout, 2 * LAYOUT * psize);
				layout = NULL;
			}
	}
	return test_harness_run(argc, argv);
}

/* At the exit of main()'s process (the tests' processes _exit()). */
static void __attribute__((destructor)) unmap_layout(void)
{
	if (layout)
		munmap(layout, 2 * LAYOUT * psize);
}
