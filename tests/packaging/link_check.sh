#!/bin/sh
# Install the build into a scratch folder and link a user program against it twice, the way a
# user would: with `pkg-config --libs sipsim` (shared library) and with
# `pkg-config --static --libs sipsim` against the static archive alone (the .so removed), then
# run both on the shipped default package.  Arguments: BUILD_ROOT SOURCE_ROOT CC [CFLAGS...]
# (CFLAGS carries the build's -fsanitize options: sanitised objects need the runtime).
set -eu
build=$1 src=$2 cc=$3
shift 3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$scratch/root" >/dev/null
pcdir=$(find "$scratch/root" -name sipsim.pc -printf '%h\n' | head -n 1)
[ -n "$pcdir" ] || { echo "no sipsim.pc installed"; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$scratch/root"
expect="$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)"

"$cc" "$@" -o "$scratch/shared" "$src/tests/packaging/link_check.c" $(pkg-config --cflags --libs sipsim)
LD_LIBRARY_PATH="$(dirname "$pcdir")" "$scratch/shared" "$src/topologies/default.cfg" > "$scratch/shared.out"

rm -f "$(dirname "$pcdir")"/libsipsim.so*
"$cc" "$@" -o "$scratch/static" "$src/tests/packaging/link_check.c" $(pkg-config --static --cflags --libs sipsim)
"$scratch/static" "$src/topologies/default.cfg" > "$scratch/static.out"
if ldd "$scratch/static" | grep -q libsipsim; then echo "static program still needs libsipsim.so"; exit 1; fi

cmp "$scratch/shared.out" "$scratch/static.out"
case "$(cat "$scratch/static.out")" in
  "$expect "[1-9]*) echo "ok: $(cat "$scratch/static.out")" ;;
  *) echo "unexpected output: $(cat "$scratch/static.out") (version $expect)"; exit 1 ;;
esac
