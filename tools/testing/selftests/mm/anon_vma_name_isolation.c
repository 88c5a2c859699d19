// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous VMA name objects are not shared between users: one user cannot
 * tell, from the name ids process_vm_getinfo() returns (VMGI_NAME_ID),
 * whether another user holds a name.
 *
 * User A (uid 1000) holds a name S; user B (uid 1001) names three pages of
 * its own "fresh-a", S, "fresh-b" and reads its ids. B's object for S is not
 * A's, and B dropping S and naming it again gets a new id whether A holds S
 * or nobody does; two processes of one user naming S at once do share one
 * object (so a test like this can see sharing). The order of ids is only
 * reported, never asserted on.
 *
 * Needs root (to switch users) and process_vm_getinfo(); skips otherwise.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "process_vm_getinfo.h"

#define UID_A		1000
#define UID_B		1001
#define MAX_PAGES	3
#define ORDER_TRIES	50

static long psize;

static void __attribute__((constructor)) init_psize(void)
{
	psize = sysconf(_SC_PAGESIZE);
}

/*
 * A process of some user with MAX_PAGES pages of its own, each a VMA by
 * itself (PROT_NONE pages between), that names its pages and reads its own
 * name ids when told to, through pipes.
 */
struct worker_shared {
	char *base;			/* page k at base + 2 * k * psize */
	int page;			/* in: page to name */
	int clear;			/* in: unname it instead */
	char name[80];			/* in: the name */
	int err;			/* out: 0, or the errno */
	uint64_t ids[MAX_PAGES];	/* out of 'i': its own name ids */
};

struct worker {
	pid_t pid;
	int cmd, ack;			/* pipes to and from it */
	int pidfd;
	struct worker_shared *sh;
};

static char *page_addr(const struct worker_shared *sh, int k)
{
	return sh->base + (2 * k + 1) * psize;
}

/* The name ids of the pages of a worker (0: no name), read through pidfd. */
static int read_ids(int pidfd, const struct worker_shared *sh, uint64_t *ids)
{
	uint64_t start = (uintptr_t)page_addr(sh, 0);
	struct snap s = { 0 };
	unsigned int i;
	int k, ret;

	ret = snap_take(&s, pidfd, VMGI_NAME_ID, start,
			start + 2 * MAX_PAGES * psize);
	for (k = 0; k < MAX_PAGES; k++)
		ids[k] = 0;
	for (i = 0; !ret && i < s.n; i++)
		for (k = 0; k < MAX_PAGES; k++)
			if (s.vmas[i].start == (uintptr_t)page_addr(sh, k) &&
			    s.vmas[i].end == s.vmas[i].start + psize)
				ids[k] = s.vmas[i].name_id;
	snap_free(&s);
	return ret;
}

static void worker_main(struct worker_shared *sh, uid_t uid, int cmd, int ack)
{
	size_t len = (2 * MAX_PAGES + 1) * psize;
	int k, self_fd = -1;
	char c;

	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		_exit(10);
	sh->base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh->base == MAP_FAILED)
		_exit(11);
	for (k = 0; k < MAX_PAGES; k++)
		if (mprotect(page_addr(sh, k), psize, PROT_READ | PROT_WRITE))
			_exit(12);
	self_fd = sys_pidfd_open(getpid());
	if (self_fd < 0)
		_exit(13);
	while (write(ack, "r", 1) == 1 && read(cmd, &c, 1) == 1) {
		sh->err = 0;
		if (c == 'n') {
			if (prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME,
				  (unsigned long)page_addr(sh, sh->page), psize,
				  sh->clear ? 0UL : (unsigned long)sh->name))
				sh->err = errno;
		} else if (c == 'i') {
			sh->err = -read_ids(self_fd, sh, sh->ids);
		} else {
			break;
		}
	}
	close(self_fd);
	munmap(sh->base, len);
	_exit(0);
}

