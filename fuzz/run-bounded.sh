#!/bin/sh
# Bounded libFuzzer run of every harness in fuzz/ (the CI step and the long runs use it).
#
#   fuzz/run-bounded.sh [-t SECONDS] [-b BUILD_DIR] [-k] [HARNESS ...]
#
#   -t SECONDS    fuzzing time per harness (default 60)
#   -b BUILD_DIR  clang fuzz build (configured here when it has no build.ninja;
#                 default build-fuzz beside the source tree's parent: $SRC/../build-fuzz)
#   -k            keep the grown corpora in $BUILD_DIR/fuzz-corpus/HARNESS (default: a scratch copy)
#   HARNESS       package, hotspot, anynet, sweep, onnx (default: all)
#
# Each harness first replays its regression inputs (tests/data/regress/HARNESS-*) and seeds, then
# fuzzes from the shipped files for SECONDS.  Exit status 0 = no crash, leak, sanitizer report,
# timeout or out-of-memory; 1 = a harness failed (its log and the crashing input, under
# $BUILD_DIR/fuzz-artifacts/, are named on stderr); 2 = usage or build error.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
build="$src/../build-fuzz"
keep=0
while getopts t:b:k opt; do
    case $opt in
    t) seconds=$OPTARG ;;
    b) build=$OPTARG ;;
    k) keep=1 ;;
    *) sed -n '2,17p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
harnesses=${*:-package hotspot anynet sweep onnx}

if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$src" -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined \
        -Db_lundef=false >"$build.setup.log" 2>&1 || { cat "$build.setup.log" >&2; exit 2; }
fi
targets=""
for h in $harnesses; do targets="$targets fuzz/fuzz_$h"; done
# shellcheck disable=SC2086
ninja -C "$build" $targets >"$build/fuzz-build.log" 2>&1 || { tail -40 "$build/fuzz-build.log" >&2; exit 2; }

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export SIPSIM_SOURCE_ROOT="$src"
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/sipsim-fuzz-run.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

failed=0
for h in $harnesses; do
    exe="$build/fuzz/fuzz_$h"
    seeds="$scratch/seeds-$h"
    mkdir -p "$seeds"
    cp "$src"/fuzz/seeds/"$h"/* "$seeds"/ 2>/dev/null
    cp "$src"/tests/data/regress/"$h"-* "$seeds"/ 2>/dev/null
    if [ "$h" = package ]; then
        # The shipped packages and chiplets, and the loader's good and bad test inputs.
        for f in "$src"/topologies/*.cfg "$src"/topologies/*/*.cfg "$src"/chiplets/*.cfg \
                 "$src"/tests/data/good/*.cfg "$src"/tests/data/bad/*.cfg; do
            [ -f "$f" ] && cp "$f" "$seeds/$(echo "$f" | sed "s|^$src/||; s|/|_|g")"
        done
    fi
    [ "$h" = sweep ] && cp "$src"/sweeps/*.cfg "$seeds"/ 2>/dev/null
    # The ONNX reader's test models (good, corrupt and refused ones).
    [ "$h" = onnx ] && cp "$src"/tests/data/import/*.onnx "$seeds"/ 2>/dev/null
    if [ "$keep" = 1 ]; then
        corpus="$build/fuzz-corpus/$h"
    else
        corpus="$scratch/corpus-$h"
    fi
    mkdir -p "$corpus"
    dict=""
    [ -f "$src/fuzz/$h.dict" ] && dict="-dict=$src/fuzz/$h.dict"
    log="$artifacts/$h.log"
    # Replay first: a regression input must pass on its own, with no fuzzing luck involved.
    # shellcheck disable=SC2086
    if ! "$exe" -rss_limit_mb=2048 -timeout=20 "$seeds"/* >"$log.replay" 2>&1; then
        echo "fuzz: $h: a seed or regression input fails (log: $log.replay)" >&2
        tail -30 "$log.replay" >&2
        failed=1
        continue
    fi
    # shellcheck disable=SC2086
    # FUZZ_RUNS=N: a fixed number of runs from seed 1 instead of a time bound, so a CI run is
    # reproducible bit for bit on any machine.
    bound="-max_total_time=$seconds"
    [ -n "${FUZZ_RUNS:-}" ] && bound="-runs=$FUZZ_RUNS -seed=1"
    # shellcheck disable=SC2086
    if nice -n 19 "$exe" $bound -rss_limit_mb=2048 -timeout=20 -max_len=16384 \
           -print_final_stats=1 -artifact_prefix="$artifacts/$h-" $dict "$corpus" "$seeds" \
           >"$log" 2>&1; then
        echo "fuzz: $h: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs)"
    else
        echo "fuzz: $h: FAILED (log: $log; input: $(grep -o "Test unit written to .*" "$log" | tail -1 | cut -d' ' -f5-))" >&2
        grep -E 'ERROR|SUMMARY|invariant|#[0-9]+ 0x' "$log" | head -30 >&2
        failed=1
    fi
done
exit $failed
