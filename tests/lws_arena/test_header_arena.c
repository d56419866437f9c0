/* The lws example's header-table region (examples/lws/header_arena.c), driven through lws' own
   allocator entry (lws_realloc, which header_arena_init routes to the region), as lws 4.1.6
   calls it: "ah data" tables of at most one block come from the region, everything else and the
   tables past its last block from malloc; a block freed twice or a pointer that is not a block
   stops the process (one table handed to two connections would be worse). */
#define _DEFAULT_SOURCE
#include <libwebsockets.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skew_test.h"
#include "header_arena.h"

#define BLOCK 8192u
#define BLOCKS 32u

static void *ah(void) { return lws_realloc(NULL, BLOCK, "ah data"); }
static void give(void *p) { (void)lws_realloc(p, 0, "lws_free"); }

static void test_region(void) {
    void *held[BLOCKS + 1];
    void *other, *p, *q;
    header_arena_stats s;
    unsigned i;
    for (i = 0; i < BLOCKS + 1; i++) held[i] = ah();
    s = header_arena_get_stats();
    CHECK_EQ_INT(s.blocks, BLOCKS);
    CHECK_EQ_INT(s.in_use, BLOCKS);
    CHECK_EQ_INT(s.fallbacks, 1); /* the region was full: the last table came from malloc */
    for (i = 0; i < BLOCKS + 1; i++) CHECK(held[i] != NULL);
    memset(held[BLOCKS - 1], 'x', BLOCK); /* a whole block is usable */
    other = lws_realloc(NULL, 100, "struct lws"); /* not a table: malloc */
    CHECK(other != NULL);
    CHECK_EQ_INT(header_arena_get_stats().in_use, BLOCKS);
    give(other);
    for (i = 0; i < BLOCKS + 1; i++) give(held[i]);
    CHECK_EQ_INT(header_arena_get_stats().in_use, 0);

    /* the most recently freed block is the next one given: its pages are warm */
    p = ah();
    give(p);
    q = ah();
    CHECK(p == q);
    CHECK(lws_realloc(q, BLOCK / 2, "ah data") == q); /* shrinking in place */
    give(q);
}

static void test_trim(void) {
    void *held[20];
    unsigned i;
    /* every block was touched above: all but the 16 most recent go back at once (none in use) */
    CHECK_EQ_INT(header_arena_trim(1000), BLOCKS - HEADER_ARENA_KEEP);
    CHECK_EQ_INT(header_arena_get_stats().resident_free, HEADER_ARENA_KEEP);
    CHECK_EQ_INT(header_arena_trim(1001), 0); /* nothing more to give back */
    for (i = 0; i < 20; i++) held[i] = ah();
    for (i = 0; i < 20; i++) give(held[i]);
    CHECK_EQ_INT(header_arena_get_stats().resident_free, 20);
    CHECK_EQ_INT(header_arena_trim(1002), 20 - HEADER_ARENA_KEEP);
    held[0] = ah(); /* one in use: at most one trim a second */
    for (i = 1; i < 20; i++) held[i] = ah();
    for (i = 1; i < 20; i++) give(held[i]);
    CHECK_EQ_INT(header_arena_trim(1500), 0);
    CHECK_EQ_INT(header_arena_trim(2002), 19 - HEADER_ARENA_KEEP);
    give(held[0]);
}

/* Runs fn in a child: true when the child was stopped by SIGABRT. */
static bool aborts(void (*fn)(void)) {
    int status = 0;
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL);
        fn();
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return false;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void double_free(void) {
    void *p = ah();
    give(p);
    give(p);
}

static void inside_a_block(void) {
    unsigned char *p = (unsigned char *)ah();
    give(p + 64);
}

static void freed_twice_among_others(void) {
    void *a = ah(), *b = ah();
    give(a);
    give(b);
    (void)ah(); /* b again */
    give(a);    /* a is free: a second free even though blocks are in use */
}

static void test_misuse(void) {
    CHECK(aborts(double_free));
    CHECK(aborts(inside_a_block));
    CHECK(aborts(freed_twice_among_others));
    CHECK_EQ_INT(header_arena_get_stats().in_use, 0); /* the children's blocks were theirs */
}

int main(void) {
    CHECK(header_arena_init(BLOCK, BLOCKS));
    CHECK(!header_arena_init(BLOCK, BLOCKS)); /* one region per process */
    SUBTEST("region", test_region);
    SUBTEST("trim", test_trim);
    SUBTEST("misuse", test_misuse);
    header_arena_fini();
    TEST_MAIN_END();
}
