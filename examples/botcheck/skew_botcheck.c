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

static char line[SKEW_BOTCHECK_MAX + 1]; /* + 1: room for the '\r' of a line of the maximum */
static char chunk[16384];

static int usage(void) {
    fputs("usage: skew_botcheck [-e] [-n] [-b PATTERN]... [-a PATTERN]... < user-agents.txt\n", stderr);
    return 2;
}

static void verdict(const skew_bot_filter *f, size_t len, int too_long) {
    skew_str ua;
    if (!too_long && len > 0 && line[len - 1] == '\r') len--;
    if (len > SKEW_BOTCHECK_MAX) too_long = 1;
    ua.ptr = line;
    ua.len = len;
    putchar(too_long || skew_bot_filter_is_bot(f, ua) ? '1' : '0');
    putchar('\n');
}

int main(int argc, char **argv) {
    skew_bot_filter f;
    size_t len = 0, got, i;
    int a, too_long = 0, pending = 0;
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
    while ((got = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
        for (i = 0; i < got; i++) {
            char c = chunk[i];
            if (c == '\n') {
                verdict(&f, len, too_long);
                len = 0;
                too_long = 0;
                pending = 0;
                continue;
            }
            pending = 1;
            if (too_long) continue;
            if (len == sizeof line) {
                too_long = 1;
                continue;
            }
            line[len++] = c;
        }
    }
    if (ferror(stdin)) {
        perror("skew_botcheck: stdin");
        return 1;
    }
    if (pending) verdict(&f, len, too_long);
    return fflush(stdout) == 0 ? 0 : 1;
}
