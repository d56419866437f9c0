/* skew_framing.h - RFC 9112 §6 request framing: which heads a server must refuse.

   A server behind a proxy must read a request's length exactly as the proxy did, or the body of
   one request becomes the next one (request smuggling). So a head whose length is ambiguous is
   refused (400, then the connection closes) rather than guessed:
     - Transfer-Encoding together with Content-Length (RFC 9112 §6.1);
     - Content-Length values that differ (repeated fields or a list), or one that is not
       1*DIGIT (`0x10`, `1 0`, `+5`, `-1`, empty) (§6.3 item 5);
     - a Transfer-Encoding whose last coding is not chunked (§6.3 item 4).
   A chunked body without Content-Length gets 411 from servers that do not read chunked bodies
   (the lws example). Used by the lws example; fuzzed by fuzz/fuzz_framing.c. */
#ifndef SKEW_FRAMING_H
#define SKEW_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum skew_framing {
    SKEW_FRAMING_NO_BODY = 0,        /* no Content-Length, no Transfer-Encoding */
    SKEW_FRAMING_LENGTH,             /* a valid Content-Length (*len) */
    SKEW_FRAMING_CHUNKED,            /* Transfer-Encoding ending in chunked, no Content-Length */
    SKEW_FRAMING_BAD                 /* ambiguous or malformed: 400 and close */
} skew_framing;

/* The framing of a head. cl: the Content-Length field values as received (n_cl of them, each
   may be a comma list; lens[i] bytes each, not NUL-terminated); te: the Transfer-Encoding
   value(s) joined with ", " (NULL or te_len 0: absent). *len: the length for SKEW_FRAMING_LENGTH. */
skew_framing skew_framing_of(const char *const *cl, const size_t *cl_lens, size_t n_cl, const char *te, size_t te_len,
                             uint64_t *len);

#endif
