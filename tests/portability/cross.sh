#!/usr/bin/env bash
# Build the unit tests with a Debian cross compiler and run them under qemu-user.
# Usage (from the repository root): tests/portability/cross.sh armhf|s390x|i686 [TEST.c...]
#   armhf  32-bit ARM, little-endian (arm-linux-gnueabihf-gcc, qemu-arm)
#   s390x  64-bit, big-endian         (s390x-linux-gnu-gcc, qemu-s390x)
#   i686   32-bit x86                 (i686-linux-gnu-gcc, qemu-i386; unlike gcc-multilib it
#                                      installs next to the other cross compilers)
# Without test files every tests/test_*.c is built. Prints each test's "N passed, N failed"
# and the sum as the last line; "skipped: <tool> not found" without the compiler or qemu.
# Environment: BUILD, CSTD, WARN_C (from the Makefile), CROSS_TIMEOUT (seconds per test, 600),
# CROSS_JOBS (tests built and run at once, default the number of cores: CI has a time budget;
# the lines are printed in order when all are done).
set -u
. tests/portability/tally.sh
arch=$1; shift
BUILD=${BUILD:-build}
CSTD=${CSTD:--std=c99}
WARN_C=${WARN_C:--Wall -Wextra -Werror}
limit=${CROSS_TIMEOUT:-600}
case $arch in
  armhf) cc=arm-linux-gnueabihf-gcc; qemu="qemu-arm"; sysroot=/usr/arm-linux-gnueabihf; libc=libc6-dev-armhf-cross ;;
  s390x) cc=s390x-linux-gnu-gcc; qemu="qemu-s390x"; sysroot=/usr/s390x-linux-gnu; libc=libc6-dev-s390x-cross ;;
  i686) cc=i686-linux-gnu-gcc; qemu="qemu-i386"; sysroot=/usr/i686-linux-gnu; libc=libc6-dev-i386-cross ;;
  *) echo "usage: $0 armhf|s390x|i686 [TEST.c...]" >&2; exit 2 ;;
esac
for tool in $cc $qemu; do
  command -v $tool >/dev/null 2>&1 || { echo "skipped: $tool not found"; exit 0; }
done
[ -d "$sysroot" ] || { echo "skipped: $sysroot not found ($libc)"; exit 0; }
[ $# -gt 0 ] || set -- tests/test_*.c
# qemu-i386 (user mode) hangs in the threaded test (test_threads.c: four workers, a ticker and a
# metrics thread on one recursive mutex); it runs natively in every unit build, under TSan, and
# under qemu for armhf and s390x. Left out for i686 only, said on its own line.
if [ "$arch" = i686 ]; then
  keep=""
  for f in "$@"; do case $f in */test_threads.c) echo "left out on i686: $f (qemu-i386 hangs in it)";; *) keep="$keep $f";; esac; done
  set -- $keep
fi
out=$BUILD/cross-$arch
mkdir -p "$out"
passed=0; failed=0
jobs_max=${CROSS_JOBS:-$(nproc 2>/dev/null || echo 1)}
# one SRC: build and run one test; its exit code (or "build") goes to $out/NAME.rc
one() {
  name=$(basename "$1" .c)
  bin=$out/$name
  # shellcheck disable=SC2086
  # maybe-uninitialized differs between targets and optimisers: a warning here, not an error
  if ! $cc $CSTD $WARN_C -Wno-error=maybe-uninitialized -O2 -g -I. -Itests -o "$bin" "$1" -lm >"$bin.build.log" 2>&1; then
    echo build >"$bin.rc"; return
  fi
  timeout "$limit" $qemu -L "$sysroot" "$bin" >"$bin.log" 2>&1
  echo $? >"$bin.rc"
}
for src in "$@"; do
  rm -f "$out/$(basename "$src" .c).rc"
  while [ "$(jobs -pr | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  one "$src" &
done
wait
for src in "$@"; do
  name=$(basename "$src" .c)
  bin=$out/$name
  rc=$(cat "$bin.rc" 2>/dev/null || echo none)
  case $rc in
  build) cat "$bin.build.log"; echo "FAIL $name: build"; failed=$((failed + 1)); continue ;;
  none) echo "FAIL $name: no result"; failed=$((failed + 1)); continue ;;
  esac
  tally "$bin.log" "$rc"
  if grep -q '^skipped:' "$bin.log"; then
    echo "skip $name: $(grep '^skipped:' "$bin.log" | head -n 1)"
    continue
  fi
  report "$name" "$arch" "$bin.log" "$rc" 20
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
