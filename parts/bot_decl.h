/* Is this User-Agent a bot, by the built-in rule table? ASCII case-insensitive, linear in
   ua.len, no allocation. An empty UA returns true. */
SKEW_API bool skew_is_bot(skew_str user_agent);

/* Run-time additions: bot patterns and allow patterns (an allow match beats every bot rule).
   Patterns are case-insensitive substrings, copied into the filter. */
typedef struct skew_bot_filter {
    char patterns[SKEW_MAX_BOT_PATTERNS][SKEW_BOT_PATTERN_MAX];
    uint8_t lens[SKEW_MAX_BOT_PATTERNS];
    uint8_t allow[SKEW_MAX_BOT_PATTERNS];
    uint32_t count;
    bool allow_empty;      /* an empty/missing UA is not a bot */
    bool no_builtin;       /* ignore the built-in table */
} skew_bot_filter;

SKEW_API void skew_bot_filter_init(skew_bot_filter *f);
/* SKEW_ERR_FULL past SKEW_MAX_BOT_PATTERNS, SKEW_ERR_TOO_LONG past SKEW_BOT_PATTERN_MAX-1 bytes,
   SKEW_ERR_INVALID for an empty pattern. */
SKEW_API skew_result skew_bot_filter_add(skew_bot_filter *f, skew_str pattern, bool allow);
SKEW_API bool skew_bot_filter_is_bot(const skew_bot_filter *f, skew_str user_agent);
