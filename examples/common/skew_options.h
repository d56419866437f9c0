/* skew_options.h - the example servers' command line as one table of option groups.

   Every module that takes flags (the server itself, the cluster, auth, logging, TLS, ...) owns one
   group: its rows (name, value placeholder, help, setter), the struct its setters fill (ctx), and
   optional defaults and finish functions. skew_ex_start parses argv against every group at once,
   --help prints every group, and a configuration file (one "name = value" line per long flag)
   goes through the same rows, so a flag and its file line can never mean different things.

   To add a flag to a module: add a row to the module's table and write its setter.
   To add a module: give it a table and a group (see skew_ex_server_opt_group in skew_example.c
   and skew_cluster_opt_group in skcl_link.c), then add the group to the list that
   skew_ex_start builds.

   Value strings are not copied: a setter that keeps one keeps a pointer into argv (or into the
   configuration file's text, which lives as long as the process). */
#ifndef SKEW_OPTIONS_H
#define SKEW_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Store one value. val is NULL for a switch (a row without arg). Return false for a bad value;
   *why may then point to a static text that says what is allowed ("1..65535"). */
typedef bool (*skew_ex_opt_set_fn)(void *ctx, const char *val, const char **why);

typedef struct skew_ex_opt {
    const char *name;          /* "--port"; also the name of its configuration-file line */
    const char *arg;           /* value placeholder for --help ("N", "URL"); NULL: a switch */
    const char *help;          /* --help text ('\n' starts another line); NULL: hidden alias */
    skew_ex_opt_set_fn set;
} skew_ex_opt;

typedef struct skew_ex_opt_group {
    const char *title;                             /* --help heading; NULL: no heading */
    const skew_ex_opt *opts;
    size_t count;
    void *ctx;                                     /* what the setters fill */
    void (*defaults)(void *ctx);                   /* before any flag; NULL: none */
    bool (*finish)(void *ctx, const char *prog);   /* after every flag; false: it printed why */
} skew_ex_opt_group;

typedef enum skew_ex_args_result {
    SKEW_EX_ARGS_OK = 0,     /* run the server */
    SKEW_EX_ARGS_EXIT_OK,    /* --help was asked for: print skew_ex_opts_usage and exit 0 */
    SKEW_EX_ARGS_ERROR       /* a message went to stderr: exit 2 */
} skew_ex_args_result;

/* Run every group's defaults, then parse argv[1..argc) ("--flag value" or "--flag=value"), then
   run every group's finish. --help and -h are understood here. prog names the binary in
   messages. */
skew_ex_args_result skew_ex_opts_parse(const skew_ex_opt_group *groups, size_t ngroups, int argc, char **argv,
                                       const char *prog);
/* skew_ex_opts_parse's three steps, for a caller that reads more in between (a configuration
   file: skew_config_file.h): every group's defaults; argv alone; every group's finish. */
void skew_ex_opts_defaults(const skew_ex_opt_group *groups, size_t ngroups);
skew_ex_args_result skew_ex_opts_parse_argv(const skew_ex_opt_group *groups, size_t ngroups, int argc, char **argv,
                                            const char *prog);
skew_ex_args_result skew_ex_opts_finish(const skew_ex_opt_group *groups, size_t ngroups, const char *prog);
/* The row called name ("--port"), or NULL; *group_out (if not NULL) gets its group. */
const skew_ex_opt *skew_ex_opts_find(const skew_ex_opt_group *groups, size_t ngroups, const char *name,
                                     size_t name_len, const skew_ex_opt_group **group_out);
/* Apply one value to a row, with the same message on a bad value as the command line
   ("PROG: bad value for --port: 'x' (0..65535)"). where prefixes the message (e.g. "file:3: "). */
bool skew_ex_opts_apply(const skew_ex_opt_group *group, const skew_ex_opt *opt, const char *val, const char *prog,
                        const char *where);
/* Every group's rows, as --help shows them. */
void skew_ex_opts_usage(FILE *out, const skew_ex_opt_group *groups, size_t ngroups);

/* A group from its parts, so that no module fills the struct by hand. title, ctx, defaults and
   finish may be NULL. SKEW_EX_OPT_GROUP takes the row count from the table (an array). */
skew_ex_opt_group skew_ex_opt_group_of(const char *title, const skew_ex_opt *opts, size_t count, void *ctx,
                                       void (*defaults)(void *ctx), bool (*finish)(void *ctx, const char *prog));
#define SKEW_EX_OPT_GROUP(title, table, ctx, defaults, finish) \
    skew_ex_opt_group_of((title), (table), sizeof(table) / sizeof((table)[0]), (ctx), (defaults), (finish))

/* Setter helpers: strict unsigned decimal in [lo, hi]; a name of [A-Za-z0-9._-] (1..max). */
bool skew_ex_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);
bool skew_ex_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out);
bool skew_ex_name_ok(const char *s, size_t max);
/* Setter helper: keep v in *dst unless it is empty (a path, a host); false for "". */
bool skew_ex_set_text(const char **dst, const char *v);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_OPTIONS_H */
