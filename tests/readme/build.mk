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

# The README's "Writing an adapter" code: extracted, compiled as C99 (gcc, clang under ASan and
# UBSan) and as C++ (g++), and run over a socketpair by tests/readme/adapter_main.c.
TEST_STEPS += step-readme-adapter
README_ADAPTER := $(BUILD)/readme/adapter.c
ADAPTER_DEFS   := -D_POSIX_C_SOURCE=200809L -Wno-missing-prototypes -Wno-missing-declarations
$(README_ADAPTER): README.md tests/readme/extract.sh
	tests/readme/extract.sh --adapter $@
$(BUILD)/readme/adapter_c: tests/readme/adapter_main.c $(README_ADAPTER) $(HDR_DEPS)
	$(GCC) $(CSTD) $(WARN_C) $(ADAPTER_DEFS) $(OPT) -I. -Itests -I$(BUILD)/readme -o $@ $<
$(BUILD)/readme/adapter_asan: tests/readme/adapter_main.c $(README_ADAPTER) $(HDR_DEPS)
	$(CLANG) $(CSTD) $(WARN_C) $(ADAPTER_DEFS) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -I. -Itests -I$(BUILD)/readme -o $@ $<
$(BUILD)/readme/adapter_cxx: tests/readme/adapter_main.c $(README_ADAPTER) $(HDR_DEPS)
	$(GXX) $(CXXSTD) $(WARN_COMMON) -D_POSIX_C_SOURCE=200809L -Wno-missing-declarations $(OPT) -I. -Itests \
	  -I$(BUILD)/readme -o $@ $<
step-readme-adapter:
	@tests/run_step.sh readme-adapter sh -c '$(MAKE) --no-print-directory -s $(BUILD)/readme/adapter_c \
	  $(BUILD)/readme/adapter_asan $(BUILD)/readme/adapter_cxx && $(BUILD)/readme/adapter_c && \
	  $(BUILD)/readme/adapter_asan && $(BUILD)/readme/adapter_cxx'
