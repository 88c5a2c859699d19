// SPDX-License-Identifier: GPL-2.0
/*
 * A differential net for the paths the series adds into mm.
 *
 *   madvise_differential transcript [-s SEED] [-n CASES]
 *	Random layouts of every kind of VMA (private and shared anonymous,
 *	memfd, private and shared file, private /dev/zero, sealed, mlocked,
 *	locked on fault, hugetlb, THP, userfaultfd-registered for missing
 *	pages and for write-protection, PROT_NONE, gaps), one call on a random
 *	range of each: every advice 6.12 accepts (and a few it does not)
 *	through madvise(), process_madvise() and io_uring's IORING_OP_MADVISE,
 *	and prctl(PR_SET_VMA_ANON_NAME); then the vDSO and vvar. Prints one
 *	line per case: the call, its result and errno, and what it left:
 *	each VMA's bounds, protection, name, VmFlags and smaps counters, and
 *	each page's residency (pagemap) and first byte. Run with the same
 *	seed on stock 6.12 and on the series, the transcripts must be
 *	identical (scripts/check-differential compares them); run twice on
 *	one kernel, they are, which shows the net is not luck.
 *
 *   madvise_differential [filters] [-s SEED] [-n CASES]
 *	On the series (skipped without the filter bits): a call with
 *	MADV_ANONYMOUS_FILTER or MADV_FILE_FILTER, through madvise(),
 *	process_madvise() or process_vm_madvise(), must leave exactly what the
 *	unfiltered call leaves when made on each VMA of the filter's class
 *	alone, in address order, stopping at the first error, and return
 *	that error (or success); the VMAs of the other class stay as they
 *	were. The documented exceptions are applied: MADV_COLD and
 *	MADV_PAGEOUT skip locked, PFN-mapped and hugetlb VMAs, and a filter
 *	on MADV_POPULATE_*, MADV_COLLAPSE is EINVAL. Prints each mismatch and
 *	a TAP line; exits 1 on any.
 *
 * Every case runs in a child of its own, from a fresh layout, so that no
 * case sees another's leftovers. Runs as root (swap on zram, hugetlb pages,
 * khugepaged held still); the kernel's background work that could change a
 * layout between the call and the reading (khugepaged, KSM) is stopped
 * first.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "process_vm_madvise.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		1
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB		(21 << 26)
#endif
#ifndef __NR_mseal
#define __NR_mseal		462
#endif
#ifndef UFFDIO_REGISTER_MODE_WP
#define UFFDIO_REGISTER_MODE_WP	((__u64)1 << 1)
#endif

#define HUGE		(2UL << 20)
#define AREA		(16 * HUGE)	/* the layout's room */
#define MAXSEG		6
#define OUT_MAX		65536

static long pg;
static char *area;		/* 2 MiB aligned, AREA bytes, reserved */
static int self_pidfd = -1;
static char *scratch;		/* a page outside area, for draining */
static int have_hugetlb, have_vm_madv;

/* --- Random numbers: splitmix64 from the seed, the same on every kernel. --- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(unsigned int n)
{
	return rnd() % n;
}

/* --- The output of one case, built in a buffer and printed at once. --- */

static char out[OUT_MAX];
static size_t out_len;

static void emit(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (out_len >= sizeof(out))
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + out_len, sizeof(out) - out_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_len += n;
}

/* --- VMA kinds. --- */

enum kind {
	K_ANON, K_SHARED_ANON, K_MEMFD, K_FILE_PRIVATE, K_FILE_SHARED,
	K_ZERO_PRIVATE, K_SEALED, K_MLOCKED, K_LOCK_ONFAULT, K_HUGETLB,
	K_THP, K_UFFD_MISSING, K_UFFD_WP, K_PROT_NONE, NR_KINDS,
	K_RESERVED = NR_KINDS	/* the PROT_NONE room left between segments */
};

