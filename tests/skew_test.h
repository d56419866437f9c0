/* Tiny test harness for skew_tracker tests: CHECK counts, failures print the test group (see
   SUBTEST) and file:line, and TEST_MAIN_END prints "N passed, N failed" (the line
   tests/run_step.sh reads). */
#ifndef TESTS_SKEW_TEST_H
#define TESTS_SKEW_TEST_H
#include <stdio.h>
#include <string.h>

static int tests_passed = 0, tests_failed = 0;
/* The group running now, named on every failure (picohttpparser's subtest): "" outside one. */
static const char *tests_group = "";

/* Run one test group: SUBTEST("json_reader", test_json_reader); a group with failures also
   ends with a line that names it. */
#define SUBTEST(name, fn)                                                             \
    do {                                                                          \
        int subtest_failed = tests_failed;                                        \
        tests_group = (name);                                                     \
        fn();                                                                     \
        if (tests_failed > subtest_failed)                                        \
            fprintf(stderr, "FAIL group %s: %d failed\n", tests_group,            \
                    tests_failed - subtest_failed);                               \
        tests_group = "";                                                         \
    } while (0)

/* "FAIL [group] file:line: " (no brackets outside a group) */
#define TESTS_FAIL_AT()                                                               \
    fprintf(stderr, "FAIL %s%s%s%s:%d: ", tests_group[0] ? "[" : "", tests_group, \
            tests_group[0] ? "] " : "", __FILE__, __LINE__)

/* For helpers in shared test headers that some test files do not call. */
#if defined(__GNUC__) || defined(__clang__)
#define TESTS_UNUSED __attribute__((unused))
#else
#define TESTS_UNUSED
#endif

#define CHECK(cond)                                                                   \
    do {                                                                          \
        if (cond) {                                                               \
            tests_passed++;                                                       \
        } else {                                                                  \
            tests_failed++;                                                       \
            TESTS_FAIL_AT();                                                      \
            fprintf(stderr, "%s\n", #cond);                                       \
        }                                                                         \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                            \
    do {                                                                          \
        long long check_a = (long long)(a), check_b = (long long)(b);             \
        if (check_a == check_b) {                                                 \
            tests_passed++;                                                       \
        } else {                                                                  \
            tests_failed++;                                                       \
            TESTS_FAIL_AT();                                                      \
            fprintf(stderr, "%s == %s (%lld != %lld)\n", #a, #b, check_a, check_b);                                        \
        }                                                                         \
    } while (0)

#define CHECK_STR(a, b)                                                               \
    do {                                                                          \
        const char *check_a = (a), *check_b = (b);                                \
        if (check_a && check_b && strcmp(check_a, check_b) == 0) {                \
            tests_passed++;                                                       \
        } else {                                                                  \
            tests_failed++;                                                       \
            TESTS_FAIL_AT();                                                      \
            fprintf(stderr, "%s == %s (\"%s\" != \"%s\")\n", #a, #b, check_a ? check_a : "(null)", check_b ? check_b : "(null)"); \
        }                                                                         \
    } while (0)

/* Result codes compared by name so a failure says which code came back. */
#define CHECK_RES(expr, want)                                                         \
    do {                                                                          \
        skew_result check_r = (expr);                                             \
        if (check_r == (want)) {                                                  \
            tests_passed++;                                                       \
        } else {                                                                  \
            tests_failed++;                                                       \
            TESTS_FAIL_AT();                                                      \
            fprintf(stderr, "%s -> %s, want %s\n", #expr,                         \
                    skew_result_str(check_r), skew_result_str(want));             \
        }                                                                         \
    } while (0)

/* A view of a string literal as an expression (the library's SKEW_STR_LIT is an initialiser). */
#define STRV(lit) skew_str_n("" lit, sizeof(lit) - 1)

#define TEST_MAIN_END()                                                               \
    do {                                                                          \
        printf("%d passed, %d failed\n", tests_passed, tests_failed);             \
        return tests_failed ? 1 : 0;                                              \
    } while (0)
#endif
