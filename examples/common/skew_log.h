/* skew_log.h - the servers' log lines: where they go, their format, the access log, escaping.

   Every line has an RFC 3339 UTC timestamp with milliseconds, the level and the instance id
   (--instance-id or the cluster's generated one; without --redis hostname-pid):

     text (default)   2026-12-06T20:41:07.512Z info web-1-4242 build B2 (from /srv/...)
     json             {"time":"2026-12-06T20:41:07.512Z","level":"info","instance":"web-1-4242","msg":"..."}

   Lines go to stderr (journald takes them from there under systemd) or to --log-file PATH,
   which SIGUSR1 reopens (logrotate's postrotate: systemctl kill -s USR1 skew-tracker).
   --access-log adds one line per HTTP request and per stream open and close, with the client
   IP as the trust policy (--trust-proxy) resolved it.

   Nothing a client sends can forge a line: every byte of the message that is a control
   character (newline, carriage return, ESC of an ANSI sequence, DEL, C1), a Unicode line
   separator or bidi control, or not valid UTF-8 is written as \xNN (JSON: the same text inside
   a JSON string), and in text lines a quote or backslash is escaped too. */
#ifndef SKEW_LOG_H
#define SKEW_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "skew_tracker.h"
#include "skew_options.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --log-format, --access-log, --log-file (the module's state is process-wide, as a log is). */
skew_ex_opt_group skew_ex_log_opt_group(void);
/* After the flags: open --log-file (false: printed why), name the instance, install the SIGUSR1
   handler that asks for a reopen. */
bool skew_ex_log_start(const char *prog, const char *instance_id);
/* Reopen --log-file if SIGUSR1 asked for it (the servers' timer calls this). */
void skew_ex_log_reopen_if_asked(void);
bool skew_ex_log_access_enabled(void);

/* One log line at a level name ("error", "info", "debug", "audit"), whatever the verbosity
   (the caller decides); fmt as printf. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 0)))
#endif
void skew_ex_log_vline(const char *level, const char *fmt, va_list ap);

/* One line at a level name whatever the verbosity (the start line). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
void skew_ex_log_line(const char *level, const char *fmt, ...);

/* An audit line (admin actions): written whatever the verbosity. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
void skew_ex_log_audit(const char *fmt, ...);

/* An access line with named fields (values escaped like any client text). level "access". */
void skew_ex_log_fields(const char *level, const char *const *keys, const skew_str *vals, size_t n);

struct skew_ex_server;
/* --access-log lines: a request answered with status (the servers call it for pages and
   files; skew_ex_http and skew_ex_open_error for {base}); a stream opened (the servers call it
   after skew_open succeeded: its client IP is also kept for the close line); a stream closed
   (from skew_ex_log_close). */
void skew_ex_log_access(const struct skew_ex_server *s, const skew_request *req, int status);
void skew_ex_log_stream_open(const struct skew_ex_server *s, const skew_request *req, skew_handle h);
void skew_ex_log_stream_close(const skew_conn *sc, const char *reason);

/* Escape n bytes of untrusted text for a log line into out (always NUL-terminated when cap > 0);
   json: for the inside of a JSON string. Returns the length written (text is cut, never a
   partial escape, when it does not fit). */
size_t skew_ex_log_escape(const char *in, size_t n, bool json, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* SKEW_LOG_H */
