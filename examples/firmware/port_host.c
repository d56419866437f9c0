/* port_host.c - the firmware example's board on a host, so it runs as a test.
   The clock is simulated (fw_idle advances it by 5 ms) and starts at a fixed date, so a run
   always goes the same way. The random source is a xorshift from a constant: deterministic on
   purpose for the test, and exactly what a real firmware must NOT do (fw_port.h). */
#include "fw_port.h"

#include <stdio.h>
#include <stdlib.h>

static uint64_t sim_ms = 1700000000000ull;
static uint32_t xs = 0x6D2B79F5u;

uint64_t fw_clock_ms(void) { return sim_ms; }

int fw_trng_fill(void *buf, size_t len) {
    unsigned char *p = (unsigned char *)buf;
    size_t i;
    for (i = 0; i < len; i++) { /* NOT a CSPRNG: test only */
        xs ^= xs << 13;
        xs ^= xs >> 17;
        xs ^= xs << 5;
        p[i] = (unsigned char)(xs >> 24);
    }
    return 0;
}

void fw_log(const char *line) { printf("%s\n", line); }

void fw_idle(void) { sim_ms += 5; }

void fw_panic(const char *what) {
    fprintf(stderr, "panic: %s\n", what);
    abort();
}

/* Stack use is measured on the emulated board (port_mps2.c), not here. */
void fw_stack_repaint(void) {}
size_t fw_stack_peak(void) { return 0; }
size_t fw_stack_depth(void) { return 0; }
size_t fw_stack_size(void) { return 0; }
