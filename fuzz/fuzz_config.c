/* The example servers' --config parser: skew_ex_config_parse_text (examples/common/
   skew_config_file.c) over a table of option groups like the servers' (a kept string, a
   bounded number, a switch, a repeatable list).
   Input: the file's text, any bytes.
   Invariants: no over-read or crash (ASan); when it accepts: no line is over the line bound,
   every non-blank, non-comment line has a '=', every value a setter kept lies inside the
   buffer, is NUL-terminated there and holds no newline; the switch was applied only by a line that said so. */
#define _POSIX_C_SOURCE 200809L /* fileno() in skew_config_file.c */
#define SKEW_TRACKER_IMPLEMENTATION
#include "fuzz_common.h"

#include "examples/common/skew_options.c"
#include "examples/common/skew_config_file.c"

typedef struct fz_conf {
    const char *name;      /* --name: kept pointer */
    uint32_t num;          /* --num: 0..65535 */
    int flag;              /* --flag switch: times applied */
    const char *list[8];   /* --list: repeatable, at most 8 */
    size_t nlist;
} fz_conf;

static bool fz_set_name(void *ctx, const char *v, const char **why) {
    (void)why;
    if (!*v) return false;
    ((fz_conf *)ctx)->name = v;
    return true;
}
static bool fz_set_num(void *ctx, const char *v, const char **why) {
    *why = "0..65535";
    return skew_ex_parse_u32(v, 0, 65535, &((fz_conf *)ctx)->num);
}
static bool fz_set_flag(void *ctx, const char *v, const char **why) {
    (void)why;
    if (v) abort(); /* a switch never gets a value */
    ((fz_conf *)ctx)->flag++;
    return true;
}
static bool fz_set_list(void *ctx, const char *v, const char **why) {
    fz_conf *c = (fz_conf *)ctx;
    (void)why;
    if (c->nlist >= 8) return false;
    c->list[c->nlist++] = v;
    return true;
}

static const skew_ex_opt fz_opts[] = {
    {"--name", "S", "a string", fz_set_name},
    {"--num", "N", "a number", fz_set_num},
    {"--flag", NULL, "a switch", fz_set_flag},
    {"--list", "S", "repeatable", fz_set_list},
    {"-q", NULL, NULL, fz_set_flag}, /* a hidden alias: never a file name */
};

static void fz_check_value(const char *v, const char *buf, size_t len) {
    size_t n;
    if (!v) return;
    if (v < buf || v > buf + len) abort();
    n = strlen(v); /* NUL-terminated inside the buffer (ASan sees an overrun) */
    if (v + n > buf + len) abort();
    if (memchr(v, '\n', n)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *devnull;
    fz_conf c;
    skew_ex_opt_group g;
    char *buf;
    bool ok;
    size_t i, at;
    if (size > 64 * 1024) return 0;
    if (!devnull) devnull = fopen("/dev/null", "w");
    memset(&c, 0, sizeof c);
    memset(&g, 0, sizeof g);
    g.opts = fz_opts;
    g.count = sizeof fz_opts / sizeof fz_opts[0];
    g.ctx = &c;
    buf = (char *)malloc(size + 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    ok = skew_ex_config_parse_text(&g, 1, buf, size, "fuzz.conf", "fuzz", devnull ? devnull : stderr);
    if (ok) {
        /* the input's own lines: bounded, and a '=' in each that is not blank or a comment */
        for (at = 0; at < size;) {
            const uint8_t *nl = (const uint8_t *)memchr(data + at, '\n', size - at);
            size_t n = nl ? (size_t)(nl - (data + at)) : size - at, k = 0;
            if (n > SKEW_EX_CONFIG_LINE_MAX) abort();
            while (k < n && (data[at + k] == ' ' || data[at + k] == '\t' || data[at + k] == '\r')) k++;
            if (k < n && data[at + k] != '#' && !memchr(data + at, '=', n)) abort();
            at += n + 1;
        }
        fz_check_value(c.name, buf, size);
        for (i = 0; i < c.nlist; i++) fz_check_value(c.list[i], buf, size);
        if (c.flag) { /* only a "flag = <true>" line applies the switch */
            bool named = false;
            for (i = 0; i + 4 <= size && !named; i++) named = !memcmp(data + i, "flag", 4);
            if (!named) abort();
        }
    }
    free(buf);
    return 0;
}
