// SPDX-License-Identifier: GPL-2.0
/*
 * process_vm_getinfo(): records against /proc/PID/smaps for random layouts
 * (the gate VMA included), the layout token against every kind of change and
 * non-change, snapshots while threads change the layout, and the errno of
 * every bad input. On a kernel without the system call every test skips.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

#include "../kselftest_harness.h"
#include "process_vm_madvise.h"	/* ensure_swap(), and process_vm_getinfo.h */

/*
 * Every attribute but the counters, which change while a target runs (its
 * pages are shared with this process): the layout tests compare snapshots
 * with each other and with smaps. The counters have tests of their own.
 */
#define VMGI_LAYOUT	(VMGI_ALL & ~VMGI_COUNTERS)
#define NR_COUNTERS	((int)(sizeof(struct process_vm_getinfo_counters) / sizeof(__u64)))

#ifndef __NR_mseal
#define __NR_mseal	462
#endif

static const char absent[] = "process_vm_getinfo() not in this kernel";

static long psize;

static void __attribute__((constructor)) init_psize(void)
{
	psize = sysconf(_SC_PAGESIZE);
}

static int name_range(void *addr, size_t len, const char *name)
{
	return prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)addr, len,
		     (unsigned long)name) ? -errno : 0;
}

/* ---- /proc/PID/smaps, parsed ---- */

struct smaps_vma {
	unsigned long start, end, offset, ino;
	unsigned int major, minor;
	char perms[5];
	char name[512];
	char flags[256];	/* VmFlags, as printed */
	unsigned long kernel_page_kb, anonymous_kb;
	/* The counters smaps printed, in kB, in the order of the uapi struct. */
	unsigned long kb[NR_COUNTERS];
	unsigned int have;	/* bit k: kb[k] was printed */
};

/*
 * The fields of /proc/PID/smaps that struct process_vm_getinfo_counters
 * gives, in its order; Pss_Anon, Pss_File and Pss_Shmem only smaps_rollup
 * prints.
 */
static const char *const counter_field[NR_COUNTERS] = {
	"Rss", "Pss", "Pss_Dirty", "Pss_Anon", "Pss_File", "Pss_Shmem",
	"Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty",
	"Referenced", "Anonymous", "KSM", "LazyFree", "AnonHugePages",
	"ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb",
	"Swap", "SwapPss", "Locked",
};

/* Counter k of c, in the order of counter_field[]. */
static uint64_t counter(const struct process_vm_getinfo_counters *c, int k)
{
	return ((const uint64_t *)c)[k];
}

/* A "Key:   N kB" line of smaps or smaps_rollup into m's counters. */
static int parse_counter(const char *line, struct smaps_vma *m)
{
	char key[32];
	unsigned long kb;
	int k;

	if (sscanf(line, "%31[^:]: %lu kB", key, &kb) != 2)
		return 0;
	for (k = 0; k < NR_COUNTERS; k++) {
		if (!strcmp(key, counter_field[k])) {
			m->kb[k] = kb;
			m->have |= 1U << k;
			return 1;
		}
	}
	return 0;
}

/*
 * Compares counters with smaps' figures for one VMA (or the rollup): every
 * field smaps printed, in kB. Returns 0, or logs the differences and
 * returns -1.
 */
static int compare_counters(struct __test_metadata *_metadata, const char *what,
			    const struct process_vm_getinfo_counters *c,
			    const struct smaps_vma *m)
{
	int k, bad = 0;

	for (k = 0; k < NR_COUNTERS; k++) {
		if (!(m->have & (1U << k)) || counter(c, k) >> 10 == m->kb[k])
			continue;
		TH_LOG("%s: %s %llu bytes (%llu kB), smaps %lu kB", what, counter_field[k],
		       (unsigned long long)counter(c, k),
		       (unsigned long long)counter(c, k) >> 10, m->kb[k]);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* Reads /proc/PID/smaps; returns the number of VMAs (at most max) or -1. */
static int read_smaps(pid_t pid, struct smaps_vma *v, int max)
{
	char path[64], line[1024];
	FILE *f;
	int n = -1;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct smaps_vma *c;
		int pos = 0;

		line[strcspn(line, "\n")] = '\0';
		if (n >= 0 && n < max) {
			c = &v[n];
			if (sscanf(line, "KernelPageSize: %lu kB", &c->kernel_page_kb) == 1)
				continue;
			if (sscanf(line, "Anonymous: %lu kB", &c->anonymous_kb) == 1) {
				parse_counter(line, c);
				continue;
			}
			if (parse_counter(line, c))
				continue;
			if (!strncmp(line, "VmFlags:", 8)) {
				snprintf(c->flags, sizeof(c->flags), "%.255s", line + 8);
				continue;
			}
		}
		if (strchr(line, ':') && !strchr(line, '-'))
			continue;
		if (n + 1 >= max)
			break;
		c = &v[n + 1];
		memset(c, 0, sizeof(*c));
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu%n", &c->start, &c->end,
			   c->perms, &c->offset, &c->major, &c->minor, &c->ino,
			   &pos) < 7)
			continue;	/* a "Key: value" line with a '-' in it */
		while (line[pos] == ' ')
			pos++;
		snprintf(c->name, sizeof(c->name), "%.511s", line + pos);
		n++;
	}
	fclose(f);
	return n + 1;
}

static const char *const mnemonic[] = {
	"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "pf", "lo", "io",
	"sr", "rr", "dc", "de", "lf", "ac", "nr", "ht", "sf", "ar", "wf", "dd",
	"sd", "mm", "hg", "nh", "mg", "um", "uw", "mt", "ui", "ss", "dp", "sl",
};

/* The VmFlags line smaps prints, as VMGI_VM_* bits; unknown words fail. */
static int parse_vmflags(const char *s, uint64_t *bits)
{
	char word[8];
	int pos;

	*bits = 0;
	while (sscanf(s, " %7s%n", word, &pos) == 1) {
		unsigned int i;

		s += pos;
		if (!strcmp(word, "bt"))	/* VM_ARCH_1 on arm64 with BTI */
			snprintf(word, sizeof(word), "ar");
		for (i = 0; i < sizeof(mnemonic) / sizeof(*mnemonic); i++)
			if (!strcmp(word, mnemonic[i]))
				break;
		if (i == sizeof(mnemonic) / sizeof(*mnemonic))
			return -1;
		*bits |= 1ULL << i;
	}
	return 0;
}

static void prot_string(uint32_t prot, char *out)
{
	out[0] = prot & VMGI_PROT_READ ? 'r' : '-';
	out[1] = prot & VMGI_PROT_WRITE ? 'w' : '-';
	out[2] = prot & VMGI_PROT_EXEC ? 'x' : '-';
	out[3] = prot & VMGI_PROT_SHARED ? 's' : 'p';
	out[4] = '\0';
}

/*
 * Whether VMGI_VMA_FILE must be set for a VMA smaps shows: it has a file and
 * is not anonymous memory. A private mapping of /dev/zero has a file (maps
 * shows its device, inode and path) but is anonymous (vma_is_anonymous());
 * a shared one is shmem, "/dev/zero (deleted)".
 */
static int smaps_is_file(const struct smaps_vma *m)
{
	return m->ino && !(m->perms[3] == 'p' && !strcmp(m->name, "/dev/zero"));
}

/*
 * Compares a snapshot with smaps, VMA by VMA. Returns 0, or prints the first
 * difference and returns -1.
 */
static int compare_with_smaps(struct __test_metadata *_metadata,
			      const struct snap *s, const struct smaps_vma *m,
			      int nm)
{
	unsigned int i, j;

	if ((int)s->n != nm) {
		TH_LOG("%u records, %d VMAs in smaps", s->n, nm);
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		const struct process_vm_getinfo_vma *v = &s->vmas[i];
		const char *name = snap_name(s, v);
		uint64_t flags;
		char perms[5];

		prot_string(v->prot, perms);
		if (parse_vmflags(m[i].flags, &flags)) {
			TH_LOG("unknown VmFlags word in '%s'", m[i].flags);
			return -1;
		}
		if (v->start != m[i].start || v->end != m[i].end ||
		    strcmp(perms, m[i].perms) || v->offset != m[i].offset ||
		    v->dev_major != m[i].major || v->dev_minor != m[i].minor ||
		    v->ino != m[i].ino || strcmp(name, m[i].name) ||
		    v->vm_flags != flags ||
		    (1UL << v->page_shift) != m[i].kernel_page_kb * 1024 ||
		    (m[i].anonymous_kb && !(v->attrs & VMGI_VMA_ANON_VMA)) ||
		    !!(v->attrs & VMGI_VMA_FILE) != smaps_is_file(&m[i]) ||
		    v->name_len != strlen(name)) {
			TH_LOG("record %u: %lx-%lx %s %lx %x:%x %lu '%s' flags %llx ps %u attrs %x",
			       i, (long)v->start, (long)v->end, perms, (long)v->offset,
			       v->dev_major, v->dev_minor, (long)v->ino, name,
			       (unsigned long long)v->vm_flags, v->page_shift, v->attrs);
			TH_LOG("smaps: %lx-%lx %s %lx %x:%x %lu '%s' flags %llx kps %lu anon %lu",
			       m[i].start, m[i].end, m[i].perms, m[i].offset,
			       m[i].major, m[i].minor, m[i].ino, m[i].name,
			       (unsigned long long)flags, m[i].kernel_page_kb,
			       m[i].anonymous_kb);
			return -1;
		}
		if (s->args.mask & VMGI_COUNTERS) {
			char what[64];

			snprintf(what, sizeof(what), "record %u (%lx-%lx '%.20s')", i,
				 (long)v->start, (long)v->end, name);
			if (compare_counters(_metadata, what, &v->counters, &m[i]))
				return -1;
		}
		/* A name ID exactly for anonymous names; equal IDs, equal names. */
		if (!!v->name_id != (!strncmp(name, "[anon:", 6) ||
				     !strncmp(name, "[anon_shmem:", 12))) {
			TH_LOG("record %u: name_id %llu for '%s'", i,
			       (unsigned long long)v->name_id, name);
			return -1;
		}
		for (j = 0; j < i; j++) {
			const struct process_vm_getinfo_vma *w = &s->vmas[j];

			/* The same file, or the same name object: one string. */
			if (!strcmp(snap_name(s, w), name) && w->name_off != v->name_off &&
			    ((v->ino && w->ino == v->ino && w->dev_minor == v->dev_minor &&
			      w->dev_major == v->dev_major && !v->name_id) ||
			     (v->name_id && w->name_id == v->name_id))) {
				TH_LOG("'%s' stored twice", name);
				return -1;
			}
			if (v->name_id && w->name_id == v->name_id &&
			    strcmp(snap_name(s, w) + (w->attrs & VMGI_VMA_FILE ? 12 : 6),
				   name + (v->attrs & VMGI_VMA_FILE ? 12 : 6))) {
				TH_LOG("name_id %llu for two names",
				       (unsigned long long)v->name_id);
				return -1;
			}
		}
	}
	return 0;
}

/* ---- A child with a random layout ---- */

static const char *const names[] = {
	"libc_malloc", "scudo:primary", "scudo:secondary", "stack_and_tls:4242",
	"dalvik-main space", "GWP-ASan", "bionic_alloc_small_objects", "x",
};

#define DATA_FILE "/tmp/process_vm_getinfo.data"

/*
 * Builds about nr VMAs of every kind, writes a byte to ready, and waits
 * for the pipe to close.
 */
