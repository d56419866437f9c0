/* Bot filter: skew_is_bot() on real UAs of every category, the run-time filter, empty, odd
   and very long UAs, and the UA corpus in tests/data/. Built with SKEW_ENABLE_BOT_TABLE 0 too
   (step-botcheck): then only empty UAs are bots and the run-time filter still works. */
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"
#include "test_hooks.h"

#include <stdlib.h>

#ifndef SKEW_ENABLE_BOT_TABLE
#define SKEW_ENABLE_BOT_TABLE 1
#endif
/* What the built-in table is expected to say about a non-empty UA. */
#define TABLE(bot) ((bot) && SKEW_ENABLE_BOT_TABLE)

typedef struct ua_case {
    const char *ua;
    int bot;
} ua_case;

static const ua_case cases[] = {
    /* search engines, also wearing full browser UAs */
    {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 1},
    {"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.204 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 1},
    {"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 1},
    {"Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)", 1},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", 1},
    {"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 1},
    /* AI crawlers */
    {"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)", 1},
    {"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)", 1},
    {"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", 1},
    {"CCBot/2.0 (https://commoncrawl.org/faq/)", 1},
    {"meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)", 1},
    /* SEO tools */
    {"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 1},
    {"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", 1},
    {"Screaming Frog SEO Spider/19.4", 1},
    /* link previews */
    {"WhatsApp/2.23.20.0 A", 1},
    {"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", 1},
    {"TelegramBot (like TwitterBot)", 1},
    {"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", 1},
    {"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", 1},
    {"Twitterbot/1.0", 1},
    /* monitoring */
    {"Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", 1},
    {"Mozilla/5.0 (compatible; pingbot/2.0; +http://www.pingdom.com/)", 1},
    {"Datadog Agent/7.69.2", 1},
    {"Site24x7", 1},
    /* HTTP libraries and command-line clients */
    {"curl/8.4.0", 1},
    {"Wget/1.21.4", 1},
    {"python-requests/2.31.0", 1},
    {"Go-http-client/1.1", 1},
    {"okhttp/4.12.0", 1},
    {"axios/1.6.2", 1},
    {"node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", 1},
    {"Java/17.0.2", 1},
    {"Apache-HttpClient/4.5.14 (Java/17.0.8)", 1},
    {"PostmanRuntime/7.36.0", 1},
    {"Dart/3.2 (dart:io)", 1},
    /* headless and automation */
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", 1},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36 Chrome-Lighthouse", 1},
    {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.45 Safari/537.36 PTST/211202.211915", 1},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Playwright/1.40.0", 1},
    {"Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.0.0 Safari/538.1", 1},
    /* shapes no browser sends */
    {"Mozilla/5.0", 1},
    {"Mozilla/5.0 (compatible)", 1},
    {"12345", 1},
    {"-", 1},
    /* people: desktop and mobile browsers */
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 0},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", 0},
    {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Safari/605.1.15", 0},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", 0},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 18_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.2 Mobile/15E148 Safari/604.1", 0},
    {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", 0},
    {"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", 0},
    {"Opera/9.80 (Android; Opera Mini/12.0.1987/37.7327; U; pl) Presto/2.12.423 Version/12.16", 0},
    /* in-app browsers */
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 11_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15G77 [FBAN/FBIOS;FBAV/183.0.0.41.81;FBBV/119182652;FBDV/iPhone6,2;FBMD/iPhone;FBSN/iOS;FBSV/11.4.1;FBSS/2;FBCR/VIVO;FBID/phone;FBLC/pt_BR;FBOP/5;FBRV/0]", 0},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML,like Gecko) Mobile/21F79 Instagram 330.0.3.29.91 (iPhone14,3; iOS 17_5; en_IR@calendar=gregorian; en; scale=3.00; 1125x2436; 595323416)", 0},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 14_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.1 Mobile/15E148 Snapchat/11.36.0.36 (like Safari/604.1)", 0},
    {"Mozilla/5.0 (Linux; Android 9; STF-L09 Build/HUAWEISTF-L09; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/79.0.3945.79 Mobile Safari/537.36 [Pinterest/Android]", 0},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 12_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]", 0},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/605.1 NAVER(inapp; search; 2000; 12.3.6; 14PRO)", 0},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 26_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 GoogleWv/1.0 (WKWebView) GeminiiOS/1.2026.2270600", 0},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 13_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/102.0.304944559 Mobile/15E148 Safari/604.1", 0},
    {"Mozilla/5.0 (Linux; Android 10; SM-G973F Build/QQ3A.200805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/85.0.4183.101 Mobile Safari/537.36 trill_2021806060 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly app_version/18.6.6 ByteLocale/fr ByteFullLocale/fr Region/FR", 0},
    /* Electron desktop apps */
    {"Mozilla/5.0 (Windows NT 10.0.18362; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.4.2 Chrome/78.0.3904.130 Electron/7.2.1 Safari/537.36 WindowsStore/10.0.18362 Sonic Slack_SSB/4.4.2", 0},
    {"Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) discord/0.0.306 Chrome/78.0.3904.130 Electron/7.1.11 Safari/537.36", 0},
    /* names that merely contain a bot token */
    {"Mozilla/5.0 (Linux; Android 6.0; CUBOT MAX Build/MRA58K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.81 Mobile Safari/537.36", 0},
    {"Mozilla/5.0 (Linux; Android 8.0.0; CUBOT_P20) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.110 Mobile Safari/537.36", 0},
    {"fuboTV/4.75.0 (Linux;Android 9; AFTDCT31 Build/PS7664.3772N) FuboPlayer/v1.34.0", 0},
    {"Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.123 Mobile Safari/537.36 CamScanner/4.8.5.2310271827", 0},
    {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Version/17.5.1 Safari/605.1.15 (AirWatch Browser v24.06)", 0},
    {"Mozilla/5.0 (Linux; Android 10; STK-L21 Build/HUAWEISTK-L21; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.186 Mobile Safari/537.36 HiSearch/22.0.6.315", 0},
    {"PS4Application libhttp/1.000 (PS4) CoreMedia libhttp/6.72 (PlayStation 4)", 0},
};