static int worker_start(struct worker *w, uid_t uid)
{
	int cmd[2], ack[2];
	char c;

	w->sh = mmap(NULL, sizeof(*w->sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (w->sh == MAP_FAILED || pipe(cmd) || pipe(ack))
		return -1;
	fflush(stdout);
	fflush(stderr);
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		close(cmd[1]);
		close(ack[0]);
		worker_main(w->sh, uid, cmd[0], ack[1]);
	}
	close(cmd[0]);
	close(ack[1]);
	w->cmd = cmd[1];
	w->ack = ack[0];
	w->pidfd = sys_pidfd_open(w->pid);
	/* Set up, waiting for its first command. */
	return read(w->ack, &c, 1) == 1 && w->pidfd >= 0 ? 0 : -1;
}

static int worker_do(struct worker *w, char what)
{
	char c;

	if (write(w->cmd, &what, 1) != 1 || read(w->ack, &c, 1) != 1)
		return -EPIPE;
	return -w->sh->err;
}

/* Names page k of w (name NULL: unnames it); 0 or -errno. */
static int worker_name(struct worker *w, int k, const char *name)
{
	w->sh->page = k;
	w->sh->clear = !name;
	snprintf(w->sh->name, sizeof(w->sh->name), "%s", name ? name : "");
	return worker_do(w, 'n');
}

/* The ids of w's pages as w itself reads them with process_vm_getinfo(). */
static int worker_ids(struct worker *w, uint64_t *ids)
{
	int ret = worker_do(w, 'i');

	memcpy(ids, w->sh->ids, sizeof(w->sh->ids));
	return ret;
}

/* Stops w; returns its exit status. */
static int worker_stop(struct worker *w)
{
	int status = -1;

	if (w->pid <= 0)
		return -1;
	if (write(w->cmd, "q", 1) != 1)
		kill(w->pid, SIGKILL);
	waitpid(w->pid, &status, 0);
	close(w->cmd);
	close(w->ack);
	close(w->pidfd);
	munmap(w->sh, sizeof(*w->sh));
	w->pid = 0;
	return status;
}

/* A string that nothing else in the system names. */
static void unique_name(char *buf, size_t size)
{
	snprintf(buf, size, "isolation-secret-%d", getpid());
}

FIXTURE(two_users) {
	struct worker a, b;
	char s[64];
};

FIXTURE_SETUP(two_users)
{
	if (!have_getinfo())
		SKIP(return, "process_vm_getinfo() not in this kernel");
	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	unique_name(self->s, sizeof(self->s));
	ASSERT_EQ(0, worker_start(&self->a, UID_A));
	ASSERT_EQ(0, worker_start(&self->b, UID_B));
}

FIXTURE_TEARDOWN(two_users)
{
	EXPECT_EQ(0, worker_stop(&self->a));
	EXPECT_EQ(0, worker_stop(&self->b));
}

/* B names its pages "fresh-a", S, "fresh-b" and reads its ids. */
static int b_names_three(struct worker *b, const char *s, uint64_t *ids)
{
	int ret = worker_name(b, 0, "fresh-a");

	if (!ret)
		ret = worker_name(b, 1, s);
	if (!ret)
		ret = worker_name(b, 2, "fresh-b");
	if (!ret)
		ret = worker_ids(b, ids);
	return ret;
}

/*
 * B names its three pages, then drops S and names it again: returns 1 if
 * the second id differs from the first, 0 if not, -1 on an error.
 */
static int b_renamed_id_is_new(struct __test_metadata *_metadata,
			       struct worker *b, const char *s)
{
	uint64_t first[MAX_PAGES], again[MAX_PAGES];

	if (b_names_three(b, s, first) || worker_name(b, 1, NULL) ||
	    worker_name(b, 1, s) || worker_ids(b, again))
		return -1;
	TH_LOG("B's id of S: %llu, then %llu", (unsigned long long)first[1],
	       (unsigned long long)again[1]);
	if (!first[0] || !first[1] || !first[2] || !again[1] ||
	    first[0] == first[1] || first[1] == first[2] ||
	    first[0] != again[0] || first[2] != again[2])
		return -1;
	return first[1] != again[1];
}

TEST_F(two_users, other_user_gets_its_own_object)
{
	uint64_t a_ids[MAX_PAGES], b_ids[MAX_PAGES], seen[MAX_PAGES];

	ASSERT_EQ(0, worker_name(&self->a, 0, self->s));
	ASSERT_EQ(0, read_ids(self->a.pidfd, self->a.sh, a_ids));
	ASSERT_NE(0, a_ids[0]);
	ASSERT_EQ(0, b_names_three(&self->b, self->s, b_ids));
	ASSERT_NE(0, b_ids[1]);
	EXPECT_NE(a_ids[0], b_ids[1]) {
		TH_LOG("users %d and %d share the object of '%s' (id %llu)",
		       UID_A, UID_B, self->s, (unsigned long long)b_ids[1]);
	}
	/* What B read of itself is what root reads of it. */
	ASSERT_EQ(0, read_ids(self->b.pidfd, self->b.sh, seen));
	EXPECT_EQ(0, memcmp(seen, b_ids, sizeof(seen)));
}

TEST_F(two_users, rename_while_other_user_holds_gets_new_id)
{
	uint64_t a_ids[MAX_PAGES], a_after[MAX_PAGES];

	ASSERT_EQ(0, worker_name(&self->a, 0, self->s));
	ASSERT_EQ(0, read_ids(self->a.pidfd, self->a.sh, a_ids));
	ASSERT_NE(0, a_ids[0]);
	EXPECT_EQ(1, b_renamed_id_is_new(_metadata, &self->b, self->s)) {
		TH_LOG("B got the same object back: user %d holding '%s' shows",
		       UID_A, self->s);
	}
	/* A held S all along. */
	ASSERT_EQ(0, read_ids(self->a.pidfd, self->a.sh, a_after));
	EXPECT_EQ(a_ids[0], a_after[0]);
}

TEST_F(two_users, rename_when_nobody_holds_gets_new_id)
{
	uint64_t a_ids[MAX_PAGES];

	/* A named S once and dropped it: nobody holds S. */
	ASSERT_EQ(0, worker_name(&self->a, 0, self->s));
	ASSERT_EQ(0, worker_name(&self->a, 0, NULL));
	ASSERT_EQ(0, read_ids(self->a.pidfd, self->a.sh, a_ids));
	ASSERT_EQ(0, a_ids[0]);
	EXPECT_EQ(1, b_renamed_id_is_new(_metadata, &self->b, self->s));
}

/* The control: sharing, where there must be sharing, is seen. */
TEST(same_user_shares_the_object)
{
	uint64_t ids1[MAX_PAGES], ids2[MAX_PAGES];
	struct worker a1 = { 0 }, a2 = { 0 };
	char s[64];

	if (!have_getinfo())
		SKIP(return, "process_vm_getinfo() not in this kernel");
	if (geteuid() != 0)
		SKIP(return, "needs root to switch users");
	unique_name(s, sizeof(s));
	ASSERT_EQ(0, worker_start(&a1, UID_A));
	ASSERT_EQ(0, worker_start(&a2, UID_A));
	ASSERT_EQ(0, worker_name(&a1, 0, s));
	ASSERT_EQ(0, worker_name(&a2, 0, s));
	ASSERT_EQ(0, read_ids(a1.pidfd, a1.sh, ids1));
	ASSERT_EQ(0, worker_ids(&a2, ids2));
	EXPECT_NE(0, ids1[0]);
	EXPECT_EQ(ids1[0], ids2[0]);
	EXPECT_EQ(0, worker_stop(&a1));
	EXPECT_EQ(0, worker_stop(&a2));
}

/*
 * Reported, not asserted: how often B's id for S is below its id for
 * "fresh-a" (named just before S), while A holds S and while nobody does.
 * With ids in creation order the two counts would tell the conditions
 * apart.
 */
TEST_F(two_users, id_order_report)
{
	int cond, try, below[2] = { 0, 0 };

	for (cond = 0; cond < 2; cond++) {
		for (try = 0; try < ORDER_TRIES; try++) {
			uint64_t ids[MAX_PAGES];
			int k;

			if (cond == 0)
				ASSERT_EQ(0, worker_name(&self->a, 0, self->s));
			ASSERT_EQ(0, b_names_three(&self->b, self->s, ids));
			ASSERT_NE(0, ids[0]);
			ASSERT_NE(0, ids[1]);
			below[cond] += ids[1] < ids[0];
			for (k = 0; k < MAX_PAGES; k++)
				ASSERT_EQ(0, worker_name(&self->b, k, NULL));
			ASSERT_EQ(0, worker_name(&self->a, 0, NULL));
		}
	}
	ksft_print_msg("id(S) < id(fresh-a) while another user holds S: %d/%d tries\n",
		       below[0], ORDER_TRIES);
	ksft_print_msg("id(S) < id(fresh-a) while nobody holds S: %d/%d tries\n",
		       below[1], ORDER_TRIES);
}

TEST_HARNESS_MAIN