static void random_layout(unsigned int seed, int nr, int ready, int wait_fd)
{
	int fd = open(DATA_FILE, O_RDWR | O_CREAT, 0600), memfd, i;
	char c = 0;

	srand(seed);
	if (fd < 0 || ftruncate(fd, 64 * psize))
		_exit(2);
	memfd = memfd_create("getinfo-memfd", 0);
	if (memfd < 0 || ftruncate(memfd, 64 * psize))
		_exit(2);
	sbrk(3 * psize);		/* a [heap] */
	for (i = 0; i < nr; i++) {
		int pages = 1 + rand() % 3, kind = rand() % 10;
		static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
					     PROT_READ | PROT_EXEC };
		int prot = prots[rand() % 4];
		size_t len = pages * psize;
		off_t off = (rand() % 60) * psize;
		char *p;

		switch (kind) {
		case 0:	/* private file, maybe with copy-on-write copies */
			p = mmap(NULL, len, prot, MAP_PRIVATE, fd, off);
			if (p != MAP_FAILED && rand() % 2 &&
			    !mprotect(p, psize, PROT_READ | PROT_WRITE))
				p[0] = 1;
			break;
		case 1:	/* shared file */
			p = mmap(NULL, len, prot & ~PROT_EXEC, MAP_SHARED, fd, off);
			break;
		case 2:	/* memfd */
			p = mmap(NULL, len, prot & ~PROT_EXEC, MAP_SHARED, memfd, off);
			break;
		case 3:	/* shared anonymous, maybe named */
			p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
			if (p != MAP_FAILED && rand() % 2)
				name_range(p, len, names[rand() % 8]);
			break;
		default: /* private anonymous, often named, sometimes touched */
			p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				break;
			if (rand() % 2)
				p[0] = 1;
			if (rand() % 3)
				name_range(p, len, names[rand() % 8]);
			if (rand() % 4 == 0)
				madvise(p, len, MADV_DONTFORK);
			mprotect(p, len, prot);
			break;
		}
		if (rand() % 8 == 0)	/* a guard page: a gap, often */
			mmap(NULL, psize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	/*
	 * /dev/zero, after the random part (which stays as it was): private,
	 * anonymous memory with a file, touched, at an offset; and shared, shmem.
	 */
	fd = open("/dev/zero", O_RDWR);
	if (fd >= 0) {
		char *p = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			       fd, 3 * psize);

		if (p != MAP_FAILED)
			p[0] = 1;
		mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	}
	if (write(ready, &c, 1) != 1)
		_exit(2);
	read(wait_fd, &c, 1);
	_exit(0);
}

struct child {
	pid_t pid;
	int pidfd, release;
};

static int start_child(struct child *c, unsigned int seed, int nr)
{
	int ready[2], hold[2];
	char b;

	if (pipe(ready) || pipe(hold))
		return -1;
	c->pid = fork();
	if (c->pid == 0) {
		close(ready[0]);
		close(hold[1]);
		random_layout(seed, nr, ready[1], hold[0]);
	}
	close(ready[1]);
	close(hold[0]);
	if (read(ready[0], &b, 1) != 1)
		return -1;
	close(ready[0]);
	c->release = hold[1];
	c->pidfd = sys_pidfd_open(c->pid);
	return c->pidfd < 0 ? -1 : 0;
}

