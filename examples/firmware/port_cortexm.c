/* port_cortexm.c - the firmware example's board: a Cortex-M4 (STM32F4-style memory map).
   Startup (vector table, .data/.bss set-up), a SysTick millisecond clock, the hardware RNG as
   the random hook, and a log kept in RAM (read it with a debugger, or send it out of a UART).
   Linked with cortexm.ld; no C library start files, no heap, no syscalls. */
#include "fw_port.h"

#include <string.h>

#define CORE_HZ 16000000u /* HSI after reset */
#include "cortexm_core.h"

int main(void);

/* ---- startup ------------------------------------------------------------------------------- */

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

void Reset_Handler(void) {
    uint32_t *src = &_sidata, *dst = &_sdata;
    while (dst < &_edata) *dst++ = *src++;
    for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    (void)main();
    for (;;) {
    }
}

void Default_Handler(void) {
    for (;;) {
    }
}

CORTEXM_VECTOR_TABLE(Default_Handler);

/* ---- clock: SysTick at 1 kHz on top of the RTC's time at boot ------------------------------ */

static uint64_t rtc_boot_ms = 1700000000000ull; /* a real board reads its RTC here */

uint64_t fw_clock_ms(void) { return rtc_boot_ms + systick_ms(); }

/* ---- random: the STM32F4 RNG peripheral (a hardware TRNG) ---------------------------------- */

#define RCC_AHB2ENR (*(volatile uint32_t *)0x40023834u)
#define RNG_CR (*(volatile uint32_t *)0x50060800u)
#define RNG_SR (*(volatile uint32_t *)0x50060804u)
#define RNG_DR (*(volatile uint32_t *)0x50060808u)

int fw_trng_fill(void *buf, size_t len) {
    unsigned char *p = (unsigned char *)buf;
    RCC_AHB2ENR |= 1u << 6; /* RNGEN */
    RNG_CR |= 1u << 2;      /* RNGEN */
    while (len) {
        uint32_t v, tries = 100000u;
        while (!(RNG_SR & 1u)) { /* DRDY */
            if ((RNG_SR & 6u) || !--tries) return -1; /* clock or seed error: no weak fallback */
        }
        v = RNG_DR;
        if (len >= 4) {
            memcpy(p, &v, 4);
            p += 4;
            len -= 4;
        } else {
            memcpy(p, &v, len);
            len = 0;
        }
    }
    return 0;
}

/* ---- log and idle ---------------------------------------------------------------------------- */

static char log_ram[2048];
static size_t log_pos;

void fw_log(const char *line) {
    while (*line) {
        log_ram[log_pos] = *line++;
        log_pos = (log_pos + 1) % sizeof log_ram;
    }
    log_ram[log_pos] = '\n';
    log_pos = (log_pos + 1) % sizeof log_ram;
}

void fw_idle(void) { __asm__ volatile("wfi"); }

void fw_panic(const char *what) {
    fw_log(what);
    for (;;) {
    }
}

/* Stack use is measured on the emulated board (port_mps2.c), not here. */
void fw_stack_repaint(void) {}
size_t fw_stack_peak(void) { return 0; }
size_t fw_stack_depth(void) { return 0; }
size_t fw_stack_size(void) { return 0; }
