// SPDX-License-Identifier: GPL-2.0
/*
 * A flood of anonymous VMA names from several users at once: PROCESSES
 * child processes, each running as its own unprivileged user (uid 1000 + i),
 * name NAMES single-page VMAs each with a distinct name, from one of three
 * families (anon_vma_name_collide.h): random names, names that all have one
 * 32-bit FNV-1a hash, and names whose FNV-1a hashes share their low 16 and
 * top 6 bits. Meanwhile another user's process keeps renaming a page of its
 * own and records its slowest prctl().
 *
 * What is checked: every naming call succeeds, /proc/self/maps shows every
 * name back, and no process dies. The times are printed, as diagnostics
 * only: no result here depends on how long anything took.
 *
 * The VMAs are made once, before the tests start, and the processes name
 * their copies (fork() copies VMAs in one go): on a kernel that validates
 * the whole VMA tree on each change (CONFIG_DEBUG_VM_MAPLE_TREE, as the
 * sanitizer kernel), making the n-th VMA costs time in proportion to n, so
 * 2 * NAMES VMAs cost NAMES^2. There the default is SLOW_NAMES names a
 * process (validate_mm in /proc/kallsyms), elsewhere DEFAULT_NAMES.
 *
 * Usage: anon_vma_name_flood [-p PROCESSES] [-n NAMES] [harness options]
 *        (default 4 processes; needs root)
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "anon_vma_name_collide.h"

#ifndef PR_SET_VMA
#define PR_SET_VMA		0x53564d41
#define PR_SET_VMA_ANON_NAME	0
#endif

#define DEFAULT_PROCS	4
/*
 * 2 * DEFAULT_NAMES VMAs a process, and DEFAULT_PROCS * DEFAULT_NAMES names of
 * each family: near the default vm.max_map_count (65530), and 360,000 names
 * in all.
 */
#define DEFAULT_NAMES	30000
#define SLOW_NAMES	1000
#define MAX_PROCS	64
#define FLOOD_UID	1000	/* the flooders: FLOOD_UID + i */
#define PROBE_UID	2000	/* the other user */
#define SEED		0x616e6f6e766d61ull
#define MAX_MAP_COUNT	"/proc/sys/vm/max_map_count"

enum family { FAMILY_RANDOM, FAMILY_COLLIDE, FAMILY_PARTIAL, FAMILIES };

static int nprocs = DEFAULT_PROCS;
static long nnames;		/* 0: the default */
static long psize;

/* ns per name of each family that ran, for the ratios (shared by tests). */
static double *family_ns;

/*
 * The layout every flooder names its copy of: 2 * nnames pages, every
 * other one read-only, so that each rw page is a VMA of its own whose
 * naming neither splits nor merges. Made in main(), as root.
 */
static char *layout;
static int layout_errno;
static double layout_seconds;
static long old_max_map_count;

/* What one flooder reports, in memory shared with the test. */
struct flooder {
	double t_start, t_end;		/* CLOCK_MONOTONIC, ns, of naming */
	long named, failed, first_failed;
	int first_errno, setup_errno;
	long checked, wrong, first_wrong;
};

struct probe {
	long calls, failed;
	int first_errno, setup_errno;
	double worst_ns;
};

struct shared {
	int finished;			/* flooders done naming */
	int stop;			/* set by the test: prober, stop */
	struct probe probe;
	struct flooder f[MAX_PROCS];
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int set_name(void *addr, size_t len, const char *name)
{
	if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)addr, len,
		  (unsigned long)name))
		return -errno;
	return 0;
}

static int drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%ld\n", v) > 0 ? 0 : -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

/* The families, built once per test before the processes start. */
struct names {
	enum family family;
	int len;			/* bytes of every name */
	struct avn_collide collide;
	struct avn_partial partial;
};

static void family_name(const struct names *s, size_t i, char *out)
{
	switch (s->family) {
	case FAMILY_RANDOM:
		avn_random_name(SEED, i, s->len, out);
		break;
	case FAMILY_COLLIDE:
		avn_collide_name(&s->collide, i, out);
		break;
	default:
		avn_partial_name(&s->partial, i, out);
		break;
	}
}

/*
 * A flooder: names every rw page of its copy of the layout, then reads the
 * names back from /proc/self/maps.
 */
