# examples/mongoose: the skew server on mongoose 7.22 (GPLv2 or commercial: never committed here).
#   SKEW_ADMIN_TOKEN=secret make run ARGS='--route-tracking'   build $(BUILD)/skew_server_mongoose, start it
#   make run MONGOOSE_DIR=/path/to/mongoose-7.22           use a local copy (mongoose.c, mongoose.h)
#
# Where mongoose comes from:
#   MONGOOSE_DIR=DIR given   DIR/mongoose.c and DIR/mongoose.h (a warning if they are not 7.22:
#                            the adapter relies on 7.22 internals, see skew_server_mongoose.c)
#   else a shared copy       ../shared/third_party/mongoose-7.22/ next to the checkout (CI and the
#                            team's machines have one) when both its SHA-256 sums match the pins
#   otherwise                third_party/mongoose-7.22/ (ignored by git), downloaded on first use
#                            from the tag on GitHub with curl; both SHA-256 sums are checked and
#                            files that do not match are deleted. `make` alone never downloads:
#                            it builds the server only when mongoose is already here.
# Without mongoose and network the build fails with "mongoose not found: ..." saying what to do;
# tests/e2e/run.sh reports that as "skipped: mongoose not found".
include examples/common/build.mk

MONGOOSE_VERSION  := 7.22
MONGOOSE_SHA256_C := 475b00c78226b2335fc4a397e86264562183ee9ce21d17840b2111bf8286f3b2
MONGOOSE_SHA256_H := bfd98baa344175f8997a285b1b81e5c263f8fbbcc6fc42afc08e0c2405ee6a60
MONGOOSE_URL      := https://raw.githubusercontent.com/cesanta/mongoose/$(MONGOOSE_VERSION)
MONGOOSE_FETCHED  := third_party/mongoose-$(MONGOOSE_VERSION)
MONGOOSE_DIR      ?=

# The shared copy becomes the default only when both files are exactly the pinned ones.
MONGOOSE_SHARED := $(abspath $(CURDIR)/../shared/third_party/mongoose-$(MONGOOSE_VERSION))
ifeq ($(strip $(MONGOOSE_DIR)),)
ifneq ($(wildcard $(MONGOOSE_SHARED)/mongoose.c),)
ifeq ($(shell sha256sum $(MONGOOSE_SHARED)/mongoose.c $(MONGOOSE_SHARED)/mongoose.h 2>/dev/null | cut -d' ' -f1 | tr '\n' ' '),$(MONGOOSE_SHA256_C) $(MONGOOSE_SHA256_H) )
MONGOOSE_DIR := $(MONGOOSE_SHARED)
endif
endif
endif

MG_SERVER := $(BUILD)/skew_server_mongoose
MG_BUILD  := $(BUILD)/examples/mongoose
MG_SRC    := $(if $(strip $(MONGOOSE_DIR)),$(patsubst %/,%,$(MONGOOSE_DIR)),$(MONGOOSE_FETCHED))
MG_FILES  := $(MG_SRC)/mongoose.c $(MG_SRC)/mongoose.h

# Mongoose's compile-time configuration: one set for mongoose.c and the adapter (struct layout).
#   MG_IO_SIZE=2048         I/O buffer step (Unix default 16384: ~32 KB per idle connection);
#                           with the adapter giving idle buffers back, an idle connection keeps
#                           no I/O buffer at all; 2 KB still holds a browser's request head
#   MG_MAX_RECV_SIZE=65536  bound on one connection's unparsed input (default 3 MB): a request
#                           head is cut at 16 KB (431) and a body at max_body (413) before that,
#                           WebSocket frames over 8 KB are dropped as they arrive
#   MG_MAX_HTTP_HEADERS=48  headers parsed per request (default 30; the rest would be ignored)
#   MG_ENABLE_IPV6=1, MG_IPV6_V6ONLY=1   --host ::1 binds exactly that address
#   MG_ENABLE_DIRLIST=0     no directory listings (static files come from skew_example.c)
#   MG_SOCK_LISTEN_BACKLOG_SIZE=1024   listen backlog (default 128; mongoose accepts one
#                           connection per poll): a burst of connects, or clients waiting while
#                           accepting is paused at the descriptor limit, is not dropped (a
#                           dropped SYN costs the client a 1 s retransmission)
#   MG_TLS=MG_TLS_OPENSSL   --tls-cert/--tls-key: HTTPS and WSS through OpenSSL (libssl-dev;
#                           -lssl -lcrypto come with EXCLUSTER_LIBS, see examples/common/build.mk)
MG_DEFS := -DMG_IO_SIZE=2048 -DMG_MAX_RECV_SIZE=65536 -DMG_MAX_HTTP_HEADERS=48 \
           -DMG_ENABLE_IPV6=1 -DMG_IPV6_V6ONLY=1 -DMG_ENABLE_DIRLIST=0 -DMG_SOCK_LISTEN_BACKLOG_SIZE=1024 \
           -DMG_TLS=MG_TLS_OPENSSL
