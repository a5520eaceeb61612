/* HTTP/1.1 response parser and client (see http.h); RFC 9112 framing. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "http.h"
#include "net.h"
#include "platform.h"

void http_parser_init(http_parser_t *p)
{
    memset(p, 0, sizeof *p);
    p->state = HP_STATUS;
}

static bool fail(http_parser_t *p, const char *why)
{
    p->state = HP_ERROR;
    p->error = why;
    return false;
}

/* A decimal number that fits 32 bits, the whole of [s, end). */
static bool parse_u32(const char *s, const char *end, uint32_t *out)
{
    if (s == end)
        return false;
    uint64_t v = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > 0xFFFFFFFFu)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static const char *trim_end(const char *s, const char *end)
{
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    return end;
}

static bool status_line(http_parser_t *p, const char *l)
{
    /* HTTP/1.x SP 3DIGIT SP reason */
    if (strncmp(l, "HTTP/1.", 7) || (l[7] != '0' && l[7] != '1') || l[8] != ' ')
        return fail(p, "bad status line");
    uint32_t st;
    if (!parse_u32(l + 9, l + 12, &st) || (l[12] != ' ' && l[12] != 0) || st < 100 || st > 599)
        return fail(p, "bad status code");
    p->status = (int)st;
    if (l[7] == '0')
        p->until_close = true;
    p->state = HP_HEADERS;
    return true;
}

static bool content_range(http_parser_t *p, const char *v, const char *end)
{
    /* bytes FIRST-LAST/TOTAL, or bytes * /TOTAL (no space) in a 416 */
    if (end - v < 6 || strncasecmp(v, "bytes ", 6))
        return fail(p, "bad Content-Range");
    v += 6;
    const char *slash = memchr(v, '/', (size_t)(end - v));
    if (!slash || !parse_u32(slash + 1, end, &p->range_total))
        return fail(p, "bad Content-Range");
    if (slash - v == 1 && *v == '*') {
        p->range_first = p->range_last = 0;
    } else {
        const char *dash = memchr(v, '-', (size_t)(slash - v));
        if (!dash || !parse_u32(v, dash, &p->range_first) || !parse_u32(dash + 1, slash, &p->range_last) ||
            p->range_last < p->range_first || p->range_last >= p->range_total)
            return fail(p, "bad Content-Range");
    }
    p->have_range = true;
    return true;
}

static bool header_line(http_parser_t *p, const char *l)
{
    if (++p->headers > HTTP_HEADERS_MAX)
        return fail(p, "too many headers");
    if (*l == ' ' || *l == '\t')
        return fail(p, "obsolete header folding");
    const char *colon = strchr(l, ':');
    if (!colon || colon == l)
        return fail(p, "header without a name");
    for (const char *c = l; c < colon; c++)
        if (*c == ' ' || *c == '\t')
            return fail(p, "space in a header name");
    size_t nl = (size_t)(colon - l);
    const char *v = skip_ows(colon + 1);
    const char *end = trim_end(v, v + strlen(v));
    if (nl == 14 && !strncasecmp(l, "Content-Length", 14)) {
        uint32_t n;
        if (!parse_u32(v, end, &n))
            return fail(p, "bad Content-Length");
        if (p->have_length && n != p->content_length)
            return fail(p, "conflicting Content-Length");
        p->have_length = true;
        p->content_length = n;
    } else if (nl == 13 && !strncasecmp(l, "Content-Range", 13)) {
        return content_range(p, v, end);
    } else if (nl == 17 && !strncasecmp(l, "Transfer-Encoding", 17)) {
        if ((size_t)(end - v) == 7 && !strncasecmp(v, "chunked", 7))
            p->chunked = true;
        else if (!((size_t)(end - v) == 8 && !strncasecmp(v, "identity", 8)))
            return fail(p, "unsupported Transfer-Encoding");
    }
    return true;
}

