/* skew_posix.h - small POSIX helpers several modules of examples/common share, so that each is
   written once: a signal handler installed the same way everywhere, and text appended to a
   bounded buffer the way snprintf counts it (the metrics texts). */
#ifndef SKEW_POSIX_H
#define SKEW_POSIX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* sigaction(sig) with an empty mask; flags 0 (no SA_RESTART) makes poll() return EINTR so the
   loop sees the handler's flag at once; SA_RESTART where a late look is fine. */
void skew_ex_signal(int sig, void (*handler)(int), int flags);

#if defined(__GNUC__) || defined(__clang__)
#define SKEW_EX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SKEW_EX_PRINTF(f, a)
#endif
/* snprintf at buf + *n (cap bytes in all); *n grows by what the text needs even past cap, so
   the caller learns the whole length, as snprintf tells it. */
void skew_ex_appendf(char *buf, size_t cap, size_t *n, const char *fmt, ...) SKEW_EX_PRINTF(4, 5);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_POSIX_H */
