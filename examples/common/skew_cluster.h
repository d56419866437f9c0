/* skew_cluster.h - many server instances as one, on Redis: the link (skcl_link.h, Redis I/O)
   and the node (skcl_node.h, the server-thread half). Names: skcl_link_*, skcl_node_*, skcl_relay_*;
   the option group stays skew_cluster_opt_group (skew_options.h). */
#ifndef SKEW_CLUSTER_H
#define SKEW_CLUSTER_H
#include "skcl_link.h"
#include "skcl_node.h"
#endif
