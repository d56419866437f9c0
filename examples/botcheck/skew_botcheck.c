/* skew_botcheck - is this User-Agent a bot? One UA per line on stdin, "1" (bot) or "0" per
   line on stdout, in order.
     skew_botcheck [-e] [-n] [-b PATTERN]... [-a PATTERN]...
       -e           an empty line is not a bot (skew_bot_filter.allow_empty)
       -n           ignore the built-in rule table (only -b patterns and empty lines count)
       -b PATTERN   extra bot substring (case-insensitive)
       -a PATTERN   allow substring: a UA holding it is never a bot
   Lines end in "\n" or "\r\n"; a last line without a newline counts too; NUL bytes are part
   of the line. A line longer than SKEW_BOTCHECK_MAX bytes (64 KiB) is a bot: no browser sends
   a UA that long (servers refuse headers of 8 to 16 KiB); its rest is read and dropped. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"

#include <stdio.h>
#include <string.h>

#define SKEW_BOTCHECK_MAX 65536

/* Lines are classified where they lie in the input buffer (no copy), found with memchr, and
   the verdicts of a whole read go into one output buffer, written once per read: a byte copy,
   a putchar or a bounds check per line cost as much as the classifier (issue 22). The input
   buffer holds the longest line kept (MAX + 1 for its '\r') plus a read; the output buffer
   two bytes for each line a full input buffer can hold, plus the last line. */
static char in[4 * SKEW_BOTCHECK_MAX];
static char out[2 * sizeof in + 2];

static int usage(void) {
    fputs("usage: skew_botcheck [-e] [-n] [-b PATTERN]... [-a PATTERN]... < user-agents.txt\n", stderr);
    return 2;
}

/* The verdict character of the line at p (len bytes, without its '\n'); too_long: it was dropped. */
static char verdict(const skew_bot_filter *f, const char *p, size_t len, int too_long) {
    skew_str ua;
    if (len > 0 && p[len - 1] == '\r') len--;
    ua.ptr = p;
    ua.len = len;
    return too_long || len > SKEW_BOTCHECK_MAX || skew_bot_filter_is_bot(f, ua) ? '1' : '0';
}

/* Write the verdicts gathered so far. Returns 0, or 1 on a write error. */
static int flush_out(size_t *out_len) {
    size_t n = *out_len;
    *out_len = 0;
    return n && fwrite(out, 1, n, stdout) != n;
}

/* Classify stdin line by line. Returns 0, or 1 on a read or write error. */
static int run(const skew_bot_filter *f) {
    size_t have = 0, got, p, out_len = 0;
    int dropping = 0; /* inside a line longer than any kept: its verdict is 1 */
    while ((got = fread(in + have, 1, sizeof in - have, stdin)) > 0) {
        const char *nl;
        have += got;
        for (p = 0; (nl = (const char *)memchr(in + p, '\n', have - p)) != NULL; p = (size_t)(nl - in) + 1) {
            out[out_len] = verdict(f, in + p, (size_t)(nl - in) - p, dropping);
            out[out_len + 1] = '\n';
            out_len += 2; /* at most one line per input byte: 2 * sizeof in in all */
            dropping = 0;
        }
        if (flush_out(&out_len)) return 1;
        if (dropping || have - p > SKEW_BOTCHECK_MAX + 1) { /* the rest of a too-long line */
            dropping = 1;
            have = 0;
            continue;
        }
        memmove(in, in + p, have - p);
        have -= p;
    }
    if (ferror(stdin)) {
        perror("skew_botcheck: stdin");
        return 1;
    }
    if (have || dropping) {
        out[out_len] = verdict(f, in, have, dropping);
        out[out_len + 1] = '\n';
        out_len += 2;
    }
    return flush_out(&out_len);
}

int main(int argc, char **argv) {
    skew_bot_filter f;
    int a;
    skew_bot_filter_init(&f);
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "-e") == 0) {
            f.allow_empty = true;
        } else if (strcmp(argv[a], "-n") == 0) {
            f.no_builtin = true;
        } else if ((strcmp(argv[a], "-b") == 0 || strcmp(argv[a], "-a") == 0) && a + 1 < argc) {
            skew_str p;
            skew_result r;
            p.ptr = argv[a + 1];
            p.len = strlen(argv[a + 1]);
            r = skew_bot_filter_add(&f, p, argv[a][1] == 'a');
            if (r != SKEW_OK) {
                fprintf(stderr, "skew_botcheck: pattern \"%s\": %s\n", argv[a + 1], skew_result_str(r));
                return 2;
            }
            a++;
        } else {
            return usage();
        }
    }
    /* without options the filter is the plain skew_is_bot(): NULL says so and skips its checks */
    if (run(f.count || f.allow_empty || f.no_builtin ? &f : NULL) != 0) return 1;
    return fflush(stdout) == 0 ? 0 : 1;
}
