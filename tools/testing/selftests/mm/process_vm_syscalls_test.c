// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/process_vm_syscalls: the series' system calls are out of tree,
 * so their numbers are reserved nowhere, and userspace issues a number only
 * if this file names it.
 *
 * On the series: the file's format (one "NAME NUMBER" line per call, known
 * names, no duplicates, process_vm_madvise only with process_vm_getinfo),
 * that it is read-only and on sysfs, and that each number really is its call
 * (flags = 1 is EINVAL, not ENOSYS). On a stock kernel those skip, and the
 * selftests' header finds no number and issues nothing.
 *
 * On both: every number from the base's last call + 1 (6.12's 462 or
 * 7.3's 472) to the series' first (1000), and a few past its last, is
 * ENOSYS, 7.3's fchroot (472) among them on 6.12, so that no call mainline
 * adds meets the series' calls.
 *
 * On both: the selftests' wrappers and the vmmap tool run under a guard
 * that kills the process at any system call number past 6.12's last (462)
 * that the file does not name, the series' 1000 and 1001 included on
 * stock, before the kernel runs it: a seccomp filter, or a ptrace supervisor on a kernel
 * without seccomp. The tool must still succeed, with the calls where the
 * file names them (its output says which it used) and with its fallbacks
 * where it does not.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "../kselftest_harness.h"
#include "process_vm_madvise.h"

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#else
#error "process_vm_syscalls_test: x86_64 and arm64 only"
#endif

/* 6.12's last system call is 462 (mseal), on x86_64 and in the generic table. */
#define FIRST_AFTER_6_12	463
/* 7.3's fchroot, the first number mainline gave after 6.12 that is not 6.12's. */
#define FCHROOT_7_3		472
/* 7.3's last system call is 472 (fchroot), on x86_64 and in the generic table. */
#define FIRST_AFTER_7_3		473
/*
 * The series' numbers, on every architecture (see process_vm_getinfo.rst),
 * and how far past them the numbers are checked to be free.
 */
#define SERIES_FIRST		1000
#define SERIES_LAST		1001
#define CHECKED_PAST		16

static const char *const call_name[PROCESS_VM_NCALLS] = {
	"process_vm_getinfo", "process_vm_madvise",
};

/* ---- the file, read and checked strictly ---- */

struct calls {
	int present;			/* the file exists */
	long nr[PROCESS_VM_NCALLS];	/* -1: not named */
	char text[4096];
};

/* Reads the file: 0, -ENOENT if absent, or -errno. */
static int read_calls_text(struct calls *c)
{
	int fd = open(PROCESS_VM_SYSCALLS_PATH, O_RDONLY);
	ssize_t len;

	memset(c, 0, sizeof(*c));
	for (int i = 0; i < PROCESS_VM_NCALLS; i++)
		c->nr[i] = -1;
	if (fd < 0)
		return -errno;
	len = read(fd, c->text, sizeof(c->text) - 1);
	close(fd);
	if (len < 0)
		return -errno;
	c->text[len] = '\0';
	c->present = 1;
	return 0;
}

/*
 * Checks the text line by line, as the kernel must write it: NULL if it is
 * right (and c->nr[] filled in), else what is wrong, with the line in err.
 */
static const char *check_calls_text(struct calls *c, char *err, size_t errlen)
{
	const char *line = c->text, *end;

	if (!*line)
		return "the file is empty";
	for (; *line; line = end + 1) {
		char name[64], number[32], extra;
		int i, len;

		end = strchr(line, '\n');
		if (!end)
			return "the last line has no newline";
		len = end - line;
		snprintf(err, errlen, "%.*s", len, line);
		if (sscanf(line, "%63[a-z_] %31[0-9]%c", name, number, &extra) != 3 ||
		    extra != '\n')
			return "a line is not NAME NUMBER";
		if (line[strlen(name)] != ' ' ||
		    (int)(strlen(name) + 1 + strlen(number)) != len)
			return "a line has more than NAME, one space and NUMBER";
		if (number[0] == '0' && number[1])
			return "a number has a leading zero";
		if (strlen(number) > 10 || strtol(number, NULL, 10) > INT_MAX)
			return "a number is beyond INT_MAX";
		for (i = 0; i < PROCESS_VM_NCALLS; i++)
			if (!strcmp(name, call_name[i]))
				break;
		if (i == PROCESS_VM_NCALLS)
			return "a name is not one of the series' calls";
		if (c->nr[i] >= 0)
			return "a name is given twice";
		c->nr[i] = strtol(number, NULL, 10);
	}
	if (c->nr[0] < 0)
		return "no process_vm_getinfo line (the file exists only with it)";
	for (int i = 0; i < PROCESS_VM_NCALLS; i++)
		for (int j = i + 1; j < PROCESS_VM_NCALLS; j++)
			if (c->nr[i] == c->nr[j]) {
				snprintf(err, errlen, "%ld", c->nr[i]);
				return "two calls have the same number";
			}
	return NULL;
}