static const char *const kind_name[NR_KINDS + 1] = {
	"anon", "shared-anon", "memfd", "file-private", "file-shared",
	"zero-private", "sealed", "mlocked", "lock-onfault", "hugetlb",
	"thp", "uffd-missing", "uffd-wp", "prot-none", "reserved",
};

struct seg {
	enum kind kind;
	unsigned long off, len;	/* bytes from area */
	int fd;			/* backing file, or -1 */
	/* The class MADV_ANONYMOUS_FILTER selects: vma_is_anonymous(), not hugetlb */
	int anon;
};

struct layout {
	int n;
	struct seg seg[2 * MAXSEG];
	unsigned long end;	/* bytes used from area */
	int uffd;
};

static int make_file(const char *name, unsigned long len, int memfd)
{
	char path[64];
	int fd;

	if (memfd) {
		fd = memfd_create(name, MFD_CLOEXEC);
	} else {
		snprintf(path, sizeof(path), "/tmp/madvise-differential-%s", name);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		unlink(path);
	}
	if (fd < 0 || ftruncate(fd, len))
		return -1;
	/* Every page of the file starts with its own byte. */
	for (unsigned long o = 0; o < len; o += pg) {
		char c = 'a' + (o / pg) % 26;

		if (pwrite(fd, &c, 1, o) != 1)
			return -1;
	}
	return fd;
}

/* Touches (writes the tag of) the pages of a segment that chance picks. */
static void touch(char *p, unsigned long len, unsigned int tag)
{
	for (unsigned long o = 0; o < len; o += pg)
		if (below(4))
			p[o] = 'A' + (tag + o / pg) % 26;
}

static int uffd_open(void)
{
	/* A fault no one handles is SIGBUS (EFAULT for GUP), never a wait. */
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_SIGBUS };
	int fd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Maps one segment of @kind at area + @off; returns its length, 0 if the
 * kernel cannot give this kind (the layout then goes without it).
 */
