/* skew_config_file.h - --config FILE: every long flag as a "name = value" line.

     # /etc/skew-tracker/skew-tracker.conf
     host = 127.0.0.1
     port = 8000
     route-tracking = true
     trust-proxy = 10.0.0.0/8
     trust-proxy = 192.168.0.0/16

   Names are the long flags without the dashes, looked up in the same option groups as the
   command line (skew_options.h), so every module's flags work here, also those added later.
   A line is blank, a comment ('#' as its first non-blank character: a '#' later on a line is
   part of the value), or name = value with blanks around both ignored; a value in double
   quotes keeps its inner blanks. A switch takes true/false (yes/no, on/off, 1/0). A repeatable
   flag takes one line per value.
   Order: every group's defaults, then the file, then the command line, then every group's
   finish: a flag on the command line overrides the file's line (a repeatable one adds to it).
   An unknown name, a line without '=', a bad value, an over-long line (SKEW_EX_CONFIG_LINE_MAX),
   a NUL byte or a file over SKEW_EX_CONFIG_FILE_MAX is an error naming FILE:LINE, and the server
   does not start. The file's text stays allocated for the life of the process: setters keep
   pointers into it. A secret may sit in the file (mode 0600) instead of argv. */
#ifndef SKEW_CONFIG_FILE_H
#define SKEW_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "skew_options.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SKEW_EX_CONFIG_LINE_MAX 4096u
#define SKEW_EX_CONFIG_FILE_MAX (1024u * 1024u)

/* The --config row (its setter only notes the path; skew_ex_config_parse_args reads the file). */
skew_ex_opt_group skew_ex_config_opt_group(void);

/* --check-config was given: the server checks its configuration and exits. */
bool skew_ex_config_check_only(void);

/* Parse text (len bytes in a buffer of at least len + 1, modified in place: lines are cut into NUL-terminated names and values,
   which setters may keep) against the groups. file names it in messages, written to err.
   Returns false at the first bad line. */
bool skew_ex_config_parse_text(const skew_ex_opt_group *groups, size_t ngroups, char *text, size_t len,
                               const char *file, const char *prog, FILE *err);

/* skew_ex_opts_parse with a configuration file: defaults, the file named by --config in argv
   (if any; not with --help), argv, finish. */
skew_ex_args_result skew_ex_config_parse_args(const skew_ex_opt_group *groups, size_t ngroups, int argc, char **argv,
                                              const char *prog);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_CONFIG_FILE_H */
