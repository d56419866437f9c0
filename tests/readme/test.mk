# The README quick start: extracted, compared with the header's copy, compiled as C99 (gcc) and
# as C++ (g++) with the full warning set, and run.
TEST_STEPS += step-readme
README_QS := $(BUILD)/readme/quickstart.c
$(README_QS): README.md skew_tracker.h tests/readme/extract.sh
	tests/readme/extract.sh $@
$(BUILD)/readme/readme_c: tests/readme/readme_main.c $(README_QS) $(HDR_DEPS)
	$(GCC) $(CSTD) $(WARN_C) -Wno-missing-prototypes -Wno-missing-declarations $(OPT) -I. -Itests -I$(BUILD)/readme -o $@ $<
$(BUILD)/readme/readme_cxx: tests/readme/readme_main.c $(README_QS) $(HDR_DEPS)
	$(GXX) $(CXXSTD) $(WARN_COMMON) -Wno-missing-declarations $(OPT) -I. -Itests -I$(BUILD)/readme -o $@ $<
step-readme:
	@tests/run_step.sh readme sh -c '$(MAKE) --no-print-directory -s $(BUILD)/readme/readme_c $(BUILD)/readme/readme_cxx && \
	  $(BUILD)/readme/readme_c && $(BUILD)/readme/readme_cxx'