static int stop_child(struct child *c)
{
	int status;

	close(c->release);
	close(c->pidfd);
	waitpid(c->pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

FIXTURE(layout) {
	struct child child;
	struct snap snap;
	struct smaps_vma *smaps;
};

FIXTURE_VARIANT(layout) {
	unsigned int seed;
	int nr;
};

FIXTURE_VARIANT_ADD(layout, small) { .seed = 1, .nr = 50 };
FIXTURE_VARIANT_ADD(layout, thousands) { .seed = 2, .nr = 3000 };
FIXTURE_VARIANT_ADD(layout, a_thousand) { .seed = 3, .nr = 1000 };

#define MAX_VMAS 20000

FIXTURE_SETUP(layout)
{
	if (!have_getinfo())
		SKIP(return, absent);
	memset(&self->snap, 0, sizeof(self->snap));
	self->smaps = calloc(MAX_VMAS, sizeof(*self->smaps));
	ASSERT_NE(NULL, self->smaps);
	ASSERT_EQ(0, start_child(&self->child, variant->seed, variant->nr));
}

FIXTURE_TEARDOWN(layout)
{
	if (!have_getinfo())
		return;
	EXPECT_EQ(0, stop_child(&self->child));
	snap_free(&self->snap);
	free(self->smaps);
}

/* Every record says what smaps says, and reading smaps changed no token. */
TEST_F_TIMEOUT(layout, matches_smaps, 300)
{
	uint64_t id0, seq0, id1, seq1;
	int n;

	ASSERT_EQ(0, snap_take(&self->snap, self->child.pidfd, VMGI_LAYOUT, 0, UINT64_MAX));
	EXPECT_EQ(VMGI_LAYOUT, self->snap.args.mask);
	id0 = self->snap.args.mm_id;
	seq0 = self->snap.args.seq;
	n = read_smaps(self->child.pid, self->smaps, MAX_VMAS);
	ASSERT_GT(n, variant->nr / 2);
	ASSERT_EQ(0, layout_token(self->child.pidfd, &id1, &seq1));
	EXPECT_EQ(id0, id1);
	EXPECT_EQ(seq0, seq1);
	EXPECT_EQ(0, compare_with_smaps(_metadata, &self->snap, self->smaps, n));
}

/*
 * The record a snapshot with mask returns for the VMA whose full record
 * (VMGI_ALL) is f: the fields of the attributes of mask, every other field
 * zero, but name_off, which is VMGI_NO_NAME without VMGI_NAME.
 */
static struct process_vm_getinfo_vma only_fields(const struct process_vm_getinfo_vma *f,
						 uint64_t mask)
{
	struct process_vm_getinfo_vma r = {
		.start = f->start, .end = f->end, .name_off = VMGI_NO_NAME,
	};

	if (mask & VMGI_PROT)
		r.prot = f->prot;
	if (mask & VMGI_VM_FLAGS)
		r.vm_flags = f->vm_flags;
	if (mask & VMGI_OFFSET)
		r.offset = f->offset;
	if (mask & VMGI_INODE) {
		r.dev_major = f->dev_major;
		r.dev_minor = f->dev_minor;
		r.ino = f->ino;
	}
	if (mask & VMGI_NAME_ID)
		r.name_id = f->name_id;
	if (mask & VMGI_NAME) {
		r.name_off = f->name_off;
		r.name_len = f->name_len;
	}
	if (mask & VMGI_ANON_VMA)
		r.attrs |= f->attrs & VMGI_VMA_ANON_VMA;
	if (mask & VMGI_PAGE_SIZE)
		r.page_shift = f->page_shift;
	if (mask & VMGI_FILE)
		r.attrs |= f->attrs & VMGI_VMA_FILE;
	if (mask & VMGI_COUNTERS)
		r.counters = f->counters;
	return r;
}

static void log_record(struct __test_metadata *_metadata, const char *what,
		       const struct process_vm_getinfo_vma *v)
{
	TH_LOG("%s: %llx-%llx off %llx flags %llx ino %llu id %llu",
	       what, (unsigned long long)v->start, (unsigned long long)v->end,
	       (unsigned long long)v->offset, (unsigned long long)v->vm_flags,
	       (unsigned long long)v->ino, (unsigned long long)v->name_id);
	TH_LOG("%s: dev %x:%x prot %x ps %u name %x+%u attrs %x res %x",
	       what, v->dev_major, v->dev_minor, v->prot, v->page_shift,
	       v->name_off, v->name_len, v->attrs, v->__reserved);
}

/* A range gives the VMAs that intersect it, whole; attributes not asked are zero. */
TEST_F_TIMEOUT(layout, range_and_mask, 300)
{
	struct snap part = { 0 };
	unsigned int i, first, last;
	uint64_t lo, hi;

	ASSERT_EQ(0, snap_take(&self->snap, self->child.pidfd, VMGI_LAYOUT, 0, UINT64_MAX));
	ASSERT_GT(self->snap.n, 4);
	first = self->snap.n / 4;
	last = self->snap.n / 2;
	lo = self->snap.vmas[first].start + 1;	/* inside the first */
	hi = self->snap.vmas[last].start + 1;	/* inside the last */
	ASSERT_EQ(0, snap_take(&part, self->child.pidfd, VMGI_RANGE, lo, hi));
	EXPECT_EQ(VMGI_RANGE, part.args.mask);
	ASSERT_EQ(last - first + 1, part.n);
	for (i = 0; i < part.n; i++) {
		const struct process_vm_getinfo_vma *v = &part.vmas[i];
		struct process_vm_getinfo_vma want =
			only_fields(&self->snap.vmas[first + i], VMGI_RANGE);

		/* Every field, __reserved included: start and end, no name, zeroes. */
		EXPECT_EQ(0, memcmp(&want, v, sizeof(want))) {
			log_record(_metadata, "got", v);
			log_record(_metadata, "want", &want);
		}
	}
	EXPECT_EQ(0, part.args.strings_size);
	snap_free(&part);
}

/*
 * Each attribute alone, over the whole map (files at offsets, names, name
 * objects, anon_vmas, private and shared /dev/zero: every field has non-zero
 * values to give): the record has that attribute's fields as VMGI_ALL gives
 * them, and every other field zero (name_off VMGI_NO_NAME).
 */
TEST_F_TIMEOUT(layout, unasked_fields_are_zero, 300)
{
	const struct process_vm_getinfo_vma *full;
	struct snap part = { 0 };
	uint64_t seen = 0, mask;
	unsigned int b, i;

	ASSERT_EQ(0, snap_take(&self->snap, self->child.pidfd, VMGI_LAYOUT, 0, UINT64_MAX));
	full = self->snap.vmas;
	for (i = 0; i < self->snap.n; i++) {
		const struct process_vm_getinfo_vma *v = &full[i];

		seen |= (v->prot ? VMGI_PROT : 0) | (v->vm_flags ? VMGI_VM_FLAGS : 0) |
			(v->offset ? VMGI_OFFSET : 0) |
			(v->ino && (v->dev_major || v->dev_minor) ? VMGI_INODE : 0) |
			(v->name_id ? VMGI_NAME_ID : 0) |
			(v->name_off != VMGI_NO_NAME && v->name_len ? VMGI_NAME : 0) |
			(v->attrs & VMGI_VMA_ANON_VMA ? VMGI_ANON_VMA : 0) |
			(v->page_shift ? VMGI_PAGE_SIZE : 0) |
			(v->attrs & VMGI_VMA_FILE ? VMGI_FILE : 0);
		EXPECT_EQ(0, v->__reserved);
	}
	/* Each attribute has a non-zero value somewhere: a zero below is no accident. */
	EXPECT_EQ(self->snap.args.mask & ~VMGI_RANGE, seen);

	for (b = 1; b < 64 && (1ULL << b) <= VMGI_ALL; b++) {
		unsigned int wrong = 0;

		mask = VMGI_RANGE | 1ULL << b;
		if (mask & VMGI_COUNTERS)
			continue;	/* counters change as the child's pages are shared */
		ASSERT_EQ(0, snap_take(&part, self->child.pidfd, mask, 0, UINT64_MAX));
		EXPECT_EQ(mask & self->snap.args.mask, part.args.mask);
		/* The child waits: the same layout, the same records. */
		ASSERT_EQ(self->snap.args.seq, part.args.seq);
		ASSERT_EQ(self->snap.n, part.n);
		for (i = 0; i < part.n; i++) {
			const struct process_vm_getinfo_vma *v = &part.vmas[i];
			struct process_vm_getinfo_vma want = only_fields(&full[i], part.args.mask);

			/* Names by their text: offsets are the string buffer's. */
			if ((part.args.mask & VMGI_NAME) &&
			    !strcmp(snap_name(&part, v), snap_name(&self->snap, &full[i])))
				want.name_off = v->name_off;
			if (memcmp(&want, v, sizeof(want)) && !wrong++) {
				TH_LOG("mask %#llx, record %u:", (unsigned long long)mask, i);
				log_record(_metadata, "got", v);
				log_record(_metadata, "want", &want);
			}
		}
		EXPECT_EQ(0, wrong) TH_LOG("mask %#llx", (unsigned long long)mask);
		if (!(mask & VMGI_NAME))
			EXPECT_EQ(0, part.args.strings_size);
	}
	snap_free(&part);
}

/* ---- The token: what changes it and what does not ---- */

static char *area;	/* 64 pages of scratch, mapped by the fixture */
#define AREA_PAGES 64

static int op_mmap(void)
{
	return mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED;
}

static int op_munmap(void)
{
	return munmap(area + 10 * psize, psize);
}

static int op_mprotect(void)
{
	return mprotect(area, psize, PROT_READ);
}

static int op_mremap_move(void)
{
	void *to = mmap(NULL, psize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return to == MAP_FAILED || munmap(to, psize) ||
	       mremap(area, psize, psize, MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED;
}

static int op_mremap_shrink(void)
{
	return mremap(area, AREA_PAGES * psize, 8 * psize, 0) == MAP_FAILED;
}

static int op_brk(void)
{
	return sbrk(psize) == (void *)-1;
}

static int op_mlock(void)
{
	return mlock(area, psize);
}

static int op_munlock(void)
{
	return munlock(area, psize);
}

static int op_madv_dontfork(void)
{
	return madvise(area, psize, MADV_DONTFORK);
}

static int op_madv_dontdump(void)
{
	return madvise(area, psize, MADV_DONTDUMP);
}

static int op_mseal(void)
{
	return syscall(__NR_mseal, area, psize, 0);
}

static int op_name(void)
{
	return name_range(area, psize, "renamed");
}

static int op_unname(void)
{
	return name_range(area, psize, NULL);
}

/* Uses 64 KiB of stack per level. */
static int grow_stack(int depth)
{
	char big[64 * 1024];

	big[0] = depth;
	asm volatile("" : : "r"(big) : "memory");
	return depth ? grow_stack(depth - 1) + big[0] : 0;
}

static int op_stack_growth(void)
{
	grow_stack(64);	/* 4 MiB below the current stack top */
	return 0;
}

static int op_uffd_register(void)
{
	int uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { (unsigned long)area, psize },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		return -1;
	return ioctl(uffd, UFFDIO_REGISTER, &reg);
}

static int op_none(void)
{
	return 0;
}

static int op_fault(void)
{
	int i;

	for (i = 0; i < AREA_PAGES; i++)
		area[i * psize] = 1;
	return 0;
}

static int op_madv_cold(void)
{
	return op_fault() || madvise(area, AREA_PAGES * psize, MADV_COLD);
}

static int op_madv_pageout(void)
{
	return op_fault() || madvise(area, AREA_PAGES * psize, MADV_PAGEOUT);
}

static int op_madv_willneed(void)
{
	return madvise(area, AREA_PAGES * psize, MADV_WILLNEED);
}

static int op_madv_dontneed(void)
{
	return op_fault() || madvise(area, AREA_PAGES * psize, MADV_DONTNEED);
}

static int op_mincore(void)
{
	static unsigned char vec[AREA_PAGES];

	return mincore(area, AREA_PAGES * psize, vec);
}

static int read_file(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return close(fd);
}

static int op_read_maps(void)
{
	return read_file("/proc/self/maps");
}

static int op_read_smaps(void)
{
	return read_file("/proc/self/smaps");
}

static int op_drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd < 0)
		return -1;
	if (write(fd, "3", 1) != 1)
		return -1;
	return close(fd);
}

static int op_snapshot(void)
{
	static struct process_vm_getinfo_vma v[512];
	static char s[65536];
	struct process_vm_getinfo_args a = {
		.mask = VMGI_LAYOUT, .end = UINT64_MAX, .vmas = (uintptr_t)v,
		.vma_size = sizeof(*v), .vma_count = 512,
		.strings = (uintptr_t)s, .strings_size = sizeof(s),
	};
	int pidfd = sys_pidfd_open(getpid());
	long ret = sys_getinfo(pidfd, &a, sizeof(a), 0);

	close(pidfd);
	return ret < 0;
}

static int op_fork(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(0);
	return waitpid(pid, &status, 0) != pid;
}

/*
 * prctl(PR_SET_MM) rewrites the fields of the mm that place the [heap] and
 * [stack] labels; it takes the mmap lock for writing, so the token moves,
 * even when the values written are the ones already there (as here, so that
 * the process goes on as before). It needs CAP_SYS_RESOURCE, PR_SET_MM_MAP
 * CONFIG_CHECKPOINT_RESTORE: without them the op says OP_UNSUPPORTED.
 */
#define OP_UNSUPPORTED	77

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

static int op_prctl_mm_brk(void)
{
	return set_mm_result(prctl(PR_SET_MM, PR_SET_MM_BRK, (unsigned long)sbrk(0), 0UL, 0UL));
}

static int op_prctl_mm_start_stack(void)
{
	unsigned long f[53];

	if (self_stat(f))
		return -1;
	return set_mm_result(prctl(PR_SET_MM, PR_SET_MM_START_STACK, f[28], 0UL, 0UL));
}

/* PR_SET_MM_MAP_SIZE: 0 if the kernel has PR_SET_MM_MAP for this caller. */
static int mm_map_size(void)
{
	unsigned int size = 0;

	/* Without CONFIG_CHECKPOINT_RESTORE: EINVAL, or EPERM before that. */
	if (prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, (unsigned long)&size, 0UL, 0UL))
		return errno == EINVAL || errno == EPERM ? OP_UNSUPPORTED : -1;
	return size == sizeof(struct prctl_mm_map) ? 0 : -1;
}

static int op_prctl_mm_map(void)
{
	struct prctl_mm_map map;
	unsigned long f[53];
	int ret = mm_map_size();

	if (ret)
		return ret;
	if (self_stat(f))
		return -1;
	/* The values in place (validate_prctl_map_addr() checks them again). */
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

/* Reads only: no lock for writing, no change. */
static int op_prctl_mm_map_size(void)
{
	return mm_map_size();
}

FIXTURE(token) {
	int pidfd;
};

FIXTURE_VARIANT(token) {
	int (*op)(void);
	int changes;		/* 1: the token must change; 0: it must not */
};

FIXTURE_VARIANT_ADD(token, mmap) { .op = op_mmap, .changes = 1 };
FIXTURE_VARIANT_ADD(token, munmap) { .op = op_munmap, .changes = 1 };
FIXTURE_VARIANT_ADD(token, mprotect) { .op = op_mprotect, .changes = 1 };
FIXTURE_VARIANT_ADD(token, mremap_move) { .op = op_mremap_move, .changes = 1 };
FIXTURE_VARIANT_ADD(token, mremap_shrink) { .op = op_mremap_shrink, .changes = 1 };
FIXTURE_VARIANT_ADD(token, brk) { .op = op_brk, .changes = 1 };
FIXTURE_VARIANT_ADD(token, stack_growth) { .op = op_stack_growth, .changes = 1 };
FIXTURE_VARIANT_ADD(token, mlock) { .op = op_mlock, .changes = 1 };
FIXTURE_VARIANT_ADD(token, munlock) { .op = op_munlock, .changes = 1 };
FIXTURE_VARIANT_ADD(token, madv_dontfork) { .op = op_madv_dontfork, .changes = 1 };
FIXTURE_VARIANT_ADD(token, madv_dontdump) { .op = op_madv_dontdump, .changes = 1 };
FIXTURE_VARIANT_ADD(token, mseal) { .op = op_mseal, .changes = 1 };
FIXTURE_VARIANT_ADD(token, uffd_register) { .op = op_uffd_register, .changes = 1 };
FIXTURE_VARIANT_ADD(token, name) { .op = op_name, .changes = 1 };
FIXTURE_VARIANT_ADD(token, unname) { .op = op_unname, .changes = 1 };
FIXTURE_VARIANT_ADD(token, prctl_mm_brk) { .op = op_prctl_mm_brk, .changes = 1 };
FIXTURE_VARIANT_ADD(token, prctl_mm_start_stack) { .op = op_prctl_mm_start_stack, .changes = 1 };
FIXTURE_VARIANT_ADD(token, prctl_mm_map) { .op = op_prctl_mm_map, .changes = 1 };
FIXTURE_VARIANT_ADD(token, prctl_mm_map_size) { .op = op_prctl_mm_map_size, .changes = 0 };
FIXTURE_VARIANT_ADD(token, none) { .op = op_none, .changes = 0 };
FIXTURE_VARIANT_ADD(token, fault) { .op = op_fault, .changes = 0 };
FIXTURE_VARIANT_ADD(token, madv_cold) { .op = op_madv_cold, .changes = 0 };
FIXTURE_VARIANT_ADD(token, madv_pageout) { .op = op_madv_pageout, .changes = 0 };
FIXTURE_VARIANT_ADD(token, madv_willneed) { .op = op_madv_willneed, .changes = 0 };
FIXTURE_VARIANT_ADD(token, madv_dontneed) { .op = op_madv_dontneed, .changes = 0 };
FIXTURE_VARIANT_ADD(token, mincore) { .op = op_mincore, .changes = 0 };
FIXTURE_VARIANT_ADD(token, read_maps) { .op = op_read_maps, .changes = 0 };
FIXTURE_VARIANT_ADD(token, read_smaps) { .op = op_read_smaps, .changes = 0 };
FIXTURE_VARIANT_ADD(token, drop_caches) { .op = op_drop_caches, .changes = 0 };
FIXTURE_VARIANT_ADD(token, snapshot) { .op = op_snapshot, .changes = 0 };
FIXTURE_VARIANT_ADD(token, fork) { .op = op_fork, .changes = 0 };

FIXTURE_SETUP(token)
{
	if (!have_getinfo())
		SKIP(return, absent);
	area = mmap(NULL, AREA_PAGES * psize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	ASSERT_EQ(0, name_range(area, AREA_PAGES * psize, "token-area"));
	self->pidfd = sys_pidfd_open(getpid());
	ASSERT_GE(self->pidfd, 0);
	if (variant->op == op_munlock)
		ASSERT_EQ(0, mlock(area, psize));
	if (variant->op == op_unname)
		ASSERT_EQ(0, name_range(area, psize, "named"));
}

FIXTURE_TEARDOWN(token)
{
}

TEST_F(token, after_op)
{
	uint64_t id0, seq0, id1, seq1;
	int ret;

	ASSERT_EQ(0, layout_token(self->pidfd, &id0, &seq0));
	ret = variant->op();
	ASSERT_EQ(0, layout_token(self->pidfd, &id1, &seq1));
	if (ret == OP_UNSUPPORTED)
		SKIP(return, "prctl(PR_SET_MM) needs CAP_SYS_RESOURCE%s",
		     " (and PR_SET_MM_MAP CONFIG_CHECKPOINT_RESTORE)");
	ASSERT_EQ(0, ret);
	EXPECT_EQ(id0, id1);
	EXPECT_EQ(variant->changes, seq0 != seq1);
}

/* A new address space never takes over an old token: fork and exec. */
TEST(token_of_new_mm)
{
	uint64_t id0, seq0, id1, seq1;
	int pipefd[2], pidfd, i;
	pid_t pid;
	char c;

	if (!have_getinfo())
		SKIP(return, absent);
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	if (pid == 0) {
		read(pipefd[0], &c, 1);
		execl("/bin/sleep", "sleep", "5", NULL);
		_exit(1);
	}
	pidfd = sys_pidfd_open(pid);
	ASSERT_GE(pidfd, 0);
	ASSERT_EQ(0, layout_token(pidfd, &id0, &seq0));
	ASSERT_EQ(0, layout_token(sys_pidfd_open(getpid()), &id1, &seq1));
	EXPECT_NE(id0, id1);	/* fork: the child's own mm */
	ASSERT_EQ(1, write(pipefd[1], "x", 1));
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, layout_token(pidfd, &id1, &seq1));
		if (id1 != id0)
			break;
		usleep(10000);
	}
	EXPECT_NE(id0, id1);	/* exec: a new mm, a new id */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * Address spaces created one after another get ids in no order: a plain
 * counter would tell any process how many address spaces the machine made
 * between two of its own. Each of 16 children forked in turn: distinct,
 * nonzero ids, no two consecutive ones less than 2^32 apart (a counter gives
 * +1; a keyed permutation, this close with odds of 2^-31 a pair).
 */
TEST(mm_ids_in_no_order)
{
	enum { N = 16 };
	uint64_t id[N], seq;
	int pipefd[2], i, j;
	pid_t pid[N];

	if (!have_getinfo())
		SKIP(return, absent);
	ASSERT_EQ(0, pipe(pipefd));
	for (i = 0; i < N; i++) {
		int pidfd;
		char c;

		pid[i] = fork();
		ASSERT_GE(pid[i], 0);
		if (pid[i] == 0) {
			close(pipefd[1]);
			read(pipefd[0], &c, 1);
			_exit(0);
		}
		pidfd = sys_pidfd_open(pid[i]);
		ASSERT_GE(pidfd, 0);
		ASSERT_EQ(0, layout_token(pidfd, &id[i], &seq));
		close(pidfd);
	}
	close(pipefd[1]);
	for (i = 0; i < N; i++)
		waitpid(pid[i], NULL, 0);
	for (i = 0; i < N; i++) {
		EXPECT_NE(0, id[i]);
		for (j = 0; j < i; j++)
			EXPECT_NE(id[j], id[i]);
		if (i > 0) {
			uint64_t d = id[i] > id[i - 1] ? id[i] - id[i - 1] : id[i - 1] - id[i];

			EXPECT_GE(d, 1ULL << 32) {
				TH_LOG("ids %d and %d: %#llx then %#llx", i - 1, i,
				       (unsigned long long)id[i - 1], (unsigned long long)id[i]);
			}
		}
	}
}

/* ---- Snapshots while the layout changes ---- */

#define STRESS_SLOTS 64
#define STRESS_PAGES 256

static int stop_stress;	/* read and written with __atomic builtins */
static char *stress_area;

static void *mutator(void *arg)
{
	unsigned int seed = (uintptr_t)arg;

	while (!__atomic_load_n(&stop_stress, __ATOMIC_RELAXED)) {
		char *p = stress_area + (rand_r(&seed) % STRESS_PAGES) * psize;

		switch (rand_r(&seed) % 4) {
		case 0:
			mprotect(p, psize, PROT_READ);
			break;
		case 1:
			mprotect(p, psize, PROT_READ | PROT_WRITE);
			break;
		case 2:
			mmap(p, psize, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			break;
		case 3:
			name_range(p, psize, rand_r(&seed) % 2 ? "stress-a" : "stress-b");
			break;
		}
		usleep(rand_r(&seed) % 200);
	}
	return NULL;
}

struct reader_result {
	int ok, again, bad;
	uint64_t seqs[STRESS_SLOTS];
	uint64_t sums[STRESS_SLOTS];
};

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static void *reader(void *arg)
{
	struct reader_result *r = arg;
	struct snap s = { 0 };
	int pidfd = sys_pidfd_open(getpid()), iter;

	for (iter = 0; iter < 200 && !r->bad; iter++) {
		unsigned int i;
		uint64_t sum;
		int ret = snap_take(&s, pidfd, VMGI_LAYOUT, 0, UINT64_MAX);

		if (ret == -EAGAIN) {
			r->again++;
			continue;
		}
		if (ret) {
			r->bad = 1;
			break;
		}
		r->ok++;
		sum = 0xcbf29ce484222325ULL;
		for (i = 0; i < s.n; i++) {
			const struct process_vm_getinfo_vma *v = &s.vmas[i];

			struct process_vm_getinfo_vma rec = *v;

			if (v->start >= v->end || (i && v->start < s.vmas[i - 1].end))
				r->bad = 2;
			/*
			 * Names by their text: where a walk that read a
			 * changed part again puts a name in the strings is
			 * its own matter.
			 */
			rec.name_off = 0;
			sum = fnv(&rec, sizeof(rec), sum);
			sum = fnv(snap_name(&s, v), strlen(snap_name(&s, v)), sum);
		}
		/* Same token, same snapshot: compare with the last one of this slot. */
		i = s.args.seq % STRESS_SLOTS;
		if (r->seqs[i] == s.args.seq && r->sums[i] && r->sums[i] != sum)
			r->bad = 3;
		r->seqs[i] = s.args.seq;
		r->sums[i] = sum;
	}
	snap_free(&s);
	close(pidfd);
	return NULL;
}

/*
 * Tests that take seconds here and minutes on a sanitizer kernel (KASAN,
 * SLUB_DEBUG_ON): the harness's 30 s would time them out there.
 */
FIXTURE(slow) {};
FIXTURE_SETUP(slow) {}
FIXTURE_TEARDOWN(slow) {}

TEST_F_TIMEOUT(slow, stress_snapshots_while_mutating, 300)
{
	pthread_t mut[3], rd[2];
	struct reader_result res[2];
	int i;

	if (!have_getinfo())
		SKIP(return, absent);
	memset(res, 0, sizeof(res));
	/* Over a thousand VMAs: several chunks, so the walk drops the lock. */
	stress_area = mmap(NULL, STRESS_PAGES * psize, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, stress_area);
	for (i = 0; i < 1200; i++)
		mmap(NULL, psize, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	__atomic_store_n(&stop_stress, 0, __ATOMIC_RELAXED);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&mut[i], NULL, mutator, (void *)(uintptr_t)(i + 1)));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&rd[i], NULL, reader, &res[i]));
	for (i = 0; i < 2; i++)
		pthread_join(rd[i], NULL);
	__atomic_store_n(&stop_stress, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 3; i++)
		pthread_join(mut[i], NULL);
	for (i = 0; i < 2; i++) {
		TH_LOG("reader %d: %d snapshots, %d EAGAIN", i, res[i].ok, res[i].again);
		EXPECT_EQ(0, res[i].bad);
		/* Churn alone never starves a snapshot. */
		EXPECT_EQ(0, res[i].again);
	}
	EXPECT_GT(res[0].ok + res[1].ok, 0);
}

