#!/bin/sh
# Cortex-M4 size of skew_tracker.h, built freestanding (no malloc, no OS hooks).
# Usage (from the repository root): tests/portability/cortexm_size.sh
#
# What is measured, with and without the built-in bot table, all with arm-none-eabi-gcc -Os
# -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections and SKEW_ENABLE_HOSTED 0 (-Os turns
# SKEW_OPTIMIZE_SIZE on):
#   whole header      tests/portability/impl_only.c, every module on: every public function kept
#                     (the cluster part follows SKEW_ENABLE_HOSTED, so it is not in these objects;
#                     the config matrix compiles it non-hosted)
#   firmware profile  the same object with SKEW_ENABLE_ADMIN 0 and SKEW_ENABLE_IP 0 (no metrics
#                     text, snapshots or admin endpoints, no proxy headers), before linking
#   linked profile    the firmware example (examples/firmware) in that profile, linked with
#                     --gc-sections: the bytes the linker kept from its skew_impl.c object, the
#                     library's own translation unit (from the linker map: code, tables, strings)
#
# The budget (the step fails above it):
#   linked profile without the bot table (fw_cortexm_lean_notable.elf)  at most 17 KB (17408)
#   linked profile with the bot table    (fw_cortexm_lean.elf)          at most 25 KB (25600)
# (each raised by 1 KB for issue 17's abuse checks: pinned builds, route signatures, hidden
# characters, the stats reserve; they cost 976 bytes in both profiles)
#   whole header object with the table                                  at most 34 KB (34816; raised
#                                       to 35 KB for the auth scopes, pending verdicts and JSON
#                                       paths, won back by dropping skew_snapshot / skew_merge_*)
# Each object must also compile with -ffreestanding and need nothing from a hosted C library
# and no 64-bit division helper (only mem*/str* and libgcc's small helpers).
# Ends "N passed, N failed".
set -u
BUILD=${BUILD:-build}
CC=${ARM_EABI_CC:-arm-none-eabi-gcc}
OBJDUMP=${ARM_EABI_OBJDUMP:-arm-none-eabi-objdump}
NM=${ARM_EABI_NM:-arm-none-eabi-nm}
budget_whole=34816
budget_linked_1=25600
budget_linked_0=17408
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

# measure NAME BUDGET TABLE FLAGS...: BUDGET 0 for none
measure() {
  name=$1; budget=$2; table=$3; shift 3
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
  [ "$budget" -eq 0 ] && return
  if [ $total -le "$budget" ]; then ok "$name: $total <= $budget bytes (budget)"; else bad "$name: $total > $budget bytes (budget; over by $((total - budget)))"; fi
}

measure whole-header-table "$budget_whole" 1
echo "     largest functions and tables:"
$NM --size-sort -S "$out/whole-header-table.o" | tail -n 8 | while read -r _ size _ sym; do
  printf '       %6d %s\n' "$((0x$size))" "$sym"
done
measure whole-header-no-table 0 0
measure firmware-profile-table 0 1 -DSKEW_ENABLE_ADMIN=0 -DSKEW_ENABLE_IP=0
measure firmware-profile-no-table 0 0 -DSKEW_ENABLE_ADMIN=0 -DSKEW_ENABLE_IP=0

# The firmware example's images (make $(FW_CM_IMAGES)): what the linker kept of skew_impl.o,
# per output section, from the map; "text rodata".
lib_share() {
  # Merged string literals (.rodata.*.str1.*) are one blob that the map charges to whichever
  # input section came first, the app's or the library's, so their bytes jump with the link
  # order: those count at their size in the library's object (before merging) instead.
  awk '/^Linker script and memory map/ { go = 1; next } !go { next }
       /^\.[A-Za-z_]/ { out = $1 }
       /^ \.[A-Za-z_]/ { in_sec = $1 }
       out ~ /^\.(text|rodata)$/ && $NF ~ /_skew\.o$/ && $(NF-1) ~ /^0x/ { print out, in_sec, $(NF-1), $NF }' "$1" |
    while read -r sec name hex obj; do
      case $name in
        *.str1.*) hex=0x$($OBJDUMP -h "$obj" | awk -v n="$name" '$2 == n { print $3 }') ;;
      esac
      echo "$sec $((hex))"
    done |
    awk '$1 == ".text" { t += $2 } $1 == ".rodata" { r += $2 } END { printf "%d %d\n", t, r }'
}
for v in full notable lean lean_notable; do
  elf=$BUILD/firmware/fw_cortexm_$v.elf
  case $v in lean) budget=$budget_linked_1 ;; lean_notable) budget=$budget_linked_0 ;; *) budget=0 ;; esac
  if [ ! -f "$elf" ] || [ ! -f "${elf%.elf}.map" ]; then
    [ "$budget" -eq 0 ] || bad "linked fw_cortexm_$v.elf: not built (make the firmware images first)"
    continue
  fi
  set -- $(sizes "$elf")
  img=$(($1 + $2))
  set -- $(lib_share "${elf%.elf}.map")
  lib=$(($1 + $2))
  echo "     linked fw_cortexm_$v.elf: image text+rodata $img; of which skew_tracker.h: text $1 + rodata $2 = $lib bytes"
  [ "$budget" -eq 0 ] && continue
  if [ "$lib" -le 0 ]; then bad "linked fw_cortexm_$v.elf: no library bytes found in the map"
  elif [ "$lib" -le "$budget" ]; then ok "linked fw_cortexm_$v.elf: library $lib <= $budget bytes (budget)"
  else bad "linked fw_cortexm_$v.elf: library $lib > $budget bytes (budget; over by $((lib - budget)))"; fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
