/* Times skew_is_bot() over the UA corpus in one process (clock_gettime, many repetitions)
   and counts what it flags. Used by bench/bots/run.sh; prints one tab-separated line per
   set: "skew <set> <total> <flagged> <ns per UA>".
   Usage: skew_bot_bench FILE... (tests/data/ua-bots.txt tests/data/ua-browsers.txt)
          skew_bot_bench --verdicts FILE   prints 1 (bot) or 0 per line, nothing timed */
#define _POSIX_C_SOURCE 199309L
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Read a whole file; lines become views into it. */
static int load(const char *path, char **buf, skew_str **lines, size_t *count) {
    FILE *f = fopen(path, "rb");
    long size;
    size_t n = 0, cap = 1024, i, start = 0;
    if (!f) return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    *buf = (char *)malloc((size_t)size + 1);
    *lines = (skew_str *)malloc(cap * sizeof **lines);
    if (!*buf || !*lines || fread(*buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        return -1;
    }
    fclose(f);
    for (i = 0; i <= (size_t)size; i++) {
        if (i == (size_t)size || (*buf)[i] == '\n') {
            size_t end = i;
            if (end > start && (*buf)[end - 1] == '\r') end--;
            if (i < (size_t)size || end > start) {
                if (n == cap) {
                    skew_str *grown = (skew_str *)realloc(*lines, 2 * cap * sizeof **lines);
                    if (!grown) return -1;
                    *lines = grown;
                    cap *= 2;
                }
                (*lines)[n].ptr = *buf + start;
                (*lines)[n].len = end - start;
                n++;
            }
            start = i + 1;
        }
    }
    *count = n;
    return 0;
}

static const char *set_name(const char *path) {
    if (strstr(path, "bots")) return "bots";
    if (strstr(path, "browsers")) return "browsers";
    return path;
}

int main(int argc, char **argv) {
    int a;
    if (argc == 3 && strcmp(argv[1], "--verdicts") == 0) {
        char *buf = NULL;
        skew_str *lines = NULL;
        size_t count = 0, i;
        if (load(argv[2], &buf, &lines, &count) != 0) return 1;
        for (i = 0; i < count; i++) puts(skew_is_bot(lines[i]) ? "1" : "0");
        free(lines);
        free(buf);
        return 0;
    }
    for (a = 1; a < argc; a++) {
        char *buf = NULL;
        skew_str *lines = NULL;
        size_t count = 0, i, flagged = 0, reps = 0, total_calls;
        volatile size_t sink = 0;
        double t0, elapsed;
        if (load(argv[a], &buf, &lines, &count) != 0 || count == 0) {
            fprintf(stderr, "skew_bot_bench: cannot read %s\n", argv[a]);
            return 1;
        }
        for (i = 0; i < count; i++) flagged += skew_is_bot(lines[i]) ? 1u : 0u;
        /* warm up, then 7 rounds of at least 100 ms each; the fastest round counts (the
           machine may be shared: the minimum is the least disturbed) */
        for (i = 0; i < count; i++) sink += skew_is_bot(lines[i]) ? 1u : 0u;
        {
            int round;
            double best = 0;
            for (round = 0; round < 7; round++) {
                reps = 0;
                t0 = now_ns();
                do {
                    for (i = 0; i < count; i++) sink += skew_is_bot(lines[i]) ? 1u : 0u;
                    reps++;
                    elapsed = now_ns() - t0;
                } while (elapsed < 1e8);
                total_calls = reps * count;
                if (round == 0 || elapsed / (double)total_calls < best) best = elapsed / (double)total_calls;
            }
            printf("skew\t%s\t%zu\t%zu\t%.2f\n", set_name(argv[a]), count, flagged, best);
        }
        (void)sink;
        free(lines);
        free(buf);
    }
    return 0;
}
