/* skew_posix.c - see skew_posix.h. */
#include "skew_posix.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void skew_ex_signal(int sig, void (*handler)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

void skew_ex_appendf(char *buf, size_t cap, size_t *n, const char *fmt, ...) {
    va_list ap;
    int w;
    va_start(ap, fmt);
    w = vsnprintf(*n < cap ? buf + *n : NULL, *n < cap ? cap - *n : 0, fmt, ap);
    va_end(ap);
    if (w > 0) *n += (size_t)w;
}
