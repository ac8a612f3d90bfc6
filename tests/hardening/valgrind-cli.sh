#!/bin/sh
# valgrind over the sipsim CLI on every shipped package (issue 12: valgrind-clean CLI runs).
#
#   tests/hardening/valgrind-cli.sh [--quick] SIPSIM_EXE
#
# Runs `valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect`
# over check, info, links, tpp, cost, graph, export, traffic and thermal (coarse grid) on every
# topologies/**/*.cfg, and netsim (short run) on the small ones.  --quick (the meson test)
# takes default.cfg, star.cfg and mi300x_like.cfg only.  Exit 0 = clean; 1 = a valgrind error
# or leak (the log is printed); 77 = skipped (sanitizer build or no valgrind: valgrind cannot
# run an AddressSanitizer binary).  SIPSIM_SOURCE_ROOT (default: this script's repository)
# locates the packages.
set -u
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; shift; fi
exe=${1:?usage: valgrind-cli.sh [--quick] SIPSIM_EXE}
src=${SIPSIM_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v valgrind >/dev/null 2>&1 || { echo "valgrind-cli: no valgrind, skipped"; exit 77; }
# An ASan/UBSan binary (or its library) pulls in the sanitizer runtime.
if ldd "$exe" 2>/dev/null | grep -q 'libasan\|libubsan\|libtsan' ||
   nm -D "$exe" 2>/dev/null | grep -q '__asan_init'; then
    echo "valgrind-cli: $exe is a sanitizer build, skipped"
    exit 77
fi
if [ "$quick" = 1 ]; then
    packages="$src/topologies/default.cfg $src/topologies/star.cfg $src/topologies/mi300x_like.cfg"
else
    packages=$(ls "$src"/topologies/*.cfg "$src"/topologies/*/*.cfg)
fi
log=$(mktemp "${TMPDIR:-/tmp}/valgrind-cli.XXXXXX")
out=$(mktemp -d "${TMPDIR:-/tmp}/valgrind-cli-out.XXXXXX")
trap 'rm -rf "$log" "$out"' EXIT INT TERM
failed=0
runs=0
vg() {
    runs=$((runs + 1))
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect "$exe" "$@" >/dev/null 2>"$log"
    rc=$?
    # 99 = valgrind found an error; 0/1/2 are sipsim's own answers (1 = design-rule errors).
    if [ $rc -eq 99 ] || [ $rc -gt 2 ]; then
        echo "valgrind-cli: FAILED (exit $rc): sipsim $*" >&2
        cat "$log" >&2
        failed=1
    fi
}
for p in $packages; do
    for cmd in check info links tpp cost graph report; do
        vg $cmd "$p" --json
    done
    vg export "$p" -f graphml -o "$out/g.graphml"
    vg traffic "$p" --json
    vg thermal "$p" --json --grid 16
    vg netsim "$p" --rate 0.05 --set sample_period=200 --set max_samples=3 --set warmup_periods=1
done
echo "valgrind-cli: $runs runs on $(echo $packages | wc -w) packages, $([ $failed = 0 ] && echo clean || echo FAILED)"
exit $failed
