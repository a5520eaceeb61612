/* HTTP/1.1 client (see http.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http.h"
#include "net.h"
#include "platform.h"

typedef struct http_ctx {
    http_response_t *resp;
    http_body_fn sink;
    void *sink_ctx;
    char head[1024];
    size_t head_len;
    bool in_body, bad, sink_refused;
    uint32_t last_rx_ms;
} http_ctx_t;

/* The value of header 'name' (after the colon), or NULL. */
static const char *header_find(const char *head, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        const char *h = p + 2;
        if (!strncasecmp(h, name, nl) && h[nl] == ':')
            return h + nl + 1;
    }
    return NULL;
}

static bool header_u32(const char *head, const char *name, uint32_t *out)
{
    const char *v = header_find(head, name);
    if (v)
        *out = (uint32_t)strtoul(v, NULL, 10);
    return v != NULL;
}

static bool parse_head(http_ctx_t *c)
{
    http_response_t *r = c->resp;
    if (strncmp(c->head, "HTTP/1.", 7) || c->head[8] != ' ')
        return false;
    r->status = atoi(c->head + 9);
    if (r->status < 100 || r->status > 599)
        return false;
    if (!header_u32(c->head, "Content-Length", &r->content_length))
        return false; /* we need framing: the server sends Content-Length always */
    r->total_length = r->content_length;
    const char *cr = header_find(c->head, "Content-Range");
    if (cr) {
        const char *slash = strchr(cr, '/');
        if (!slash)
            return false;
        r->total_length = (uint32_t)strtoul(slash + 1, NULL, 10);
    }
    return true;
}

static bool on_data(const uint8_t *data, size_t len, void *opaque)
{
    http_ctx_t *c = opaque;
    c->last_rx_ms = millis();
    while (len && !c->in_body) {
        if (c->head_len + 1 >= sizeof c->head) {
            c->bad = true;
            return false;
        }
        c->head[c->head_len++] = (char)*data++;
        len--;
        c->head[c->head_len] = 0;
        if (c->head_len >= 4 && !memcmp(c->head + c->head_len - 4, "\r\n\r\n", 4)) {
            if (!parse_head(c)) {
                c->bad = true;
                return false;
            }
            c->in_body = true;
        }
    }
    if (!len)
        return true;
    http_response_t *r = c->resp;
    if (r->received + len > r->content_length)
        len = r->content_length - r->received;
    if (r->status == 200 || r->status == 206) {
        if (!c->sink(data, len, c->sink_ctx)) {
            c->sink_refused = true;
            return false;
        }
    }
    r->received += (uint32_t)len;
    return true;
}

http_result_t http_get(uint32_t ip, uint16_t port, const char *path, uint32_t range_from,
                       http_body_fn sink, void *ctx, http_response_t *resp, uint32_t idle_timeout_ms)
{
    static http_ctx_t c;
    memset(&c, 0, sizeof c);
    memset(resp, 0, sizeof *resp);
    c.resp = resp;
    c.sink = sink;
    c.sink_ctx = ctx;
    c.last_rx_ms = millis();
    tcp_connect(ip, port, on_data, &c);
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: glitchbox-agent\r\n",
                     path, ip_str(ip));
    if (range_from)
        n += snprintf(req + n, sizeof req - (size_t)n, "Range: bytes=%lu-\r\n", (unsigned long)range_from);
    n += snprintf(req + n, sizeof req - (size_t)n, "Connection: close\r\n\r\n");
    bool sent = false;
    http_result_t result;
    for (;;) {
        net_poll();
        watchdog_kick();
        tcp_state_t st = tcp_state();
        if (!sent && st == TCP_ESTABLISHED) {
            tcp_send(req, (size_t)n);
            sent = true;
        }
        if (c.bad) {
            result = HTTP_ERR_PARSE;
            break;
        }
        if (c.sink_refused) {
            result = HTTP_ERR_SINK;
            break;
        }
        if (c.in_body && resp->received >= resp->content_length) {
            result = (resp->status == 200 || resp->status == 206) ? HTTP_DONE : HTTP_ERR_STATUS;
            break;
        }
        if (st == TCP_CLOSED) {
            tcp_error_t e = tcp_error();
            result = !sent ? HTTP_ERR_CONNECT : e == TCP_ERR_RESET ? HTTP_ERR_RESET
                     : e == TCP_ERR_TIMEOUT ? HTTP_ERR_TIMEOUT : HTTP_ERR_CLOSED;
            return result;
        }
        if (tcp_peer_closed()) {
            result = HTTP_ERR_CLOSED;
            break;
        }
        if (millis() - c.last_rx_ms > idle_timeout_ms) {
            printf("http: no data for %lu ms\n", (unsigned long)idle_timeout_ms);
            tcp_abort();
            return HTTP_ERR_TIMEOUT;
        }
        __asm__ volatile("wfi");
    }
    if (result == HTTP_DONE || result == HTTP_ERR_STATUS) {
        tcp_close();
        /* let the FIN exchange finish, briefly; the next request uses a new port anyway */
        uint32_t t0 = millis();
        while (tcp_state() != TCP_CLOSED && millis() - t0 < 500) {
            net_poll();
            __asm__ volatile("wfi");
        }
        if (tcp_state() != TCP_CLOSED)
            tcp_abort();
    } else {
        tcp_abort();
    }
    return result;
}

const char *http_result_str(http_result_t r)
{
    switch (r) {
    case HTTP_DONE: return "done";
    case HTTP_ERR_CONNECT: return "connect failed";
    case HTTP_ERR_RESET: return "connection reset";
    case HTTP_ERR_TIMEOUT: return "timeout";
    case HTTP_ERR_STATUS: return "bad status";
    case HTTP_ERR_PARSE: return "malformed response";
    case HTTP_ERR_SINK: return "write failed";
    case HTTP_ERR_CLOSED: return "closed early";
    }
    return "?";
}
