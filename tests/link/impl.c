/* Two-file link test, file 1: the only file that defines SKEW_TRACKER_IMPLEMENTATION. It
   includes the header twice, as a file that includes it through another header would: the
   second inclusion must be harmless. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_tracker.h"