static unsigned long map_seg(struct layout *l, struct seg *s, enum kind kind,
			     unsigned long off)
{
	unsigned long len = (1 + below(4)) * pg;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_FIXED, fd = -1;
	off_t foff = 0;
	char *p;

	if (kind == K_HUGETLB || kind == K_THP) {
		unsigned long al = (off + HUGE - 1) & ~(HUGE - 1);

		off = al;
		len = HUGE;
	}
	if (off + len > AREA - 4 * pg)
		return 0;
	s->kind = kind;
	s->off = off;
	s->fd = -1;
	s->anon = 1;
	switch (kind) {
	case K_SHARED_ANON:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		s->anon = 0;
		break;
	case K_MEMFD:
	case K_FILE_PRIVATE:
	case K_FILE_SHARED:
		fd = make_file(kind_name[kind], len + 2 * pg, kind == K_MEMFD);
		if (fd < 0)
			return 0;
		foff = below(2) * pg;
		flags |= kind == K_FILE_PRIVATE ? MAP_PRIVATE : MAP_SHARED;
		s->anon = 0;
		break;
	case K_ZERO_PRIVATE:
		fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return 0;
		flags |= MAP_PRIVATE;
		break;
	case K_HUGETLB:
		if (!have_hugetlb)
			return 0;
		s->anon = 0;
		flags |= MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB;
		break;
	case K_PROT_NONE:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	default:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
	}
	p = mmap(area + off, len, prot, flags, fd, foff);
	if (p == MAP_FAILED) {
		if (fd >= 0)
			close(fd);
		/* Put the reservation back. */
		mmap(area + off, len, PROT_NONE,
		     MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		return 0;
	}
	s->len = len;
	if (kind == K_ZERO_PRIVATE)
		close(fd);
	else
		s->fd = fd;
	if (kind == K_THP)
		madvise(p, len, MADV_HUGEPAGE);
	if (kind == K_HUGETLB || kind == K_THP)
		p[0] = 'H';
	else
		touch(p, len, off / pg);
	switch (kind) {
	case K_SEALED:
		mprotect(p, len, PROT_READ);
		if (syscall(__NR_mseal, p, len, 0))
			return 0;
		break;
	case K_MLOCKED:
		mlock(p, len);
		break;
	case K_LOCK_ONFAULT:
		syscall(__NR_mlock2, p, len, MLOCK_ONFAULT);
		break;
	case K_PROT_NONE:
		mprotect(p, len, PROT_NONE);
		break;
	case K_UFFD_MISSING:
	case K_UFFD_WP: {
		struct uffdio_register reg = {
			.range = { (unsigned long)p, len },
			.mode = kind == K_UFFD_WP ? UFFDIO_REGISTER_MODE_WP :
						    UFFDIO_REGISTER_MODE_MISSING,
		};

		if (l->uffd < 0)
			l->uffd = uffd_open();
		if (l->uffd < 0 || ioctl(l->uffd, UFFDIO_REGISTER, &reg))
			return 0;
		if (kind == K_UFFD_WP) {
			struct uffdio_writeprotect wp = {
				.range = { (unsigned long)p, pg },
				.mode = UFFDIO_WRITEPROTECT_MODE_WP,
			};

			ioctl(l->uffd, UFFDIO_WRITEPROTECT, &wp);
		}
		break;
	}
	default:
		break;
	}
	return len;
}

/*
 * Maps a random layout from area on; every random choice comes from rng, so
 * the same seed gives the same layout on every kernel that can map it.
 */
static void make_layout(struct layout *l)
{
	unsigned long off = 0;
	int want = 1 + below(MAXSEG), tries = 0;

	l->n = 0;
	l->uffd = -1;
	while (l->n < want) {
		struct seg *s = &l->seg[l->n];
		unsigned long len;

		/* A gap (nothing mapped) of a page now and then. */
		if (below(4) == 0) {
			munmap(area + off, pg);
			off += pg;
		}
		len = map_seg(l, s, below(NR_KINDS), off);
		if (!len) {
			if (++tries > 64)
				break;
			continue;
		}
		/* The room skipped for alignment stays reserved: a VMA too. */
		if (s->off > off) {
			struct seg main = *s;

			*s = (struct seg){ .kind = K_RESERVED, .off = off,
					   .len = main.off - off, .fd = -1, .anon = 1 };
			l->seg[++l->n] = main;
			s = &l->seg[l->n];
		}
		off = s->off + len;
		l->n++;
	}
	/* Past the end, a gap of two pages, then the reservation. */
	munmap(area + off, 2 * pg);
	l->end = off;
}

/* --- What a layout holds now. --- */

/* The smaps fields of a VMA a transcript keeps. */
static const char *const smaps_keep[] = {
	"Rss:", "Anonymous:", "AnonHugePages:", "Swap:", "Locked:",
	"Private_Dirty:", "Shared_Dirty:", "VmFlags:",
};

static void dump_vmas(unsigned long lo, unsigned long hi, int relative)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0;

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long s, e;
		char perms[8];
		int pos = 0;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s%n", &s, &e, perms, &pos) == 3 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			char *name = line + pos;

			in = e > lo && s < hi;
			if (!in)
				continue;
			while (*name == ' ')
				name++;
			/* A file's path is its kind: tell only it has one. */
			if (*name == '/')
				name = strstr(name, "/dev/zero") ? "/dev/zero" : "<file>";
			else if (!strncmp(name, "/memfd:", 7))
				name = "<memfd>";
			if (relative)
				emit(" [%lu+%lu %s %s", (s - lo) / pg, (e - s) / pg, perms, name);
			else
				emit(" [%s %s", perms, name);
			continue;
		}
		if (!in)
			continue;
		for (size_t i = 0; i < sizeof(smaps_keep) / sizeof(*smaps_keep); i++) {
			size_t k = strlen(smaps_keep[i]);

			if (!strncmp(line, smaps_keep[i], k)) {
				char *v = line + k;

				while (*v == ' ')
					v++;
				if (i == sizeof(smaps_keep) / sizeof(*smaps_keep) - 1)
					emit(" %s]", v);
				else if (strcmp(v, "0 kB"))
					emit(" %.*s=%s", (int)k - 1, smaps_keep[i], v);
			}
		}
	}
	if (f)
		fclose(f);
}

