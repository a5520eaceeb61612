/*
 * HTTP/1.1 client for the update agent: one GET at a time over the TCP
 * client, optionally from a byte offset (Range: bytes=N-), with the body
 * streamed to a callback as it arrives.
 *
 * The response parser is separate (and host-tested): status line, headers
 * (Content-Length, Content-Range, Transfer-Encoding, Connection), a body
 * framed by Content-Length, by chunked transfer coding, or by the end of the
 * connection. Anything malformed ends the response with a reason.
 */
#ifndef FW_HTTP_H
#define FW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef bool (*http_body_fn)(const uint8_t *data, size_t len, void *ctx);

#define HTTP_LINE_MAX 256
#define HTTP_HEADERS_MAX 40

typedef enum http_pstate {
    HP_STATUS, HP_HEADERS, HP_BODY, HP_CHUNK_SIZE, HP_CHUNK_DATA, HP_CHUNK_END, HP_TRAILERS,
    HP_DONE, HP_ERROR,
} http_pstate_t;

typedef struct http_parser {
    http_pstate_t state;
    char line[HTTP_LINE_MAX];
    size_t line_len;
    unsigned headers;
    int status;
    bool have_length, chunked, until_close;
    uint32_t content_length;      /* Content-Length, when given */
    bool have_range;
    uint32_t range_first, range_last, range_total;   /* Content-Range (206 or 416) */
    uint32_t body_received;       /* body bytes passed on (after de-chunking) */
    uint32_t chunk_left;
    const char *error;            /* why the response is malformed (HP_ERROR) */
} http_parser_t;

void http_parser_init(http_parser_t *p);
/* Feeds received bytes; body bytes go to sink. Returns false when the
 * response is malformed (p->error says why) or the sink refused the data
 * (p->error is "sink"). Bytes after the end of the response are ignored. */
bool http_parser_feed(http_parser_t *p, const uint8_t *data, size_t len, http_body_fn sink, void *ctx);
/* The connection closed: completes a body framed by the close; false if
 * the response was cut short. */
bool http_parser_eof(http_parser_t *p);
/* The total size of the resource: Content-Range's total, else the length. */
uint32_t http_total_length(const http_parser_t *p);

typedef enum http_result {
    HTTP_DONE = 0,        /* the whole body arrived */
    HTTP_ERR_CONNECT = -1,
    HTTP_ERR_RESET = -2,
    HTTP_ERR_TIMEOUT = -3,
    HTTP_ERR_STATUS = -4, /* a status other than 200/206 (see status) */
    HTTP_ERR_PARSE = -5,
    HTTP_ERR_SINK = -6,   /* the body callback refused the data */
    HTTP_ERR_CLOSED = -7, /* the server closed before the body was complete */
} http_result_t;

/* GET path from ip:port; range_from > 0 asks for the bytes from there on.
 * The parser state (status, lengths) is left in *resp. A response other
 * than 2xx is read to its end and reported as HTTP_ERR_STATUS. */
http_result_t http_get(uint32_t ip, uint16_t port, const char *path, uint32_t range_from,
                       http_body_fn sink, void *ctx, http_parser_t *resp, uint32_t idle_timeout_ms);
const char *http_result_str(http_result_t r);

#endif
