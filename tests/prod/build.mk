# Production suite (tests/prod/): build ids from files and symlink deploys (also on a real
# redis-server cluster), /ready, the graceful drain's spread, sd_notify, logs, the config file.
# Included by tests/build.mk.
#   make step-prod       build both servers and run the suite (fails under CI=true without redis-server)
TEST_STEPS += step-prod

.PHONY: step-prod
step-prod:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/run_step.sh prod tests/prod/run.sh

# The deploy files: systemd-analyze verify on the unit (warnings count), the example config
# accepted by both servers, and the README showing these exact files.
TEST_STEPS += step-prod-deploy
.PHONY: step-prod-deploy
step-prod-deploy:
	@BUILD=$(BUILD) MAKE="$(MAKE)" tests/run_step.sh prod-deploy tests/prod/deploy_check.sh
