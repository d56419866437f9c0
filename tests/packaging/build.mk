# Packaging (tests/packaging/): each way of getting the library, tried by a consumer that is
# built and run. Included by tests/build.mk.
#   make step-packaging-install    make install/uninstall, pkg-config consumer, find_package
#   make step-packaging-cmake      cmake --install + find_package, FetchContent, add_subdirectory
#   make step-packaging-meson      the repository as a Meson subproject
#   make step-packaging-manifests  library.json, idf_component.yml, the ESP_PLATFORM path
PACKAGING_STEPS := step-packaging-install step-packaging-cmake step-packaging-meson step-packaging-manifests
TEST_STEPS += $(PACKAGING_STEPS)

.PHONY: $(PACKAGING_STEPS)
$(PACKAGING_STEPS):
	@BUILD="$(BUILD)" MAKE="$(MAKE)" GCC="$(GCC)" CSTD="$(CSTD)" WARN_C="$(WARN_C)" \
	  tests/run_step.sh $(patsubst step-%,%,$@) tests/packaging/run.sh $(patsubst step-packaging-%,%,$@)