static void flooder(struct shared *sh, const struct names *s, char *p, int i,
		    int ready, int go)
{
	struct flooder *me = &sh->f[i];
	char name[AVN_NAME_MAX + 1], want[AVN_NAME_MAX + 16], line[512];
	size_t len = 2 * nnames * psize;
	FILE *maps;
	long k;
	int ret;

	ret = drop_to(FLOOD_UID + i);
	/* Gone with the test, whatever happens to it. */
	if (!ret && prctl(PR_SET_PDEATHSIG, SIGKILL))
		ret = -errno;
	me->setup_errno = -ret;
	if (write(ready, "r", 1) != 1 || ret || read(go, name, 1) != 0)
		_exit(10);

	me->t_start = now_ns();
	for (k = 0; k < nnames; k++) {
		family_name(s, i * nnames + k, name);
		ret = set_name(p + 2 * k * psize, psize, name);
		if (!ret) {
			me->named++;
		} else if (!me->failed++) {
			me->first_errno = -ret;
			me->first_failed = k;
		}
	}
	me->t_end = now_ns();
	__atomic_add_fetch(&sh->finished, 1, __ATOMIC_SEQ_CST);

	/* Every rw page, one VMA, with its name. */
	maps = fopen("/proc/self/maps", "r");
	while (maps && fgets(line, sizeof(line), maps)) {
		unsigned long start, end;
		int pos = 0;

		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s%n", &start, &end,
			   &pos) < 2 || start < (unsigned long)p ||
		    start >= (unsigned long)p + len)
			continue;
		k = (start - (unsigned long)p) / psize;
		if (k % 2)
			continue;
		while (line[pos] == ' ')
			pos++;
		line[strcspn(line, "\n")] = '\0';
		family_name(s, i * nnames + k / 2, name);
		snprintf(want, sizeof(want), "[anon:%s]", name);
		if (end == start + psize && !strcmp(line + pos, want))
			me->checked++;
		else if (!me->wrong++)
			me->first_wrong = k / 2;
	}
	if (maps)
		fclose(maps);
	munmap(p, len);
	_exit(0);
}

/* The other user: renames its page, and keeps its slowest prctl(). */
static void prober(struct shared *sh, int ready, int go)
{
	struct probe *me = &sh->probe;
	char name[32], c;
	char *p;
	int ret;

	ret = drop_to(PROBE_UID);
	if (!ret && prctl(PR_SET_PDEATHSIG, SIGKILL))
		ret = -errno;
	/* Its page between two PROT_NONE pages: one VMA, never split. */
	p = mmap(NULL, 3 * psize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ret && p == MAP_FAILED)
		ret = -errno;
	if (!ret && mprotect(p + psize, psize, PROT_READ | PROT_WRITE))
		ret = -errno;
	me->setup_errno = -ret;
	if (write(ready, "r", 1) != 1 || ret || read(go, &c, 1) != 0)
		_exit(10);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&sh->finished, __ATOMIC_SEQ_CST) < nprocs) {
		double t;

		/* A new string each time: the old object goes, a new one comes. */
		snprintf(name, sizeof(name), "other-user:%ld", me->calls);
		t = now_ns();
		ret = set_name(p + psize, psize, name);
		t = now_ns() - t;
		if (t > me->worst_ns)
			me->worst_ns = t;
		if (ret && !me->failed++)
			me->first_errno = -ret;
		me->calls++;
		/* Leave the CPUs to the flood. */
		usleep(200);
	}
	munmap(p, 3 * psize);
	_exit(0);
}

FIXTURE(flood) {
	struct names names;
	struct shared *sh;
};

FIXTURE_VARIANT(flood) {
	enum family family;
	const char *label;
};

FIXTURE_VARIANT_ADD(flood, random) {
	.family = FAMILY_RANDOM,
	.label = "random",
};

FIXTURE_VARIANT_ADD(flood, fnv_collide) {
	.family = FAMILY_COLLIDE,
	.label = "fnv_collide",
};

FIXTURE_VARIANT_ADD(flood, fnv_partial) {
	.family = FAMILY_PARTIAL,
	.label = "fnv_partial",
};

