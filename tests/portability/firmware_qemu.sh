#!/bin/sh
# The firmware example (examples/firmware) on an emulated Cortex-M4: each MPS2 AN386 image runs
# under qemu-system-arm -M mps2-an386 and its own checks run on the emulated CPU (open and close,
# `connected`, route updates, a coalesced stats push, a version push, a bot refused, a full
# tracker refusing; see firmware.c). Semihosting carries its log and exit status.
# Usage (from the repository root, after `make $(FW_MPS2_IMAGES)`): tests/portability/firmware_qemu.sh
#
# Checks per image: qemu exits 0 within the time limit, the firmware's last line is
# "N passed, 0 failed" with N > 0, the stack never reached the bottom of its region, and the
# image links no allocator (malloc, free, _sbrk). Prints the figures of each image:
#   flash        text (vector table and code) + rodata
#   static RAM   .data + .bss, with the tracker buffer sized for 64 and for 1,024 connections
#                (the firmware's configuration with only max_connections changed; the buffer
#                size for each is what skew_tracker_memory_size says on the emulated CPU)
#   stack        the high-water mark of the whole run and of one open+message+close cycle
#                (the stack is painted at reset and read back, port_mps2.c)
# Ends "N passed, N failed". Skipped when qemu-system-arm or arm-none-eabi-gcc is missing.
# Environment: BUILD (build), FW_QEMU_TIMEOUT (seconds per image, 120).
set -u
BUILD=${BUILD:-build}
limit=${FW_QEMU_TIMEOUT:-120}
QEMU=${QEMU_SYSTEM_ARM:-qemu-system-arm}
for tool in $QEMU arm-none-eabi-gcc arm-none-eabi-nm arm-none-eabi-objdump; do
  command -v $tool >/dev/null 2>&1 || { echo "skipped: $tool not found"; exit 0; }
done
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

# bytes of the sections whose names match a regex
section_bytes() {
  arm-none-eabi-objdump -h "$1" | awk -v re="$2" 'NF >= 7 && $1 ~ /^[0-9]+$/ && $2 ~ re { print $3 }' |
    while read -r hex; do echo $((0x$hex)); done | awk '{ s += $1 } END { print s + 0 }'
}

for v in full notable lean lean_notable; do
  elf=$BUILD/firmware/mps2/fw_$v.elf
  if [ ! -f "$elf" ]; then bad "fw_$v: $elf was not built"; continue; fi
  log=$BUILD/firmware/mps2/fw_$v.qemu.log
  # -icount sleep=off: the emulated clock jumps over WFI, so the 40 s script runs in about 1 s
  timeout "$limit" $QEMU -M mps2-an386 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -icount shift=0,sleep=off -kernel "$elf" >"$log" 2>&1
  rc=$?
  echo "---- fw_$v under qemu (exit $rc):"
  sed 's/^/     | /' "$log"
  last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ "$rc" -eq 124 ]; then bad "fw_$v: no exit within ${limit} s"
  elif [ "$rc" -ne 0 ]; then bad "fw_$v: exit status $rc"
  else ok "fw_$v: exit status 0"; fi
  case $last in
    "0 passed, "*|"") bad "fw_$v: no checks ran on the emulated CPU" ;;
    *" 0 failed") ok "fw_$v: the firmware's checks: $last" ;;
    *) bad "fw_$v: the firmware's checks: $last" ;;
  esac
  if grep -q '^panic:' "$log"; then bad "fw_$v: $(grep '^panic:' "$log" | head -n 1)"; fi
  alloc=$(arm-none-eabi-nm "$elf" | awk '$3 ~ /^(malloc|_malloc_r|free|_free_r|calloc|realloc|_sbrk)$/ { print $3 }')
  if [ -n "$alloc" ]; then bad "fw_$v: links an allocator: $(echo $alloc)"; else ok "fw_$v: no malloc/free/_sbrk in the image"; fi

  # figures
  text=$(section_bytes "$elf" '^\.(isr_vector|text)$')
  rodata=$(section_bytes "$elf" '^\.rodata')
  data=$(section_bytes "$elf" '^\.data$')
  bss=$(section_bytes "$elf" '^\.bss$')
  buf=$(arm-none-eabi-nm -S "$elf" | awk '$4 == "tracker_mem" { print $2 }')
  [ -n "$buf" ] && buf=$((0x$buf))
  stack=$(section_bytes "$elf" '^\.stack$')
  echo "     fw_$v flash: text $text + rodata $rodata = $((text + rodata)) bytes (+ data $data copied to RAM)"
  for n in 64 1024; do
    need=$(sed -n "s/.*tracker for $n connections needs \([0-9]*\) bytes.*/\1/p" "$log")
    if [ -z "$need" ] || [ -z "$buf" ]; then bad "fw_$v: no tracker size for $n connections"; continue; fi
    echo "     fw_$v static RAM for $n connections: data $data + bss $((bss - buf)) without the tracker buffer + tracker $need = $((data + bss - buf + need)) bytes (stack region $stack not included)"
  done
  run=$(sed -n 's/.*stack high-water mark of the whole run: \([0-9]*\) bytes.*/\1/p' "$log")
  cycle=$(sed -n 's/.*stack high-water mark of open+message+close: \(.*\)$/\1/p' "$log")
  if [ -n "$run" ] && [ -n "$cycle" ] && [ "$run" -lt "$stack" ]; then
    ok "fw_$v: stack high-water mark $run of $stack bytes (whole run); open+message+close cycle: $cycle"
  else
    bad "fw_$v: stack high-water mark missing or at the bottom of the region (run '$run' of $stack)"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