/*
 * Each page of a segment: its pagemap bits (present, swapped, file or
 * shared, exclusive, uffd-wp, soft-dirty is left out: it is set by writes
 * and cleared only by clear_refs) and its first byte if it is present and
 * readable. Huge segments are summed: the count of each bit and a hash.
 */
static void dump_pages(int pagemap, const struct seg *s)
{
	unsigned long n = s->len / pg, counts[6] = { 0 };
	uint64_t hash = 1469598103934665603ULL;
	uint64_t e;

	emit(" {");
	for (unsigned long i = 0; i < n; i++) {
		char *p = area + s->off + i * pg;
		char c = '.';
		int bits;

		if (pread(pagemap, &e, 8, ((unsigned long)p / pg) * 8) != 8)
			e = 0;
		bits = (e >> 63 & 1) | (e >> 62 & 1) << 1 | (e >> 61 & 1) << 2 |
		       (e >> 56 & 1) << 3 | (e >> 57 & 1) << 4;
		/* Present and mapped readable: read it (no fault). */
		if ((e >> 63 & 1) && s->kind != K_PROT_NONE)
			c = __atomic_load_n(p, __ATOMIC_RELAXED) ?: '0';
		if (n > 8) {
			for (int b = 0; b < 5; b++)
				counts[b] += bits >> b & 1;
			hash = (hash ^ (unsigned char)c) * 1099511628211ULL;
		} else {
			emit("%x%c", bits, c);
		}
	}
	if (n > 8)
		emit("p%lu s%lu f%lu x%lu w%lu h%016llx", counts[0], counts[1],
		     counts[2], counts[3], counts[4], hash);
	/* The file's own first bytes, for advice that punches holes. */
	if (s->fd >= 0) {
		emit(" file:");
		for (unsigned long o = 0; o < s->len + 2 * pg && o < 16 * pg; o += pg) {
			char c = 0;

			if (pread(s->fd, &c, 1, o) != 1)
				c = '?';
			emit("%c", c ? c : '0');
		}
	}
	emit("}");
}

static void dump_layout(const struct layout *l)
{
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	dump_vmas((unsigned long)area, (unsigned long)area + AREA, 1);
	for (int i = 0; i < l->n; i++)
		dump_pages(pagemap, &l->seg[i]);
	close(pagemap);
}

/* --- The entry points. --- */

enum via { VIA_MADVISE, VIA_PROCESS_MADVISE, VIA_IO_URING, VIA_PRCTL,
	   VIA_VM_MADVISE, NR_VIA };
