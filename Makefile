# SPDX-License-Identifier: GPL-2.0
#
# The pipeline of the series: tools, base tree, patch, configure, build,
# boot in QEMU, test. See README.md.
#
#   make deps                              install what the rest needs
#   make kernel ARCH=x86_64 VARIANT=series build one kernel, print its image
#                                          (BASE=7.3, default, or BASE=6.12)
#   make selftests ARCH=...                build the guest's tests (static)
#   make shell ARCH=...                    boot the series kernel to a shell
#   make run                               the demo: vmmap on an app-shaped process
#   make check                             every test, both architectures
#   make bench                             benchmarks, series beside stock, both bases
#   make fuzz [FUZZ_SECONDS=N] [SEED=S]    trinity and the series' fuzzer, sanitizer kernel
#   make series                            the series as git format-patch output, in build/series

ARCH ?= x86_64
VARIANT ?= series
# The base: 7.3 (mainline; Debian 13's linux-source-7.3 from
# trixie-backports, the default) or 6.12 (Debian 12's linux-source-6.12, the
# LTS backport); each builds under its own directory (scripts/base.sh).
# make bench measures both bases unless BASE (or BENCH_BASES) is given;
# make fuzz stays on 6.12 unless BASE is given (its 7.3 kernel is not
# there yet: docs/port-7.3.md).
ifeq ($(origin BASE),undefined)
BASE := 7.3
fuzz: BASE := 6.12
fuzz: BUILD := $(CURDIR)/build
BENCH_BASES ?= 7.3 6.12
endif
BENCH_BASES ?= $(BASE)
export BENCH_BASES
BUILD_OF_BASE := $(if $(filter 6.12,$(BASE)),$(CURDIR)/build,$(CURDIR)/build/$(BASE))
# A BUILD exported by a script of another base (scripts/check runs both) is
# not this base's.
ifneq ($(VMMAP_ENV_BASE),)
ifneq ($(VMMAP_ENV_BASE),$(BASE))
BUILD := $(BUILD_OF_BASE)
endif
endif
BUILD ?= $(BUILD_OF_BASE)
# What the scripts take as this make's base (scripts/base.sh).
VMMAP_ENV_BASE = $(BASE)
export BASE BUILD VMMAP_ENV_BASE

SHELL := /bin/bash
# The toolchain that cargo install puts in ~/.cargo/bin must be found.
export PATH := $(HOME)/.cargo/bin:$(PATH)

ifeq ($(ARCH),arm64)
TARGET_CC := aarch64-linux-gnu-gcc
else
TARGET_CC := gcc
endif

# The tests built into the guest image: the series' own and the upstream
# ones that guard the same ABI. Each is "guest-name:source-path".
SELFTESTS := \
	anon_vma_name_test:tools/testing/selftests/mm/anon_vma_name_test.c \
	anon_vma_name_flood:tools/testing/selftests/mm/anon_vma_name_flood.c \
	anon_vma_name_isolation:tools/testing/selftests/mm/anon_vma_name_isolation.c \
	anon_vma_name_memcg:tools/testing/selftests/mm/anon_vma_name_memcg.c \
	set-anon-vma-name-test:tools/testing/selftests/prctl/set-anon-vma-name-test.c \
	proc-pid-vm:tools/testing/selftests/proc/proc-pid-vm.c \
	anon_vma_name_transcript:tools/testing/selftests/mm/anon_vma_name_transcript.c \
	anon_vma_name_bench:tools/testing/selftests/mm/anon_vma_name_bench.c \
	process_vm_getinfo_test:tools/testing/selftests/mm/process_vm_getinfo_test.c \
	process_vm_getinfo_bench:tools/testing/selftests/mm/process_vm_getinfo_bench.c \
	process_vm_madvise_test:tools/testing/selftests/mm/process_vm_madvise_test.c \
	process_vm_madvise_bench:tools/testing/selftests/mm/process_vm_madvise_bench.c \
	process_vm_stall_bench:tools/testing/selftests/mm/process_vm_stall_bench.c \
	process_vm_syscalls_test:tools/testing/selftests/mm/process_vm_syscalls_test.c \
	process_vm_fuzz:tools/testing/selftests/mm/process_vm_fuzz.c \
	madvise_differential:tools/testing/selftests/mm/madvise_differential.c \
	app_workload:scripts/guest/app_workload.c

.PHONY: all deps base kernel rootfs selftests shell run check bench fuzz series clean help

all: help

help:
	@sed -n '3,15p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@scripts/deps

base:
	@scripts/base-tree

kernel:
	@scripts/build-kernel $(ARCH) $(VARIANT)

# The guest's busybox (the init and the shell that runs the command).
rootfs: $(BUILD)/$(ARCH)/busybox

$(BUILD)/x86_64/busybox: /bin/busybox
	@mkdir -p $(@D) && install -m 755 $< $@

$(BUILD)/arm64/busybox: /var/cache/vmmap/busybox-arm64
	@mkdir -p $(@D) && install -m 755 $< $@

# Selftests are compiled from the series tree (upstream's files are
# unmodified there; ours are copied in) against its exported uapi headers.
selftests: rootfs
	@scripts/build-selftests $(ARCH) $(TARGET_CC) $(SELFTESTS)
	@scripts/build-upstream-mm $(ARCH) $(TARGET_CC)
	@scripts/build-tools $(ARCH)

shell: rootfs
	@scripts/build-kernel $(ARCH) series >/dev/null
	@$(MAKE) -s selftests ARCH=$(ARCH)
	scripts/vm-run --arch $(ARCH) --variant series --interactive

# The demo runs on the kernel without the debugging (series-bench), which
# boots in seconds.
run: deps
	@scripts/build-kernel x86_64 series-bench >/dev/null
	@SELFTESTS_KERNEL=series-bench $(MAKE) -s selftests ARCH=x86_64
	scripts/vm-run --arch x86_64 --variant series-bench --quiet-kernel -- /selftests/run-demo

check: deps
	@scripts/check

bench: deps
	@scripts/deps bench >/dev/null
	@scripts/bench

# git format-patch output of the series on the base (patches/series and
# patches/files say what each patch carries), with its cover letter.
series: deps
	@scripts/make-series

# The fuzzers on the series kernel of ARCH (x86_64 carries the sanitizers):
# Debian's trinity (every system call, as nobody and as root) and the
# series' own (tools/testing/selftests/mm/process_vm_fuzz.c) at once, for
# FUZZ_SECONDS; prints the calls made, the kernel reports and the seed.
FUZZ_SECONDS ?= 600
SEED ?= 1
fuzz: deps
	@scripts/build-kernel $(ARCH) series >/dev/null
	@$(MAKE) -s selftests ARCH=$(ARCH)
	@scripts/fuzz $(ARCH) $(FUZZ_SECONDS) $(SEED)

clean:
	rm -rf $(BUILD)