/* A target killed while it is being read: whole snapshots or ESRCH, no more. */
TEST_F_TIMEOUT(slow, target_exits_midway, 300)
{
	struct child c;
	struct snap s = { 0 };
	int i, ret, ok = 0, gone = 0;

	if (!have_getinfo())
		SKIP(return, absent);
	ASSERT_EQ(0, start_child(&c, 4, 3000));
	for (i = 0; i < 40; i++) {
		if (i == 5)
			kill(c.pid, SIGKILL);
		ret = snap_take(&s, c.pidfd, VMGI_LAYOUT, 0, UINT64_MAX);
		if (ret == 0)
			ok++;
		else if (ret == -ESRCH)
			gone++;
		else
			ASSERT_EQ(0, ret);
	}
	TH_LOG("%d snapshots, %d ESRCH", ok, gone);
	EXPECT_GE(ok, 5);
	EXPECT_GT(gone, 0);
	stop_child(&c);
	snap_free(&s);
}

static struct process_vm_getinfo_vma recs[64];
static char strs[4096];

/*
 * The records are written with page faults disabled while the mmap lock is
 * held; a page of the buffer that is not present is faulted in with the lock
 * dropped and the walk goes on. Records into pages never touched, and into
 * pages dropped since, must be those of a buffer faulted in beforehand; a
 * page that cannot be written is EFAULT.
 */
TEST(records_into_absent_pages)
{
	const size_t extra = 256, bytes = 8 * 4096 * 4;
	char *many = mmap(NULL, extra * psize, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *warm = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *cold = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct process_vm_getinfo_args a = {
		.mask = VMGI_LAYOUT, .end = UINT64_MAX, .vma_size = sizeof(recs[0]),
		.vma_count = bytes / sizeof(recs[0]), .strings = (uintptr_t)strs,
		.strings_size = sizeof(strs),
	}, w, c;
	int fd = sys_pidfd_open(getpid()), round;
	size_t i;

	if (!have_getinfo())
		SKIP(return, absent);
	ASSERT_GE(fd, 0);
	ASSERT_NE(MAP_FAILED, many);
	ASSERT_NE(MAP_FAILED, warm);
	ASSERT_NE(MAP_FAILED, cold);
	/* Enough VMAs for records over several pages. */
	for (i = 1; i < extra; i += 2)
		ASSERT_EQ(0, mprotect(many + i * psize, psize, PROT_READ));
	memset(warm, 0xa5, bytes);
	memset(cold + bytes / 2, 0xa5, bytes / 2);
	ASSERT_EQ(0, madvise(cold + bytes / 2, bytes / 2, MADV_DONTNEED));
	w = a;
	w.vmas = (uintptr_t)warm;
	ASSERT_LT(0, sys_getinfo(fd, &w, sizeof(w), 0));
	ASSERT_LT(extra, w.vma_count);
	ASSERT_LT(4 * psize, w.vma_count * sizeof(recs[0]));
	for (round = 0; round < 2; round++) {
		/* First pages never touched, then pages dropped. */
		c = a;
		c.vmas = (uintptr_t)cold;
		EXPECT_EQ(w.vma_count, sys_getinfo(fd, &c, sizeof(c), 0));
		EXPECT_EQ(w.seq, c.seq);
		EXPECT_EQ(0, memcmp(warm, cold, w.vma_count * sizeof(recs[0])));
		ASSERT_EQ(0, madvise(cold, bytes, MADV_DONTNEED));
	}
	/* The third page read-only: EFAULT. */
	ASSERT_EQ(0, mprotect(cold + 2 * psize, psize, PROT_READ));
	c = a;
	c.vmas = (uintptr_t)cold;
	EXPECT_EQ(-EFAULT, sys_getinfo(fd, &c, sizeof(c), 0));
	munmap(many, extra * psize);
	munmap(warm, bytes);
	munmap(cold, bytes);
	close(fd);
}

/* ---- Bad input ---- */

static struct process_vm_getinfo_args good_args(void)
{
	return (struct process_vm_getinfo_args){
		.mask = VMGI_LAYOUT, .start = 0, .end = UINT64_MAX,
		.vmas = (uintptr_t)recs, .vma_size = sizeof(recs[0]),
		.vma_count = 64, .strings = (uintptr_t)strs,
		.strings_size = sizeof(strs),
	};
}

FIXTURE(bad) {
	int self_fd;
	struct process_vm_getinfo_args a;
};

FIXTURE_SETUP(bad)
{
	if (!have_getinfo())
		SKIP(return, absent);
	self->self_fd = sys_pidfd_open(getpid());
	ASSERT_GE(self->self_fd, 0);
	self->a = good_args();
	/* A small, known range: the text of this program. */
	self->a.start = (uintptr_t)&good_args;
	self->a.end = self->a.start + 1;
}

FIXTURE_TEARDOWN(bad)
{
}

TEST_F(bad, good_call_works)
{
	EXPECT_EQ(1, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	EXPECT_EQ(1, self->a.vma_count);
}

TEST_F(bad, not_a_fd)
{
	EXPECT_EQ(-EBADF, sys_getinfo(-1, &self->a, sizeof(self->a), 0));
	EXPECT_EQ(-EBADF, sys_getinfo(9999, &self->a, sizeof(self->a), 0));
}

TEST_F(bad, not_a_pidfd)
{
	int fd = open("/", O_RDONLY);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-EBADF, sys_getinfo(fd, &self->a, sizeof(self->a), 0));
	close(fd);
}

TEST_F(bad, exited_process)
{
	pid_t pid = fork();
	int fd;

	if (pid == 0)
		_exit(0);
	fd = sys_pidfd_open(pid);
	ASSERT_GE(fd, 0);
	/* A zombie has no mm ... */
	ASSERT_EQ(0, waitid(P_PIDFD, fd, NULL, WEXITED | WNOWAIT));
	EXPECT_EQ(-ESRCH, sys_getinfo(fd, &self->a, sizeof(self->a), 0));
	/* ... and a reaped process is gone. */
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(-ESRCH, sys_getinfo(fd, &self->a, sizeof(self->a), 0));
	close(fd);
}

TEST_F(bad, kernel_thread)
{
	int fd = sys_pidfd_open(2);	/* kthreadd */

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-ESRCH, sys_getinfo(fd, &self->a, sizeof(self->a), 0));
	close(fd);
}

