# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the pipeline's scripts once ROOT is set. BASE is the kernel the
# series is built on: 7.3 (mainline; Debian 13's trixie-backports,
# linux-source-7.3, the default) or 6.12 (the LTS backport; Debian 12's
# linux-source-6.12). Each base has its own build directory, BUILD (build/7.3/
# for 7.3, build/ for 6.12), unless BUILD is set.
BASE=${BASE:-7.3}
# What an outer script exported for its own base (make check runs 7.3's
# steps under 6.12's environment) is not this base's.
if [ -n "${VMMAP_ENV_BASE:-}" ] && [ "$VMMAP_ENV_BASE" != "$BASE" ]; then
	unset BUILD PATCHES LIBCLANG_PATH
fi
case $BASE in
6.12) BUILD=${BUILD:-$ROOT/build} ;;
7.3) BUILD=${BUILD:-$ROOT/build/7.3} ;;
*)
	echo "${0##*/}: BASE=$BASE: the bases are 6.12 and 7.3" >&2
	exit 2
	;;
esac
# The series for the base: patches/series for 6.12, patches/7.3/series for
# 7.3 (its diffs are 7.3's own; the overlay's new files are shared).
case $BASE in
6.12) PATCHES=$ROOT/patches ;;
7.3) PATCHES=$ROOT/patches/7.3 ;;
esac
export BASE BUILD PATCHES
export VMMAP_ENV_BASE=$BASE

# bindgen loads the newest libclang it finds, which need not be the clang
# the kernel is built with (make deps BASE=7.3 adds LLVM 19 beside Debian
# 12's 14): each base's bindgen uses the libclang of its own clang.
case $BASE in
6.12) llvm_major=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\)\..*/\1/p' | head -n 1) ;;
7.3) llvm_major=19 ;;
esac
if [ -z "${LIBCLANG_PATH:-}" ] && [ -n "${llvm_major:-}" ] && [ -d "/usr/lib/llvm-$llvm_major/lib" ]; then
	export LIBCLANG_PATH=/usr/lib/llvm-$llvm_major/lib
fi
unset llvm_major
