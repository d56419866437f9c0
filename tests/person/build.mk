# The app's own admins (examples/common/skew_person.h): nuxt-auth-utils sessions and JWTs.
# Included by tests/build.mk.
#   make step-person   vectors made by npm h3 (sealSession) and jose (tests/e2e/person_vectors.mjs),
#                      checked by skew_person directly (tests/person/test_person.c), ASan+UBSan
# The same vectors go through both servers in tests/e2e/person.test.mjs (step-e2e-*).
TEST_STEPS += step-person

PERSON_SRCS := tests/person/test_person.c examples/common/skew_person.c examples/common/skew_person_crypto.c \
               examples/common/skew_options.c examples/common/skew_tracker_impl.c
$(BUILD)/person/test_person: $(PERSON_SRCS) examples/common/skew_person.h examples/common/skew_options.h $(HDR_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -D_POSIX_C_SOURCE=200809L -I. -Iexamples/common -Itests -o $@ $(PERSON_SRCS) -lcrypto

.PHONY: step-person
step-person:
	@tests/run_step.sh person sh -c '$(MAKE) --no-print-directory -s $(BUILD)/person/test_person && \
	  d=$$(mktemp -d) && trap "rm -rf $$d" EXIT && \
	  (cd tests/e2e && { [ -d node_modules/h3 ] || npm ci --no-audit --no-fund --loglevel=error; }) && \
	  node tests/e2e/person_vectors.mjs $$d && $(BUILD)/person/test_person $$d'
