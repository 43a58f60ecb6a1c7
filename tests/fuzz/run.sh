#!/bin/sh
# run.sh -- run every libFuzzer harness of tests/fuzz/ for a while:
#
#   sh tests/fuzz/run.sh BUILD_DIR SECONDS [NAME]     (make fuzz)
#
# BUILD_DIR holds the harnesses (build/fuzz/fuzz/fuzz_NAME, made by
# 'make FUZZ=1 fuzz-build'); each runs SECONDS seconds (NAME: only that
# one), one after the other, from the repository root.  Each starts from
# its seeds (tests/fuzz/corpus/NAME, read only) and its inputs that once
# crashed (tests/fuzz/regress/NAME), and adds what it finds to
# BUILD_DIR/corpus/NAME (kept between runs, not committed).  A crash,
# leak, sanitizer report or timeout stops that harness: the input is
# saved as BUILD_DIR/crashes/NAME-*; the script runs the others and exits
# 1 at the end.  Extra libFuzzer flags: $FUZZ_FLAGS.
set -u
build=$1
seconds=$2
only=${3:-}
cd "$(dirname "$0")/../.."
names="units scenario set trace_azure trace_mooncake trace_hetsim trace_sessions"
fail=""

# The longest input worth trying, per harness: a scenario or a trace of a
# few dozen lines says all a longer one would.
max_len() {
    case $1 in
    units) echo 128 ;; set) echo 1024 ;; *) echo 8192 ;;
    esac
}

for n in $names; do
    [ -n "$only" ] && [ "$n" != "$only" ] && continue
    bin=$build/fuzz/fuzz_$n
    corpus=$build/corpus/$n
    mkdir -p "$corpus" "$build/crashes"
    dirs="$corpus tests/fuzz/corpus/$n"
    [ -d "tests/fuzz/regress/$n" ] && dirs="$dirs tests/fuzz/regress/$n"
    echo "fuzz: $n for ${seconds}s"
    # shellcheck disable=SC2086
    if ! "$bin" -max_total_time="$seconds" -max_len="$(max_len "$n")" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$n-" ${FUZZ_FLAGS:-} $dirs \
        >"$build/$n.log" 2>&1; then
        fail="$fail $n"
        echo "fuzz: $n FAILED (log: $build/$n.log, input: $build/crashes/$n-*)"
        tail -n 30 "$build/$n.log"
    fi
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' \
        "$build/$n.log" | sed "s/^/fuzz: $n /"
done
if [ -n "$fail" ]; then
    echo "fuzz: failed:$fail"
    exit 1
fi
echo "fuzz: ok"