# mongoose.c is not ours: its own flags, warnings shown but never errors.
MG_CFLAGS := $(CSTD) $(OPT) -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Wall -Wextra $(MG_DEFS)

MG_NOT_FOUND = echo "mongoose not found:" $(1) >&2; \
  echo "  either give a local copy of mongoose $(MONGOOSE_VERSION): make $(or $(MAKECMDGOALS),run) MONGOOSE_DIR=/path/to/mongoose" >&2; \
  echo "  (a folder with mongoose.c and mongoose.h of tag $(MONGOOSE_VERSION), e.g. a checkout of github.com/cesanta/mongoose)," >&2; \
  echo "  or build without MONGOOSE_DIR on a machine with network access: they are downloaded into $(MONGOOSE_FETCHED)/;" >&2; \
  echo "  the same server on libwebsockets: make run-lws" >&2; exit 1

ifneq ($(strip $(MONGOOSE_DIR)),)
# A given folder: the files must be there; a different version builds with a warning.
$(MG_FILES):
	@$(call MG_NOT_FOUND,"$@ does not exist (MONGOOSE_DIR=$(MONGOOSE_DIR))")
MG_VERSION_CHECK = \
  c=$$(sha256sum $(MG_SRC)/mongoose.c | cut -d' ' -f1); h=$$(sha256sum $(MG_SRC)/mongoose.h | cut -d' ' -f1); \
  if [ "$$c" != "$(MONGOOSE_SHA256_C)" ] || [ "$$h" != "$(MONGOOSE_SHA256_H)" ]; then \
    echo "warning: MONGOOSE_DIR=$(MONGOOSE_DIR) is not mongoose $(MONGOOSE_VERSION) (SHA-256 differs): building anyway" >&2; fi
else
# The download: both files into *.part, both sums checked, then moved into place together.
# curl -f fails on HTTP errors instead of saving the error page, -sS is quiet but prints errors,
# -L follows redirects, --retry 2 retries transient failures (timeouts, 5xx), the timeouts keep
# an offline machine from waiting long. A failed download leaves no empty folder behind.
MG_FETCH_UNDO = rm -f $(@D)/mongoose.c.part $(@D)/mongoose.h.part; rmdir $(@D) $(patsubst %/,%,$(dir $(@D))) 2>/dev/null
$(MONGOOSE_FETCHED)/mongoose.c:
	@mkdir -p $(@D)
	@if ! command -v curl >/dev/null 2>&1; then $(MG_FETCH_UNDO); \
	  $(call MG_NOT_FOUND,"$(MONGOOSE_FETCHED)/ is empty and curl is not installed to download it"); fi; \
	echo "downloading mongoose $(MONGOOSE_VERSION) from $(MONGOOSE_URL)/ into $(MONGOOSE_FETCHED)/"; \
	for f in mongoose.c mongoose.h; do \
	  if ! curl -fsSL --retry 2 --connect-timeout 10 --max-time 300 -o $(@D)/$$f.part "$(MONGOOSE_URL)/$$f"; then \
	    $(MG_FETCH_UNDO); \
	    $(call MG_NOT_FOUND,"the download of $(MONGOOSE_URL)/$$f failed (no network?)"); fi; \
	done; \
	bad=; \
	for f in mongoose.c mongoose.h; do \
	  case $$f in *.c) want=$(MONGOOSE_SHA256_C) ;; *) want=$(MONGOOSE_SHA256_H) ;; esac; \
	  got=$$(sha256sum $(@D)/$$f.part | cut -d' ' -f1); \
	  if [ "$$got" != "$$want" ]; then \
	    echo "error: SHA-256 mismatch for downloaded $$f: expected $$want, got $$got" >&2; bad=1; fi; \
	done; \
	if [ -n "$$bad" ]; then \
	  rm -f $(@D)/mongoose.c $(@D)/mongoose.h; $(MG_FETCH_UNDO); \
	  echo "error: the downloaded mongoose files were deleted; nothing was built from them" >&2; exit 1; fi; \
	mv -f $(@D)/mongoose.h.part $(@D)/mongoose.h && mv -f $(@D)/mongoose.c.part $(@D)/mongoose.c && \
	touch $(@D)/mongoose.c && touch $(@D)/mongoose.h
