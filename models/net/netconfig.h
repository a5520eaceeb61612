/*
 * The network section of a scenario (or of a --network file): link
 * properties and their timed changes, the update server and its faults.
 *
 *   {
 *     "links": { "lan": { "bandwidth": "10Mbit", "latency": "50us", "jitter": "0us",
 *                          "loss": 0.0, "duplicate": 0.0, "corrupt": 0.0, "reorder": 0.0,
 *                          "max_frame": 1514, "up": true,
 *                          "schedule": [ { "at": "1.2s", "up": false },
 *                                        { "at": "4.2s", "up": true, "loss": 0.05 } ] } },
 *     "server": { "network": "lan", "root": "server-folder",
 *                 "faults": [ { "kind": "reset", "from": "3s", "until": "60s",
 *                               "after_bytes": 20000, "count": 1 } ] }
 *   }
 *
 * Probabilities are fractions (0.05 = 5 %). Fault kinds: stall, drip
 * ("bytes_per_second"), corrupt ("offset"), 503 ("count"), reset
 * ("after_bytes", "count"). Every error names the field and the reason.
 */
#ifndef MODELS_NET_NETCONFIG_H
#define MODELS_NET_NETCONFIG_H

#include <cjson/cJSON.h>
#include "network.h"

/* Before network_build: the server part (root, network) goes into 'o'.
 * 'base_dir' resolves a relative root; 'pathbuf' holds the result. */
int netconfig_server_opts(const cJSON *cfg, const char *base_dir, network_opts_t *o,
                          char *pathbuf, size_t pathlen, char *err, size_t errlen);
/* After network_build: link parameters, schedules and server faults. */
int netconfig_apply(const cJSON *cfg, network_t *n, char *err, size_t errlen);

#endif