#define CHROME "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
#define GOOGLEBOT "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

static void test_categories(void) {
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = skew_is_bot(skew_str_c(cases[i].ua));
        if (got != (bool)TABLE(cases[i].bot)) fprintf(stderr, "  case %u: %s\n", (unsigned)i, cases[i].ua);
        CHECK(got == (bool)TABLE(cases[i].bot));
    }
}

static void test_case_insensitive(void) {
    CHECK(skew_is_bot(STRV("MOZILLA/5.0 (COMPATIBLE; GOOGLEBOT/2.1; +HTTP://WWW.GOOGLE.COM/BOT.HTML)")) == TABLE(1));
    CHECK(skew_is_bot(STRV("CURL/8.4.0")) == TABLE(1));
    CHECK(skew_is_bot(STRV("mozilla/5.0 (windows nt 10.0; win64; x64) applewebkit/537.36 (khtml, like gecko) chrome/131.0.0.0 safari/537.36")) == false);
}

static void test_empty(void) {
    skew_str none = {NULL, 0}, bad = {NULL, 5};
    skew_bot_filter f;
    CHECK(skew_is_bot(none));
    CHECK(skew_is_bot(bad));
    CHECK(skew_is_bot(STRV("")));
    CHECK(skew_is_bot(STRV(" ")));
    CHECK(skew_is_bot(STRV(" \t ")));
    skew_bot_filter_init(&f);
    CHECK(skew_bot_filter_is_bot(&f, none));
    CHECK(skew_bot_filter_is_bot(&f, STRV(" ")));
    f.allow_empty = true;
    CHECK(!skew_bot_filter_is_bot(&f, none));
    CHECK(!skew_bot_filter_is_bot(&f, STRV("")));
    CHECK(!skew_bot_filter_is_bot(&f, STRV("\t")));
    CHECK(skew_bot_filter_is_bot(&f, STRV("curl/8.4.0")) == TABLE(1));
    CHECK(skew_bot_filter_is_bot(NULL, none));
    CHECK(skew_bot_filter_is_bot(NULL, STRV(GOOGLEBOT)) == TABLE(1));
}

/* '_' is a word character at every boundary rule, as for a regex \b: a rule marked "no word
   character before/after" (".com", "perl", "bw/", "agent") does not fire inside "x_rule_y",
   and fires again when a space or the end stands there. "bot_" stays a bot, as in isbot. */
