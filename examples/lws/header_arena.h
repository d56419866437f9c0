/* header_arena: where lws 4.1.6 puts its request header tables (through lws_set_allocator).

   Why: lws allocates an 8 KB "ah data" block for every request head it reads and frees it once
   the connection is upgraded or answered. From malloc's heap, a burst of handshakes leaves those
   blocks as holes between the small allocations each connection keeps (struct lws, its WS state,
   its rx buffer): ~2 MB of free heap after 10k connections opened 200 at a time, about 200 bytes
   per idle connection that glibc can neither reuse for small chunks in full nor give back.

   Here the tables come from one reserved region (virtual memory only until touched), so the
   heap holds only what connections keep. The most recently freed blocks are reused first (warm
   pages, no system call in steady traffic); header_arena_trim gives the pages of blocks beyond
   the HEADER_ARENA_KEEP most recent back to the kernel. Everything else lws allocates goes to
   malloc as before, and so do tables past the region's blocks. */
#ifndef HEADER_ARENA_H
#define HEADER_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Free blocks whose pages stay resident after a trim: steady traffic reuses these. */
#define HEADER_ARENA_KEEP 16u

typedef struct header_arena_stats {
    uint32_t blocks;         /* in the region */
    uint32_t in_use;         /* handed to lws now */
    uint32_t resident_free;  /* free, pages possibly resident (trim gives back those past KEEP) */
    uint64_t fallbacks;      /* tables that went to malloc: the region was full */
    uint64_t released;       /* blocks whose pages went back to the kernel */
} header_arena_stats;

/* Reserve blocks × block_bytes (block_bytes is lws' max_http_header_data, rounded up to pages)
   and route lws' "ah data" allocations of at most block_bytes there. Call before
   lws_create_context. false: no region (lws keeps using malloc for everything). */
bool header_arena_init(size_t block_bytes, uint32_t blocks);

/* Give back the pages of free blocks beyond the HEADER_ARENA_KEEP most recently freed: at once
   when no table is in use, else at most once a second (now_ms: a monotonic clock). Cheap when
   there is nothing to do: the server calls it after every loop wake-up. Returns the blocks given
   back (a burst of handshakes ended). */
uint32_t header_arena_trim(uint64_t now_ms);

header_arena_stats header_arena_get_stats(void);

/* After lws_context_destroy: unmap the region (kept if lws still holds a block). */
void header_arena_fini(void);

#endif
