/* skew_options.c - the option-groups parser. See skew_options.h. */
#include "skew_options.h"

#include <string.h>

skew_ex_opt_group skew_ex_opt_group_of(const char *title, const skew_ex_opt *opts, size_t count, void *ctx,
                                       void (*defaults)(void *ctx), bool (*finish)(void *ctx, const char *prog)) {
    skew_ex_opt_group g = {title, opts, count, ctx, defaults, finish}; /* the struct's order */
    return g;
}

bool skew_ex_set_text(const char **dst, const char *v) {
    if (!*v) return false;
    *dst = v;
    return true;
}

bool skew_ex_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
    uint64_t v = 0;
    const char *p = s;
    if (!s || !*s) return false;
    for (; *p; p++) {
        unsigned d;
        if (*p < '0' || *p > '9') return false;
        d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10u) return false;
        v = v * 10u + d;
    }
    if (v < lo || v > hi) return false;
    *out = v;
    return true;
}

bool skew_ex_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out) {
    uint64_t v;
    if (!skew_ex_parse_u64(s, lo, hi, &v)) return false;
    *out = (uint32_t)v;
    return true;
}

bool skew_ex_name_ok(const char *s, size_t max) {
    size_t n = 0;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (n >= max || !(alnum || c == '_' || c == '-' || c == '.')) return false;
    }
    return n > 0;
}

const skew_ex_opt *skew_ex_opts_find(const skew_ex_opt_group *groups, size_t ngroups, const char *name,
                                     size_t name_len, const skew_ex_opt_group **group_out) {
    size_t g, k;
    for (g = 0; g < ngroups; g++)
        for (k = 0; k < groups[g].count; k++) {
            const skew_ex_opt *o = &groups[g].opts[k];
            if (strlen(o->name) == name_len && !strncmp(name, o->name, name_len)) {
                if (group_out) *group_out = &groups[g];
                return o;
            }
        }
    return NULL;
}

bool skew_ex_opts_apply(const skew_ex_opt_group *group, const skew_ex_opt *opt, const char *val, const char *prog,
                        const char *where) {
    const char *why = NULL;
    if (opt->set(group->ctx, val, &why)) return true;
    if (why)
        fprintf(stderr, "%s: %sbad value for %s: '%s' (%s)\n", prog, where, opt->name, val ? val : "", why);
    else
        fprintf(stderr, "%s: %sbad value for %s: '%s'\n", prog, where, opt->name, val ? val : "");
    return false;
}

/* One argv element and, for an option that takes a value, maybe the next. i advances past what
   was used. */
static skew_ex_args_result skew_ex__opts_one(const skew_ex_opt_group *groups, size_t ngroups, int argc, char **argv,
                                            int *i, const char *prog) {
    const char *arg = argv[*i], *eq = strchr(arg, '='), *val = NULL;
    size_t name_len = eq && arg[0] == '-' ? (size_t)(eq - arg) : strlen(arg);
    const skew_ex_opt_group *group = NULL;
    const skew_ex_opt *opt = skew_ex_opts_find(groups, ngroups, arg, name_len, &group);

    if (!opt) {
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) return SKEW_EX_ARGS_EXIT_OK;
        fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, arg);
        return SKEW_EX_ARGS_ERROR;
    }
    if (opt->arg) {
        if (eq) val = eq + 1;
        else if (*i + 1 < argc) val = argv[++*i];
        else {
            fprintf(stderr, "%s: %s needs a value\n", prog, opt->name);
            return SKEW_EX_ARGS_ERROR;
        }
    } else if (eq) {
        fprintf(stderr, "%s: %s takes no value\n", prog, opt->name);
        return SKEW_EX_ARGS_ERROR;
    }
    return skew_ex_opts_apply(group, opt, val, prog, "") ? SKEW_EX_ARGS_OK : SKEW_EX_ARGS_ERROR;
}

void skew_ex_opts_defaults(const skew_ex_opt_group *groups, size_t ngroups) {
    size_t g;
    for (g = 0; g < ngroups; g++)
        if (groups[g].defaults) groups[g].defaults(groups[g].ctx);
}

skew_ex_args_result skew_ex_opts_parse_argv(const skew_ex_opt_group *groups, size_t ngroups, int argc, char **argv,
                                            const char *prog) {
    int i;
    for (i = 1; i < argc; i++) {
        skew_ex_args_result r = skew_ex__opts_one(groups, ngroups, argc, argv, &i, prog);
        if (r != SKEW_EX_ARGS_OK) return r;
    }
    return SKEW_EX_ARGS_OK;
}

skew_ex_args_result skew_ex_opts_finish(const skew_ex_opt_group *groups, size_t ngroups, const char *prog) {
    size_t g;
    for (g = 0; g < ngroups; g++)
        if (groups[g].finish && !groups[g].finish(groups[g].ctx, prog)) return SKEW_EX_ARGS_ERROR;
    return SKEW_EX_ARGS_OK;
}

skew_ex_args_result skew_ex_opts_parse(const skew_ex_opt_group *groups, size_t ngroups, int argc, char **argv,
                                       const char *prog) {
    skew_ex_args_result r;
    skew_ex_opts_defaults(groups, ngroups);
    r = skew_ex_opts_parse_argv(groups, ngroups, argc, argv, prog);
    return r != SKEW_EX_ARGS_OK ? r : skew_ex_opts_finish(groups, ngroups, prog);
}

void skew_ex_opts_usage(FILE *out, const skew_ex_opt_group *groups, size_t ngroups) {
    size_t g, k;
    for (g = 0; g < ngroups; g++) {
        if (groups[g].title) fprintf(out, "\n%s:\n", groups[g].title);
        for (k = 0; k < groups[g].count; k++) {
            const skew_ex_opt *o = &groups[g].opts[k];
            const char *h = o->help;
            char head[64];
            if (!h) continue;
            snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
            fprintf(out, "  %-27s ", head);
            for (; *h; h++) {
                fputc(*h, out);
                if (*h == '\n') fprintf(out, "  %-27s ", "");
            }
            fputc('\n', out);
        }
    }
}