static void test_word_boundaries(void) {
    static const struct { const char *tail; int bot; } tails[] = {
        {" shop.com_android/5.2.1", 0}, {" shop.com android/5.2.1", 1}, {" shop.com", 1}, {" shop.com/x", 1},
        {" shop.comx/5.2.1", 0}, {" x_perl_y", 0}, {" x perl y", 1}, {" x_perl y", 0}, {" x perl_y", 0},
        {" my_bw/2", 0}, {" my bw/2", 1}, {" x_dlc_y", 0}, {" my_time/3", 0}, {" a_ort/3", 0},
        {" user_agent_2", 0}, {" user agent 2", 1}, {" monitor_x", 0}, {" app_node_7", 0}, {" rss_reader", 0},
        {" check_in", 0}, {" Uptime_bot_2", 1}, {" Uptime_bots_2", 1}, {" Uptime_bot", 1}, {" CUBOT_P20", 0},
    };
    char ua[256];
    size_t i, base = sizeof CHROME - 1;
    memcpy(ua, CHROME, base);
    for (i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        size_t k = strlen(tails[i].tail);
        bool got;
        CHECK(base + k <= sizeof ua);
        if (base + k > sizeof ua) continue;
        memcpy(ua + base, tails[i].tail, k);
        got = skew_is_bot(skew__str(ua, base + k));
        if (got != (bool)TABLE(tails[i].bot)) fprintf(stderr, "  tail %u:%s\n", (unsigned)i, tails[i].tail);
        CHECK(got == (bool)TABLE(tails[i].bot));
    }
}

