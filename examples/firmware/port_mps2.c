/* port_mps2.c - the firmware example's board under emulation: ARM MPS2 with the AN386 image
   (Cortex-M4), as `qemu-system-arm -M mps2-an386` runs it (tests/portability/firmware_qemu.sh).
   Startup (vector table, .data/.bss set-up, stack painting), a SysTick millisecond clock,
   semihosting for the log and the exit status. Linked with mps2_an386.ld; no C library start
   files, no heap, no syscalls besides the two semihosting calls.

   The board has no hardware random number generator, so fw_trng_fill here is a xorshift from a
   constant, like port_host.c: fine for a test, and exactly what real firmware must NOT do
   (fw_port.h; port_cortexm.c shows a real TRNG). */
#include "fw_port.h"

#include <string.h>

#define CORE_HZ 25000000u /* the MPS2 FPGA's 25 MHz system clock */
#include "cortexm_core.h"

int main(void);

/* ---- semihosting: the debugger (here qemu) does the call at "bkpt 0xAB" ------------------- */

#define SYS_WRITE0 0x04u
#define SYS_EXIT 0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u /* qemu exits with status 0 */
#define ADP_STOPPED_RUNTIME_ERROR 0x20023u     /* qemu exits with status 1 */

static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void sh_exit(int status) {
    /* for SYS_EXIT on 32-bit ARM the reason itself is the argument, not a pointer to it */
    semihost(SYS_EXIT, (const void *)(uintptr_t)(status == 0 ? ADP_STOPPED_APPLICATION_EXIT
                                                             : ADP_STOPPED_RUNTIME_ERROR));
    for (;;) {
    }
}

void fw_log(const char *line) {
    char out[256];
    size_t n = strlen(line);
    if (n > sizeof out - 2) n = sizeof out - 2;
    memcpy(out, line, n);
    out[n] = '\n';
    out[n + 1] = '\0';
    semihost(SYS_WRITE0, out);
}

void fw_panic(const char *what) {
    semihost(SYS_WRITE0, "panic: ");
    fw_log(what);
    sh_exit(1);
}

/* ---- startup and stack painting ------------------------------------------------------------ */

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;

#define STACK_PAINT 0xC0FFEE5Au

void HardFault_Handler(void);

static uintptr_t stack_pointer(void) {
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* Paint the unused stack, from its bottom to a little below the caller's frame. The volatile
   store keeps the compiler from turning the loop into a memset call that would run on (and
   paint over) the very stack it fills. */
static void stack_paint(void) {
    volatile uint32_t *p = &_sstack;
    uint32_t *end = (uint32_t *)(stack_pointer() - 64u);
    while (p < end) *p++ = STACK_PAINT;
}

void fw_stack_repaint(void) { stack_paint(); }

size_t fw_stack_peak(void) {
    const uint32_t *p = &_sstack;
    while (p < &_estack && *p == STACK_PAINT) p++;
    return (size_t)((uintptr_t)&_estack - (uintptr_t)p);
}

size_t fw_stack_depth(void) { return (size_t)((uintptr_t)&_estack - stack_pointer()); }

size_t fw_stack_size(void) { return (size_t)((uintptr_t)&_estack - (uintptr_t)&_sstack); }

void Reset_Handler(void) {
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    stack_paint();
    sh_exit(main());
}

void Default_Handler(void) { fw_panic("unexpected exception"); }

void HardFault_Handler(void) { fw_panic("hard fault"); }

CORTEXM_VECTOR_TABLE(HardFault_Handler);

/* ---- clock: SysTick at 1 kHz on top of a fixed time at boot -------------------------------- */

uint64_t fw_clock_ms(void) { return 1700000000000ull + systick_ms(); /* a board with an RTC reads it here */ }

/* Sleep until the next SysTick; qemu's -icount sleep=off skips the wait, so 40 simulated
   seconds take about one real one. */
void fw_idle(void) { __asm__ volatile("wfi"); }

/* ---- random: NOT a TRNG (this board has none), test only ----------------------------------- */

static uint32_t xs = 0x6D2B79F5u;

int fw_trng_fill(void *buf, size_t len) {
    unsigned char *p = (unsigned char *)buf;
    size_t i;
    for (i = 0; i < len; i++) {
        xs ^= xs << 13;
        xs ^= xs >> 17;
        xs ^= xs << 5;
        p[i] = (unsigned char)(xs >> 24);
    }
    return 0;
}
