# Two-file link test (tests/link/): impl.c implements the header, user.c only includes it.
#   make step-link    gcc C + C, C impl + C++ user, clang impl + gcc user, and the static build
#                     (SKEW_TRACKER_STATIC in both files, each with its own private copy: the two
#                     copies must link side by side without a clash)
TEST_STEPS += step-link
LINK_DIR := $(BUILD)/link

# $(call link_rule,NAME,IMPL COMPILER AND FLAGS,USER COMPILER AND FLAGS,LINKER): $(LINK_DIR)/NAME,
# impl.c and user.c compiled apart by those compilers and linked together.
define link_rule
$(LINK_DIR)/$(1): tests/link/impl.c tests/link/user.c skew_tracker.h
	@mkdir -p $$(@D)
	$(2) -I. -c -o $(LINK_DIR)/$(1)_impl.o tests/link/impl.c
	$(3) -I. -c -o $(LINK_DIR)/$(1)_user.o tests/link/user.c
	$(4) -o $$@ $(LINK_DIR)/$(1)_impl.o $(LINK_DIR)/$(1)_user.o
endef
LINK_GCC := $(GCC) $(CSTD) $(WARN_C) $(OPT)
$(eval $(call link_rule,c_c,$(LINK_GCC),$(LINK_GCC),$(GCC)))
$(eval $(call link_rule,c_cxx,$(LINK_GCC),$(GXX) $(CXXSTD) $(WARN_COMMON) $(OPT),$(GXX)))
$(eval $(call link_rule,clang_c,$(CLANG) $(CSTD) $(WARN_C) $(OPT),$(LINK_GCC),$(CLANG)))
$(eval $(call link_rule,static,$(LINK_GCC) -DSKEW_TRACKER_STATIC,\
  $(LINK_GCC) -DSKEW_TRACKER_STATIC -DSKEW_TRACKER_IMPLEMENTATION,$(GCC)))

.PHONY: step-link
step-link:
	@tests/run_step.sh link sh -c "$(MAKE) --no-print-directory -s $(LINK_DIR)/c_c $(LINK_DIR)/c_cxx $(LINK_DIR)/clang_c \
	  $(LINK_DIR)/static && $(LINK_DIR)/c_c && $(LINK_DIR)/c_cxx && $(LINK_DIR)/clang_c && $(LINK_DIR)/static"
