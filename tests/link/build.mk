# Two-file link test (tests/link/): impl.c implements the header, user.c only includes it.
#   make step-link    gcc C + C, C impl + C++ user, clang impl + gcc user, and the static build
#                     (SKEW_TRACKER_STATIC in both files, each with its own private copy: the two
#                     copies must link side by side without a clash)
TEST_STEPS += step-link
LINK_DIR := $(BUILD)/link

$(LINK_DIR)/c_c: tests/link/impl.c tests/link/user.c skew_tracker.h
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -I. -c -o $(LINK_DIR)/impl.o tests/link/impl.c
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -I. -c -o $(LINK_DIR)/user.o tests/link/user.c
	$(GCC) -o $@ $(LINK_DIR)/impl.o $(LINK_DIR)/user.o
$(LINK_DIR)/c_cxx: tests/link/impl.c tests/link/user.c skew_tracker.h
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -I. -c -o $(LINK_DIR)/impl_c.o tests/link/impl.c
	$(GXX) $(CXXSTD) $(WARN_COMMON) $(OPT) -I. -c -o $(LINK_DIR)/user_cxx.o tests/link/user.c
	$(GXX) -o $@ $(LINK_DIR)/impl_c.o $(LINK_DIR)/user_cxx.o
$(LINK_DIR)/clang_c: tests/link/impl.c tests/link/user.c skew_tracker.h
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) $(OPT) -I. -c -o $(LINK_DIR)/impl_clang.o tests/link/impl.c
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -I. -c -o $(LINK_DIR)/user_gcc.o tests/link/user.c
	$(CLANG) -o $@ $(LINK_DIR)/impl_clang.o $(LINK_DIR)/user_gcc.o

$(LINK_DIR)/static: tests/link/impl.c tests/link/user.c skew_tracker.h
	@mkdir -p $(@D)
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -DSKEW_TRACKER_STATIC -I. -c -o $(LINK_DIR)/impl_static.o tests/link/impl.c
	$(GCC) $(CSTD) $(WARN_C) $(OPT) -DSKEW_TRACKER_STATIC -DSKEW_TRACKER_IMPLEMENTATION -I. \
	  -c -o $(LINK_DIR)/user_static.o tests/link/user.c
	$(GCC) -o $@ $(LINK_DIR)/impl_static.o $(LINK_DIR)/user_static.o

.PHONY: step-link
step-link:
	@tests/run_step.sh link sh -c "$(MAKE) --no-print-directory -s $(LINK_DIR)/c_c $(LINK_DIR)/c_cxx $(LINK_DIR)/clang_c \
	  $(LINK_DIR)/static && $(LINK_DIR)/c_c && $(LINK_DIR)/c_cxx && $(LINK_DIR)/clang_c && $(LINK_DIR)/static"
