# Cluster benchmark: building the view from 100 instances x 1,000 routes, stats and metrics
# from it, snapshot bytes per instance.
$(eval $(call bench_c,cluster))