TEST_F(bad, unknown_flags)
{
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 2));
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a),
				       PROCESS_VM_GETINFO_ROLLUP | 2));
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 1U << 31));
}

TEST_F(bad, unknown_mask_bits)
{
	self->a.mask = VMGI_ALL + 1;
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	self->a.mask = 1ULL << 63;
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
}

TEST_F(bad, reserved_field)
{
	self->a.__reserved = 1;
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
}

TEST_F(bad, empty_range)
{
	self->a.end = self->a.start;
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	self->a.end = self->a.start - 1;
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
}

TEST_F(bad, struct_sizes)
{
	struct {
		struct process_vm_getinfo_args a;
		char tail[64];
	} big;

	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, 0, 0));
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a,
				       PROCESS_VM_GETINFO_ARGS_SIZE_VER0 - 8, 0));
	memset(&big, 0, sizeof(big));
	big.a = self->a;
	EXPECT_EQ(1, sys_getinfo(self->self_fd, &big.a, sizeof(big), 0));	/* zero tail */
	big.tail[63] = 1;
	EXPECT_EQ(-E2BIG, sys_getinfo(self->self_fd, &big.a, sizeof(big), 0));
	EXPECT_EQ(-E2BIG, sys_getinfo(self->self_fd, &big.a, psize + 1, 0));
}