static const char *const via_name[NR_VIA] = {
	"madvise", "process_madvise", "io_uring", "prctl", "process_vm_madvise",
};

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_init(struct ring *r)
{
	struct io_uring_params p = { 0 };
	char *sq, *cq;

	r->fd = syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -1;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * 4, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		  IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		       IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -1;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* IORING_OP_MADVISE of one range; the CQE's result (0 or -errno). */
static long ring_madvise(struct ring *r, void *p, unsigned long len, int advice)
{
	unsigned int tail = *r->sq_tail, head;
	struct io_uring_sqe *sqe = &r->sqes[tail & *r->sq_mask];
	long res;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_MADVISE;
	sqe->addr = (unsigned long)p;
	sqe->len = len;
	sqe->fadvise_advice = advice;
	r->sq_array[tail & *r->sq_mask] = tail & *r->sq_mask;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EAGAIN;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

static struct ring ring = { .fd = -1 };

/* One call; returns 0 or -errno (process_madvise's byte count as 0). */
static long call(enum via via, char *p, unsigned long len, int advice)
{
	struct iovec iov = { p, len };
	long r;

	/*
	 * Pages just touched wait in this CPU's LRU batch, where reclaim
	 * cannot isolate them; whether the advice then runs here or in an
	 * io_uring worker on another CPU would decide what MADV_PAGEOUT does.
	 * MADV_COLD on a page of nothing drains the batch (lru_add_drain()),
	 * on the one CPU the program runs on: every call starts alike.
	 */
	madvise(scratch, pg, MADV_COLD);
	switch (via) {
	case VIA_MADVISE:
		return madvise(p, len, advice) ? -errno : 0;
	case VIA_PROCESS_MADVISE:
		r = sys_process_madvise(self_pidfd, &iov, 1, advice);
		return r < 0 ? r : r == (long)len ? 0 : -ERANGE;
	case VIA_IO_URING:
		/* A ring of this process's own, made before the layout's room */
		if (ring.fd < 0)
			return -EOPNOTSUPP;
		return ring_madvise(&ring, p, len, advice);
	case VIA_VM_MADVISE: {
		uint64_t id, seq;

		if (layout_token(self_pidfd, &id, &seq))
			return -EOPNOTSUPP;
		r = vm_madvise(self_pidfd, &iov, 1, advice, id, seq);
		return r < 0 ? r : r == (long)len ? 0 : -ERANGE;
	}
	default:
		return -EOPNOTSUPP;
	}
}

/* Every advice value 6.12 knows (bar memory failure), and some it does not. */
static const int advices[] = {
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
	MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK,
	MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
	MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK,
	MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
	MADV_DONTNEED_LOCKED, MADV_COLLAPSE,
	5, 7, 26, 99, -1,	/* not advice */
};

#define NR_ADVICES ((int)(sizeof(advices) / sizeof(*advices)))

static const char *const names[] = {
	"", "x", "heap", "dalvik-main space", "a[b", "tab\there", "\x7f",
	"0123456789012345678901234567890123456789012345678901234567890123456789012345678",
	"01234567890123456789012345678901234567890123456789012345678901234567890123456789",
	NULL,
};

/* --- The cases. --- */

/* The child of one transcript case: layout, call, dump; prints one line. */
static void transcript_case(unsigned int n)
{
	struct layout l;
	unsigned long start, len;
	enum via via = below(4);	/* no process_vm_madvise: stock has none */
	int advice = advices[below(NR_ADVICES)];
	long r;

	make_layout(&l);
	start = below(l.end / pg + 1) * pg;
	len = (1 + below(l.end / pg + 2)) * pg;
	if (below(8) == 0)
		start += below(pg);	/* unaligned: EINVAL on both */
	if (below(16) == 0)
		len = 0;
	emit("#%u", n);
	for (int i = 0; i < l.n; i++)
		emit(" %s@%lu", kind_name[l.seg[i].kind], l.seg[i].off / pg);
	if (via == VIA_PRCTL) {
		const char *name = names[below(sizeof(names) / sizeof(*names))];

		emit(" | prctl %lu+%lu '%s'", start / pg, len / pg, name ? name : "(null)");
		r = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, area + start, len, name) ? -errno : 0;
	} else {
		emit(" | %s %d %lu+%lu", via_name[via], advice, start / pg, len / pg);
		r = call(via, area + start, len, advice);
	}
	emit(" -> %s |", r ? strerror(-r) : "0");
	dump_layout(&l);
	emit("\n");
}

/* The vDSO and vvar: each advice, each entry point, on the whole mapping. */
static void special_cases(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (!strstr(line, "[vdso]") && !strstr(line, "[vvar]") &&
		    !strstr(line, "[vvar_vclock]"))
			continue;
		if (sscanf(line, "%lx-%lx", &s, &e) != 2)
			continue;
		line[strcspn(line, "\n")] = 0;
		for (int v = 0; v < 4; v++) {
			for (int a = 0; a < NR_ADVICES; a++) {
				pid_t pid;
				int st;

				/* WIPEONFORK and friends are kept: in a child. */
				pid = fork();
				if (!pid) {
					long r;

					out_len = 0;
					if (v == VIA_PRCTL)
						r = prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, s,
							  e - s, "x") ? -errno : 0;
					else
						r = call(v, (char *)s, e - s, advices[a]);
					emit("special %s %s %d -> %s |", strrchr(line, ' ') + 1,
					     via_name[v], v == VIA_PRCTL ? 0 : advices[a],
					     r ? strerror(-r) : "0");
					dump_vmas(s, e, 0);
					emit("\n");
					fwrite(out, 1, out_len, stdout);
					fflush(stdout);
					_exit(0);
				}
				waitpid(pid, &st, 0);
				if (v == VIA_PRCTL)
					break;
			}
		}
	}
	if (f)
		fclose(f);
}

