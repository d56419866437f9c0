/* fw_port.h - what the firmware example needs from its board. Three implementations:
     port_host.c     a host build that runs as a test (simulated clock, deterministic random)
     port_cortexm.c  a Cortex-M4 build: vector table, SysTick clock, the STM32F4 RNG peripheral
     port_mps2.c     a Cortex-M4 build that runs under qemu-system-arm -M mps2-an386 as a test:
                     SysTick clock, semihosting for the log and the exit status, stack painting
   Everything else in examples/firmware is the same code on both. */
#ifndef FW_PORT_H
#define FW_PORT_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch: an RTC read at boot plus a SysTick millisecond counter. */
uint64_t fw_clock_ms(void);

/* Fill buf with len bytes from a true random number generator; 0 on success.
   The tracker's connection ids are credentials (the POST endpoints take nothing else), so this
   MUST be a hardware TRNG (or a CSPRNG seeded from one). A counter, a timer value or a small
   xorshift seeded from a constant is not acceptable in real firmware: anyone could predict
   the ids. The host port is deterministic on purpose, for a reproducible test, and says so. */
int fw_trng_fill(void *buf, size_t len);

/* One line of log output (UART on a board, stdout on the host). */
void fw_log(const char *line);

/* Nothing to do until the next event: WFI on a board; the host advances its simulated clock. */
void fw_idle(void);

/* A failed firmware invariant (SKEW_ASSERT lands here too). */
void fw_panic(const char *what);

/* Stack use, on a board that paints its stack at reset (0 everywhere else: not measured).
   fw_stack_peak: the deepest use in bytes from the top of the stack since reset or the last
   fw_stack_repaint, which paints the unused stack below the caller's frame again;
   fw_stack_depth: the bytes in use at the caller; fw_stack_size: the whole stack region. */
void fw_stack_repaint(void);
size_t fw_stack_peak(void);
size_t fw_stack_depth(void);
size_t fw_stack_size(void);

#endif
