# Cluster suite (tests/cluster/): three instances of the example servers (lws and mongoose when
# mongoose is there) joined through a real redis-server started by the tests. Included by
# tests/build.mk.
#   make step-cluster     build the servers and run the suite (skipped without redis-server)
include examples/common/build.mk

TEST_STEPS += step-cluster

.PHONY: step-cluster cluster
step-cluster:
	@BUILD=$(BUILD) MAKE="$(MAKE)" MONGOOSE_DIR=$(MONGOOSE_DIR) tests/run_step.sh cluster tests/cluster/run.sh
cluster:
	@BUILD=$(BUILD) MAKE="$(MAKE)" MONGOOSE_DIR=$(MONGOOSE_DIR) tests/cluster/run.sh

# The link's codec, flags and URLs without Redis (tests/cluster/test_link.c), under ASan+UBSan.
TEST_STEPS += step-cluster-link
CLUSTER_LINK_SRCS := tests/cluster/test_link.c $(EXCLUSTER_SRCS) $(EXCOMMON_SRCS) \
                     examples/common/skew_tracker_impl.c $(BUILD)/examples/common/pages.c
$(BUILD)/cluster/test_link: $(CLUSTER_LINK_SRCS) $(wildcard examples/common/*.h) $(HDR_DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(CSTD) $(WARN_C) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -D_POSIX_C_SOURCE=200809L -I. -Iexamples/common -Itests -o $@ $(CLUSTER_LINK_SRCS) $(EXCLUSTER_LIBS) $(EXCOMMON_LIBS)

.PHONY: step-cluster-link
step-cluster-link:
	@tests/run_step.sh cluster-link sh -c '$(MAKE) --no-print-directory -s $(BUILD)/cluster/test_link && $(BUILD)/cluster/test_link'

# The same suite against sanitizer builds: lws with ASan+UBSan, mongoose with TSan (its Redis
# link runs in a worker thread). Any report makes an instance's exit non-zero: a failure.
TEST_STEPS += step-cluster-sanitizers
# ($(BUILD)/skew_server_mongoose_tsan is built by examples/mongoose/build.mk)
.PHONY: step-cluster-sanitizers
step-cluster-sanitizers:
	@BUILD=$(BUILD) MAKE="$(MAKE)" MONGOOSE_DIR=$(MONGOOSE_DIR) tests/run_step.sh cluster-sanitizers tests/cluster/run.sh sanitizers

# Rolling upgrade (tests/cluster/upgrade.check.mjs): a server built from CLUSTER_UPGRADE_BASE
# (git archive of that commit: the cluster before the owner and watch keys) next to today's, on
# one Redis and cluster. Needs the commit in the clone's history; about a minute with the build.
TEST_STEPS += step-cluster-upgrade
CLUSTER_UPGRADE_BASE ?= a5d57c4
.PHONY: step-cluster-upgrade
step-cluster-upgrade:
	@BUILD=$(BUILD) MAKE="$(MAKE)" BASE=$(CLUSTER_UPGRADE_BASE) tests/run_step.sh cluster-upgrade tests/cluster/upgrade.sh
