# examples/common: what the example servers share (options, auth, signals, pages, static files).
# Included by the root Makefile (examples/*/build.mk) and by each server's build.mk; the guard
# keeps a second inclusion harmless.
#
# Gives the servers:
#   EXCOMMON_CFLAGS   flags for files that include skew_example.h
#   EXCOMMON_SRCS     the shared C files (a new module of examples/common: add its .c here)
#   EXCOMMON_OBJS     objects to link: those files, the generated pages, the tracker itself
#   EXCOMMON_DEPS     headers a server object depends on
#   EXCOMMON_LIBS     libraries EXCOMMON_SRCS need at link time (wherever they are linked)
ifndef EXCOMMON_MK_INCLUDED
EXCOMMON_MK_INCLUDED := 1

EXCOMMON_DIR    := examples/common
EXCOMMON_BUILD  := $(BUILD)/examples/common
EXCOMMON_PAGES  := $(sort $(wildcard $(EXCOMMON_DIR)/pages/*))
EXCOMMON_CFLAGS := $(CSTD) $(WARN_C) $(OPT) -D_POSIX_C_SOURCE=200809L -I. -I$(EXCOMMON_DIR)
EXCOMMON_SRCS   := $(EXCOMMON_DIR)/skew_example.c $(EXCOMMON_DIR)/skew_options.c \
                   $(EXCOMMON_DIR)/skew_defence.c $(EXCOMMON_DIR)/skew_ip_header.c \
                   $(EXCOMMON_DIR)/skew_auth.c \
                   $(EXCOMMON_DIR)/skew_tls.c \
                   $(EXCOMMON_DIR)/skew_lifecycle.c $(EXCOMMON_DIR)/skew_log.c $(EXCOMMON_DIR)/skew_config_file.c \
                   $(EXCOMMON_DIR)/skew_person.c $(EXCOMMON_DIR)/skew_person_crypto.c $(EXCOMMON_DIR)/skew_forward.c \
                   $(EXCOMMON_DIR)/skew_framing.c \
                   $(EXCOMMON_DIR)/skew_site.c \
                   $(EXCOMMON_DIR)/skew_posix.c
# the app's own admins (skew_person.h): OpenSSL libcrypto (Debian: libssl-dev)
EXCOMMON_LIBS   := -lcrypto
EXCOMMON_DEPS   := $(wildcard $(EXCOMMON_DIR)/*.h) skew_tracker.h
EXCOMMON_OBJS   := $(patsubst $(EXCOMMON_DIR)/%.c,$(EXCOMMON_BUILD)/%.o,$(EXCOMMON_SRCS)) $(EXCOMMON_BUILD)/pages.o \
                   $(EXCOMMON_BUILD)/skew_tracker_impl.o

# The embed tool runs on the build machine: plain C, no xxd.
$(EXCOMMON_BUILD)/embed: $(EXCOMMON_DIR)/embed.c
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -o $@ $<

$(EXCOMMON_BUILD)/pages.c: $(EXCOMMON_BUILD)/embed $(EXCOMMON_PAGES)
	$(EXCOMMON_BUILD)/embed $@ $(EXCOMMON_PAGES)

$(EXCOMMON_BUILD)/pages.o: $(EXCOMMON_BUILD)/pages.c $(EXCOMMON_DEPS)
	$(GCC) $(EXCOMMON_CFLAGS) -c -o $@ $<

$(EXCOMMON_BUILD)/%.o: $(EXCOMMON_DIR)/%.c $(EXCOMMON_DEPS)
	@mkdir -p $(@D)
	$(GCC) $(EXCOMMON_CFLAGS) -c -o $@ $<

# The cluster (skew_cluster.h): the Redis link (skcl_link.c, hiredis async on libev, pthreads;
# Debian: libhiredis-dev, libev-dev) and the server-thread half (skcl_node.c). Linked by both servers.
EXCLUSTER_SRCS := $(EXCOMMON_DIR)/skcl_link.c $(EXCOMMON_DIR)/skcl_node.c $(EXCOMMON_DIR)/skcl_agg.c \
                  $(EXCOMMON_DIR)/skcl_view.c
EXCLUSTER_OBJS := $(patsubst $(EXCOMMON_DIR)/%.c,$(EXCOMMON_BUILD)/%.o,$(EXCLUSTER_SRCS))
EXCLUSTER_LIBS := -lhiredis -lev -lpthread
# skew_tls.c (HTTPS/WSS): OpenSSL (Debian: libssl-dev); everything that links the shared files links it
EXCLUSTER_LIBS += -lssl -lcrypto

.PHONY: examples-common
examples-common: $(EXCOMMON_OBJS)

endif
