/* Guard pages: every prefix of every special-case UA (tests/data/ua-special.tsv) is placed so
   that it ends right where a PROT_NONE page starts, then skew_is_bot() and the run-time filter
   run over it. Reading one byte too far crashes the test. Linux only. */
#include "guard_page.h"
#define SKEW_TRACKER_IMPLEMENTATION
#include "skew_tracker.h"
#include "skew_test.h"

#if GUARD_PAGES

static char *page_end; /* first byte of the PROT_NONE page */
static size_t page_size;

/* Copy s[0..n) so that it ends right at the guard page; returns the copy. */
static const char *at_guard(const char *s, size_t n) {
    char *p = page_end - n;
    memcpy(p, s, n);
    return p;
}

static void run_all_prefixes(const char *ua, size_t len, const skew_bot_filter *f, unsigned *calls) {
    size_t k;
    for (k = 0; k <= len && k <= page_size; k++) {
        skew_str v;
        v.ptr = at_guard(ua, k);
        v.len = k;
        (void)skew_is_bot(v);
        (void)skew_bot_filter_is_bot(f, v);
        *calls += 2;
    }
}

int main(void) {
    static char line[1 << 16];
    const char *dirs[] = {"tests/data/ua-special.tsv", "data/ua-special.tsv", "../tests/data/ua-special.tsv"};
    FILE *fp = NULL;
    char *mem;
    unsigned i, uas = 0, calls = 0, wrong = 0;
    skew_bot_filter f;
    mem = guard_map(1, &page_size);
    CHECK(mem != NULL);
    if (!mem) TEST_MAIN_END();
    page_end = guard_end(mem, page_size, 0);

    skew_bot_filter_init(&f);
    CHECK_RES(skew_bot_filter_add(&f, STRV("acmeprobe"), false), SKEW_OK);
    CHECK_RES(skew_bot_filter_add(&f, STRV("ourmonitor"), true), SKEW_OK);
    CHECK_RES(skew_bot_filter_add(&f, STRV("aab"), false), SKEW_OK);

    for (i = 0; i < 3 && !fp; i++) fp = fopen(dirs[i], "rb");
    CHECK(fp != NULL);
    if (fp) {
        while (fgets(line, sizeof line, fp)) {
            size_t n = strlen(line);
            skew_str v;
            while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
            if (n < 2 || line[0] == '#') continue;
            uas++;
            run_all_prefixes(line + 2, n - 2, &f, &calls);
            /* the whole UA at the guard gives its label */
            v.ptr = at_guard(line + 2, n - 2);
            v.len = n - 2;
            if (SKEW_ENABLE_BOT_TABLE && skew_is_bot(v) != (line[0] == '1')) wrong++;
        }
        fclose(fp);
    }
    /* inputs that end in the middle of what a rule or shape looks at */
    {
        static const char *const tails[] = {
            "Mozilla/5.0 (", "Mozilla/5.0 (compatible;", "Mozilla/5.0 (compatible; x/1", "Mozilla/5.0 (compatible; x/1.",
            "a@b", "a@bc", "x@abc-d", "name/", "name/v", "name/1.", "name/1.2.", "name/1.0 (", "name/1.0 (x",
            "x; y", "x; y;", ";", "(", "|", "12", "search", "ab search", " cu", " cubo", "bot", "news", "google",
            "googlew", "java", "ptst", "mozilla/5", "mozilla/5.0", "mozilla/5.0 x", "\xff", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        };
        for (i = 0; i < sizeof tails / sizeof tails[0]; i++) run_all_prefixes(tails[i], strlen(tails[i]), &f, &calls);
    }
    /* a full page of each byte value */
    for (i = 0; i < 256; i++) {
        skew_str v;
        memset(mem, (int)i, page_size);
        v.ptr = mem;
        v.len = page_size;
        (void)skew_is_bot(v);
        (void)skew_bot_filter_is_bot(&f, v);
        calls += 2;
    }
    printf("%u UAs, %u calls at the guard page, %u wrong verdicts\n", uas, calls, wrong);
    CHECK(uas > 100);
    CHECK_EQ_INT(wrong, 0);
    CHECK(calls > 10000);
    guard_unmap(mem, page_size, 1);
    TEST_MAIN_END();
}
#else
GUARD_PAGES_SKIPPED_MAIN
#endif
