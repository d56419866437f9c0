# examples/lws: the skew server on libwebsockets (Debian: libwebsockets-dev 4.1.6).
#   SKEW_ADMIN_TOKEN=secret make run-lws ARGS='--port 8000'
include examples/common/build.mk

LWS_CFLAGS ?= $(shell pkg-config --cflags libwebsockets 2>/dev/null)
LWS_LIBS   ?= $(shell pkg-config --libs libwebsockets 2>/dev/null || echo -lwebsockets) -lev
LWS_FOUND  := $(shell pkg-config --exists libwebsockets 2>/dev/null && echo yes || \
                (test -f /usr/include/libwebsockets.h && echo yes))
LWS_SERVER := $(BUILD)/skew_server_lws

$(BUILD)/examples/lws/skew_server_lws.o: examples/lws/skew_server_lws.c $(EXCOMMON_DEPS) examples/common/skew_framing.h \
                                   examples/lws/header_arena.h
	@mkdir -p $(@D)
	$(GCC) $(EXCOMMON_CFLAGS) $(LWS_CFLAGS) -c -o $@ $<

$(BUILD)/examples/lws/header_arena.o: examples/lws/header_arena.c examples/lws/header_arena.h
	@mkdir -p $(@D)
	$(GCC) $(EXCOMMON_CFLAGS) $(LWS_CFLAGS) -c -o $@ $<

$(LWS_SERVER): $(BUILD)/examples/lws/skew_server_lws.o $(BUILD)/examples/lws/header_arena.o $(EXCOMMON_OBJS) $(EXCLUSTER_OBJS)
	$(GCC) $(OPT) -o $@ $^ $(LWS_LIBS) $(EXCLUSTER_LIBS) $(EXCOMMON_LIBS)

ifeq ($(LWS_FOUND),yes)
ALL_TARGETS += $(LWS_SERVER)
# The root Makefile expands ALL_TARGETS in its all-targets rule before this file is read,
# so name the prerequisite here as well.
all-targets: $(LWS_SERVER)
endif

.PHONY: run-lws
ifeq ($(LWS_FOUND),yes)
run-lws: $(LWS_SERVER)
	@$(LWS_SERVER) $(ARGS)
else
run-lws:
	@echo "run-lws: libwebsockets not found; install it (Debian: apt-get install libwebsockets-dev)" >&2; exit 1
endif

# The same server under AddressSanitizer + UBSan (not part of `make`): for the e2e suite,
#   make $(BUILD)/skew_server_lws_asan && SKEW_SERVER=$PWD/$(BUILD)/skew_server_lws_asan ...
LWS_ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LWS_ASAN_SRCS  := examples/lws/skew_server_lws.c examples/lws/header_arena.c $(EXCOMMON_SRCS) \
                  $(EXCOMMON_DIR)/skew_tracker_impl.c $(EXCOMMON_BUILD)/pages.c $(EXCLUSTER_SRCS)
$(BUILD)/skew_server_lws_asan: $(LWS_ASAN_SRCS) $(EXCOMMON_DEPS) examples/lws/header_arena.h
	$(CLANG) $(CSTD) $(WARN_C) $(LWS_ASAN_FLAGS) -D_POSIX_C_SOURCE=200809L -I. -I$(EXCOMMON_DIR) $(LWS_CFLAGS) \
	  -o $@ $(LWS_ASAN_SRCS) $(LWS_LIBS) $(EXCLUSTER_LIBS) $(EXCOMMON_LIBS)
