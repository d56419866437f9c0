/* skew_impl.c - the one file of the firmware that compiles the library. Its own translation
   unit keeps the library's share of the image measurable (tests/portability/cortexm_size.sh
   reads it from the linker map). The module switches (SKEW_ENABLE_ADMIN, _IP, _BOT_TABLE) come
   from the build as -D for every file; the rest is the firmware's choice, set here. */
#include "fw_port.h"

#define SKEW_ENABLE_HOSTED 0 /* no malloc, clock or randomness of its own: the board's hooks */
#define SKEW_ASSERT(x)                                  \
    do {                                                \
        if (!(x)) fw_panic("SKEW_ASSERT failed: " #x); \
    } while (0) /* the firmware's panic, not assert() (which would pull printf in) */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
