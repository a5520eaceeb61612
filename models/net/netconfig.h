/*
 * The network section of a scenario (or of a `glitchbox run --network FILE`):
 * cables and their timed changes, switches, the update server and its
 * faults, traffic hosts, live mode. models/net/README.md documents the
 * schema. Every error names the field (as "network.links.lan.loss"), and the
 * unit or time that is wrong.
 *
 * The one call a front end needs (the scenario runner passes the scenario's
 * "network" object, or NULL):
 *
 *   network_t net;
 *   if (netconfig_build(&net, m, section, scenario_dir, &cli_opts, err, sizeof err))
 *       ... report err ...
 *   ... run ...
 *   network_free(&net);
 *
 * netconfig_server_opts() + network_build() + netconfig_apply() is the older
 * two-step form of the same and does the same.
 */
#ifndef MODELS_NET_NETCONFIG_H
#define MODELS_NET_NETCONFIG_H

#include <cjson/cJSON.h>
#include "network.h"

/* Build the network of machine 'm' from the board, 'cfg' (may be NULL) and
 * 'cli' (may be NULL). 'base_dir' resolves relative paths in cfg. */
int netconfig_build(network_t *n, machine_t *m, const cJSON *cfg, const char *base_dir,
                    const network_opts_t *cli, char *err, size_t errlen);

/* Two-step form: before network_build, check 'cfg' and put it into 'o'
 * (pathbuf/pathlen are kept for compatibility and not used). */
int netconfig_server_opts(const cJSON *cfg, const char *base_dir, network_opts_t *o,
                          char *pathbuf, size_t pathlen, char *err, size_t errlen);
/* After network_build: applies cfg unless network_build already did. */
int netconfig_apply(const cJSON *cfg, network_t *n, char *err, size_t errlen);

/* ---- used by network.c ---- */

/* Check the top-level fields of the section. */
int netconfig_check(const cJSON *cfg, char *err, size_t errlen);
/* One link property by name ("loss", "latency" ...) from a JSON value, for
 * the config and for controls; sets its bit in *mask. */
int netconfig_link_prop(const char *prop, const cJSON *v, const char *where,
                        net_link_params_t *p, uint32_t *mask, char *err, size_t errlen);
/* The parts of the section that decide what is built. */
int netconfig_switch(const cJSON *cfg, const char *network, net_switch_config_t *sc,
                     bool *present, char *err, size_t errlen);
int netconfig_server(const cJSON *cfg, const char *base_dir, update_server_config_t *sc,
                     char *root, size_t rootlen, const char **network, bool *present,
                     char *err, size_t errlen);
int netconfig_live(const cJSON *cfg, const char *base_dir, live_config_t *lc, char *paths,
                   size_t pathlen, const char **network, bool *present, char *err, size_t errlen);
int netconfig_live_forward(const char *text, live_forward_t *f);
/* Traffic host 'index' of "hosts" (NULL when there are no more). */
const cJSON *netconfig_traffic_entry(const cJSON *cfg, unsigned index);
int netconfig_traffic(const cJSON *entry, unsigned index, traffic_config_t *tc,
                      const char **network, char *err, size_t errlen);
/* After building: cable properties and schedules, server faults, traffic schedules. */
int netconfig_apply_links(const cJSON *cfg, network_t *n, char *err, size_t errlen);
int netconfig_apply_server(const cJSON *cfg, update_server_t *s, char *err, size_t errlen);
int netconfig_apply_traffic(const cJSON *entry, unsigned index, traffic_host_t *t, char *err,
                            size_t errlen);
/* A traffic rate from JSON: a number of frames per second or "line". */
int netconfig_rate(const cJSON *v, const char *where, uint64_t *mfps, char *err, size_t errlen);

#endif
