# Cluster suite (tests/cluster/): three instances of the example servers (lws and mongoose when
# mongoose is there) joined through a real redis-server started by the tests. Included by
# tests/tests.mk.
#   make step-cluster     build the servers and run the suite (skipped without redis-server)
TEST_STEPS += step-cluster

.PHONY: step-cluster cluster
step-cluster:
	@BUILD=$(BUILD) MAKE="$(MAKE)" MONGOOSE_DIR=$(MONGOOSE_DIR) tests/run_step.sh cluster tests/cluster/run.sh
cluster:
	@BUILD=$(BUILD) MAKE="$(MAKE)" MONGOOSE_DIR=$(MONGOOSE_DIR) tests/cluster/run.sh