/* NUL bytes and bytes >= 0x80 are just bytes: no early stop, no crash, no match. */
static void test_odd_bytes(void) {
    static const char nul_bot[] = CHROME "\0 Googlebot/2.1";
    static const char nul_browser[] = "Mozilla/5.0 (Linux; Android 14; SM-S918B)\0 AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    static const char utf8[] = "Mozilla/5.0 (Linux; Android 14; \xc3\x91" "and\xc3\xba X1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    static const char high[] = "Mozilla/5.0 (\xff\xfe\x80; \x9b\xc0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    static const char bot8[] = "Mozilla/5.0 (compatible; G\xc3\xb6teborgBot/1.0)";
    static const char lookalike[] = "Mozilla/5.0 (compatible; Googleb\xcf\x83t)";
    char all[256];
    int i;
    CHECK(skew_is_bot(skew_str_n(nul_bot, sizeof nul_bot - 1)) == TABLE(1));
    CHECK(!skew_is_bot(skew_str_n(nul_browser, sizeof nul_browser - 1)));
    CHECK(!skew_is_bot(skew_str_n(utf8, sizeof utf8 - 1)));
    CHECK(!skew_is_bot(skew_str_n(high, sizeof high - 1)));
    CHECK(skew_is_bot(skew_str_n(bot8, sizeof bot8 - 1)) == TABLE(1));
    (void)skew_is_bot(skew_str_n(lookalike, sizeof lookalike - 1));
    CHECK(1); /* ran */
    for (i = 0; i < 256; i++) all[i] = (char)(255 - i);
    for (i = 0; i <= 256; i++) (void)skew_is_bot(skew_str_n(all, (size_t)i));
    CHECK(1);
    CHECK(!skew__bot_empty(skew_str_n("\0", 1))); /* a NUL is a byte, not blank */
}

/* Long UAs: no stack or time blow-up, verdicts keep their meaning. */
static void test_long(void) {
    size_t n = 1u << 20, i, base = sizeof CHROME - 1;
    char *buf = (char *)malloc(n + 64);
    CHECK(buf != NULL);
    if (!buf) return;
    memcpy(buf, CHROME, base);
    for (i = base; i < n; i++) buf[i] = (i % 16 == 0) ? ' ' : (char)('a' + (int)(i % 7));
    CHECK(!skew_is_bot(skew__str(buf, n)));
    memcpy(buf + n - 12, " Googlebot/2", 12);
    CHECK(skew_is_bot(skew__str(buf, n)) == TABLE(1));
    memset(buf, 'a', n); /* 1 MiB without a space */
    CHECK(skew_is_bot(skew__str(buf, n)) == TABLE(1));
    /* a browser UA followed by many "CUBOT": every "bot" has its veto, none is a bot */
    memcpy(buf, CHROME, base);
    for (i = base; i + 6 <= n; i += 6) memcpy(buf + i, " CUBOT", 6);
    i -= 6;
    CHECK(!skew_is_bot(skew__str(buf, i)));
    memcpy(buf + i, " robot", 6);
    CHECK(skew_is_bot(skew__str(buf, i + 6)) == TABLE(1));
    for (i = 0; i < n; i++) buf[i] = (i % 2) ? '@' : 'a'; /* many '@' */
    buf[0] = 'M';
    (void)skew_is_bot(skew__str(buf, n));
    CHECK(1);
    {
        skew_bot_filter f;
        skew_bot_filter_init(&f);
        memset(buf, 'a', n);
        buf[0] = ' ';
        CHECK_RES(skew_bot_filter_add(&f, STRV("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"), false), SKEW_OK);
        f.no_builtin = true;
        CHECK(!skew_bot_filter_is_bot(&f, skew__str(buf, n))); /* linear even for this pattern */
        buf[n - 1] = 'b';
        CHECK(skew_bot_filter_is_bot(&f, skew__str(buf, n)));
    }
    free(buf);
}

static void test_filter(void) {
    skew_bot_filter f;
    char pat[SKEW_BOT_PATTERN_MAX + 1];
    unsigned i;
    skew_bot_filter_init(&f);
    CHECK(f.count == 0 && !f.allow_empty && !f.no_builtin);
    CHECK(skew_bot_filter_is_bot(&f, STRV(GOOGLEBOT)) == TABLE(1));
    CHECK(!skew_bot_filter_is_bot(&f, STRV(CHROME " AcmeProbe/2.0")));
    /* an extra bot pattern, matched case-insensitively */
    CHECK_RES(skew_bot_filter_add(&f, STRV("ACMEprobe"), false), SKEW_OK);
    CHECK(skew_bot_filter_is_bot(&f, STRV(CHROME " AcmeProbe/2.0")));
    CHECK(skew_bot_filter_is_bot(&f, STRV("acmeprobe")));
    CHECK(!skew_bot_filter_is_bot(&f, STRV(CHROME " AcmePro")));
    /* the table alone does not know it */
    CHECK(!skew_is_bot(STRV(CHROME " AcmeProbe/2.0")));
    /* allow beats the table and the extra patterns */
    CHECK_RES(skew_bot_filter_add(&f, STRV("googlebot"), true), SKEW_OK);
    CHECK(!skew_bot_filter_is_bot(&f, STRV(GOOGLEBOT)));
    CHECK_RES(skew_bot_filter_add(&f, STRV("OurMonitor"), true), SKEW_OK);
    CHECK(!skew_bot_filter_is_bot(&f, STRV("AcmeProbe/2.0 ourmonitor")));
    CHECK(skew_bot_filter_is_bot(&f, STRV("curl/8.4.0")) == TABLE(1));
    /* no_builtin: only the run-time patterns */
    f.no_builtin = true;
    CHECK(!skew_bot_filter_is_bot(&f, STRV("curl/8.4.0")));
    CHECK(skew_bot_filter_is_bot(&f, STRV(CHROME " AcmeProbe/2.0")));
    CHECK(skew_bot_filter_is_bot(&f, STRV("")));
    /* bad patterns */
    {
        skew_str none = {NULL, 0}, null_len = {NULL, 3};
        CHECK_RES(skew_bot_filter_add(&f, STRV(""), false), SKEW_ERR_INVALID);
        CHECK_RES(skew_bot_filter_add(&f, none, true), SKEW_ERR_INVALID);
        CHECK_RES(skew_bot_filter_add(&f, null_len, false), SKEW_ERR_INVALID);
        CHECK_RES(skew_bot_filter_add(NULL, STRV("x"), false), SKEW_ERR_INVALID);
    }
    /* length boundary: SKEW_BOT_PATTERN_MAX - 1 fits, SKEW_BOT_PATTERN_MAX does not */
    memset(pat, 'q', sizeof pat);
    CHECK_RES(skew_bot_filter_add(&f, skew__str(pat, SKEW_BOT_PATTERN_MAX), false), SKEW_ERR_TOO_LONG);
    CHECK_RES(skew_bot_filter_add(&f, skew__str(pat, SKEW_BOT_PATTERN_MAX - 1), false), SKEW_OK);
    CHECK(f.patterns[f.count - 1][SKEW_BOT_PATTERN_MAX - 1] == '\0');
    CHECK(skew_bot_filter_is_bot(&f, skew__str(pat, SKEW_BOT_PATTERN_MAX - 1)));
    CHECK(!skew_bot_filter_is_bot(&f, skew__str(pat, SKEW_BOT_PATTERN_MAX - 2)));
    /* capacity: SKEW_MAX_BOT_PATTERNS, then FULL (and nothing changes) */
    while (f.count < SKEW_MAX_BOT_PATTERNS) {
        char p[16];
        int len = snprintf(p, sizeof p, "zz%uzz", (unsigned)f.count);
        CHECK_RES(skew_bot_filter_add(&f, skew__str(p, (size_t)len), false), SKEW_OK);
    }
    CHECK_RES(skew_bot_filter_add(&f, STRV("onemore"), false), SKEW_ERR_FULL);
    CHECK_RES(skew_bot_filter_add(&f, STRV("onemore"), true), SKEW_ERR_FULL);
    CHECK(f.count == SKEW_MAX_BOT_PATTERNS);
    CHECK(!skew_bot_filter_is_bot(&f, STRV(CHROME " onemore")));
    {
        char ua[32];
        int len = snprintf(ua, sizeof ua, "x zz%uzz y", (unsigned)(SKEW_MAX_BOT_PATTERNS - 1));
        CHECK(skew_bot_filter_is_bot(&f, skew__str(ua, (size_t)len)));
    }
    /* the same pattern as allow and bot: allow wins */
    skew_bot_filter_init(&f);
    CHECK_RES(skew_bot_filter_add(&f, STRV("acme"), false), SKEW_OK);
    CHECK_RES(skew_bot_filter_add(&f, STRV("ACME"), true), SKEW_OK);
    CHECK(!skew_bot_filter_is_bot(&f, STRV(CHROME " acme")));
    /* patterns with spaces and punctuation are plain bytes */
    CHECK_RES(skew_bot_filter_add(&f, STRV("(x; y)"), false), SKEW_OK);
    CHECK(skew_bot_filter_is_bot(&f, STRV("Mozilla/5.0 (X; Y) AppleWebKit/537.36")));
    for (i = 0; i < 3; i++) CHECK(!skew_bot_filter_is_bot(&f, STRV(CHROME)));
}

/* A corpus file of tests/data, from the repository root or tests/ (NULL: not found). */
static FILE *open_corpus(const char *name) {
    static const char *const dirs[] = {"tests/data/", "data/", "../tests/data/"};
    char path[256];
    FILE *fp = NULL;
    unsigned i;
    for (i = 0; i < 3 && !fp; i++) {
        snprintf(path, sizeof path, "%s%s", dirs[i], name);
        fp = fopen(path, "rb");
    }
    return fp;
}

#if SKEW_ENABLE_BOT_TABLE
/* ---- the fast paths of the matcher give the verdicts of the plain one (issue 22 item 4) ----
   ref_* is the matcher as it was before the speed work: the shapes with only the first fast
   path, every class pair at an even offset tested with its own branch, every listed rule
   tried in full. The test runs both over the corpus and over mutations of it (cuts, byte
   swaps towards the bytes the fast paths look at: ')', ';', ' ', '\t', '(', '/', digits). */
static bool ref_shape(const unsigned char *p, size_t n) {
    size_t w;
    if (n > 13 && p[12] == '(' && p[n - 1] != ')' && p[n - 1] != ';' && skew__shape_mozilla_head(p)) return false;
    for (w = 0; w < n && skew__bot_word(p[w]); w++) {}
    return skew__shape_number_first(p, n) || skew__shape_search_word(p, w) || skew__shape_no_space(p, n) ||
           skew__shape_bare_product(p, n, w) || skew__shape_name_slash_word(p, n, w) ||
           skew__shape_name_slash_parens(p, n, w) || skew__shape_name_version_word(p, n, w) ||
           skew__shape_mozilla_word(p, n) || skew__shape_mozilla_compatible(p, n) ||
           skew__shape_word_semicolon_end(p, n);
}
static bool ref_pair_hit(const unsigned char *p, size_t n, size_t pos, unsigned key) {
    unsigned w = key >> 6, b = key & 63u, nth, j;
    uint64_t below = b ? (skew__bot_pairs[w] & ((((uint64_t)1) << b) - 1u)) : 0u;
    nth = skew__bot_pair_rank[w] + skew__bot_popcount64(below);
    for (j = nth + skew__bot_first_less[nth]; j < nth + 1 + skew__bot_first_less[nth + 1]; j++) {
        size_t back = skew__bot_back[j];
        if (pos + 1 >= back && skew__bot_rule_at(p, n, pos + 1 - back, &skew__bot_rules[skew__bot_list[j]]))
            return true;
    }
    return false;
}
static bool ref_table_match(const unsigned char *p, size_t n) {
    size_t i;
    unsigned a = skew__bot_class[p[0]], b;
    for (i = skew__bot_start_first[a]; i < skew__bot_start_first[a + 1]; i++)
        if (skew__bot_rule_at(p, n, 0, &skew__bot_rules[i])) return true;
    if (ref_shape(p, n)) return true;
    for (i = 0; i + 1 < n; i += 2) {
        a = skew__bot_class[p[i]];
        b = skew__bot_class[p[i + 1]];
        if (((skew__bot_pairs[a] >> b) & 1u) && ref_pair_hit(p, n, i, (a << 6) | b)) return true;
    }
    if (i < n) {
        a = skew__bot_class[p[i]];
        if ((skew__bot_pairs[a] >> SKEW__BOT_CLASS_END) & 1u) return ref_pair_hit(p, n, i, (a << 6) | SKEW__BOT_CLASS_END);
    }
    return false;
}

static unsigned fast_checked, fast_wrong;
static void fast_vs_ref(const unsigned char *p, size_t n) {
    bool fast, ref;
    if (n == 0) return;
    fast = skew__bot_table_match(p, n);
    ref = ref_table_match(p, n);
    fast_checked++;
    if (fast != ref || skew__bot_shape(p, n) != ref_shape(p, n)) {
        if (++fast_wrong <= 5) fprintf(stderr, "  fast %d, plain %d: %.*s\n", fast, ref, (int)(n < 200 ? n : 200), (const char *)p);
    }
}

static void test_fast_paths_exact(void) {
    static const char swaps[] = ")); \t(/09aZ@_-.,";
    static const char *const files[] = {"ua-bots.txt", "ua-browsers.txt", "ua-special.tsv"};
    static unsigned char line[4096], m[4096 + 2];
    uint32_t rng = 12345u;
    unsigned f, k;
    for (f = 0; f < 3; f++) {
        FILE *fp = open_corpus(files[f]);
        CHECK(fp != NULL);
        if (!fp) continue;
        while (fgets((char *)line, sizeof line, fp)) {
            size_t n = strlen((const char *)line);
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
            fast_vs_ref(line, n);
            for (k = 0; k < 24 && n > 0; k++) {
                size_t len = n, at;
                memcpy(m, line, n);
                rng = rng * 1103515245u + 12345u;
                at = (rng >> 8) % n;
                switch (k % 6) {
                case 0: len = at + 1; break;                                    /* cut */
                case 1: m[at] = (unsigned char)swaps[(rng >> 20) % (sizeof swaps - 1)]; break;
                case 2: m[len++] = (unsigned char)(k & 1 ? ')' : ';'); break;   /* a new last byte */
                case 3: m[len - 1] = (unsigned char)swaps[(rng >> 20) % (sizeof swaps - 1)]; break;
                case 4: if (len > 11) m[11] = '\t'; m[len - 1] = (unsigned char)(k & 8 ? ')' : ';'); break;
                default: { size_t j; for (j = at; j < len; j++) if (m[j] == ' ') m[j] = '_'; } break; /* no spaces after at */
                }
                fast_vs_ref(m, len);
            }
        }
        fclose(fp);
    }
#if SKEW__BOT_SKIP_MOZILLA
    { /* the matcher skips "Mozilla/5.0 " only because none of its even-offset class pairs is
         indexed and no start rule begins like it */
        static const char head[] = "Mozilla/5.0 ";
        for (k = 0; k + 1 < 12; k += 2) {
            unsigned a = skew__bot_class[(unsigned char)head[k]], b = skew__bot_class[(unsigned char)head[k + 1]];
            CHECK(!((skew__bot_pairs[a] >> b) & 1u));
        }
        for (k = 0; k < SKEW__BOT_START_COUNT; k++) {
            const skew__bot_rule *r = &skew__bot_rules[k];
            CHECK(!skew__bot_eq((const unsigned char *)head, skew__bot_text + r->off, r->len < 12 ? r->len : 12));
        }
    }
#endif
    printf("fast paths against the plain matcher: %u UAs, %u differ\n", fast_checked, fast_wrong);
    CHECK(fast_checked > 50000);
    CHECK_EQ_INT(fast_wrong, 0);
}
#endif

/* Every line of a corpus file must be judged `want` (1 bot, 0 person, -1: label per line). */
static void check_file(const char *name, int want) {
    static char line[1 << 16];
    FILE *fp = open_corpus(name);
    unsigned total = 0, wrong = 0;
    CHECK(fp != NULL);
    if (!fp) {
        fprintf(stderr, "  cannot open tests/data/%s (run from the repository root)\n", name);
        return;
    }
    while (fgets(line, sizeof line, fp)) {
        size_t n = strlen(line);
        const char *ua = line;
        int label = want;
        bool got;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (want < 0) {
            if (n == 0 || line[0] == '#') continue;
            if (n < 2 || line[1] != '\t' || (line[0] != '0' && line[0] != '1')) {
                fprintf(stderr, "  bad line in %s: %s\n", name, line);
                wrong++;
                continue;
            }
            label = line[0] - '0';
            ua = line + 2;
            n -= 2;
        }
        total++;
        got = skew_is_bot(skew__str(ua, n));
        if (got != (skew__bot_empty(skew__str(ua, n)) || TABLE(label))) {
            wrong++;
            if (wrong <= 10) fprintf(stderr, "  %s: want %d, got %d: %s\n", name, label, got ? 1 : 0, ua);
        }
    }
    fclose(fp);
    printf("%s: %u UAs, %u wrong\n", name, total, wrong);
    CHECK(total > 0);
    CHECK_EQ_INT(wrong, 0);
}

/* ---- the tracker's bot verdict cache (>>registry): never a verdict the filter would not give */
#if !SKEW_OPTIMIZE_SIZE
static skew_result cache_send(void *u, const skew_conn *c, const char *m, size_t l) {
    (void)u; (void)c; (void)m; (void)l;
    return SKEW_OK;
}
static skew_str cache_header(void *ctx, const char *name) {
    skew_str none = {NULL, 0};
    return strcmp(name, "user-agent") == 0 ? *(const skew_str *)ctx : none;
}
static skew_tracker *cache_tracker(uint32_t entries) {
    skew_config c;
    skew_tracker *t = NULL;
    memset(&c, 0, sizeof c);
    c.hooks.send = cache_send;
    c.bot_cache_entries = entries;
    c.max_connections_per_ip = SKEW_PER_IP_UNLIMITED;
    CHECK_EQ_INT(skew_tracker_create(&t, &c), SKEW_OK);
    return t;
}
/* 1: skew_open refused the UA as a bot, 0: opened (closed again), -1: another answer */
static int open_verdict(skew_tracker *t, skew_str ua) {
    skew_request r;
    skew_handle h;
    skew_result res;
    r = th_request(skew_str_c("GET"), skew_str_c("/__skew/sse"), cache_header, &ua);
    r.peer.family = 4;
    r.peer.bytes[0] = 10;
    r.peer.bytes[3] = 1;
    res = skew_open(t, &r, NULL, &h);
    if (res == SKEW_OK) return skew_close(t, h, SKEW_CLOSE_REASON_CLIENT) == SKEW_OK ? 0 : -1;
    return res == SKEW_ERR_BOT ? 1 : -1;
}

static void test_cache(void) {
    skew_tracker *t = cache_tracker(4); /* one set: every UA below meets the others in it */
    skew_config d;
    size_t i, round, n = sizeof cases / sizeof cases[0], wrong = 0;
    skew_str x = skew_str_c("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                            "Chrome/124.0.0.0 Safari/537.36");
    skew__bot_memo *e;
    if (!t) return;
    CHECK_EQ_INT(t->bot_cache_mask, 0);
    /* bots and browsers by turns through one set of four: each verdict is its own UA's, on a
       miss (pushed out) and on a hit (the same UA twice in a row) */
    for (round = 0; round < 3; round++)
        for (i = 0; i < n; i++) {
            skew_str ua = skew_str_c(cases[i].ua);
            int want = skew_is_bot(ua) ? 1 : 0, k;
            for (k = 0; k < 2; k++)
                if (open_verdict(t, ua) != want) {
                    wrong++;
                    if (wrong <= 5) fprintf(stderr, "  cached verdict wrong (%d): %s\n", want, cases[i].ua);
                }
        }
    CHECK_EQ_INT(wrong, 0);
    /* a browser UA, then entries that differ from its own only in the length or in the hash,
       both saying "bot": neither may answer for it; its own entry does */
    CHECK_EQ_INT(open_verdict(t, x), 0);
    e = &t->bot_cache[0];
    CHECK(e->hash == skew__ua_hash(t->bot_key, (const unsigned char *)x.ptr, x.len) && e->len == x.len && e->verdict == 1u);
    for (i = 0; i < 4; i++) e[i] = e[0];
    e[0].len = (uint32_t)x.len + 1u; e[0].verdict = 2u;
    e[1].hash ^= 1u; e[1].verdict = 2u;
    e[2].hash ^= 1ull << 63; e[2].verdict = 2u;
    e[3].verdict = 0u; /* an empty entry matches nothing */
    CHECK_EQ_INT(open_verdict(t, x), 0);
    CHECK_EQ_INT(e[0].verdict, 1u); /* the miss stored the filter's verdict in front */
    e[0].verdict = 2u; /* its own entry (forged to "bot" here) is what answers */
    CHECK_EQ_INT(open_verdict(t, x), 1);
    /* an empty UA is never cached: a bot unless the config allows it */
    CHECK_EQ_INT(open_verdict(t, skew_str_c("")), 1);
    skew_tracker_destroy(t);
    /* the cache's memory is counted, and NONE means none */
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(skew_config_resolve(&d, &d), SKEW_OK);
    CHECK_EQ_INT(d.bot_cache_entries, 1024u);
    d.bot_cache_entries = SKEW_BOT_CACHE_NONE;
    i = skew_tracker_memory_size(&d);
    d.bot_cache_entries = 1000; /* rounded up to 1024 */
    CHECK_EQ_INT(skew_tracker_memory_size(&d) - i, 1024u * sizeof(skew__bot_memo));
    d.bot_cache_entries = 65537;
    CHECK_EQ_INT(skew_tracker_memory_size(&d), 0);
    t = cache_tracker(SKEW_BOT_CACHE_NONE);
    CHECK(t && !t->bot_cache);
    skew_tracker_destroy(t);
}

/* Five browser UAs whose first set is the same full one keep their verdicts, round robin: the
   fifth goes to its second set, where there is room, so none is pushed out (one set of four:
   each of the five missed every time). */
static void test_cache_second_set(void) {
    skew_tracker *t = cache_tracker(8); /* rounded up: four sets of four */
    static char uas[5][160];
    uint64_t hs[5];
    unsigned found = 0, n, round, k, w, mask;
    if (!t) return;
    mask = t->bot_cache_mask;
    CHECK_EQ_INT(mask, 3);
    /* the key is secret: pick UAs by their hash, first set 0 and second set 1 */
    for (n = 0; found < 5 && n < 100000; n++) {
        char *ua = uas[found];
        uint64_t h;
        snprintf(ua, sizeof uas[0], "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "Chrome/124.0.%u.0 Safari/537.36", n);
        h = skew__ua_hash(t->bot_key, (const unsigned char *)ua, strlen(ua));
        if ((h & mask) == 0 && ((h >> 32) & mask) == 1) hs[found++] = h;
    }
    CHECK_EQ_INT(found, 5);
    for (round = 0; round < 2 && found == 5; round++)
        for (k = 0; k < 5; k++) CHECK_EQ_INT(open_verdict(t, skew_str_c(uas[k])), 0);
    for (k = 0; k < 5 && found == 5; k++) { /* each of the five still has its entry */
        unsigned held = 0;
        for (w = 0; w < 4 * (mask + 1); w++)
            held += t->bot_cache[w].verdict == 1u && t->bot_cache[w].hash == hs[k] &&
                    t->bot_cache[w].len == (uint32_t)strlen(uas[k]);
        CHECK_EQ_INT(held, 1);
    }
    if (found == 5) CHECK(t->bot_cache[4].hash == hs[4]); /* the fifth, in front of the second set */
    skew_tracker_destroy(t);
}

/* The default cache and none give the same verdict on every line of the corpus, twice (the
   second time from the cache). */
static void test_cache_corpus(void) {
    static const char *const files[] = {"ua-bots.txt", "ua-browsers.txt", "ua-special.tsv"};
    static char line[1 << 16];
    skew_tracker *on = cache_tracker(0), *off = cache_tracker(SKEW_BOT_CACHE_NONE);
    unsigned f, pass, total = 0, wrong = 0;
    for (pass = 0; pass < 2 && on && off; pass++)
        for (f = 0; f < 3; f++) {
            FILE *fp = open_corpus(files[f]);
            CHECK(fp != NULL);
            if (!fp) continue;
            while (fgets(line, sizeof line, fp)) {
                size_t n = strlen(line);
                const char *ua = line;
                int a, b;
                while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
                if (f == 2 && n >= 2 && line[1] == '\t') { ua += 2; n -= 2; }
                a = open_verdict(on, skew__str(ua, n));
                b = open_verdict(off, skew__str(ua, n));
                total++;
                if (a != b || a < 0) wrong++;
            }
            fclose(fp);
        }
    printf("bot cache on and off: %u UAs, %u differ\n", total, wrong);
    CHECK(total > 6000);
    CHECK_EQ_INT(wrong, 0);
    skew_tracker_destroy(on);
    skew_tracker_destroy(off);
}
#endif

int main(void) {
    test_categories();
    test_case_insensitive();
    test_empty();
    test_word_boundaries();
    test_odd_bytes();
    test_long();
    test_filter();
    check_file("ua-special.tsv", -1);
    check_file("ua-bots.txt", 1);
    check_file("ua-browsers.txt", 0);
#if SKEW_ENABLE_BOT_TABLE
    test_fast_paths_exact();
#endif
#if !SKEW_OPTIMIZE_SIZE
    test_cache();
    test_cache_second_set();
    test_cache_corpus();
#endif
    TEST_MAIN_END();
}
