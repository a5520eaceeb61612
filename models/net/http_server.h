/*
 * HTTP/1.1 file server for the virtual update server: a byte-stream engine
 * with no sockets. Request bytes go in with http_server_input(); response
 * bytes come out with http_server_output(), as fast as the transport can take
 * them. It serves one folder: GET and HEAD, single-range Range requests (206,
 * 416), keep-alive (the default in HTTP/1.1; "Connection: close" ends the
 * connection after the response), pipelined requests, Content-Length on
 * every response, 404, 400 (malformed, or HTTP/1.1 without Host), 405 (other
 * methods, request bodies), 431 (request head over 4 KiB), 505 (not HTTP/1.x).
 * Targets are percent-decoded; absolute-form targets are accepted; nothing
 * outside the folder is reachable ("..", "." segments, NUL are refused).
 * Responses carry no Date, ETag or Last-Modified, so the bytes depend only on
 * the files and the requests. Not supported: multi-range requests (served as
 * 200 with the whole file, which RFC 9110 allows), conditional requests,
 * chunked request bodies, directory listings.
 *
 * Server-side faults, each active in a virtual-time window [from, until) and
 * optionally limited to 'count' occurrences: stall (no bytes at all), drip (N
 * bytes per second, in 100 ms steps), corrupt (invert the body byte at an
 * offset of each file served), status 503 (answered instead of the file),
 * and reset-after-N-bytes of a connection, which the transport carries out (a
 * TCP reset) when http_server_output() says so. The same kinds can be
 * switched on and off at run time (http_server_set_manual) by controls.
 */
#ifndef MODELS_NET_HTTP_SERVER_H
#define MODELS_NET_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "sim/types.h"
#include "sim/control.h"

typedef enum http_fault_kind {
    HTTP_FAULT_STALL,
    HTTP_FAULT_DRIP,      /* arg: bytes per second */
    HTTP_FAULT_CORRUPT,   /* arg: body offset whose byte is inverted */
    HTTP_FAULT_503,
    HTTP_FAULT_RESET,     /* arg: response bytes sent on a connection before it is reset */
    HTTP_FAULT_KIND_COUNT,
} http_fault_kind_t;

typedef struct http_fault {
    http_fault_kind_t kind;
    sim_time_t from, until;
    uint64_t arg;
    uint32_t count;       /* how many times at most (0 = unlimited): responses for 503,
                             resets, corrupted files, stalled or dripped responses */
    uint32_t used;
    uint64_t last_response; /* stall/drip/corrupt: the response it last counted against */
} http_fault_t;

#define HTTP_MAX_FAULTS 16
#define HTTP_REQ_MAX 4096
#define HTTP_HDR_MAX 512

typedef struct http_server_stats {
    uint64_t requests, responses_200, responses_206, responses_404, responses_416,
        responses_503, responses_other, body_bytes, resets, connections, corrupted_bytes;
} http_server_stats_t;

typedef struct http_server {
    char root[512];
    /* request being received */
    char req[HTTP_REQ_MAX];
    size_t req_len;
    bool req_overflow;
    /* response being sent: header, then body [body_off, body_off + body_left) of path */
    char hdr[HTTP_HDR_MAX];
    size_t hdr_len, hdr_sent;
    char body_path[600];
    uint64_t body_off, body_left, body_start;
    bool responding, close_after, closed;
    /* per connection */
    uint64_t conn_bytes;
    uint64_t response_no;      /* responses started so far */
    /* drip accounting: bytes sent since the drip began */
    bool dripping;
    sim_time_t drip_start;
    uint64_t drip_sent;
    http_fault_t faults[HTTP_MAX_FAULTS];
    unsigned nfaults;
    http_fault_t manual[HTTP_FAULT_KIND_COUNT]; /* set by controls; from 0, until never */
    bool manual_on[HTTP_FAULT_KIND_COUNT];
    http_server_stats_t stats;
    sim_probe_t request_probe; /* a complete request arrived */
    sim_probe_t fault_probe;   /* a fault took effect */
} http_server_t;

typedef enum http_output_status {
    HTTP_OUT_OK,          /* 'n' bytes produced (possibly 0: nothing to send now) */
    HTTP_OUT_CLOSE,       /* the response is complete and the connection must close */
    HTTP_OUT_RESET,       /* a reset fault fired: abort the connection */
} http_output_status_t;

/* Returns 0, or -1 if 'root' is not a readable directory. */
int http_server_init(http_server_t *h, const char *root);
int http_server_add_fault(http_server_t *h, const http_fault_t *f);
/* Switch a fault kind on (with its argument) or off from now on. */
void http_server_set_manual(http_server_t *h, http_fault_kind_t kind, bool on, uint64_t arg);
const char *http_fault_name(http_fault_kind_t kind);
/* A new connection replaces the current one (state of the old one is dropped). */
void http_server_new_connection(http_server_t *h);
void http_server_input(http_server_t *h, sim_time_t now, const uint8_t *data, size_t len);
/* Produce up to 'max' response bytes at time 'now'. */
http_output_status_t http_server_output(http_server_t *h, sim_time_t now, uint8_t *buf,
                                        size_t max, size_t *n);
/* Earliest time after 'now' at which output could resume (end of a stall or
 * the next drip window); SIM_TIME_NEVER if nothing is waiting on time. */
sim_time_t http_server_wake_time(const http_server_t *h, sim_time_t now);
bool http_server_has_output(const http_server_t *h);

#endif