/* --- Filtered against unfiltered. --- */

static int filter_advice_ok(int advice)
{
	switch (advice) {
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_COLLAPSE:
		return 0;
	}
	return 1;
}

/* Whether a filtered @advice skips @s (madvise_filter_match()). */
static int filter_skips(const struct seg *s, int filter, int advice)
{
	int anon = s->anon;

	if (filter == MADV_ANONYMOUS_FILTER ? !anon : anon)
		return 1;
	if (advice == MADV_COLD || advice == MADV_PAGEOUT)
		return s->kind == K_MLOCKED || s->kind == K_LOCK_ONFAULT ||
		       s->kind == K_HUGETLB;
	return 0;
}

/*
 * Builds the layout of @seed, picks a range of it (both sides pick the same:
 * the same seed, the same layout), makes the call (filtered, or its
 * emulation) and writes what it left to @fd: "range result | state".
 */
static void filter_side(unsigned long long seed, int emulate, enum via via, int advice,
			int filter, int fd)
{
	unsigned long start, len;
	struct layout l;
	long r = 0;

	rng = seed;
	make_layout(&l);
	start = below(l.end / pg) * pg;
	len = (1 + below(l.end / pg - start / pg + 1)) * pg;
	out_len = 0;
	emit("%lu+%lu ", start / pg, len / pg);
	/* Advice the entry point refuses whatever the range is refused filtered too */
	if (emulate)
		r = call(via, area + start, 0, advice);
	if (!emulate) {
		r = call(via, area + start, len, advice | filter);
	} else if (r) {
		/* refused as it is */
	} else if (!filter_advice_ok(advice)) {
		r = -EINVAL;
	} else {
		/* Unfiltered, on each VMA of the class in the range, in order. */
		for (int i = 0; i < l.n && !r; i++) {
			const struct seg *s = &l.seg[i];
			unsigned long a = s->off > start ? s->off : start;
			unsigned long b = s->off + s->len < start + len ?
					  s->off + s->len : start + len;

			if (a >= b || filter_skips(s, filter, advice))
				continue;
			r = call(via, area + a, b - a, advice);
		}
	}
	emit("%s |", r ? strerror(-r) : "0");
	dump_layout(&l);
	if (write(fd, out, out_len) != (ssize_t)out_len)
		_exit(2);
	_exit(0);
}

static int run_side(unsigned long long seed, int emulate, enum via via, int advice, int filter,
		    char *buf, size_t size)
{
	int p[2], st;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		close(p[0]);
		filter_side(seed, emulate, via, advice, filter, p[1]);
	}
	close(p[1]);
	while ((n = read(p[0], buf + got, size - 1 - got)) > 0)
		got += n;
	close(p[0]);
	buf[got] = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -1;
}

static const int filter_advices[] = {
	MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE, MADV_COLD, MADV_PAGEOUT,
	MADV_WILLNEED, MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_REMOVE,
	MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE,
	MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP,
	MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_POPULATE_READ, MADV_COLLAPSE,
};

static const enum via filter_vias[] = {
	VIA_MADVISE, VIA_PROCESS_MADVISE, VIA_IO_URING, VIA_VM_MADVISE,
};

