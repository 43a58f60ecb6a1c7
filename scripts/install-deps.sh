#!/bin/sh
# install-deps.sh -- install the Debian packages hetsim needs to build, test
# and run, and nothing else.  Idempotent: a package already installed is
# left alone, and when everything is present the script does nothing.
# 'install-deps.sh fuzz' adds what 'make fuzz' needs (clang with the
# libFuzzer and sanitizer runtimes; Debian 12 names), which 'make check'
# does not install.
# When not run as root (and sudo is not available without a password) it
# prints the exact apt-get command instead of running it.
#
#   sh scripts/install-deps.sh            build, test, demo (make check)
#   sh scripts/install-deps.sh --browser  also chromium, for the optional
#                                         'make check-browser'
set -eu

# openmpi-bin and libopenmpi-dev: the MPI companion hetsim-mpi
# (docs/sweep.md) and its test.  gnuplot-nox draws 'hetsim plot' and the
# report's plots; libjansson-dev reads Mooncake traces and HuggingFace
# configs and writes 'hetsim trace'.  Optional groups: '--browser'
# (chromium, for make check-browser), 'fuzz' (clang and libFuzzer, for
# make fuzz).
PKGS="build-essential pkg-config libgsl-dev libyaml-dev libsqlite3-dev libjansson-dev check sqlite3 time openmpi-bin libopenmpi-dev gnuplot-nox"
FUZZ_PKGS="clang-14 libclang-rt-14-dev"
if [ "${1:-}" = "--browser" ]; then
    PKGS="$PKGS chromium"
elif [ "${1:-}" = fuzz ]; then
    PKGS="$PKGS $FUZZ_PKGS"
fi

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -eq 0 ]; then
    echo "install-deps: installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || apt-get update
    $cmd
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "install-deps: installing with sudo:$missing" >&2
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive $cmd
else
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root:  apt-get update && $cmd" >&2
    exit 1
fi
