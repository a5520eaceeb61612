/*
 * HTTP/1.1 client for the update agent: one GET at a time over the TCP
 * client, optionally from a byte offset (Range: bytes=N-), with the body
 * streamed to a callback as it arrives.
 */
#ifndef FW_HTTP_H
#define FW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum http_result {
    HTTP_DONE = 0,        /* the whole body arrived */
    HTTP_ERR_CONNECT = -1,
    HTTP_ERR_RESET = -2,
    HTTP_ERR_TIMEOUT = -3,
    HTTP_ERR_STATUS = -4, /* a status other than 200/206 (see status) */
    HTTP_ERR_PARSE = -5,
    HTTP_ERR_SINK = -6,   /* the body callback refused the data */
    HTTP_ERR_CLOSED = -7, /* the server closed before Content-Length bytes */
} http_result_t;

typedef struct http_response {
    int status;
    uint32_t content_length;  /* of this response's body */
    uint32_t total_length;    /* of the whole resource (from Content-Range for a 206) */
    uint32_t received;        /* body bytes delivered to the sink */
} http_response_t;

typedef bool (*http_body_fn)(const uint8_t *data, size_t len, void *ctx);

http_result_t http_get(uint32_t ip, uint16_t port, const char *path, uint32_t range_from,
                       http_body_fn sink, void *ctx, http_response_t *resp, uint32_t idle_timeout_ms);
const char *http_result_str(http_result_t r);

#endif
