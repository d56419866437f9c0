# make install / make uninstall (included by the Makefile).
#   make install PREFIX=/usr/local DESTDIR=     the header, skew_tracker.pc, the CMake package
#                                               (find_package(skew_tracker CONFIG) gives the
#                                               target skew_tracker::skew_tracker), and the
#                                               example programs that were built in $(BUILD)
#   make uninstall PREFIX=/usr/local DESTDIR=   removes exactly those files
# Nothing is built here: `make` first for the example programs. The installed names say what
# each program is (the build names are short):
#   skew_server_lws       -> skew-tracker-example-server-lws       (libwebsockets example server)
#   skew_server_mongoose  -> skew-tracker-example-server-mongoose  (mongoose example server)
#   skew_botcheck         -> skew-tracker-botcheck                 (User-Agent bot check filter)
PREFIX       ?= /usr/local
DESTDIR      ?=
INCLUDEDIR   ?= $(PREFIX)/include
LIBDIR       ?= $(PREFIX)/lib
BINDIR       ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR     ?= $(LIBDIR)/cmake/skew_tracker
INSTALL      ?= install

SKEW_VERSION := $(shell sed -n 's/^\#define SKEW_TRACKER_VERSION_STRING "\(.*\)"/\1/p' skew_tracker.h)
SKEW_VERSION_MAJOR := $(shell sed -n 's/^\#define SKEW_TRACKER_VERSION_MAJOR \([0-9]*\)/\1/p' skew_tracker.h)
SKEW_VERSION_MINOR := $(shell sed -n 's/^\#define SKEW_TRACKER_VERSION_MINOR \([0-9]*\)/\1/p' skew_tracker.h)
# build name:installed name of every example program
INSTALL_PROGRAMS := skew_server_lws:skew-tracker-example-server-lws \
                    skew_server_mongoose:skew-tracker-example-server-mongoose \
                    skew_botcheck:skew-tracker-botcheck
INSTALL_SUBST = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(SKEW_VERSION)|g' \
                    -e 's|@MAJOR@|$(SKEW_VERSION_MAJOR)|g' -e 's|@MINOR@|$(SKEW_VERSION_MINOR)|g'

.PHONY: install uninstall
install:
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(CMAKEDIR)
	$(INSTALL) -m 644 skew_tracker.h $(DESTDIR)$(INCLUDEDIR)/skew_tracker.h
	$(INSTALL_SUBST) packaging/skew_tracker.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/skew_tracker.pc
	$(INSTALL_SUBST) packaging/skew_trackerConfig.cmake.in >$(DESTDIR)$(CMAKEDIR)/skew_trackerConfig.cmake
	$(INSTALL_SUBST) packaging/skew_trackerConfigVersion.cmake.in >$(DESTDIR)$(CMAKEDIR)/skew_trackerConfigVersion.cmake
	@for p in $(INSTALL_PROGRAMS); do \
	  from=$(BUILD)/$${p%%:*}; to=$(DESTDIR)$(BINDIR)/$${p##*:}; \
	  if [ -f "$$from" ]; then \
	    echo "$(INSTALL) -m 755 $$from $$to"; \
	    $(INSTALL) -d $(DESTDIR)$(BINDIR) && $(INSTALL) -m 755 "$$from" "$$to" || exit 1; \
	  else echo "install: $$from not built: not installed (make it first)"; fi; \
	done

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/skew_tracker.h $(DESTDIR)$(PKGCONFIGDIR)/skew_tracker.pc \
	  $(DESTDIR)$(CMAKEDIR)/skew_trackerConfig.cmake $(DESTDIR)$(CMAKEDIR)/skew_trackerConfigVersion.cmake
	@for p in $(INSTALL_PROGRAMS); do echo "rm -f $(DESTDIR)$(BINDIR)/$${p##*:}"; rm -f "$(DESTDIR)$(BINDIR)/$${p##*:}"; done
	-rmdir $(DESTDIR)$(CMAKEDIR) 2>/dev/null