static int filters(unsigned long long seed, unsigned int cases)
{
	static char a[OUT_MAX], b[OUT_MAX];
	unsigned int bad = 0, done = 0, skipped = 0;

	for (unsigned int n = 0; n < cases; n++) {
		uint64_t layout_seed;
		int advice, filter;
		enum via via;

		rng = seed + n * 0x1000193ULL;
		layout_seed = rnd();
		via = filter_vias[below(4)];
		advice = filter_advices[below(sizeof(filter_advices) / sizeof(int))];
		filter = below(2) ? MADV_ANONYMOUS_FILTER : MADV_FILE_FILTER;
		if (via == VIA_VM_MADVISE && !have_vm_madv) {
			skipped++;
			continue;
		}
		if (run_side(layout_seed, 0, via, advice, filter, a, sizeof(a)) ||
		    run_side(layout_seed, 1, via, advice, filter, b, sizeof(b))) {
			printf("# case %u: a side did not finish\n", n);
			bad++;
			continue;
		}
		done++;
		if (strcmp(a, b)) {
			bad++;
			printf("# case %u (seed %llu): %s %d|%s\n",
			       n, seed, via_name[via], advice,
			       filter == MADV_ANONYMOUS_FILTER ? "ANON" : "FILE");
			printf("#  filtered:   %s\n#  unfiltered: %s\n", a, b);
		}
	}
	printf("%s 28 filtered calls equal unfiltered calls on their class: ",
	       bad ? "not ok" : "ok");
	printf("%u cases, %u differ, %u skipped (seed %llu)\n",
	       done, bad, skipped, seed);
	return bad ? 1 : 0;
}

/*
 * Whether process_madvise() takes @advice on the caller itself: 6.12 takes
 * only the advice that never discards (EINVAL for the others), later
 * kernels take every advice on the caller.
 */
static bool process_madvise_takes(int advice)
{
	char *p = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool takes = call(VIA_PROCESS_MADVISE, p, pg, advice) != -EINVAL;

	munmap(p, pg);
	return takes;
}

/*
 * The seal, case by case: sealed read-only anonymous memory keeps its
 * content against every discarding advice with either filter, through every
 * entry point that takes the advice; EPERM where the anonymous filter
 * selects it (as without a filter), 0 where the file filter leaves it out.
 */
static int sealed_checks(int first)
{
	static const int discard[] = { MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_FREE };
	static const enum via vias[] = { VIA_MADVISE, VIA_IO_URING, VIA_PROCESS_MADVISE };
	static const int seal_filters[] = { 0, MADV_ANONYMOUS_FILTER, MADV_FILE_FILTER };
	int n = first, bad = 0;

	for (int d = 0; d < 3; d++) {
		for (int v = 0; v < 3; v++) {
			for (int f = 0; f < 3; f++) {
				int filter = seal_filters[f];
				char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
				long r, want;

				memset(p, 'A', 3 * pg);
				mprotect(p, 3 * pg, PROT_READ);
				if (syscall(__NR_mseal, p, 3 * pg, 0)) {
					printf("ok %d # SKIP no mseal()\n", n++);
					continue;
				}
				r = call(vias[v], p, pg, discard[d] | filter);
				/* EINVAL where process_madvise() takes none */
				want = vias[v] == VIA_PROCESS_MADVISE &&
				       !process_madvise_takes(discard[d]) ? -EINVAL :
				       filter == MADV_FILE_FILTER ? 0 : -EPERM;
				if (r != want || p[0] != 'A') {
					bad++;
					printf("not ok %d sealed: %s advice %d filter %#x ",
					       n, via_name[vias[v]], discard[d], filter);
					printf("gave %ld (want %ld), p[0] %#x\n",
					       r, want, p[0]);
					n++;
				} else {
					printf("ok %d sealed: %s advice %d filter %#x: %ld, kept\n",
					       n++, via_name[vias[v]], discard[d], filter, r);
				}
			}
		}
	}
	return bad;
}

/* --- Set-up. --- */

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			perror(path);
		close(fd);
	}
}