/* Reads and checks the file: NULL if it is right or absent, else why not. */
static const char *load_calls(struct calls *c, char *err, size_t errlen)
{
	int r = read_calls_text(c);

	snprintf(err, errlen, "%s", strerror(-r));
	if (r == -ENOENT)
		return NULL;
	if (r)
		return "cannot read " PROCESS_VM_SYSCALLS_PATH;
	return check_calls_text(c, err, errlen);
}

/* The file, checked: the test fails if it is there and wrong. */
#define LOAD_CALLS(c) do {						\
	char err_[128];							\
	const char *why_ = load_calls(c, err_, sizeof(err_));		\
									\
	ASSERT_EQ(NULL, why_) {						\
		TH_LOG("%s: %s", why_, err_);				\
	}								\
} while (0)

/*
 * ---- the guard: the process dies at any number past 6.12's that the file
 * does not name, before the kernel runs it ----
 *
 * A seccomp filter (SECCOMP_RET_KILL_PROCESS, so SIGSYS), or, on a kernel
 * without CONFIG_SECCOMP_FILTER (or with PROCESS_VM_SYSCALLS_GUARD=ptrace),
 * a ptrace supervisor that stops the process at every system call entry and
 * kills it with SIGKILL at a forbidden number, which the kernel then skips.
 */

/* Whether the guard lets (arch, nr) through. */
static int allowed_nr(const struct calls *c, unsigned int arch, unsigned long long nr)
{
	if (arch != NATIVE_AUDIT_ARCH)
		return 0;
	for (int i = 0; i < PROCESS_VM_NCALLS; i++)
		if (c->nr[i] >= 0 && nr == (unsigned long long)c->nr[i])
			return 1;
	/* As BPF compares: seccomp_data.nr is 32 bits, and -1 is past 462. */
	return (uint32_t)nr < FIRST_AFTER_6_12 && nr >> 32 == 0;
}

static int install_filter(const struct calls *c)
{
	struct sock_filter f[16];
	struct sock_fprog prog = { .filter = f };
	int n = 0, named = 0, jumps;

	for (int i = 0; i < PROCESS_VM_NCALLS; i++)
		named += c->nr[i] >= 0;
	/*
	 * 0: arch; 1: not native -> kill; 2: nr; 3...: named -> allow;
	 * then below FIRST_AFTER_6_12 -> allow, else kill.
	 */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	jumps = named + 2;	/* to the kill */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      NATIVE_AUDIT_ARCH, 0, jumps + 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (int i = 0; i < PROCESS_VM_NCALLS; i++) {
		if (c->nr[i] < 0)
			continue;
		jumps--;
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      c->nr[i], jumps - 1, 0);
	}
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
					      FIRST_AFTER_6_12, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      SECCOMP_RET_KILL_PROCESS);
	prog.len = n;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		return -errno;
	return 0;
}

static int want_ptrace(void)
{
	const char *g = getenv("PROCESS_VM_SYSCALLS_GUARD");

	return g && !strcmp(g, "ptrace");
}

/* In the guarded child: the filter, or else a stop for the supervisor. */
static int guard_self(const struct calls *c)
{
	if (!want_ptrace() && !install_filter(c))
		return 0;
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		return -errno;
	raise(SIGSTOP);
	return 0;
}

struct guarded {
	int status;		/* the child's wait status */
	int ptraced;		/* guarded by ptrace, not seccomp */
	long long issued;	/* ptrace: the forbidden number it tried, or -1 */
};

