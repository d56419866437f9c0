/* header_arena: lws' request header tables in a region of their own (header_arena.h says why). */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS, MAP_NORESERVE, madvise (Linux) */
#endif
#include "header_arena.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Under AddressSanitizer a free block is poisoned, and under valgrind's memcheck it is no-access
   (a taken one undefined), so lws touching a table it gave back is reported as with malloc. */
#if defined(__SANITIZE_ADDRESS__)
#define HEADER_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEADER_ARENA_ASAN 1
#endif
#endif
#ifdef HEADER_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#elif defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define ARENA_POISON(p, n) ((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define ARENA_UNPOISON(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#endif
#endif
#ifndef ARENA_POISON
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* lws runs on one thread, and so does its allocator: one region per process. */
static struct {
    unsigned char *base;    /* NULL: no region, everything goes to malloc */
    size_t block;           /* bytes per block, a multiple of the page size */
    uint32_t blocks;
    uint32_t *free_stack;   /* free block numbers; the top is the most recently freed */
    uint8_t *taken;         /* a bit per block: given to lws (a second free is caught) */
    uint32_t free_n;
    uint32_t clean_n;       /* free_stack[0, clean_n) have no resident pages */
    uint64_t fallbacks, released;
    uint64_t trimmed_ms;    /* the last trim (monotonic ms), 0: none yet */
} arena;

static bool in_region(const void *p) {
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)arena.base;
    return arena.base && a >= b && a - b < (uintptr_t)arena.block * arena.blocks;
}

static void *take_block(size_t size) {
    unsigned char *p;
    uint32_t k;
    if (arena.free_n == 0) {
        arena.fallbacks++;
        return malloc(size);
    }
    arena.free_n--;
    if (arena.clean_n > arena.free_n) arena.clean_n = arena.free_n;
    k = arena.free_stack[arena.free_n];
    arena.taken[k >> 3] = (uint8_t)(arena.taken[k >> 3] | (1u << (k & 7u)));
    p = arena.base + (size_t)k * arena.block;
    ARENA_UNPOISON(p, arena.block); /* the whole block: a realloc within it keeps its bytes */
    return p;
}

static void give_block(unsigned char *p) {
    size_t off = (size_t)(p - arena.base);
    uint32_t k = (uint32_t)(off / arena.block);
    uint8_t bit = (uint8_t)(1u << (k & 7u));
    /* not a block lws was given, or one freed twice: heap corruption, stop here (pushing it
       again would hand one table to two connections) */
    if (off % arena.block || !(arena.taken[k >> 3] & bit)) abort();
    arena.taken[k >> 3] = (uint8_t)(arena.taken[k >> 3] & ~bit);
    ARENA_POISON(p, arena.block);
    arena.free_stack[arena.free_n++] = k;
}

/* lws' allocator: realloc semantics, size 0 frees (lws_free passes its own reason). */
static void *arena_realloc(void *ptr, size_t size, const char *reason) {
    if (in_region(ptr)) {
        void *moved;
        if (size == 0) {
            give_block((unsigned char *)ptr);
            return NULL;
        }
        if (size <= arena.block) return ptr;
        moved = malloc(size); /* lws never grows a table; kept correct all the same */
        if (!moved) return NULL;
        memcpy(moved, ptr, arena.block);
        give_block((unsigned char *)ptr);
        return moved;
    }
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    if (!ptr && size <= arena.block && reason && !strcmp(reason, "ah data")) return take_block(size);
    return realloc(ptr, size);
}

bool header_arena_init(size_t block_bytes, uint32_t blocks) {
    long page = sysconf(_SC_PAGESIZE);
    size_t pg = page > 0 ? (size_t)page : 4096u, i;
    void *region;
    if (arena.base || blocks == 0 || block_bytes == 0) return false;
    block_bytes = (block_bytes + pg - 1) / pg * pg;
    if (block_bytes > SIZE_MAX / blocks) return false;
    arena.free_stack = (uint32_t *)malloc(sizeof(uint32_t) * blocks);
    arena.taken = (uint8_t *)calloc(blocks / 8u + 1u, 1);
    if (!arena.free_stack || !arena.taken) {
        free(arena.free_stack);
        free(arena.taken);
        arena.free_stack = NULL;
        arena.taken = NULL;
        return false;
    }
    /* MAP_NORESERVE: the region costs address space only; pages are taken as lws fills tables */
    region = mmap(NULL, block_bytes * blocks, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                  -1, 0);
    if (region == MAP_FAILED) {
        free(arena.free_stack);
        free(arena.taken);
        arena.free_stack = NULL;
        arena.taken = NULL;
        return false;
    }
    arena.base = (unsigned char *)region;
    arena.block = block_bytes;
    arena.blocks = blocks;
    /* the lowest block on top, so a quiet server touches the start of the region only */
    for (i = 0; i < blocks; i++) arena.free_stack[i] = blocks - 1u - (uint32_t)i;
    arena.free_n = arena.clean_n = blocks;
    ARENA_POISON(arena.base, block_bytes * blocks);
    lws_set_allocator(arena_realloc);
    return true;
}

uint32_t header_arena_trim(uint64_t now_ms) {
    uint32_t keep_from, n;
    if (!arena.base || arena.free_n - arena.clean_n <= HEADER_ARENA_KEEP) return 0;
    /* at once when no table is in use (a burst of handshakes is over), else at most once a
       second: during a burst, freed blocks are soon taken again */
    if (arena.free_n != arena.blocks && arena.trimmed_ms && now_ms - arena.trimmed_ms < 1000u) return 0;
    arena.trimmed_ms = now_ms ? now_ms : 1u;
    keep_from = arena.free_n - HEADER_ARENA_KEEP;
    n = keep_from - arena.clean_n;
    for (; arena.clean_n < keep_from; arena.clean_n++) {
        unsigned char *p = arena.base + (size_t)arena.free_stack[arena.clean_n] * arena.block;
        (void)madvise(p, arena.block, MADV_DONTNEED); /* advisory: on failure the pages stay */
        arena.released++;
    }
    return n;
}

header_arena_stats header_arena_get_stats(void) {
    header_arena_stats s;
    s.blocks = arena.blocks;
    s.in_use = arena.blocks - arena.free_n;
    s.resident_free = arena.free_n - arena.clean_n;
    s.fallbacks = arena.fallbacks;
    s.released = arena.released;
    return s;
}

void header_arena_fini(void) {
    if (!arena.base || arena.free_n != arena.blocks) return;
    ARENA_UNPOISON(arena.base, arena.block * arena.blocks);
    (void)munmap(arena.base, arena.block * arena.blocks);
    free(arena.free_stack);
    free(arena.taken);
    memset(&arena, 0, sizeof arena);
}
