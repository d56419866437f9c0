# Production suite (tests/prod/): build ids from files and symlink deploys (also on a real
# redis-server cluster), /ready, the graceful drain's spread, sd_notify, logs, the config file.
# Included by tests/build.mk.
#   make step-prod       build both servers and run the suite (fails under CI=true without redis-server)
include tests/lib/script_step.mk
$(eval $(call script_step,prod,tests/prod/run.sh))

# The deploy files: systemd-analyze verify on the unit (warnings count), the example config
# accepted by both servers, and the README showing these exact files.
$(eval $(call script_step,prod-deploy,tests/prod/deploy_check.sh))
