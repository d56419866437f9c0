/* Tiny test harness for skew_tracker tests: CHECK counts, failures print file:line, and
   TEST_MAIN_END prints "N passed, N failed" (the line tests/run_step.sh reads). */
#ifndef SKEW_TEST_H
#define SKEW_TEST_H
#include <stdio.h>
#include <string.h>

static int skew_test_passed = 0, skew_test_failed = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) {                                                                   \
            skew_test_passed++;                                                       \
        } else {                                                                      \
            skew_test_failed++;                                                       \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
        }                                                                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                            \
    do {                                                                              \
        long long skew_t_a = (long long)(a), skew_t_b = (long long)(b);               \
        if (skew_t_a == skew_t_b) {                                                   \
            skew_test_passed++;                                                       \
        } else {                                                                      \
            skew_test_failed++;                                                       \
            fprintf(stderr, "FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, \
                    #a, #b, skew_t_a, skew_t_b);                                      \
        }                                                                             \
    } while (0)

#define CHECK_STR(a, b)                                                               \
    do {                                                                              \
        const char *skew_t_a = (a), *skew_t_b = (b);                                  \
        if (skew_t_a && skew_t_b && strcmp(skew_t_a, skew_t_b) == 0) {                \
            skew_test_passed++;                                                       \
        } else {                                                                      \
            skew_test_failed++;                                                       \
            fprintf(stderr, "FAIL %s:%d: %s == %s (\"%s\" != \"%s\")\n", __FILE__, __LINE__, \
                    #a, #b, skew_t_a ? skew_t_a : "(null)", skew_t_b ? skew_t_b : "(null)"); \
        }                                                                             \
    } while (0)

/* Result codes compared by name so a failure says which code came back. */
#define CHECK_RES(expr, want)                                                         \
    do {                                                                              \
        skew_result skew_t_r = (expr);                                                \
        if (skew_t_r == (want)) {                                                     \
            skew_test_passed++;                                                       \
        } else {                                                                      \
            skew_test_failed++;                                                       \
            fprintf(stderr, "FAIL %s:%d: %s -> %s, want %s\n", __FILE__, __LINE__, #expr, \
                    skew_result_str(skew_t_r), skew_result_str(want));                \
        }                                                                             \
    } while (0)

/* A view of a string literal as an expression (the library's SKEW_STR_LIT is an initialiser). */
#define STRV(lit) skew_str_n("" lit, sizeof(lit) - 1)

#define TEST_MAIN_END()                                                               \
    do {                                                                              \
        printf("%d passed, %d failed\n", skew_test_passed, skew_test_failed);         \
        return skew_test_failed ? 1 : 0;                                              \
    } while (0)
#endif
