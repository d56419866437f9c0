# The lws example's header-table region (examples/lws/header_arena.c) through lws' allocator:
# tables in and past the region, reuse order, trimming, and a double free or stray pointer stopping
# the process.
#   make step-lws-arena    gcc build and clang ASan+UBSan build, each run once (under a second)
TEST_STEPS += step-lws-arena
LWS_ARENA_DIR := $(BUILD)/lws-arena
LWS_ARENA_SRC := tests/lws_arena/test_header_arena.c examples/lws/header_arena.c

$(LWS_ARENA_DIR)/gcc $(LWS_ARENA_DIR)/asan: $(LWS_ARENA_SRC) examples/lws/header_arena.h tests/skew_test.h
$(LWS_ARENA_DIR)/gcc:
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -Itests -Iexamples/lws $(LWS_CFLAGS) -o $@ $(LWS_ARENA_SRC) $(LWS_LIBS)
$(LWS_ARENA_DIR)/asan:
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) $(LWS_ASAN_FLAGS) -Itests -Iexamples/lws $(LWS_CFLAGS) -o $@ $(LWS_ARENA_SRC) $(LWS_LIBS)

.PHONY: step-lws-arena
step-lws-arena:
	@tests/run_step.sh lws-arena sh -c "$(MAKE) --no-print-directory -s $(LWS_ARENA_DIR)/gcc $(LWS_ARENA_DIR)/asan && \
	  $(LWS_ARENA_DIR)/gcc && $(LWS_ARENA_DIR)/asan"
