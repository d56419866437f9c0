/* The implementation of skew_tracker.h alone: what tests/portability/cortexm_size.sh measures. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