FIXTURE_SETUP(flood)
{
	size_t total = (size_t)nprocs * nnames;
	int blocks = 17;
	char *probe;
	double t;
	int ret;

	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	probe = mmap(NULL, psize, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, probe);
	ret = set_name(probe, psize, "flood-probe");
	munmap(probe, psize);
	if (ret == -EINVAL)
		SKIP(return, "no anonymous VMA names (CONFIG_ANON_VMA_NAME)");
	ASSERT_EQ(0, ret);

	/* One name length for all families: that of 2^blocks >= total. */
	while ((1ull << blocks) < total)
		blocks++;
	ASSERT_LE(blocks, AVN_MAX_BLOCKS);
	self->names.family = variant->family;
	self->names.len = blocks * AVN_BLOCK;
	t = now_ns();
	if (variant->family == FAMILY_COLLIDE)
		ASSERT_EQ(0, avn_collide_init(&self->names.collide, blocks, SEED));
	if (variant->family == FAMILY_PARTIAL)
		ASSERT_EQ(0, avn_partial_init(&self->names.partial, total,
					      self->names.len,
					      avn_fnv1a(AVN_FNV_BASIS, "flood", 5),
					      SEED));
	ksft_print_msg("%s: %zu names of %d bytes made in %.2f s\n",
		       variant->label, total, self->names.len,
		       (now_ns() - t) / 1e9);

	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	ASSERT_NE(NULL, layout) {
		TH_LOG("making %ld VMAs failed with errno %d", 2 * nnames,
		       layout_errno);
	}
	if (variant->family == FAMILY_RANDOM)
		ksft_print_msg("%ld VMAs made (once) in %.2f s\n", 2 * nnames,
			       layout_seconds);
}

FIXTURE_TEARDOWN(flood)
{
	munmap(self->sh, sizeof(*self->sh));
	if (variant->family == FAMILY_PARTIAL)
		avn_partial_free(&self->names.partial);
}

/* Every name of the family is valid, has the right length and hash. */
static long bad_names(const struct names *s, size_t total, uint32_t *hash)
{
	char name[AVN_NAME_MAX + 1];
	long bad = 0;
	size_t i;

	for (i = 0; i < total; i++) {
		uint32_t h;

		family_name(s, i, name);
		h = avn_fnv1a(AVN_FNV_BASIS, name, strlen(name));
		if (strlen(name) != (size_t)s->len ||
		    strspn(name, avn_valid) != (size_t)s->len ||
		    (s->family == FAMILY_COLLIDE && h != s->collide.hash) ||
		    (s->family == FAMILY_PARTIAL &&
		     (h & AVN_PARTIAL_MASK) != s->partial.want))
			bad++;
		if (i == 0)
			*hash = h;
	}
	return bad;
}