/* The supervisor: runs child's tracees to their end; fills in r. */
static void supervise(const struct calls *c, pid_t child, struct guarded *r)
{
	int st;

	r->issued = -1;
	if (waitpid(child, &st, 0) != child)
		return;
	if (!WIFSTOPPED(st)) {		/* seccomp: it ran to its end */
		r->status = st;
		return;
	}
	r->ptraced = 1;
	ptrace(PTRACE_SETOPTIONS, child, NULL,
	       PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE |
	       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC);
	ptrace(PTRACE_SYSCALL, child, NULL, 0);
	for (;;) {
		pid_t pid = waitpid(-1, &st, __WALL);
		int sig;

		if (pid < 0)
			break;			/* no tracee left */
		if (!WIFSTOPPED(st)) {
			if (pid == child)
				r->status = st;
			continue;
		}
		sig = WSTOPSIG(st);
		if (sig == (SIGTRAP | 0x80)) {
			struct __ptrace_syscall_info si;

			if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), &si) > 0 &&
			    si.op == PTRACE_SYSCALL_INFO_ENTRY &&
			    !allowed_nr(c, si.arch, si.entry.nr)) {
				if (r->issued < 0)
					r->issued = si.entry.nr;
				/* Killed in the entry stop: the call never runs. */
				kill(pid, SIGKILL);
				kill(child, SIGKILL);
				continue;
			}
			sig = 0;
		} else if (st >> 16 || sig == SIGSTOP) {
			sig = 0;	/* an event, or a new tracee's first stop */
		}
		ptrace(PTRACE_SYSCALL, pid, NULL, sig);
	}
}

/* Whether the guard killed it. */
static int guard_tripped(const struct guarded *r)
{
	return WIFSIGNALED(r->status) &&
	       (r->issued >= 0 || (!r->ptraced && WTERMSIG(r->status) == SIGSYS));
}

