/* cortexm_core.h - what every Cortex-M port of the firmware example shares (port_cortexm.c,
   port_mps2.c): the core's vector table layout and its SysTick timer as a millisecond counter.
   Both belong to the Cortex-M core itself, the same on every board; the ports keep what the board
   decides (clock rate, memory map, random source, log). Define CORE_HZ before including it. */
#ifndef FW_CORTEXM_CORE_H
#define FW_CORTEXM_CORE_H

#include <stdint.h>

void Reset_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);

/* The first 16 entries of the vector table (the device interrupts would follow); hardfault is
   entry 3's handler. _estack comes from the linker script. */
#define CORTEXM_VECTOR_TABLE(hardfault)                                                                   \
    __attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {            \
        (void (*)(void))(uintptr_t)&_estack, /* initial stack pointer */                                  \
        Reset_Handler, Default_Handler, hardfault, Default_Handler, Default_Handler, Default_Handler,    \
        0, 0, 0, 0, Default_Handler, Default_Handler, 0, Default_Handler, SysTick_Handler,               \
    }

/* ---- SysTick at 1 kHz ------------------------------------------------------------------------ */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static volatile uint32_t ticks;
static int clock_started;

void SysTick_Handler(void) { ticks++; }

/* Milliseconds since the first call, which starts the timer. */
static uint32_t systick_ms(void) {
    if (!clock_started) {
        SYST_RVR = CORE_HZ / 1000u - 1u;
        SYST_CVR = 0;
        SYST_CSR = 7u; /* processor clock, interrupt, enable */
        clock_started = 1;
    }
    return ticks;
}

#endif /* FW_CORTEXM_CORE_H */