TEST_F_TIMEOUT(flood, names, 900)
{
	int ready[2], go[2], status, i, dead = 0;
	size_t total = (size_t)nprocs * nnames;
	struct shared *sh = self->sh;
	pid_t pid[MAX_PROCS], probe_pid;
	double t0, t_end = 0, busy = 0, ns;
	uint32_t hash0 = 0;
	char c;

	ASSERT_EQ(0, bad_names(&self->names, total, &hash0)) {
		TH_LOG("the %s name generator is broken", variant->label);
	}
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < nprocs; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0) {
			close(ready[0]);
			close(go[1]);
			flooder(sh, &self->names, layout, i, ready[1], go[0]);
		}
	}
	probe_pid = fork();
	ASSERT_LE(0, probe_pid);
	if (probe_pid == 0) {
		close(ready[0]);
		close(go[1]);
		prober(sh, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	/* Everyone set up (a process that failed sends nothing): go. */
	for (i = 0; i <= nprocs; i++)
		if (read(ready[0], &c, 1) != 1)
			break;
	EXPECT_EQ(nprocs + 1, i);
	t0 = now_ns();
	close(go[1]);
	close(ready[0]);

	for (i = 0; i < nprocs; i++) {
		struct flooder *f = &sh->f[i];

		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("flooder %d (uid %d): %s %d, setup errno %d", i,
			       FLOOD_UID + i, WIFSIGNALED(status) ? "signal" : "exit",
			       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
			       f->setup_errno);
			dead++;
			continue;
		}
		EXPECT_EQ(0, f->failed) {
			TH_LOG("flooder %d: %ld of %ld names failed, the first (%ld) with errno %d",
			       i, f->failed, nnames, f->first_failed, f->first_errno);
		}
		EXPECT_EQ(nnames, f->named);
		EXPECT_EQ(0, f->wrong) {
			TH_LOG("flooder %d: %ld VMAs wrong in maps, the first at name %ld",
			       i, f->wrong, f->first_wrong);
		}
		EXPECT_EQ(nnames, f->checked);
		if (f->t_end > t_end)
			t_end = f->t_end;
		busy += f->t_end - f->t_start;
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
	ASSERT_EQ(probe_pid, waitpid(probe_pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("the other user's process: status 0x%x, setup errno %d",
		       status, sh->probe.setup_errno);
	}
	EXPECT_EQ(0, sh->probe.failed) {
		TH_LOG("the other user: %ld of %ld prctl() failed, the first with errno %d",
		       sh->probe.failed, sh->probe.calls, sh->probe.first_errno);
	}
	if (dead)
		return;

	/* Diagnostics only: nothing above or below depends on time. */
	ns = busy / total;
	family_ns[variant->family] = ns;
	ksft_print_msg("%s: %zu names, %d users x %ld, first hash %08x\n",
		       variant->label, total, nprocs, nnames, hash0);
	ksft_print_msg("%s: %.2f s in all, %.0f ns per name per process\n",
		       variant->label, (t_end - t0) / 1e9, ns);
	ksft_print_msg("%s: the other user's worst prctl() %.0f us over %ld calls\n",
		       variant->label, sh->probe.worst_ns / 1e3, sh->probe.calls);
	if (variant->family != FAMILY_RANDOM && family_ns[FAMILY_RANDOM] > 0)
		ksft_print_msg("%s/random: %.2f (ns per name)\n", variant->label,
			       ns / family_ns[FAMILY_RANDOM]);
}

/*
 * Whether the kernel checks the whole VMA tree on every change
 * (CONFIG_DEBUG_VM_MAPLE_TREE): then it has validate_mm(). Unknown (no
 * /proc/kallsyms) counts as yes.
 */
static int validates_vma_tree(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256];
	int found = 0;

	if (!f)
		return 1;
	while (!found && fgets(line, sizeof(line), f))
		found = !!strstr(line, " validate_mm\n");
	fclose(f);
	return found;
}

/* Takes -p and -n out of argv; the rest goes to the harness. */
static int parse_options(int *argc, char **argv)
{
	int i, out = 1;

	for (i = 1; i < *argc; i++) {
		const char *opt = argv[i];
		char *end;
		long v;

		if (strcmp(opt, "-p") && strcmp(opt, "-n")) {
			argv[out++] = argv[i];
			continue;
		}
		if (i + 1 == *argc)
			return -1;
		v = strtol(argv[++i], &end, 0);
		if (*end || v < 1)
			return -1;
		if (opt[1] == 'p')
			nprocs = v;
		else
			nnames = v;
	}
	*argc = out;
	argv[out] = NULL;
	if (!nnames)
		nnames = validates_vma_tree() ? SLOW_NAMES : DEFAULT_NAMES;
	if (nprocs > MAX_PROCS || nprocs * nnames > (1L << AVN_MAX_BLOCKS))
		return -1;
	return 0;
}

/* As root: raises vm.max_map_count to fit, and makes the layout. */
static void make_layout(void)
{
	long need = 2 * nnames + 4096, k;
	double t = now_ns();

	old_max_map_count = read_long(MAX_MAP_COUNT);
	if (old_max_map_count > 0 && old_max_map_count < need &&
	    write_long(MAX_MAP_COUNT, need))
		old_max_map_count = 0;
	layout = mmap(NULL, 2 * nnames * psize, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (layout == MAP_FAILED) {
		layout_errno = errno;
		layout = NULL;
		return;
	}
	for (k = 1; k < 2 * nnames; k += 2)
		if (mprotect(layout + k * psize, psize, PROT_READ)) {
			layout_errno = errno;
			munmap(layout, 2 * nnames * psize);
			layout = NULL;
			return;
		}
	layout_seconds = (now_ns() - t) / 1e9;
}

int main(int argc, char **argv)
{
	psize = sysconf(_SC_PAGESIZE);
	if (parse_options(&argc, argv)) {
		fprintf(stderr,
			"usage: %s [-p PROCESSES (1..%d)] [-n NAMES] [harness options]\n"
			"       (PROCESSES * NAMES at most %ld)\n",
			argv[0], MAX_PROCS, 1L << AVN_MAX_BLOCKS);
		return KSFT_FAIL;
	}
	family_ns = mmap(NULL, FAMILIES * sizeof(*family_ns),
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			 -1, 0);
	if (family_ns == MAP_FAILED)
		return KSFT_FAIL;
	if (geteuid() == 0)
		make_layout();
	return test_harness_run(argc, argv);
}

/* At the exit of main()'s process (the tests' processes _exit()). */
static void __attribute__((destructor)) cleanup(void)
{
	if (family_ns && family_ns != MAP_FAILED)
		munmap(family_ns, FAMILIES * sizeof(*family_ns));
	if (layout)
		munmap(layout, 2 * nnames * psize);
	if (old_max_map_count > 0 &&
	    read_long(MAX_MAP_COUNT) != old_max_map_count)
		write_long(MAX_MAP_COUNT, old_max_map_count);
}