/* Describes how a guarded child ended, for the log. */
static const char *guarded_text(const struct guarded *r, char *buf, size_t len)
{
	if (guard_tripped(r) && r->issued >= 0)
		snprintf(buf, len, "killed by the guard: it issued %lld, not in the file",
			 r->issued);
	else if (guard_tripped(r))
		snprintf(buf, len, "killed by the guard (SIGSYS): a number not in the file");
	else if (WIFSIGNALED(r->status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(r->status));
	else
		snprintf(buf, len, "exit status %d", WEXITSTATUS(r->status));
	return buf;
}

/*
 * Runs fn(c, arg) in a guarded child, its stdout and stderr into out (if
 * not NULL); its exit status is fn's. 0, or -1 if it could not be run.
 */
static int run_guarded(const struct calls *c, int (*fn)(const struct calls *, const void *),
		       const void *arg, char *out, size_t outlen, struct guarded *r)
{
	int outp[2], resp[2];
	char drain[256];
	size_t got = 0;
	ssize_t n;
	pid_t sup;

	memset(r, 0, sizeof(*r));
	if (pipe(outp) || pipe(resp))
		return -1;
	sup = fork();
	if (sup < 0)
		return -1;
	if (sup == 0) {
		struct guarded res = { 0 };
		pid_t child;

		close(outp[0]);
		close(resp[0]);
		child = fork();
		if (child == 0) {
			close(resp[1]);
			if (out) {
				dup2(outp[1], 1);
				dup2(outp[1], 2);
			}
			close(outp[1]);
			if (guard_self(c)) {
				fprintf(stderr, "no guard: %s\n", strerror(errno));
				_exit(126);
			}
			_exit(fn(c, arg));
		}
		close(outp[1]);
		if (child > 0)
			supervise(c, child, &res);
		_exit(write(resp[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(outp[1]);
	close(resp[1]);
	while (out && got + 1 < outlen &&
	       (n = read(outp[0], out + got, outlen - 1 - got)) > 0)
		got += n;
	if (out)
		out[got] = '\0';
	/* Drain what did not fit, so that the child never blocks. */
	while (read(outp[0], drain, sizeof(drain)) > 0)
		;
	close(outp[0]);
	n = read(resp[0], r, sizeof(*r));
	close(resp[0]);
	waitpid(sup, NULL, 0);
	return n == sizeof(*r) ? 0 : -1;
}

static int exec_argv(const struct calls *c, const void *argv)
{
	char *const *a = argv;

	execv(a[0], a);
	return 127;
}

/* The guest's vmmap (scripts/vm-run installs it in /usr/bin), or NULL. */
static const char *vmmap_path(void)
{
	const char *p = getenv("VMMAP");

	if (p && *p)
		return p;
	return access("/usr/bin/vmmap", X_OK) ? NULL : "/usr/bin/vmmap";
}

/* A process to read and advise: a child that waits to be killed. */
static pid_t start_target(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED)
			memset(p, 1, 1 << 20);
		for (;;)
			pause();
	}
	return pid;
}

static void stop_target(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* ---- the file ---- */

TEST(file_format)
{
	struct calls c;

	LOAD_CALLS(&c);
	if (!c.present)
		SKIP(return, "no " PROCESS_VM_SYSCALLS_PATH ": a kernel without the calls");
	for (int i = 0; i < PROCESS_VM_NCALLS; i++)
		TH_LOG("%s: %ld", call_name[i], c.nr[i]);
	/* The header's resolver reads the same numbers. */
	EXPECT_EQ(c.nr[0], process_vm_syscall_nr("process_vm_getinfo"));
	EXPECT_EQ(c.nr[1], process_vm_syscall_nr("process_vm_madvise"));
	EXPECT_EQ(-1, process_vm_syscall_nr("process_vm_frob"));
}

TEST(file_is_read_only_on_sysfs)
{
	struct statfs sfs;
	struct stat st;
	int fd;

	if (stat(PROCESS_VM_SYSCALLS_PATH, &st))
		SKIP(return, "no " PROCESS_VM_SYSCALLS_PATH ": a kernel without the calls");
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0444, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	ASSERT_EQ(0, statfs(PROCESS_VM_SYSCALLS_PATH, &sfs));
	EXPECT_EQ(PROCESS_VM_SYSFS_MAGIC, sfs.f_type);
	/* kernfs refuses a write open of a file without a store, even to root. */
	fd = open(PROCESS_VM_SYSCALLS_PATH, O_WRONLY);
	EXPECT_EQ(-1, fd);
	if (fd >= 0)
		close(fd);
	else
		EXPECT_TRUE(errno == EACCES || errno == EPERM) {
			TH_LOG("open for writing: %s", strerror(errno));
		}
}

TEST(file_numbers_are_the_calls)
{
	struct calls c;

	LOAD_CALLS(&c);
	if (!c.present)
		SKIP(return, "no " PROCESS_VM_SYSCALLS_PATH ": a kernel without the calls");
	for (int i = 0; i < PROCESS_VM_NCALLS; i++) {
		long ret;

		if (c.nr[i] < 0)
			continue;
		/* Unknown flags: EINVAL from the call, ENOSYS from no call. */
		errno = 0;
		ret = syscall(c.nr[i], -1, NULL, 0, 1);
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINVAL, errno) {
			TH_LOG("%s (%ld) with flags 1: %s", call_name[i], c.nr[i],
			       strerror(errno));
		}
	}
}

/*
 * No number mainline may give a call in the life of the base reaches the
 * series: every number from the base's last call + 1 up to the series'
 * first, and past its last, is ENOSYS, 7.3's fchroot (472) among them on
 * 6.12. A program built for a newer kernel, or a seccomp filter keyed by number,
 * must never meet process_vm_getinfo() or process_vm_madvise() where it
 * expects another call. The series' own numbers answer as the calls (or,
 * on a kernel without them, ENOSYS too). Every call gets the arguments
 * (-1, NULL, 0, 1): a call that took them would fail with EBADF or EINVAL,
 * not ENOSYS.
 */
/*
 * The first number past the running base's last call (6.12 or 7.3, from
 * uname), or -1 on a kernel of another version.
 */
static long first_after_base(int *major, int *minor)
{
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%d.%d", major, minor) != 2)
		return -1;
	if (*major == 6 && *minor == 12)
		return FIRST_AFTER_6_12;
	if (*major == 7 && *minor == 3)
		return FIRST_AFTER_7_3;
	return -1;
}

static int free_number(long nr, int *err)
{
	long ret;

	errno = 0;
	ret = syscall(nr, -1, NULL, 0, 1, 0, 0);
	*err = errno;
	return ret == -1 && process_vm_no_call(-*err);
}

TEST(numbers_before_and_after_the_series_are_free)
{
	long nr, first, taken = 0, first_taken = -1;
	int err, major, minor;
	struct calls c;

	LOAD_CALLS(&c);
	if (c.present) {
		EXPECT_EQ(SERIES_FIRST, c.nr[0]);
		if (c.nr[1] >= 0)
			EXPECT_EQ(SERIES_LAST, c.nr[1]);
	}
	first = first_after_base(&major, &minor);
	if (first < 0)
		SKIP(return, "not a 6.12 or 7.3 kernel: its last call is not known here");
	/* On 6.12, the range below includes 7.3's fchroot; it is named here. */
	if (first < FCHROOT_7_3)
		EXPECT_TRUE(free_number(FCHROOT_7_3, &err)) {
			TH_LOG("7.3's fchroot (%d) answers %s, not ENOSYS",
			       FCHROOT_7_3, strerror(err));
		}
	for (nr = first; nr <= SERIES_LAST + CHECKED_PAST; nr++) {
		if (nr >= SERIES_FIRST && nr <= SERIES_LAST)
			continue;
		if (free_number(nr, &err))
			continue;
		if (!taken++)
			first_taken = nr;
		TH_LOG("number %ld answers %s, not ENOSYS", nr, strerror(err));
	}
	EXPECT_EQ(0, taken) {
		TH_LOG("%ld numbers taken, the first %ld", taken, first_taken);
	}
	TH_LOG("%d.%d: %ld numbers checked free: %ld..%d and %d..%d", major,
	       minor, SERIES_FIRST - first + CHECKED_PAST, first,
	       SERIES_FIRST - 1, SERIES_LAST + 1, SERIES_LAST + CHECKED_PAST);
}

/* ---- the selftests' header ---- */

TEST(header_parser)
{
	static const struct {
		const char *text;
		long getinfo, madvise;
	} cases[] = {
		{ "process_vm_getinfo 1000\nprocess_vm_madvise 1001\n", 1000, 1001 },
		{ "process_vm_madvise 9\nprocess_vm_getinfo 0\n", 0, 9 },
		{ "process_vm_getinfo 1000\n", 1000, -1 },
		{ "", -1, -1 },
		{ "process_vm_frob 1002\nprocess_vm_getinfo 1000\nhello\n", 1000, -1 },
		{ "process_vm_getinfo 1000", -1, -1 },
		{ "process_vm_getinfo  1000\n", -1, -1 },
		{ " process_vm_getinfo 1000\n", -1, -1 },
		{ "process_vm_getinfo 1000\x20\n", -1, -1 },
		{ "process_vm_getinfo 1000\r\n", -1, -1 },
		{ "process_vm_getinfo -1000\n", -1, -1 },
		{ "process_vm_getinfo +1000\n", -1, -1 },
		{ "process_vm_getinfo 01000\n", -1, -1 },
		{ "process_vm_getinfo 0x1d8\n", -1, -1 },
		{ "process_vm_getinfo\x20\n", -1, -1 },
		{ "process_vm_getinfo\n", -1, -1 },
		{ "PROCESS_VM_GETINFO 1000\n", -1, -1 },
		{ "process_vm_getinfo 2147483647\n", 2147483647, -1 },
		{ "process_vm_getinfo 2147483648\n", -1, -1 },
		{ "process_vm_getinfo 18446744073709551616\n", -1, -1 },
		{ "process_vm_getinfo 1000\nprocess_vm_getinfo 1008\nprocess_vm_madvise 1001\n",
		  -1, 1001 },
		{ "process_vm_getinfo 1000\nprocess_vm_getinfo 1000\n", -1, -1 },
		{ "process_vm_getinfo 1000\nprocess_vm_getinfo -1\n", 1000, -1 },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		long nr[PROCESS_VM_NCALLS];

		process_vm_syscalls_parse(cases[k].text, nr);
		EXPECT_EQ(cases[k].getinfo, nr[0]) {
			TH_LOG("case %zu", k);
		}
		EXPECT_EQ(cases[k].madvise, nr[1]) {
			TH_LOG("case %zu", k);
		}
	}
}

/* In the guarded child: the wrappers against the file's numbers. */
static int wrappers_child(const struct calls *c, const void *arg)
{
	int has_getinfo, has_madvise;
	long ret;

	(void)arg;
	if (process_vm_syscall_nr("process_vm_getinfo") != c->nr[0] ||
	    process_vm_syscall_nr("process_vm_madvise") != c->nr[1] ||
	    __NR_process_vm_getinfo != c->nr[0] ||
	    __NR_process_vm_madvise != c->nr[1])
		return 11;
	errno = 0;
	ret = sys_getinfo(-1, NULL, 0, 1U << 31);
	if (c->nr[0] < 0 ? !process_vm_no_call(ret) : ret != -EINVAL)
		return 12;
	errno = 0;
	ret = sys_vm_madvise(-1, NULL, 0, VM_MADVISE_UNKNOWN_FLAG);
	if (c->nr[1] < 0 ? !process_vm_no_call(ret) : ret != -EINVAL)
		return 13;
	has_getinfo = c->nr[0] >= 0;
	has_madvise = c->nr[1] >= 0;
	if (have_getinfo() != has_getinfo || have_vm_madvise() != has_madvise)
		return 14;
	return 0;
}

/*
 * Under the guard, the wrappers issue the file's numbers and no other: on a
 * kernel without the file they return -ENOSYS (errno ENOSYS) and the process
 * lives, which it would not if they issued 1000, 1001 or -1.
 */
TEST(header_wrappers_under_the_guard)
{
	struct guarded r;
	struct calls c;
	char buf[160];

	LOAD_CALLS(&c);
	ASSERT_EQ(0, run_guarded(&c, wrappers_child, NULL, NULL, 0, &r));
	TH_LOG("guard: %s", r.ptraced ? "ptrace" : "seccomp");
	EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) {
		TH_LOG("%s (11: numbers, 12: getinfo, 13: madvise, 14: have_*)",
		       guarded_text(&r, buf, sizeof(buf)));
	}
}

TEST(stock_header_finds_nothing)
{
	struct calls c;

	LOAD_CALLS(&c);
	if (c.present)
		SKIP(return, "the kernel has " PROCESS_VM_SYSCALLS_PATH);
	EXPECT_EQ(-1, process_vm_syscall_nr("process_vm_getinfo"));
	EXPECT_EQ(-1, process_vm_syscall_nr("process_vm_madvise"));
	EXPECT_EQ(-1, __NR_process_vm_getinfo);
	EXPECT_EQ(-1, __NR_process_vm_madvise);
	errno = 0;
	EXPECT_TRUE(process_vm_no_call(sys_getinfo(-1, NULL, 0, 0)));
	errno = 0;
	EXPECT_TRUE(process_vm_no_call(sys_vm_madvise(-1, NULL, 0, 0)));
	EXPECT_EQ(0, have_getinfo());
	EXPECT_EQ(0, have_vm_madvise());
}

static int issue_child(const struct calls *c, const void *nr)
{
	(void)c;
	syscall(*(const long *)nr, -1, NULL, 0, 1);
	return 0;
}

/*
 * The control: the guard does kill at a number the file does not name (7.3's
 * fchroot, 472), so that the runs below prove something.
 */
TEST(guard_kills_an_unnamed_number)
{
	struct guarded r;
	struct calls c;
	char buf[160];
	long unnamed;

	LOAD_CALLS(&c);
	for (unnamed = FCHROOT_7_3;; unnamed++)
		if (unnamed != c.nr[0] && unnamed != c.nr[1])
			break;
	ASSERT_EQ(0, run_guarded(&c, issue_child, &unnamed, NULL, 0, &r));
	TH_LOG("issued %ld under the guard (%s): %s", unnamed,
	       r.ptraced ? "ptrace" : "seccomp", guarded_text(&r, buf, sizeof(buf)));
	EXPECT_TRUE(guard_tripped(&r));
	if (r.ptraced)
		EXPECT_EQ(unnamed, r.issued);
}

/* ---- the vmmap crate, through its tool ---- */

/* Logs the first lines of out, each as a TAP comment. */
static void log_lines(struct __test_metadata *_metadata, const char *out, int max)
{
	for (int n = 0; n < max && *out; n++) {
		int len = strcspn(out, "\n");

		TH_LOG("  %.*s", len, out);
		out += len + !!out[len];
	}
}

static int exited_with(const struct guarded *r, int code)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == code;
}

static const char no_vmmap[] = "no vmmap (set VMMAP, or build the tools)";

/*
 * Runs vmmap ARGS (where "PID" is a fresh target's pid) under the guard,
 * into out and r; fails the test if it could not, or if the guard killed it.
 */
static void run_vmmap(struct __test_metadata *_metadata, const struct calls *c,
		      const char *const *args, char *out, size_t outlen,
		      struct guarded *r)
{
	char pid[16], buf[160], *argv[8];
	pid_t target;
	int n = 0, ret;

	argv[n++] = (char *)vmmap_path();
	target = start_target();
	ASSERT_LT(0, target);
	snprintf(pid, sizeof(pid), "%d", target);
	for (; *args && n < 7; args++)
		argv[n++] = strcmp(*args, "PID") ? (char *)*args : pid;
	argv[n] = NULL;
	ret = run_guarded(c, exec_argv, argv, out, outlen, r);
	stop_target(target);
	ASSERT_EQ(0, ret);
	TH_LOG("vmmap under the guard (%s): %s; it said:",
	       r->ptraced ? "ptrace" : "seccomp", guarded_text(r, buf, sizeof(buf)));
	log_lines(_metadata, out, 3);
	ASSERT_FALSE(guard_tripped(r));
}

/*
 * `vmmap maps PID` reads with process_vm_getinfo where the file names it,
 * and falls back (PROCMAP_QUERY, maps) without issuing it where it does not.
 */
TEST(vmmap_maps_under_the_guard)
{
	char out[16384];
	struct guarded r;
	struct calls c;
	int used;

	LOAD_CALLS(&c);
	if (!vmmap_path())
		SKIP(return, no_vmmap);
	run_vmmap(_metadata, &c, (const char *[]){ "maps", "PID", NULL },
		  out, sizeof(out), &r);
	ASSERT_TRUE(exited_with(&r, 0)) {
		log_lines(_metadata, out, 40);
	}
	used = !!strstr(out, "(read with process_vm_getinfo)");
	EXPECT_EQ(c.nr[0] >= 0, used) {
		TH_LOG("expected %s", c.nr[0] >= 0 ? "process_vm_getinfo" : "a fallback");
	}
}

/* `vmmap maps --via getinfo`: "not implemented" where the file does not name it. */
TEST(vmmap_via_getinfo_under_the_guard)
{
	char out[16384];
	struct guarded r;
	struct calls c;

	LOAD_CALLS(&c);
	if (!vmmap_path())
		SKIP(return, no_vmmap);
	run_vmmap(_metadata, &c, (const char *[]){ "maps", "PID", "--via", "getinfo", NULL },
		  out, sizeof(out), &r);
	if (c.nr[0] >= 0) {
		EXPECT_TRUE(exited_with(&r, 0));
	} else {
		EXPECT_TRUE(exited_with(&r, 1));
		/* strerror() of the missing call's errno, as Rust prints it. */
		EXPECT_TRUE(!!strstr(out, "Function not implemented"));
	}
}

/*
 * `vmmap pageout PID --anon`: sequence-checked (process_vm_madvise) where
 * the file names both calls, unchecked (process_madvise) where it does not.
 */
TEST(vmmap_pageout_under_the_guard)
{
	char out[16384];
	struct guarded r;
	struct calls c;
	int checked;

	LOAD_CALLS(&c);
	if (!vmmap_path())
		SKIP(return, no_vmmap);
	if (geteuid())
		SKIP(return, "process_madvise() of another process needs root");
	run_vmmap(_metadata, &c, (const char *[]){ "pageout", "PID", "--anon", NULL },
		  out, sizeof(out), &r);
	ASSERT_TRUE(exited_with(&r, 0)) {
		log_lines(_metadata, out, 40);
	}
	checked = !!strstr(out, "sequence-checked");
	EXPECT_EQ(c.nr[0] >= 0 && c.nr[1] >= 0, checked);
	if (!checked)
		EXPECT_TRUE(!!strstr(out, "unchecked"));
}

TEST_HARNESS_MAIN