# mongoose.h comes with mongoose.c (and is touched after it).
$(MONGOOSE_FETCHED)/mongoose.h: $(MONGOOSE_FETCHED)/mongoose.c
	@test -f $@ || { $(call MG_NOT_FOUND,"$@ is missing: delete $(MONGOOSE_FETCHED)/ and build again"); }
# Files placed there by hand are checked like downloaded ones.
MG_VERSION_CHECK = \
  c=$$(sha256sum $(MG_SRC)/mongoose.c | cut -d' ' -f1); h=$$(sha256sum $(MG_SRC)/mongoose.h | cut -d' ' -f1); \
  if [ "$$c" != "$(MONGOOSE_SHA256_C)" ] || [ "$$h" != "$(MONGOOSE_SHA256_H)" ]; then \
    echo "error: $(MG_SRC)/ does not hold mongoose $(MONGOOSE_VERSION) (SHA-256 mismatch): files deleted" >&2; \
    rm -f $(MG_SRC)/mongoose.c $(MG_SRC)/mongoose.h; exit 1; fi
endif

# The object names carry no version: a different MONGOOSE_DIR rebuilds through the file
# prerequisites (a newer copy) or `make clean`.
$(MG_BUILD)/mongoose.o: $(MG_FILES) examples/mongoose/build.mk
	@mkdir -p $(@D)
	@$(MG_VERSION_CHECK)
	$(GCC) $(MG_CFLAGS) -c -o $@ $(MG_SRC)/mongoose.c

$(MG_BUILD)/skew_server_mongoose.o: examples/mongoose/skew_server_mongoose.c $(EXCOMMON_DEPS) $(MG_SRC)/mongoose.h examples/mongoose/build.mk
	@mkdir -p $(@D)
	$(GCC) $(EXCOMMON_CFLAGS) $(MG_DEFS) -isystem $(MG_SRC) -c -o $@ $<

$(MG_SERVER): $(MG_BUILD)/skew_server_mongoose.o $(MG_BUILD)/mongoose.o $(EXCOMMON_OBJS) $(EXCLUSTER_OBJS)
	$(GCC) $(OPT) -o $@ $^ $(EXCLUSTER_LIBS) $(EXCOMMON_LIBS)

# `make` builds the server when mongoose is here (given or downloaded before); it never downloads.
ifneq ($(wildcard $(MG_SRC)/mongoose.c),)
ALL_TARGETS += $(MG_SERVER)
all-targets: $(MG_SERVER)
else
all-targets: mongoose-skipped
.PHONY: mongoose-skipped
mongoose-skipped:
	@echo "skew_server_mongoose skipped: no mongoose $(MONGOOSE_VERSION) in $(MG_SRC)/ (make run downloads it; or MONGOOSE_DIR=/path)"
endif

.PHONY: run
run: $(MG_SERVER)
	@$(MG_SERVER) $(ARGS)

# The same server under ThreadSanitizer (not part of `make`): its Redis link runs in a worker
# thread (--redis); tests/cluster runs it (step-cluster-sanitizers).
MG_TSAN_SRCS := examples/mongoose/skew_server_mongoose.c $(MG_SRC)/mongoose.c $(EXCOMMON_SRCS) \
                $(EXCOMMON_DIR)/skew_tracker_impl.c $(EXCOMMON_BUILD)/pages.c $(EXCLUSTER_SRCS)
$(BUILD)/skew_server_mongoose_tsan: $(MG_TSAN_SRCS) $(EXCOMMON_DEPS) $(MG_SRC)/mongoose.h
	$(CLANG) $(CSTD) -O1 -g -fsanitize=thread -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(MG_DEFS) \
	  -I. -I$(EXCOMMON_DIR) -isystem $(MG_SRC) -o $@ $(MG_TSAN_SRCS) $(EXCLUSTER_LIBS) $(EXCOMMON_LIBS)
