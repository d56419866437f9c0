/* tests/guard_page.h - memory that ends where a PROT_NONE page begins, for the guard-page tests
   (test_guard_*.c): an input copied to end at the guard, or an output buffer placed there,
   crashes the test on the first byte read or written past its end.

   Include it first (it sets _DEFAULT_SOURCE for mmap under -std=c99). Then:
       #if GUARD_PAGES
       ... guard_map(n, &page) gives n writable pages, each followed by a guard page;
           guard_end(mem, page, i) is the first byte of region i's guard ...
       #else
       GUARD_PAGES_SKIPPED_MAIN
       #endif */
#ifndef SKEW_TESTS_GUARD_PAGE_H
#define SKEW_TESTS_GUARD_PAGE_H

#if defined(__linux__)
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, sysconf under -std=c99 */
#endif
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#define GUARD_PAGES 1

/* n regions of one writable page, each followed by a PROT_NONE page; NULL on failure. */
static char *guard_map(size_t n, size_t *page_out) {
    long ps = sysconf(_SC_PAGESIZE);
    size_t page = ps > 0 ? (size_t)ps : 4096u, i;
    char *mem = (char *)mmap(NULL, 2 * n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        perror("mmap");
        return NULL;
    }
    for (i = 0; i < n; i++) {
        if (mprotect(mem + (2 * i + 1) * page, page, PROT_NONE) != 0) {
            perror("mprotect");
            munmap(mem, 2 * n * page);
            return NULL;
        }
    }
    *page_out = page;
    return mem;
}

/* The first byte of region i's guard page: a buffer of size k ends there when it starts at end - k. */
static char *guard_end(char *mem, size_t page, size_t i) { return mem + (2 * i + 1) * page; }

static void guard_unmap(char *mem, size_t page, size_t n) { munmap(mem, 2 * n * page); }

/* p[0..n) followed by junk, in roomy (cap bytes): the same bytes, then tempting ones that would
   change a scanner's answer if it read past n. 0 when they do not fit. Not every test uses it. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((unused))
#endif
static int guard_with_junk(char *roomy, size_t cap, const char *p, size_t n, const char *junk) {
    size_t jl = strlen(junk);
    if (n + jl > cap) return 0;
    memcpy(roomy, p, n);
    memcpy(roomy + n, junk, jl);
    return 1;
}

#else
#include <stdio.h>
#define GUARD_PAGES 0
#define GUARD_PAGES_SKIPPED_MAIN                          \
    int main(void) {                                      \
        printf("skipped: guard pages need Linux\n");      \
        printf("0 passed, 0 failed\n");                   \
        return 0;                                         \
    }
#endif

#endif