static bool end_of_headers(http_parser_t *p)
{
    if (p->chunked && p->have_length)
        return fail(p, "both Content-Length and chunked");
    /* 1xx, 204 and 304 have no body (RFC 9112 section 6.3) */
    if (p->status < 200 || p->status == 204 || p->status == 304) {
        if (p->status < 200) {
            /* an interim response: the real one follows */
            http_parser_init(p);
            return true;
        }
        p->state = HP_DONE;
        return true;
    }
    if (p->chunked)
        p->state = HP_CHUNK_SIZE;
    else if (p->have_length)
        p->state = p->content_length ? HP_BODY : HP_DONE;
    else {
        p->until_close = true;
        p->state = HP_BODY;
    }
    if (p->status == 206 && !p->have_range)
        return fail(p, "206 without Content-Range");
    if (p->status == 206 && p->have_length && p->content_length != p->range_last - p->range_first + 1)
        return fail(p, "Content-Length differs from Content-Range");
    return true;
}

static bool chunk_size_line(http_parser_t *p, const char *l)
{
    uint64_t v = 0;
    const char *s = l;
    for (; *s && *s != ';' && *s != ' ' && *s != '\t'; s++) {
        int d = (*s >= '0' && *s <= '9') ? *s - '0' : (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f' ? (*s | 0x20) - 'a' + 10 : -1;
        if (d < 0)
            return fail(p, "bad chunk size");
        v = v * 16 + (uint64_t)d;
        if (v > 0xFFFFFFFFu)
            return fail(p, "chunk too large");
    }
    if (s == l)
        return fail(p, "bad chunk size");
    p->chunk_left = (uint32_t)v;
    p->state = v ? HP_CHUNK_DATA : HP_TRAILERS;
    return true;
}

/* A complete line (CRLF removed) in the state that reads lines. */
static bool line_done(http_parser_t *p)
{
    const char *l = p->line;
    switch (p->state) {
    case HP_STATUS:
        return status_line(p, l);
    case HP_HEADERS:
        return *l ? header_line(p, l) : end_of_headers(p);
    case HP_CHUNK_SIZE:
        return chunk_size_line(p, l);
    case HP_CHUNK_END:
        if (*l)
            return fail(p, "chunk not followed by CRLF");
        p->state = HP_CHUNK_SIZE;
        return true;
    case HP_TRAILERS:
        if (!*l)
            p->state = HP_DONE;
        return true;
    default:
        return fail(p, "internal");
    }
}

static bool deliver(http_parser_t *p, const uint8_t *d, size_t n, http_body_fn sink, void *ctx)
{
    p->body_received += (uint32_t)n;
    /* only a successful response's body is data; an error page is dropped */
    if ((p->status == 200 || p->status == 206) && sink && !sink(d, n, ctx))
        return fail(p, "sink");
    return true;
}

bool http_parser_feed(http_parser_t *p, const uint8_t *data, size_t len, http_body_fn sink, void *ctx)
{
    while (len) {
        switch (p->state) {
        case HP_DONE:
            return true;
        case HP_ERROR:
            return false;
        case HP_BODY: {
            size_t n = len;
            if (!p->until_close && n > p->content_length - p->body_received)
                n = p->content_length - p->body_received;
            if (!deliver(p, data, n, sink, ctx))
                return false;
            data += n;
            len -= n;
            if (!p->until_close && p->body_received == p->content_length)
                p->state = HP_DONE;
            break;
        }
        case HP_CHUNK_DATA: {
            size_t n = len < p->chunk_left ? len : p->chunk_left;
            if (!deliver(p, data, n, sink, ctx))
                return false;
            data += n;
            len -= n;
            p->chunk_left -= (uint32_t)n;
            if (!p->chunk_left)
                p->state = HP_CHUNK_END;
            break;
        }
        default: {
            /* a line-oriented state */
            char c = (char)*data++;
            len--;
            if (c == '\n') {
                if (p->line_len && p->line[p->line_len - 1] == '\r')
                    p->line_len--;
                p->line[p->line_len] = 0;
                p->line_len = 0;
                if (!line_done(p))
                    return false;
            } else if (c == 0) {
                return fail(p, "NUL in the header");
            } else if (p->line_len + 2 > sizeof p->line) {
                return fail(p, p->state == HP_STATUS ? "status line too long" : "header line too long");
            } else {
                p->line[p->line_len++] = c;
            }
        }
        }
    }
    return p->state != HP_ERROR;
}

bool http_parser_eof(http_parser_t *p)
{
    if (p->state == HP_BODY && p->until_close) {
        p->state = HP_DONE;
        return true;
    }
    if (p->state == HP_DONE)
        return true;
    if (p->state != HP_ERROR)
        fail(p, p->state == HP_STATUS && !p->line_len ? "no response" : "truncated response");
    return false;
}

uint32_t http_total_length(const http_parser_t *p)
{
    if (p->have_range)
        return p->range_total;
    return p->have_length ? p->content_length : p->body_received;
}

/* ---- client ---- */

typedef struct http_client {
    http_parser_t *p;
    http_body_fn sink;
    void *sink_ctx;
    uint32_t last_rx_ms;
} http_client_t;

static bool on_data(const uint8_t *data, size_t len, void *opaque)
{
    http_client_t *c = opaque;
    c->last_rx_ms = millis();
    return http_parser_feed(c->p, data, len, c->sink, c->sink_ctx);
}

static void finish_connection(bool graceful)
{
    if (!graceful) {
        tcp_abort();
        return;
    }
    tcp_close();
    /* let the FIN exchange finish, briefly; the next request uses a new port anyway */
    uint32_t t0 = millis();
    while (tcp_state() != TCP_CLOSED && millis() - t0 < 500)
        net_wait();
    if (tcp_state() != TCP_CLOSED)
        tcp_abort();
}

http_result_t http_get(uint32_t ip, uint16_t port, const char *path, uint32_t range_from,
                       http_body_fn sink, void *ctx, http_parser_t *resp, uint32_t idle_timeout_ms)
{
    static http_client_t c;
    http_parser_init(resp);
    c.p = resp;
    c.sink = sink;
    c.sink_ctx = ctx;
    c.last_rx_ms = millis();
    char req[320];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: glitchbox-agent\r\n",
                     path, ip_str(ip));
    if (range_from)
        n += snprintf(req + n, sizeof req - (size_t)n, "Range: bytes=%lu-\r\n", (unsigned long)range_from);
    n += snprintf(req + n, sizeof req - (size_t)n, "Connection: close\r\n\r\n");
    if (n >= (int)sizeof req)
        return HTTP_ERR_PARSE;
    tcp_connect(ip, port, on_data, &c);
    bool sent = false;
    for (;;) {
        tcp_state_t st = tcp_state();
        if (!sent && st == TCP_ESTABLISHED) {
            tcp_send(req, (size_t)n);
            sent = true;
        }
        if (resp->state == HP_ERROR) {
            finish_connection(false);
            return resp->error && !strcmp(resp->error, "sink") ? HTTP_ERR_SINK : HTTP_ERR_PARSE;
        }
        if (resp->state == HP_DONE) {
            finish_connection(true);
            if (resp->status / 100 == 2)
                return HTTP_DONE;
            printf("http: GET %s: status %d\n", path, resp->status);
            return HTTP_ERR_STATUS;
        }
        if (st == TCP_CLOSED) {
            tcp_error_t e = tcp_error();
            if (e == TCP_OK && sent && http_parser_eof(resp))
                return resp->status / 100 == 2 ? HTTP_DONE : HTTP_ERR_STATUS;
            return e == TCP_ERR_RESET ? HTTP_ERR_RESET : e == TCP_ERR_TIMEOUT ? HTTP_ERR_TIMEOUT
                   : !sent ? HTTP_ERR_CONNECT : HTTP_ERR_CLOSED;
        }
        if (tcp_peer_closed()) {
            bool ok = http_parser_eof(resp);
            finish_connection(true);
            if (!ok)
                return HTTP_ERR_CLOSED;
            return resp->status / 100 == 2 ? HTTP_DONE : HTTP_ERR_STATUS;
        }
        if (millis() - c.last_rx_ms > idle_timeout_ms) {
            printf("http: no data for %lu ms\n", (unsigned long)idle_timeout_ms);
            finish_connection(false);
            return HTTP_ERR_TIMEOUT;
        }
        net_wait();
    }
}

const char *http_result_str(http_result_t r)
{
    switch (r) {
    case HTTP_DONE: return "done";
    case HTTP_ERR_CONNECT: return "connect-failed";
    case HTTP_ERR_RESET: return "connection-reset";
    case HTTP_ERR_TIMEOUT: return "timeout";
    case HTTP_ERR_STATUS: return "http-status";
    case HTTP_ERR_PARSE: return "bad-response";
    case HTTP_ERR_SINK: return "write-failed";
    case HTTP_ERR_CLOSED: return "closed-early";
    }
    return "?";
}
