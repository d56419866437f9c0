/* skcl_ev.h - libev and hiredis (async, with its libev adapter) for the cluster's files, with
   the warnings their headers trip under the project's warning set switched off for them only
   (skcl_link.c, skcl_agg.c, bench/cluster-scale/sim.c). */
#ifndef SKCL_EV_H
#define SKCL_EV_H

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#endif
#include <ev.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libev.h>
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif /* SKCL_EV_H */
