/* skew_tracker_impl.c - the library's implementation as a file of its own, for builds that
   compile it once instead of writing this file themselves: the CMake target
   skew_tracker::implementation, Meson's skew_tracker_impl_dep and PlatformIO build it. The
   configuration macros (SKEW_ENABLE_*, ...) come from the build's compile definitions. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
