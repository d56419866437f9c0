include $(wildcard examples/*/build.mk)
