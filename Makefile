# skew_tracker — build, test, run.
#   make test        everything testable on this machine; ends with "N passed, N failed"
#   make run         the mongoose example server with its dashboard (downloads mongoose 7.22)
#   make run-lws     the libwebsockets example server
#   make             the tools and servers that can be built here
# Each folder's make fragment is its build.mk (tests/build.mk, fuzz/build.mk, bench/build.mk,
# tools/build.mk, packaging/build.mk, examples/build.mk, and tests/*/build.mk, bench/*/build.mk,
# examples/*/build.mk below them).

BUILD    ?= build
CC       ?= cc
GCC      ?= gcc
CLANG    ?= clang
GXX      ?= g++
CLANGXX  ?= clang++

# The warning set every file of ours compiles under (C99, errors, no VLAs).
WARN_COMMON := -Wall -Wextra -Wpedantic -Werror -Wshadow -Wconversion -Wsign-conversion -Wundef \
               -Wvla -Wcast-qual -Wformat=2 -Wpointer-arith -Wwrite-strings -Wmissing-declarations
WARN_C      := $(WARN_COMMON) -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
CSTD        := -std=c99
CXXSTD      := -std=c++11 -x c++
OPT         ?= -O2 -g

TEST_STEPS  :=
ALL_TARGETS :=

.PHONY: all test clean
all: all-targets

include tests/build.mk
include examples/build.mk
include fuzz/build.mk
include bench/build.mk
include tools/build.mk

all-targets: $(ALL_TARGETS)

# Steps run one after the other so the log reads in order; a failing step never stops the rest.
# A fresh machine: install-deps adds what is missing when it can (root on Debian), else it says
# what is missing and the steps that need it report themselves skipped.
# Within a step, its builds run TEST_JOBS at a time (default: one per core; CI has a time budget).
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
test:
	@mkdir -p $(BUILD) && rm -f $(BUILD)/results.tsv
	@bash .ci/install-deps || echo "install-deps failed: steps that need the missing tools will fail or skip"
	@for s in $(TEST_STEPS); do $(MAKE) --no-print-directory -j$(TEST_JOBS) $$s; done
	@tests/summary.sh

clean:
	rm -rf $(BUILD)

# make install / make uninstall: header, pkg-config file, CMake package, built programs.
include packaging/build.mk
