# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the pipeline's scripts once ROOT is set. BASE is the kernel the
# series is built on: 6.12 (Debian 12's linux-source-6.12, the default) or
# 7.3 (Debian 13's trixie-backports, linux-source-7.3). Each base has its
# own build directory, BUILD (build/ for 6.12, build/7.3/ for 7.3), unless
# BUILD is set.
BASE=${BASE:-6.12}
case $BASE in
6.12) BUILD=${BUILD:-$ROOT/build} ;;
7.3) BUILD=${BUILD:-$ROOT/build/7.3} ;;
*)
	echo "${0##*/}: BASE=$BASE: the bases are 6.12 and 7.3" >&2
	exit 2
	;;
esac
export BASE BUILD