TEST_F(bad, record_sizes)
{
	self->a.vma_size = VMGI_VMA_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	self->a.vma_size = VMGI_VMA_SIZE_MAX + 1;
	EXPECT_EQ(-EINVAL, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
}

/* A larger record: the kernel's part, then zeroes, at the caller's stride. */
TEST_F(bad, larger_records)
{
	static unsigned char buf[3][128];
	unsigned int i;

	memset(buf, 0xff, sizeof(buf));
	self->a.vmas = (uintptr_t)buf;
	self->a.vma_size = 128;
	self->a.vma_count = 2;
	self->a.start = 0;
	self->a.end = UINT64_MAX;
	EXPECT_EQ(-ERANGE, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	for (i = 0; i < 2; i++) {
		struct process_vm_getinfo_vma *v = (void *)buf[i];
		unsigned int j;

		EXPECT_LT(v->start, v->end);
		/* No room for the counters: zeroes after the first version's fields. */
		for (j = VMGI_VMA_SIZE_VER0; j < 128; j++)
			ASSERT_EQ(0, buf[i][j]);
	}
	EXPECT_EQ(0xff, buf[2][0]);	/* nothing past vma_count */
}

TEST_F(bad, bad_pointers)
{
	void *none = mmap(NULL, psize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-EFAULT, sys_getinfo(self->self_fd, NULL, sizeof(self->a), 0));
	EXPECT_EQ(-EFAULT, sys_getinfo(self->self_fd, none, sizeof(self->a), 0));
	self->a.vmas = (uintptr_t)none;
	EXPECT_EQ(-EFAULT, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	self->a = good_args();
	self->a.start = (uintptr_t)&good_args;
	self->a.end = self->a.start + 1;
	self->a.strings = (uintptr_t)none;
	EXPECT_EQ(-EFAULT, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	self->a.strings = 0xfffffffffffff000ULL;	/* a kernel address */
	EXPECT_EQ(-EFAULT, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	munmap(none, psize);
}

/* Capacities far beyond the buffers: the kernel allocates nothing for them. */
TEST_F(bad, huge_counts)
{
	char *buf = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	self->a.vma_count = UINT32_MAX;
	self->a.strings_size = UINT32_MAX;
	EXPECT_EQ(1, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	/* Records at a page's stride: the second one lands on a guard page. */
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + psize, psize, PROT_NONE));
	self->a = good_args();
	self->a.vma_count = UINT32_MAX;
	self->a.vma_size = VMGI_VMA_SIZE_MAX;
	self->a.vmas = (uintptr_t)buf;
	if (psize == VMGI_VMA_SIZE_MAX)
		EXPECT_EQ(-EFAULT, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	munmap(buf, 2 * psize);
}

/* Too small: ERANGE with the sizes needed; those sizes then work. */
TEST_F(bad, buffers_too_small)
{
	struct snap s = { 0 };
	uint32_t need_v, need_s;

	self->a = good_args();
	self->a.vma_count = 1;
	EXPECT_EQ(-ERANGE, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	need_v = self->a.vma_count;
	need_s = self->a.strings_size;
	EXPECT_GT(need_v, 1);
	self->a = good_args();
	self->a.strings_size = 1;
	EXPECT_EQ(-ERANGE, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	EXPECT_EQ(need_s, self->a.strings_size);
	/* No buffers at all: a pure size query. */
	self->a = good_args();
	self->a.vma_count = 0;
	self->a.strings_size = 0;
	self->a.vmas = 0;
	self->a.strings = 0;
	EXPECT_EQ(-ERANGE, sys_getinfo(self->self_fd, &self->a, sizeof(self->a), 0));
	EXPECT_EQ(need_v, self->a.vma_count);
	EXPECT_EQ(need_s, self->a.strings_size);
	EXPECT_NE(0, self->a.mm_id);
	/* The retry pattern gets the lot. */
	ASSERT_EQ(0, snap_take(&s, self->self_fd, VMGI_LAYOUT, 0, UINT64_MAX));
	EXPECT_GE(s.n, need_v - 2);
	snap_free(&s);
}

/* Another user's process: denied as /proc/PID/maps is, with EACCES. */
TEST(other_user)
{
	pid_t parent = getpid(), pid;
	int status;

	if (!have_getinfo())
		SKIP(return, absent);
	if (getuid() != 0)
		SKIP(return, "needs root to switch users");
	pid = fork();
	if (pid == 0) {
		struct process_vm_getinfo_args a = good_args();
		char path[64];
		int fd = sys_pidfd_open(parent), maps_errno;

		if (fd < 0 || setgid(65534) || setuid(65534))
			_exit(10);
		snprintf(path, sizeof(path), "/proc/%d/maps", parent);
		maps_errno = open(path, O_RDONLY) < 0 ? errno : 0;
		if (maps_errno != EACCES)
			_exit(11);
		_exit(sys_getinfo(fd, &a, sizeof(a), 0) == -EACCES ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Names that repeat are stored once; equal anonymous names share an ID. */
TEST(names_once)
{
	int fd = open(DATA_FILE, O_RDWR | O_CREAT, 0600), pidfd, i;
	char *p[6];
	struct snap s = { 0 };
	unsigned int j, off_file = VMGI_NO_NAME, off_anon = VMGI_NO_NAME, seen = 0;
	uint64_t id = 0;

	if (!have_getinfo())
		SKIP(return, absent);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, 8 * psize));
	for (i = 0; i < 3; i++) {
		p[i] = mmap(NULL, psize, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
			    MAP_PRIVATE, fd, i * psize);
		ASSERT_NE(MAP_FAILED, p[i]);
		p[3 + i] = mmap(NULL, psize, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, p[3 + i]);
		ASSERT_EQ(0, name_range(p[3 + i], psize, "names-once"));
	}
	pidfd = sys_pidfd_open(getpid());
	ASSERT_EQ(0, snap_take(&s, pidfd, VMGI_LAYOUT, 0, UINT64_MAX));
	for (j = 0; j < s.n; j++) {
		const struct process_vm_getinfo_vma *v = &s.vmas[j];

		for (i = 0; i < 6; i++) {
			if (v->start != (uintptr_t)p[i])
				continue;
			seen++;
			if (i < 3) {
				EXPECT_STREQ(DATA_FILE, snap_name(&s, v));
				if (off_file == VMGI_NO_NAME)
					off_file = v->name_off;
				EXPECT_EQ(off_file, v->name_off);
			} else {
				EXPECT_STREQ("[anon:names-once]", snap_name(&s, v));
				if (off_anon == VMGI_NO_NAME) {
					off_anon = v->name_off;
					id = v->name_id;
				}
				EXPECT_EQ(off_anon, v->name_off);
				EXPECT_EQ(id, v->name_id);
			}
		}
	}
	EXPECT_EQ(6, seen);
	EXPECT_NE(0, id);
	snap_free(&s);
}

/* ---- The gate VMA: [vsyscall], as maps shows it ---- */

#define GATE_START	0xffffffffff600000ULL	/* x86_64's VSYSCALL_ADDR */

/* Two records of the same VMA, from two snapshots: equal, names by text. */
static int same_record(const struct snap *a, const struct process_vm_getinfo_vma *v,
		       const struct snap *b, const struct process_vm_getinfo_vma *w)
{
	struct process_vm_getinfo_vma x = *w;

	if (strcmp(snap_name(a, v), snap_name(b, w)))
		return 0;
	x.name_off = v->name_off;
	return !memcmp(v, &x, sizeof(x));
}

/*
 * /proc/PID/maps ends with the gate VMA on x86_64 with vsyscall emulation
 * (the test kernels have it, xonly): the snapshot ends with the same
 * record, a range holds it exactly when it intersects it. Without one in
 * maps (arm64, vsyscall=none) the snapshot has nothing above the last VMA
 * maps shows either.
 */
TEST(gate_vma_as_maps)
{
	struct snap whole = { 0 }, part = { 0 };
	const struct process_vm_getinfo_vma *g;
	struct smaps_vma *m, *last;
	uint64_t flags;
	char perms[5];
	int pidfd, n;

	if (!have_getinfo())
		SKIP(return, absent);
	m = calloc(4096, sizeof(*m));
	ASSERT_NE(NULL, m);
	pidfd = sys_pidfd_open(getpid());
	ASSERT_GE(pidfd, 0);
	/* Buffers first: later snapshots map nothing. */
	ASSERT_EQ(0, snap_take(&whole, pidfd, VMGI_LAYOUT, 0, UINT64_MAX));
	ASSERT_EQ(0, snap_take(&part, pidfd, VMGI_LAYOUT, 0, UINT64_MAX));
	n = read_smaps(getpid(), m, 4096);
	ASSERT_GT(n, 0);
	last = &m[n - 1];
	ASSERT_EQ(0, snap_take(&whole, pidfd, VMGI_LAYOUT, 0, UINT64_MAX));
	ASSERT_GT(whole.n, 1);
	g = &whole.vmas[whole.n - 1];

	/* The last record is maps' last VMA, the gate VMA or not. */
	EXPECT_EQ(last->start, g->start);
	EXPECT_EQ(last->end, g->end);
	EXPECT_STREQ(last->name, snap_name(&whole, g));

	if (strcmp(last->name, "[vsyscall]")) {
		TH_LOG("no [vsyscall] in maps: nothing above %lx", last->end);
		EXPECT_EQ(0, snap_take(&part, pidfd, VMGI_LAYOUT, last->end, UINT64_MAX));
		EXPECT_EQ(0, part.n);
		EXPECT_EQ(0, snap_take(&part, pidfd, VMGI_LAYOUT, GATE_START, UINT64_MAX));
		EXPECT_EQ(0, part.n);
		goto out;
	}

	/* The gate VMA, field by field, as maps and smaps show it. */
	EXPECT_EQ(GATE_START, g->start);
	EXPECT_EQ(GATE_START + psize, g->end);
	prot_string(g->prot, perms);
	EXPECT_STREQ(last->perms, perms);	/* "--xp" with vsyscall=xonly */
	ASSERT_EQ(0, parse_vmflags(last->flags, &flags));
	EXPECT_EQ(flags, g->vm_flags);
	EXPECT_EQ(0, g->offset);
	EXPECT_EQ(0, last->offset);
	EXPECT_EQ(0, g->dev_major | g->dev_minor);
	EXPECT_EQ(0, g->ino);
	EXPECT_EQ(0, g->name_id);
	EXPECT_EQ(strlen("[vsyscall]"), g->name_len);
	EXPECT_EQ(0, g->attrs);		/* no file, no anon_vma */
	EXPECT_EQ(last->kernel_page_kb * 1024, 1UL << g->page_shift);
	EXPECT_EQ(0, g->__reserved);

	/* From its start to the end: that one record. */
	ASSERT_EQ(0, snap_take(&part, pidfd, VMGI_LAYOUT, GATE_START, UINT64_MAX));
	ASSERT_EQ(1, part.n);
	EXPECT_TRUE(same_record(&part, &part.vmas[0], &whole, g));
	/* Its last byte only: the same. */
	ASSERT_EQ(0, snap_take(&part, pidfd, VMGI_LAYOUT, GATE_START + psize - 1,
			       GATE_START + psize));
	ASSERT_EQ(1, part.n);
	EXPECT_EQ(GATE_START, part.vmas[0].start);
	/* Its first byte as the end of the range: every record. */
	ASSERT_EQ(0, snap_take(&part, pidfd, VMGI_LAYOUT, 0, GATE_START + 1));
	EXPECT_EQ(whole.args.seq, part.args.seq);
	EXPECT_EQ(whole.n, part.n);
	/* Ending below it: every record but it. */
	ASSERT_EQ(0, snap_take(&part, pidfd, VMGI_LAYOUT, 0, GATE_START));
	EXPECT_EQ(whole.args.seq, part.args.seq);
	ASSERT_EQ(whole.n - 1, part.n);
	EXPECT_TRUE(same_record(&part, &part.vmas[part.n - 1], &whole, &whole.vmas[whole.n - 2]));
	EXPECT_LT(part.vmas[part.n - 1].end, GATE_START);
	ASSERT_EQ(0, snap_take(&part, pidfd, VMGI_LAYOUT, 0, 0x800000000000ULL));
	EXPECT_EQ(whole.n - 1, part.n);
	/* Nothing but the gate VMA in its own range (there is no other VMA up there). */
	ASSERT_EQ(0, snap_take(&part, pidfd, VMGI_LAYOUT, GATE_START + psize, UINT64_MAX));
	EXPECT_EQ(0, part.n);
out:
	snap_free(&whole);
	snap_free(&part);
	free(m);
	close(pidfd);
}

/* ---- Private /dev/zero: a file, but anonymous memory ---- */

/*
 * A private mapping of /dev/zero has a vm_file but is anonymous
 * (vma_is_anonymous()): no VMGI_VMA_FILE, while device, inode, offset and
 * name are what maps shows. A shared one is shmem: VMGI_VMA_FILE.
 */
TEST(dev_zero_private_is_anonymous)
{
	const struct smaps_vma *mp = NULL, *ms = NULL;
	const struct process_vm_getinfo_vma *vp = NULL, *vs = NULL;
	struct snap s = { 0 };
	struct smaps_vma *m;
	int fd, pidfd, n, i;
	char *priv, *shared;

	if (!have_getinfo())
		SKIP(return, absent);
	fd = open("/dev/zero", O_RDWR);
	if (fd < 0)
		SKIP(return, "no /dev/zero");
	m = calloc(4096, sizeof(*m));
	ASSERT_NE(NULL, m);
	pidfd = sys_pidfd_open(getpid());
	ASSERT_GE(pidfd, 0);
	priv = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4 * psize);
	ASSERT_NE(MAP_FAILED, priv);
	shared = mmap(NULL, 2 * psize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, shared);
	priv[0] = 1;	/* an anon_vma */
	shared[0] = 1;
	ASSERT_EQ(0, snap_take(&s, pidfd, VMGI_LAYOUT, 0, UINT64_MAX));
	n = read_smaps(getpid(), m, 4096);
	ASSERT_GT(n, 0);
	for (i = 0; i < n; i++) {
		if (m[i].start == (uintptr_t)priv)
			mp = &m[i];
		if (m[i].start == (uintptr_t)shared)
			ms = &m[i];
	}
	for (i = 0; i < (int)s.n; i++) {
		if (s.vmas[i].start == (uintptr_t)priv)
			vp = &s.vmas[i];
		if (s.vmas[i].start == (uintptr_t)shared)
			vs = &s.vmas[i];
	}
	ASSERT_NE(NULL, mp);
	ASSERT_NE(NULL, ms);
	ASSERT_NE(NULL, vp);
	ASSERT_NE(NULL, vs);

	/* Private: anonymous, with the file's fields as maps shows them. */
	EXPECT_EQ(0, vp->attrs & VMGI_VMA_FILE);
	EXPECT_EQ(VMGI_VMA_ANON_VMA, vp->attrs & VMGI_VMA_ANON_VMA);
	EXPECT_EQ((uint64_t)(uintptr_t)priv + 2 * psize, vp->end);
	EXPECT_NE(0, mp->ino);
	EXPECT_EQ(mp->ino, vp->ino);
	EXPECT_EQ(mp->major, vp->dev_major);
	EXPECT_EQ(mp->minor, vp->dev_minor);
	EXPECT_EQ(4 * psize, mp->offset);
	EXPECT_EQ(mp->offset, vp->offset);
	EXPECT_STREQ(mp->name, snap_name(&s, vp));
	EXPECT_STREQ("/dev/zero", snap_name(&s, vp));
	EXPECT_EQ(0, vp->name_id);

	/* Shared: shmem, a file. */
	EXPECT_EQ(VMGI_VMA_FILE, vs->attrs & VMGI_VMA_FILE);
	EXPECT_NE(0, ms->ino);
	EXPECT_EQ(ms->ino, vs->ino);
	EXPECT_EQ(ms->major, vs->dev_major);
	EXPECT_EQ(ms->minor, vs->dev_minor);
	EXPECT_STREQ(ms->name, snap_name(&s, vs));

	snap_free(&s);
	free(m);
	munmap(priv, 2 * psize);
	munmap(shared, 2 * psize);
	close(fd);
	close(pidfd);
}

/* ---- A layout that changes at every lock drop still gets a snapshot ---- */

/*
 * A chunked walk drops the target's lock to fault in a page of the record
 * buffer that is not present; if the layout changed meanwhile it starts
 * again. After two such walks the next one faults in the buffer first and
 * holds the lock from the first VMA to the last, so churn alone cannot make
 * the call fail. Made deterministic: the record buffer is under
 * userfaultfd with 16 pages missing, far enough apart that a chunked walk
 * meets only one, and the handler changes the layout (an mprotect()) before
 * it fills each one.
 */
#define CHURN_MISSING		16
#define CHURN_SPACING		400	/* records between missing pages (a chunk is 256) */

struct fault_handler {
	int uffd;
	int stop;	/* __atomic */
	int faults;	/* __atomic */
	char *toggle;	/* 3 pages; the middle one's protection changes */
	char *zero;	/* a page of zeroes, to fill missing pages with */
};

static void *handle_faults(void *arg)
{
	struct fault_handler *h = arg;

	while (!__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd = { .fd = h->uffd, .events = POLLIN };
		struct uffdio_copy copy = { .len = psize, .src = (uintptr_t)h->zero };
		struct uffd_msg msg;
		int f;

		if (poll(&pfd, 1, 50) != 1 ||
		    read(h->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		f = __atomic_fetch_add(&h->faults, 1, __ATOMIC_ACQ_REL);
		/* The walker waits with no lock held: change the layout. */
		mprotect(h->toggle + psize, psize, f % 2 ? PROT_NONE : PROT_READ);
		copy.dst = msg.arg.pagefault.address & -psize;
		ioctl(h->uffd, UFFDIO_COPY, &copy);
	}
	return NULL;
}

TEST_F_TIMEOUT(slow, completes_while_the_layout_keeps_changing, 300)
{
	long spacing = CHURN_SPACING, per_page = psize / sizeof(struct process_vm_getinfo_vma);
	struct fault_handler h = { .uffd = -1 };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct process_vm_getinfo_args a;
	size_t nvmas, cap, bytes, i;
	char *many, *buf, *copy;
	pthread_t t;
	int pidfd;
	long ret;

	if (!have_getinfo())
		SKIP(return, absent);
	/* A missing page per walk, out of reach of the fault-in before it. */
	if (spacing < 2 * per_page)
		spacing = 2 * per_page;
	nvmas = CHURN_MISSING * spacing + 256;
	cap = nvmas + 1024;
	bytes = (cap * sizeof(struct process_vm_getinfo_vma) + psize - 1) & -psize;
	h.uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (h.uffd < 0)
		SKIP(return, "no userfaultfd (errno %d)", errno);
	ASSERT_EQ(0, ioctl(h.uffd, UFFDIO_API, &api));
	pidfd = sys_pidfd_open(getpid());
	ASSERT_GE(pidfd, 0);
	/* nvmas one-page VMAs: every other page read-only. */
	many = mmap(NULL, nvmas * psize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, many);
	for (i = 1; i < nvmas; i += 2)
		ASSERT_EQ(0, mprotect(many + i * psize, psize, PROT_READ));
	h.toggle = mmap(NULL, 3 * psize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, h.toggle);
	h.zero = mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, h.zero);
	buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0, bytes);
	/* Mapped now: a mapping made between the two calls below would change the layout. */
	copy = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, copy);
	memset(copy, 0, bytes);
	for (i = 0; i < CHURN_MISSING; i++) {
		size_t page = i * spacing * sizeof(struct process_vm_getinfo_vma) / psize;

		ASSERT_EQ(0, madvise(buf + page * psize, psize, MADV_DONTNEED));
	}
	reg.range.start = (uintptr_t)buf;
	reg.range.len = bytes;
	ASSERT_EQ(0, ioctl(h.uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, pthread_create(&t, NULL, handle_faults, &h));

	a = (struct process_vm_getinfo_args){
		.mask = VMGI_RANGE, .end = UINT64_MAX, .vmas = (uintptr_t)buf,
		.vma_size = sizeof(struct process_vm_getinfo_vma), .vma_count = cap,
	};
	ret = sys_getinfo(pidfd, &a, sizeof(a), 0);
	/* Two chunked walks met one missing page each; the third faulted in the rest. */
	EXPECT_EQ(CHURN_MISSING, __atomic_load_n(&h.faults, __ATOMIC_ACQUIRE));
	EXPECT_LT(nvmas, ret);
	/*
	 * The snapshot is whole and of one moment: nothing changes the layout
	 * now, and a second call gives the same token and the same records.
	 */
	if (ret > 0) {
		size_t len = ret * sizeof(struct process_vm_getinfo_vma);
		uint64_t seq = a.seq;
		long again;

		memcpy(copy, buf, len);
		a.vma_count = cap;
		again = sys_getinfo(pidfd, &a, sizeof(a), 0);
		EXPECT_EQ(ret, again);
		EXPECT_EQ(seq, a.seq);
		EXPECT_EQ(0, memcmp(copy, buf, len));
		for (i = 1; i < (size_t)ret; i++) {
			const struct process_vm_getinfo_vma *v = (void *)buf;

			EXPECT_LE(v[i - 1].end, v[i].start);
		}
	}

	__atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	close(h.uffd);
	munmap(copy, bytes);
	munmap(buf, bytes);
	munmap(h.zero, psize);
	munmap(h.toggle, 3 * psize);
	munmap(many, nvmas * psize);
	close(pidfd);
}

/*
 * A mending walk (the third, after two chunked walks the layout changed
 * under) gives the lock up between holds and, when the layout changed
 * meanwhile, reads again only the part that changed: the snapshot must
 * still be of one moment. Made deterministic as above, with the strings
 * buffer under userfaultfd: every hold writes at most a chunk of strings
 * (16 KiB) and copies them out with the lock dropped, and MEND_MISSING
 * pages of the buffer, 32 KiB apart, are missing. The handler changes the
 * protection of a page below the named VMAs (so behind the walk) before it
 * fills each: the first two end the chunked walks, the others come while
 * the mending walk holds no lock, and each makes its next hold mend.
 */
#define MEND_NAMED	2048
#define MEND_MISSING	4
#define MEND_SPACING	(32 * 1024)

/* One record as a second snapshot must give it again: names by their text. */
static int same_mended(const struct process_vm_getinfo_vma *a, const char *sa,
		       const struct process_vm_getinfo_vma *b, const char *sb)
{
	struct process_vm_getinfo_vma x = *a, y = *b;

	x.name_off = 0;
	y.name_off = 0;
	return !memcmp(&x, &y, sizeof(x)) &&
	       !strcmp(a->name_off == VMGI_NO_NAME ? "" : sa + a->name_off,
		       b->name_off == VMGI_NO_NAME ? "" : sb + b->name_off);
}

TEST_F_TIMEOUT(slow, mends_what_changed_behind_it, 300)
{
	size_t cap = MEND_NAMED + 1024, rbytes, sbytes, i, named_seen = 0;
	struct fault_handler h = { .uffd = -1 };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct process_vm_getinfo_args a, b;
	struct process_vm_getinfo_vma *recs, *recs2;
	char *region, *strs, *strs2;
	pthread_t t;
	int pidfd;
	long ret, again;

	if (!have_getinfo())
		SKIP(return, absent);
	rbytes = (cap * sizeof(*recs) + psize - 1) & -psize;
	sbytes = (MEND_MISSING * MEND_SPACING + 256 * 1024 + psize - 1) & -psize;
	h.uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (h.uffd < 0)
		SKIP(return, "no userfaultfd (errno %d)", errno);
	ASSERT_EQ(0, ioctl(h.uffd, UFFDIO_API, &api));
	pidfd = sys_pidfd_open(getpid());
	ASSERT_GE(pidfd, 0);
	/*
	 * The toggle's 3 pages and a page of PROT_NONE, then the named pages:
	 * the toggle is below them all, so every change it makes is behind
	 * the walk once the walk is among the named pages.
	 */
	region = mmap(NULL, (4 + MEND_NAMED) * psize, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, region);
	h.toggle = region;
	ASSERT_EQ(0, mprotect(region + 4 * psize, MEND_NAMED * psize, PROT_READ));
	for (i = 0; i < MEND_NAMED; i++) {
		char name[80];

		snprintf(name, sizeof(name),
			 "mend-%04zu-a-name-long-enough-that-the-strings-fill-chunks", i);
		ASSERT_EQ(0, name_range(region + (4 + i) * psize, psize, name));
	}
	h.zero = mmap(NULL, psize, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, h.zero);
	/* All mapped now: nothing maps between the two calls below. */
	recs = mmap(NULL, rbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	recs2 = mmap(NULL, rbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strs = mmap(NULL, sbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	strs2 = mmap(NULL, sbytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, recs);
	ASSERT_NE(MAP_FAILED, recs2);
	ASSERT_NE(MAP_FAILED, strs);
	ASSERT_NE(MAP_FAILED, strs2);
	memset(recs, 0, rbytes);
	memset(recs2, 0, rbytes);
	memset(strs, 0, sbytes);
	memset(strs2, 0, sbytes);
	for (i = 0; i < MEND_MISSING; i++)
		ASSERT_EQ(0, madvise(strs + i * MEND_SPACING, psize, MADV_DONTNEED));
	reg.range.start = (uintptr_t)strs;
	reg.range.len = sbytes;
	ASSERT_EQ(0, ioctl(h.uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, pthread_create(&t, NULL, handle_faults, &h));

	a = (struct process_vm_getinfo_args){
		.mask = VMGI_RANGE | VMGI_PROT | VMGI_NAME, .end = UINT64_MAX,
		.vmas = (uintptr_t)recs, .vma_size = sizeof(*recs), .vma_count = cap,
		.strings = (uintptr_t)strs, .strings_size = sbytes,
	};
	ret = sys_getinfo(pidfd, &a, sizeof(a), 0);
	/* Every missing page was met once: the strings cross them all. */
	EXPECT_EQ(MEND_MISSING, __atomic_load_n(&h.faults, __ATOMIC_ACQUIRE));
	EXPECT_LT(MEND_NAMED, ret);
	__atomic_store_n(&h.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);

	/* Nothing changes the layout now: a second call sees the same moment. */
	b = a;
	b.vmas = (uintptr_t)recs2;
	b.vma_count = cap;
	b.strings = (uintptr_t)strs2;
	b.strings_size = sbytes;
	again = sys_getinfo(pidfd, &b, sizeof(b), 0);
	EXPECT_EQ(ret, again);
	EXPECT_EQ(a.mm_id, b.mm_id);
	EXPECT_EQ(a.seq, b.seq);
	for (i = 0; ret > 0 && i < (size_t)ret; i++) {
		const char *n = recs[i].name_off == VMGI_NO_NAME ? "" : strs + recs[i].name_off;

		if (!same_mended(&recs[i], strs, &recs2[i], strs2)) {
			TH_LOG("record %zu (%llx-%llx %s) differs", i,
			       (unsigned long long)recs[i].start,
			       (unsigned long long)recs[i].end, n);
			EXPECT_TRUE(0);
			break;
		}
		if (i)
			EXPECT_LE(recs[i - 1].end, recs[i].start);
		named_seen += !strncmp(n, "[anon:mend-", 11);
	}
	EXPECT_EQ(MEND_NAMED, named_seen);

	close(h.uffd);
	munmap(strs2, sbytes);
	munmap(strs, sbytes);
	munmap(recs2, rbytes);
	munmap(recs, rbytes);
	munmap(h.zero, psize);
	munmap(region, (4 + MEND_NAMED) * psize);
	close(pidfd);
}

/* ---- Compat tasks: the call is 64-bit only ---- */

/*
 * An i386 task (or a 64-bit one through int $0x80) reaches the compat
 * table, which does not have the call: ENOSYS for its number, where the
 * native call with the same arguments answers (EFAULT for no argument block).
 */
TEST(compat_task_has_no_call)
{
#ifndef __x86_64__
	SKIP(return, "the i386 ABI is x86_64's");
#else
	long nr = __NR_process_vm_getinfo;
	int pidfd;

	if (!have_getinfo())
		SKIP(return, absent);
	if (!have_int80())
		SKIP(return, "int $0x80 does not work here (no IA32 emulation)");
	pidfd = sys_pidfd_open(getpid());
	ASSERT_GE(pidfd, 0);
	ASSERT_GT(nr, 0);
	EXPECT_EQ(-EFAULT, sys_getinfo(pidfd, NULL, sizeof(struct process_vm_getinfo_args), 0));
	EXPECT_EQ(-ENOSYS, (int)int80_syscall(nr, pidfd, 0,
					      sizeof(struct process_vm_getinfo_args), 0));
	close(pidfd);
#endif
}

/* ---- Memory counters ---- */

/* Whether transparent huge pages can back an anonymous mapping that asks. */
static int thp_possible(void)
{
	char buf[128] = "";
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY);

	if (fd < 0)
		return 0;
	read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return !strstr(buf, "[never]");
}

#define CNT_PAGES	64
#define THP_SIZE	(2UL << 20)

/* Where the counters child put each kind of memory (a MAP_SHARED page). */
struct cnt_addrs {
	uintptr_t anon, cow, priv, locked, lazy, thp;
};

/*
 * A child with pages of every kind smaps counts: private anonymous memory,
 * half of it paged out to swap; copy-on-write pages shared with a
 * grandchild, half of them written by it since; a shared file mapping,
 * written; a private one, read whole with copies of a quarter of its
 * pages; shared anonymous memory and a memfd, written; an mlock()ed range;
 * pages given MADV_FREE; and, where the kernel has them, a transparent huge
 * page. The last three are not inherited by the grandchild, so that none of
 * their pages is shared. The child writes a byte to ready, as does the
 * grandchild, then waits for wait_fd to close (and for the grandchild).
 */
static void counters_layout(struct cnt_addrs *ad, int swap, int ready, int wait_fd)
{
	size_t len = CNT_PAGES * psize;
	int fd = open(DATA_FILE, O_RDWR | O_CREAT, 0600), memfd = memfd_create("cnt", 0);
	char *anon, *cow, *shared, *priv, *shm, *mfd, *locked, *lazy, *thp;
	pid_t gc;
	char c = 0;

	if (fd < 0 || ftruncate(fd, len) || memfd < 0 || ftruncate(memfd, len))
		_exit(2);
	anon = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cow = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	shm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mfd = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	locked = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	lazy = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	thp = mmap(NULL, 2 * THP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
	if (anon == MAP_FAILED || cow == MAP_FAILED || shared == MAP_FAILED ||
	    priv == MAP_FAILED || shm == MAP_FAILED || mfd == MAP_FAILED ||
	    locked == MAP_FAILED || lazy == MAP_FAILED || thp == MAP_FAILED)
		_exit(2);
	/* Names keep the anonymous ranges from merging into one VMA. */
	if (name_range(anon, len, "cnt-anon") || name_range(cow, len, "cnt-cow") ||
	    name_range(locked, len, "cnt-locked") || name_range(lazy, len, "cnt-lazy") ||
	    name_range(thp, 2 * THP_SIZE, "cnt-thp"))
		_exit(2);
	memset(anon, 1, len);
	memset(cow, 2, len);
	memset(shared, 3, len);
	for (size_t o = 0; o < len; o += psize)
		c += priv[o];			/* page cache, mapped */
	memset(priv, 4, len / 4);		/* and copies of a quarter */
	memset(shm, 5, len);
	memset(mfd, 6, len);
	memset(locked, 7, len);
	if (madvise(locked, len, MADV_DONTFORK) || mlock(locked, len))
		_exit(3);
	memset(lazy, 8, len);
	if (madvise(lazy, len, MADV_DONTFORK) || madvise(lazy, len, MADV_FREE))
		_exit(3);
	/* A THP-aligned huge page's worth, asked to be huge. */
	thp = (char *)(((uintptr_t)thp + THP_SIZE - 1) & ~(THP_SIZE - 1));
	madvise(thp, THP_SIZE, MADV_HUGEPAGE);
	madvise(thp, THP_SIZE, MADV_DONTFORK);
	memset(thp, 9, THP_SIZE);
	if (swap && madvise(anon, len / 2, MADV_PAGEOUT))
		_exit(4);
	*ad = (struct cnt_addrs){ (uintptr_t)anon, (uintptr_t)cow, (uintptr_t)priv,
				  (uintptr_t)locked, (uintptr_t)lazy, (uintptr_t)thp };
	gc = fork();
	if (gc == 0) {
		memset(cow, 10, len / 2);	/* its own copies of half */
		if (write(ready, &c, 1) != 1)
			_exit(2);
		read(wait_fd, &c, 1);
		_exit(0);
	}
	if (gc < 0 || write(ready, &c, 1) != 1)
		_exit(2);
	read(wait_fd, &c, 1);
	waitpid(gc, NULL, 0);
	_exit(0);
}

/* The counters of the record that starts at addr, or NULL. */
static const struct process_vm_getinfo_counters *counters_at(const struct snap *s,
							     uintptr_t addr)
{
	for (unsigned int i = 0; i < s->n; i++)
		if (s->vmas[i].start == addr)
			return &s->vmas[i].counters;
	return NULL;
}

static int read_smaps_rollup(pid_t pid, struct smaps_vma *r)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	memset(r, 0, sizeof(*r));
	while (fgets(line, sizeof(line), f))
		parse_counter(line, r);
	fclose(f);
	return r->have ? 0 : -1;
}

/* Whether two reads of smaps (and of smaps_rollup) gave the same counters. */
static int same_smaps(const struct smaps_vma *a, const struct smaps_vma *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].start != b[i].start || memcmp(a[i].kb, b[i].kb, sizeof(a[i].kb)))
			return 0;
	return 1;
}

/*
 * With the target stopped: every counter of every record is what smaps
 * prints for the VMA, and the rollup (with and without records) is what
 * smaps_rollup prints; and each kind of page was there to be counted.
 *
 * Stopping the target is not all: its pages shared with this process (the
 * program's data, copy-on-write since the fork) change their PSS when this
 * process faults in or writes one for the first time, as it may while it
 * reads. So smaps is read before and after the snapshot, and they are
 * compared only when the two reads agree. Those first touches are finite
 * (after one round this process has run all the code and touched all the
 * data of a round), so the reads agree by the second round at the latest;
 * a third is allowed, and then the test fails.
 */
/* A fixture only for the time limit: the test makes its own child. */
FIXTURE(counters) {
	int unused;
};

FIXTURE_SETUP(counters) {}

FIXTURE_TEARDOWN(counters) {}

TEST_F_TIMEOUT(counters, match_smaps, 300)
{
	struct process_vm_getinfo_args ra = { .start = 0, .end = UINT64_MAX };
	struct smaps_vma *m = calloc(2 * MAX_VMAS, sizeof(*m)), *m2 = m + MAX_VMAS;
	struct smaps_vma roll, roll2;
	struct cnt_addrs *ad = mmap(NULL, psize, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const struct process_vm_getinfo_counters *c;
	int ready[2], hold[2], swap, n = 0, n2, k, pidfd, round;
	uint64_t sum[NR_COUNTERS] = { 0 };
	struct snap s = { 0 };
	unsigned int i;
	pid_t pid;
	char b;

	if (!have_getinfo())
		SKIP(return, absent);
	ASSERT_NE(NULL, m);
	ASSERT_NE(MAP_FAILED, ad);
	swap = ensure_swap() == 0;
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(hold));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(ready[0]);
		close(hold[1]);
		counters_layout(ad, swap, ready[1], hold[0]);
	}
	close(ready[1]);
	close(hold[0]);
	/* One byte from the grandchild, one from the child. */
	for (k = 0; k < 2; k++)
		ASSERT_EQ(1, read(ready[0], &b, 1));
	pidfd = sys_pidfd_open(pid);
	ASSERT_LE(0, pidfd);
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, NULL, WSTOPPED));

	for (round = 0; round < 3; round++) {
		n = read_smaps(pid, m, MAX_VMAS);
		ASSERT_EQ(0, read_smaps_rollup(pid, &roll));
		ASSERT_EQ(0, snap_take(&s, pidfd, VMGI_ALL, 0, UINT64_MAX));
		memset(&ra, 0, sizeof(ra));
		ra.end = UINT64_MAX;
		ASSERT_EQ(s.n, sys_getinfo(pidfd, &ra, sizeof(ra), PROCESS_VM_GETINFO_ROLLUP));
		n2 = read_smaps(pid, m2, MAX_VMAS);
		ASSERT_EQ(0, read_smaps_rollup(pid, &roll2));
		if (n == n2 && same_smaps(m, m2, n) && !memcmp(roll.kb, roll2.kb, sizeof(roll.kb)))
			break;
		TH_LOG("round %d: smaps changed while it was read; again", round);
	}
	ASSERT_LT(round, 3);
	if (!(s.args.mask & VMGI_COUNTERS)) {
		kill(pid, SIGKILL);
		SKIP(return, "no counters: a kernel without CONFIG_PROC_PAGE_MONITOR");
	}
	EXPECT_EQ(0, compare_with_smaps(_metadata, &s, m, n));
	for (i = 0; i < s.n; i++)
		for (k = 0; k < NR_COUNTERS; k++)
			sum[k] += counter(&s.vmas[i].counters, k);
	/* The rollup sums what the records say (the PSS fields, before rounding). */
	EXPECT_EQ(sum[0], s.args.rollup.rss);
	EXPECT_EQ(sum[19], s.args.rollup.swap);
	EXPECT_EQ(0, compare_counters(_metadata, "rollup with records", &s.args.rollup, &roll));
	/* The rollup alone, as smaps_rollup. */
	EXPECT_EQ(VMGI_RANGE | VMGI_COUNTERS, ra.mask);
	EXPECT_EQ(s.n, ra.vma_count);
	EXPECT_EQ(0, compare_counters(_metadata, "rollup alone", &ra.rollup, &roll));

	/* Each kind was there to count. */
	c = counters_at(&s, ad->priv);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(CNT_PAGES * psize, c->rss);		/* the file's pages, all mapped */
	EXPECT_EQ(CNT_PAGES / 4 * psize, c->anonymous);	/* of which copies */
	c = counters_at(&s, ad->cow);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(CNT_PAGES / 2 * psize, c->shared_dirty);	/* still the grandchild's too */
	EXPECT_EQ(CNT_PAGES / 2 * psize, c->private_dirty);	/* its copies are its own */
	EXPECT_EQ(CNT_PAGES * 3 / 4 * psize, c->pss);
	c = counters_at(&s, ad->locked);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(CNT_PAGES * psize, c->locked);
	c = counters_at(&s, ad->lazy);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(CNT_PAGES * psize, c->lazyfree);
	/* Shared anonymous memory and the memfd (and the files, on tmpfs here). */
	EXPECT_LE(2 * CNT_PAGES * psize, ra.rollup.pss_shmem + ra.rollup.pss_file);
	c = counters_at(&s, ad->anon);
	ASSERT_NE(NULL, c);
	if (swap) {
		/* MADV_PAGEOUT may leave a page that was in a per-CPU batch. */
		EXPECT_LT(0, c->swap);
		EXPECT_GE(CNT_PAGES / 2 * psize, c->swap);
	} else {
		TH_LOG("no swap on zram: swapped-out pages not tried");
	}
	/* The THP range may be one VMA with what is left of the reservation. */
	c = NULL;
	for (i = 0; i < s.n; i++)
		if (s.vmas[i].start <= ad->thp && ad->thp < s.vmas[i].end)
			c = &s.vmas[i].counters;
	ASSERT_NE(NULL, c);
	EXPECT_TRUE(c->anon_huge == 0 || c->anon_huge == THP_SIZE);
	TH_LOG("swap %llu bytes; AnonHugePages %llu bytes%s",
	       (unsigned long long)counters_at(&s, ad->anon)->swap,
	       (unsigned long long)c->anon_huge,
	       thp_possible() ? "" : " (no THP in this kernel)");
	kill(pid, SIGCONT);
	close(hold[1]);
	waitpid(pid, NULL, 0);
	close(pidfd);
	close(ready[0]);
	snap_free(&s);
	munmap(ad, psize);
	free(m);
}

/*
 * The versions of the ABI: a caller built against the first header gets
 * what it got before, and nothing is written past its structs.
 */
TEST(counters_and_older_callers)
{
	struct {
		struct process_vm_getinfo_args a;
		unsigned char canary[256];
	} blk;
	static struct process_vm_getinfo_vma recs[64];
	static unsigned char small[64][VMGI_VMA_SIZE_VER0];
	unsigned int i;
	long n;

	if (!have_getinfo())
		SKIP(return, absent);
	/* First-version block and records: no counters asked can be returned. */
	memset(&blk, 0xee, sizeof(blk));
	memset(&blk.a, 0, PROCESS_VM_GETINFO_ARGS_SIZE_VER0);
	blk.a.mask = VMGI_ALL;
	blk.a.end = UINT64_MAX;
	blk.a.vmas = (uintptr_t)small;
	blk.a.vma_size = VMGI_VMA_SIZE_VER0;
	blk.a.vma_count = 64;
	{
		int self = sys_pidfd_open(getpid());

		ASSERT_LE(0, self);
		blk.a.mask = VMGI_ALL & ~VMGI_NAME;
		n = sys_getinfo(self, &blk.a, PROCESS_VM_GETINFO_ARGS_SIZE_VER0, 0);
		ASSERT_LT(0, n);
		EXPECT_EQ(VMGI_ALL & ~VMGI_NAME & ~VMGI_COUNTERS, blk.a.mask);
		for (i = PROCESS_VM_GETINFO_ARGS_SIZE_VER0; i < sizeof(blk.a); i++)
			ASSERT_EQ(0xee, ((unsigned char *)&blk)[i]);

		/* A first-version block, new records: the records get counters. */
		memset(&blk, 0xee, sizeof(blk));
		memset(&blk.a, 0, PROCESS_VM_GETINFO_ARGS_SIZE_VER0);
		blk.a.mask = VMGI_RANGE | VMGI_COUNTERS;
		blk.a.end = UINT64_MAX;
		blk.a.vmas = (uintptr_t)recs;
		blk.a.vma_size = sizeof(recs[0]);
		blk.a.vma_count = 64;
		n = sys_getinfo(self, &blk.a, PROCESS_VM_GETINFO_ARGS_SIZE_VER0, 0);
		ASSERT_LT(0, n);
		EXPECT_EQ(VMGI_RANGE | VMGI_COUNTERS, blk.a.mask);
		for (i = PROCESS_VM_GETINFO_ARGS_SIZE_VER0; i < sizeof(blk.a); i++)
			ASSERT_EQ(0xee, ((unsigned char *)&blk)[i]);
		{
			uint64_t rss = 0;

			for (i = 0; i < n; i++)
				rss += recs[i].counters.rss;
			EXPECT_LT(0, rss);	/* this program's own pages */
		}

		/* The rollup alone needs the block that has it. */
		memset(&blk.a, 0, sizeof(blk.a));
		blk.a.end = UINT64_MAX;
		EXPECT_EQ(-EINVAL, sys_getinfo(self, &blk.a, PROCESS_VM_GETINFO_ARGS_SIZE_VER0,
					       PROCESS_VM_GETINFO_ROLLUP));
		n = sys_getinfo(self, &blk.a, sizeof(blk.a), PROCESS_VM_GETINFO_ROLLUP);
		EXPECT_LT(0, n);
		EXPECT_EQ(n, blk.a.vma_count);
		EXPECT_LT(0, blk.a.rollup.rss);
		EXPECT_LE(blk.a.rollup.pss, blk.a.rollup.rss);
		EXPECT_EQ(0, blk.a.strings_size);
		close(self);
	}
}

TEST_HARNESS_MAIN
