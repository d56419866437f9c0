/* The one translation unit of the example servers that implements skew_tracker.h. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
