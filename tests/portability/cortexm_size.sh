#!/bin/sh
# Cortex-M4 size of skew_tracker.h, built freestanding (no malloc, no OS hooks).
# Usage (from the repository root): tests/portability/cortexm_size.sh
#
# Three measures, each with and without the built-in bot table:
#   whole header      tests/portability/impl_only.c, every module on: every public function kept
#                     (the cluster part follows SKEW_ENABLE_HOSTED, so it is not in these objects;
#                     the config matrix compiles it non-hosted)
#   firmware profile  the same object with SKEW_ENABLE_ADMIN 0 and SKEW_ENABLE_IP 0 (no metrics
#                     text, snapshots or admin endpoints, no proxy headers); what issue 5's
#                     budget (20 KB with the table, 10 KB without) is compared against
#   linked images     the firmware example (examples/firmware) linked with --gc-sections: the
#                     library's share of the image (symbols from skew_tracker.h), when built
# All with arm-none-eabi-gcc -Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections and
# SKEW_ENABLE_HOSTED 0 (-Os turns SKEW_OPTIMIZE_SIZE on).
#
# Checks: each object compiles with -ffreestanding; it needs nothing from a hosted C library and
# no 64-bit division helper (only mem*/str* and libgcc's small helpers); its text+rodata stay
# under a growth ceiling set just above today's size (SKEW_CEIL_* to override). The budget of
# issue 5 is not met yet: the script prints how far each measure is from it, without failing.
# Ends "N passed, N failed".
set -u
BUILD=${BUILD:-build}
CC=${ARM_EABI_CC:-arm-none-eabi-gcc}
OBJDUMP=${ARM_EABI_OBJDUMP:-arm-none-eabi-objdump}
NM=${ARM_EABI_NM:-arm-none-eabi-nm}
ceil_whole_1=${SKEW_CEIL_WHOLE_TABLE:-34816}
ceil_whole_0=${SKEW_CEIL_WHOLE_NO_TABLE:-26112}
ceil_profile_1=${SKEW_CEIL_PROFILE_TABLE:-29696}
ceil_profile_0=${SKEW_CEIL_PROFILE_NO_TABLE:-21248}
target_1=20480
target_0=10240
for tool in $CC $OBJDUMP $NM; do
  command -v $tool >/dev/null 2>&1 || { echo "skipped: $tool not found"; exit 0; }
done
out=$BUILD/cortexm
mkdir -p "$out"
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
FLAGS="-std=c99 -Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections -Wall -Wextra -Werror -DSKEW_ENABLE_HOSTED=0"

# section bytes of an object: "text rodata data bss"
sizes() {
  $OBJDUMP -h "$1" | awk 'NF >= 7 && $1 ~ /^[0-9]+$/ { print $2, $3 }' | while read -r name hex; do
    printf '%s %d\n' "$name" "$((0x$hex))"
  done | awk '$1 ~ /^\.text/ { t += $2 } $1 ~ /^\.rodata/ { r += $2 } $1 ~ /^\.data/ { d += $2 } $1 ~ /^\.bss/ { b += $2 }
              END { printf "%d %d %d %d\n", t, r, d, b }'
}

target_line() { # bytes target
  if [ "$1" -le "$2" ]; then echo "     issue 5 budget $2 bytes: met"
  else echo "     issue 5 budget $2 bytes: NOT met (over by $(($1 - $2)))"; fi
}

# measure NAME CEILING TABLE FLAGS...
measure() {
  name=$1; ceil=$2; table=$3; shift 3
  obj=$out/$name.o
  # SKEW_ASSERT: a firmware defines its own (the default assert() would pull in printf)
  # shellcheck disable=SC2086
  if ! $CC $FLAGS -ffreestanding -DSKEW_ENABLE_BOT_TABLE=$table "$@" '-DSKEW_ASSERT(x)=((void)0)' -I. \
       -c -o "$obj" tests/portability/impl_only.c >"$obj.log" 2>&1; then
    cat "$obj.log"; bad "$name: does not compile freestanding"; return
  fi
  ok "$name: compiles with -ffreestanding"
  # anything undefined beyond the string functions and libgcc's small helpers is a dependency
  extra=$($NM -u "$obj" | awk '{ print $2 }' | grep -vE '^(mem(cpy|move|set|cmp|chr)|str(len|cmp|ncmp|chr)|__aeabi_(memcpy|memmove|memset|memclr|uidiv|uidivmod|idiv|idivmod|llsl|llsr|lasr|lmul)[0-9]*|__popcount[sd]i2)$')
  if [ -n "$extra" ]; then bad "$name: needs $(echo $extra)"; else ok "$name: needs only mem*/str* (no 64-bit division helper)"; fi
  set -- $(sizes "$obj")
  total=$(($1 + $2 + $3))
  echo "     $name: text $1 + rodata $2 + data $3 = $total bytes (bss $4)"
  if [ $total -le "$ceil" ]; then ok "$name: $total <= $ceil bytes (growth ceiling)"; else bad "$name: $total > $ceil bytes (over by $((total - ceil)))"; fi
  last_total=$total
}

measure whole-header-table "$ceil_whole_1" 1
echo "     largest functions and tables:"
$NM --size-sort -S "$out/whole-header-table.o" | tail -n 8 | while read -r _ size _ sym; do
  printf '       %6d %s\n' "$((0x$size))" "$sym"
done
measure whole-header-no-table "$ceil_whole_0" 0
measure firmware-profile-table "$ceil_profile_1" 1 -DSKEW_ENABLE_ADMIN=0 -DSKEW_ENABLE_IP=0
target_line "$last_total" $target_1
measure firmware-profile-no-table "$ceil_profile_0" 0 -DSKEW_ENABLE_ADMIN=0 -DSKEW_ENABLE_IP=0
target_line "$last_total" $target_0

# the firmware example images, linked with --gc-sections (only what the example calls)
for v in full notable lean lean_notable; do
  elf=$BUILD/firmware/fw_cortexm_$v.elf
  [ -f "$elf" ] || continue
  set -- $(sizes "$elf")
  lib=$($NM -S -l "$elf" | awk 'NF >= 5 && $3 ~ /^[tTrRdD]$/ && $NF ~ /skew_tracker\.h:/ { print $2 }' |
        while read -r hex; do echo $((0x$hex)); done | awk '{ s += $1 } END { print s + 0 }')
  echo "     linked fw_cortexm_$v.elf: text $1 + rodata $2; of which skew_tracker.h $lib bytes"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