/* The settings setup() changes, and what they were, put back at exit. */
static struct setting {
	const char *path, *value;
	char old[64];
	int saved;
} settings[] = {
	{ "/sys/kernel/mm/transparent_hugepage/enabled", "madvise" },
	{ "/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs", "3600000" },
	{ "/sys/kernel/mm/transparent_hugepage/khugepaged/alloc_sleep_millisecs", "3600000" },
	{ "/sys/kernel/mm/ksm/run", "0" },
	{ "/proc/sys/vm/nr_hugepages", "4" },
};

#define NR_SETTINGS ((int)(sizeof(settings) / sizeof(*settings)))

static void restore_settings(void)
{
	for (int i = 0; i < NR_SETTINGS; i++)
		if (settings[i].saved)
			write_str(settings[i].path, settings[i].old);
}

static void change_settings(void)
{
	for (int i = 0; i < NR_SETTINGS; i++) {
		struct setting *s = &settings[i];
		int fd = open(s->path, O_RDONLY);
		ssize_t n = fd >= 0 ? read(fd, s->old, sizeof(s->old) - 1) : -1;
		char *sel;

		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		s->old[n] = 0;
		/* "always [madvise] never": the one in brackets */
		sel = strchr(s->old, '[');
		if (sel) {
			memmove(s->old, sel + 1, strlen(sel));
			s->old[strcspn(s->old, "]")] = 0;
		}
		s->saved = 1;
		write_str(s->path, s->value);
	}
	atexit(restore_settings);
}

static void setup(void)
{
	char *p;

	cpu_set_t one;

	pg = sysconf(_SC_PAGESIZE);
	/* One CPU: its LRU batch is the one call() drains. */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	sched_setaffinity(0, sizeof(one), &one);
	scratch = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/*
	 * Nothing in the background changes a layout behind a case; a few
	 * huge pages. Put back as they were at exit, for the tests after.
	 */
	change_settings();
	have_hugetlb = 1;
	p = mmap(NULL, HUGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
	if (p == MAP_FAILED)
		have_hugetlb = 0;
	else
		munmap(p, HUGE);
	ensure_swap();
	/* The room of the layouts: 2 MiB aligned, reserved, never used else. */
	p = mmap(NULL, AREA + HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	area = (char *)(((unsigned long)p + HUGE - 1) & ~(HUGE - 1));
	self_pidfd = sys_pidfd_open(getpid());
	ring_init(&ring);
	have_vm_madv = have_vm_madvise();
}

int main(int argc, char **argv)
{
	unsigned long long seed = 0;
	unsigned int cases = 1000;
	const char *mode = argc > 1 && argv[1][0] != '-' ? argv[1] : "filters";
	int opt;

	optind = mode == argv[1] ? 2 : 1;
	while ((opt = getopt(argc, argv, "s:n:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			cases = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s transcript|filters [-s SEED] [-n CASES]\n",
				argv[0]);
			return 2;
		}
	}
	/* No seed given: a random one, printed, which reproduces the run. */
	if (!seed && getentropy(&seed, sizeof(seed)))
		seed = time(NULL);
	setup();
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	if (!strcmp(mode, "filters")) {
		int bad;

		printf("TAP version 13\n# seed %llu\n1..%d\n", seed, 27 + 1);
		if (!have_filters()) {
			printf("ok 1 # SKIP the kernel has no madvise filters\n");
			return 4;
		}
		bad = sealed_checks(1);
		bad += filters(seed, cases);
		return bad ? 1 : 0;
	}
	printf("seed %llu cases %u hugetlb %d\n", seed, cases, have_hugetlb);
	for (unsigned int n = 0; n < cases; n++) {
		pid_t pid;
		int st;

		fflush(stdout);
		pid = fork();
		if (!pid) {
			rng = seed + n * 0x1000193ULL;
			out_len = 0;
			transcript_case(n);
			fwrite(out, 1, out_len, stdout);
			fflush(stdout);
			_exit(0);
		}
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st))
			printf("#%u: the case's child ended by signal %d\n", n, WTERMSIG(st));
	}
	special_cases();
	return 0;
}
