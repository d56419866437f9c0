/* skew_config_file.c - --config FILE through the option groups. See skew_config_file.h. */
#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fileno() */
#endif
#include "skew_config_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool set_config(void *ctx, const char *v, const char **why) {
    (void)ctx;
    *why = "a file path";
    return *v != '\0'; /* read before the command line by skew_ex_config_parse_args */
}

static bool skew_ex__check_only;

static bool set_check_config(void *ctx, const char *v, const char **why) {
    (void)ctx, (void)v, (void)why;
    skew_ex__check_only = true;
    return true;
}

bool skew_ex_config_check_only(void) { return skew_ex__check_only; }

static const skew_ex_opt skew_ex__config_opts[] = {
    {"--config", "FILE",
     "read flags from FILE first: one 'name = value' line per long\n"
     "flag (port = 8080, route-tracking = true), '#' comments;\n"
     "flags on the command line override it",
     set_config},
    {"--check-config", NULL, "check the flags and --config FILE, say so and exit (0: good)", set_check_config},
};

skew_ex_opt_group skew_ex_config_opt_group(void) {
    return SKEW_EX_OPT_GROUP("Configuration file", skew_ex__config_opts, NULL, NULL, NULL);
}

static bool skew_ex__space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* A switch's value: true/yes/on/1 (applied), false/no/off/0 (left at its default). */
static int skew_ex__switch_value(const char *v) {
    static const char *const on[] = {"true", "yes", "on", "1"}, *const off[] = {"false", "no", "off", "0"};
    size_t i;
    for (i = 0; i < 4; i++) {
        if (!strcmp(v, on[i])) return 1;
        if (!strcmp(v, off[i])) return 0;
    }
    return -1;
}

/* One line (NUL-terminated, no newline): blank, a comment, or name = value. */
static bool skew_ex__config_line(const skew_ex_opt_group *groups, size_t ngroups, char *line, const char *where,
                                 const char *prog, FILE *err) {
    char *name, *eq, *val, *end, flag[80];
    const skew_ex_opt_group *group = NULL;
    const skew_ex_opt *opt;
    const char *why = NULL;
    size_t nlen;

    while (skew_ex__space(*line)) line++;
    if (!*line || *line == '#') return true;
    eq = strchr(line, '=');
    if (!eq) {
        fprintf(err, "%s: %sexpected 'name = value'\n", prog, where);
        return false;
    }
    name = line;
    end = eq;
    while (end > name && skew_ex__space(end[-1])) end--;
    *end = '\0';
    val = eq + 1;
    while (skew_ex__space(*val)) val++;
    end = val + strlen(val);
    while (end > val && skew_ex__space(end[-1])) end--;
    *end = '\0';
    if (end - val >= 2 && val[0] == '"' && end[-1] == '"') { /* "a value with spaces" */
        end[-1] = '\0';
        val++;
    }
    nlen = strlen(name);
    if (!nlen || nlen + 3 > sizeof flag || name[0] == '-') {
        fprintf(err, "%s: %sbad name '%.*s'\n", prog, where, (int)(nlen < 64 ? nlen : 64), name);
        return false;
    }
    flag[0] = flag[1] = '-';
    memcpy(flag + 2, name, nlen + 1);
    opt = skew_ex_opts_find(groups, ngroups, flag, nlen + 2, &group);
    if (!opt || !opt->help || !strcmp(flag, "--config")) { /* hidden aliases (-v) and nesting are not names */
        fprintf(err, "%s: %sunknown name '%s' (see --help for the flags)\n", prog, where, name);
        return false;
    }
    if (!opt->arg) {
        int on = skew_ex__switch_value(val);
        if (on < 0) {
            fprintf(err, "%s: %sbad value for %s: '%s' (true or false)\n", prog, where, name, val);
            return false;
        }
        if (!on) return true;
        val = NULL;
    }
    if (opt->set(group->ctx, val, &why)) return true;
    fprintf(err, "%s: %sbad value for %s: '%s'%s%s%s\n", prog, where, name, val ? val : "", why ? " (" : "",
            why ? why : "", why ? ")" : "");
    return false;
}

bool skew_ex_config_parse_text(const skew_ex_opt_group *groups, size_t ngroups, char *text, size_t len,
                               const char *file, const char *prog, FILE *err) {
    size_t at = 0, lineno = 0;
    char where[300];
    if (memchr(text, '\0', len)) {
        fprintf(err, "%s: %s: a NUL byte: not a text file\n", prog, file);
        return false;
    }
    while (at < len) {
        char *nl = (char *)memchr(text + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
        lineno++;
        snprintf(where, sizeof where, "%s:%lu: ", file, (unsigned long)lineno);
        if (n > SKEW_EX_CONFIG_LINE_MAX) {
            fprintf(err, "%s: %sline longer than %u bytes\n", prog, where, (unsigned)SKEW_EX_CONFIG_LINE_MAX);
            return false;
        }
        if (!nl) { /* the last line without a newline: the caller's buffer has room for a NUL */
            text[len] = '\0';
        } else {
            *nl = '\0';
        }
        if (!skew_ex__config_line(groups, ngroups, text + at, where, prog, err)) return false;
        at += n + 1;
    }
    return true;
}

/* The file, read whole into memory that is never freed (setters keep pointers into it). */
static char *skew_ex__config_read(const char *path, const char *prog, size_t *len) {
    struct stat st;
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (!f) {
        fprintf(stderr, "%s: --config %s: %s\n", prog, path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > SKEW_EX_CONFIG_FILE_MAX) {
        fprintf(stderr, "%s: --config %s: not a regular file of at most %u bytes\n", prog, path,
                (unsigned)SKEW_EX_CONFIG_FILE_MAX);
        fclose(f);
        return NULL;
    }
    buf = (char *)malloc((size_t)st.st_size + 1);
    n = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!buf) {
        fprintf(stderr, "%s: --config %s: out of memory\n", prog, path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

skew_ex_args_result skew_ex_config_parse_args(const skew_ex_opt_group *groups, size_t ngroups, int argc, char **argv,
                                              const char *prog) {
    const char *path = NULL;
    int i;
    skew_ex_args_result r;
    skew_ex_opts_defaults(groups, ngroups);
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            path = NULL; /* --help needs no file */
            break;
        }
        if (!strcmp(argv[i], "--config") && i + 1 < argc) path = argv[++i];
        else if (!strncmp(argv[i], "--config=", 9)) path = argv[i] + 9;
    }
    if (path && *path) {
        size_t len = 0;
        char *text = skew_ex__config_read(path, prog, &len);
        if (!text || !skew_ex_config_parse_text(groups, ngroups, text, len, path, prog, stderr)) {
            free(text); /* the server does not start: nothing keeps a pointer that is used */
            return SKEW_EX_ARGS_ERROR;
        }
    }
    r = skew_ex_opts_parse_argv(groups, ngroups, argc, argv, prog);
    return r != SKEW_EX_ARGS_OK ? r : skew_ex_opts_finish(groups, ngroups, prog);
}
