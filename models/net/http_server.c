/*
 * HTTP/1.1 file server engine (see http_server.h). Responses carry no Date
 * header and no host-dependent field, so the bytes on the wire depend only
 * on the served files and the requests: a run is reproducible.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "http_server.h"

#define DRIP_WINDOW SIM_MS(100)

int http_server_init(http_server_t *h, const char *root)
{
    memset(h, 0, sizeof *h);
    struct stat st;
    if (!root || stat(root, &st) || !S_ISDIR(st.st_mode))
        return -1;
    snprintf(h->root, sizeof h->root, "%s", root);
    return 0;
}

int http_server_add_fault(http_server_t *h, const http_fault_t *f)
{
    if (h->nfaults == HTTP_MAX_FAULTS)
        return -1;
    h->faults[h->nfaults] = *f;
    h->faults[h->nfaults].used = 0;
    h->nfaults++;
    return 0;
}

void http_server_new_connection(http_server_t *h)
{
    h->req_len = 0;
    h->req_overflow = false;
    h->responding = false;
    h->close_after = false;
    h->closed = false;
    h->hdr_len = h->hdr_sent = 0;
    h->body_left = 0;
    h->conn_bytes = 0;
    h->stats.connections++;
}

static http_fault_t *active_fault(http_server_t *h, http_fault_kind_t kind, sim_time_t now)
{
    for (unsigned k = 0; k < h->nfaults; k++) {
        http_fault_t *f = &h->faults[k];
        if (f->kind == kind && now >= f->from && now < f->until &&
            (!f->count || f->used < f->count))
            return f;
    }
    return NULL;
}

void http_server_input(http_server_t *h, sim_time_t now, const uint8_t *data, size_t len)
{
    (void)now;
    if (h->closed)
        return;
    size_t room = sizeof h->req - h->req_len;
    if (len > room) {
        h->req_overflow = true;
        len = room;
    }
    memcpy(h->req + h->req_len, data, len);
    h->req_len += len;
}

bool http_server_has_output(const http_server_t *h)
{
    return h->responding || (!h->closed && memmem(h->req, h->req_len, "\r\n\r\n", 4)) ||
           h->req_overflow;
}

static void set_header(http_server_t *h, int status, const char *reason, uint64_t length,
                       const char *extra)
{
    int n = snprintf(h->hdr, sizeof h->hdr,
                     "HTTP/1.1 %d %s\r\nServer: glitchbox-update-server\r\n"
                     "Content-Length: %llu\r\n%s%s\r\n",
                     status, reason, (unsigned long long)length, extra ? extra : "",
                     h->close_after ? "Connection: close\r\n" : "");
    h->hdr_len = n < 0 ? 0 : (size_t)n >= sizeof h->hdr ? sizeof h->hdr - 1 : (size_t)n;
    h->hdr_sent = 0;
    h->responding = true;
    switch (status) {
    case 200: h->stats.responses_200++; break;
    case 206: h->stats.responses_206++; break;
    case 404: h->stats.responses_404++; break;
    case 416: h->stats.responses_416++; break;
    case 503: h->stats.responses_503++; break;
    default: h->stats.responses_other++; break;
    }
}

/* A short text body for error responses, kept in hdr after the header. */
static void error_response(http_server_t *h, int status, const char *reason, const char *extra)
{
    char body[96];
    int bl = snprintf(body, sizeof body, "%d %s\n", status, reason);
    set_header(h, status, reason, (uint64_t)bl, extra);
    if (h->hdr_len + (size_t)bl < sizeof h->hdr) {
        memcpy(h->hdr + h->hdr_len, body, (size_t)bl);
        h->hdr_len += (size_t)bl;
    }
    h->body_left = 0;
}

static const char *header_value(const char *headers, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name);
    for (const char *p = headers; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            break;
        if ((size_t)(eol - p) > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            size_t vl = (size_t)(eol - v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            if (vl >= outlen)
                vl = outlen - 1;
            memcpy(out, v, vl);
            out[vl] = 0;
            return out;
        }
        p = eol + 2;
    }
    return NULL;
}

/* Parses "bytes=A-B", "bytes=A-" or "bytes=-N" against 'size'. Returns 1 for
 * a satisfiable range, 0 for an unsatisfiable one, -1 for a header to ignore
 * (malformed or several ranges: RFC 9110 lets a server serve the whole file). */
static int parse_range(const char *v, uint64_t size, uint64_t *first, uint64_t *last)
{
    if (strncasecmp(v, "bytes=", 6))
        return -1;
    v += 6;
    if (strchr(v, ','))
        return -1;
    char *end;
    if (*v == '-') {
        if (!isdigit((unsigned char)v[1]))
            return -1;
        uint64_t n = strtoull(v + 1, &end, 10);
        if (*end)
            return -1;
        if (!n || !size)
            return 0;
        *first = n >= size ? 0 : size - n;
        *last = size - 1;
        return 1;
    }
    if (!isdigit((unsigned char)*v))
        return -1;
    uint64_t a = strtoull(v, &end, 10);
    if (*end != '-')
        return -1;
    const char *bs = end + 1;
    uint64_t b = size ? size - 1 : 0;
    if (*bs) {
        if (!isdigit((unsigned char)*bs))
            return -1;
        b = strtoull(bs, &end, 10);
        if (*end || b < a)
            return -1;
        if (b >= size)
            b = size - 1;
    }
    if (a >= size)
        return 0;
    *first = a;
    *last = b;
    return 1;
}

/* Maps a request target to a file under root; false for anything that could
 * leave the folder. */
static bool target_path(const http_server_t *h, const char *target, char *out, size_t outlen)
{
    if (target[0] != '/')
        return false;
    char rel[400];
    size_t n = strcspn(target + 1, "?#");
    if (n >= sizeof rel)
        return false;
    memcpy(rel, target + 1, n);
    rel[n] = 0;
    for (const char *p = rel; *p;) {
        size_t seg = strcspn(p, "/");
        if ((seg == 2 && !strncmp(p, "..", 2)) || (seg == 1 && p[0] == '.') || p[0] == '\\')
            return false;
        p += seg;
        if (*p == '/')
            p++;
    }
    if (!*rel)
        return false;
    return (size_t)snprintf(out, outlen, "%s/%s", h->root, rel) < outlen;
}

/* Takes one complete request from the buffer and prepares its response. */
static void start_response(http_server_t *h, sim_time_t now)
{
    char *end = memmem(h->req, h->req_len, "\r\n\r\n", 4);
    size_t used = (size_t)(end - h->req) + 4;
    char head[HTTP_REQ_MAX + 1];
    memcpy(head, h->req, used);
    head[used] = 0;
    memmove(h->req, h->req + used, h->req_len - used);
    h->req_len -= used;
    h->stats.requests++;

    char method[16], target[512], version[16];
    const char *eol = strstr(head, "\r\n");
    const char *headers = eol + 2;
    char line[700];
    size_t ll = (size_t)(eol - head);
    if (ll >= sizeof line)
        ll = sizeof line - 1;
    memcpy(line, head, ll);
    line[ll] = 0;
    h->close_after = false;
    if (sscanf(line, "%15s %511s %15s", method, target, version) != 3 ||
        strncmp(version, "HTTP/1.", 7)) {
        h->close_after = true;
        error_response(h, 400, "Bad Request", NULL);
        return;
    }
    char v[128];
    bool http10 = !strcmp(version, "HTTP/1.0");
    const char *conn = header_value(headers, "Connection", v, sizeof v);
    h->close_after = conn ? !strcasecmp(conn, "close") : http10;
    if (conn && http10 && !strcasecmp(conn, "keep-alive"))
        h->close_after = false;
    const char *cl = header_value(headers, "Content-Length", v, sizeof v);
    if (cl && strtoull(cl, NULL, 10) > 0) {
        /* request bodies are not part of this server's job: refuse and close */
        h->close_after = true;
        error_response(h, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n");
        return;
    }
    bool head_only = !strcmp(method, "HEAD");
    if (!head_only && strcmp(method, "GET")) {
        error_response(h, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n");
        return;
    }
    http_fault_t *f503 = active_fault(h, HTTP_FAULT_503, now);
    if (f503) {
        f503->used++;
        error_response(h, 503, "Service Unavailable", "Retry-After: 1\r\n");
        if (head_only)
            h->hdr_len = strstr(h->hdr, "\r\n\r\n") + 4 - h->hdr;
        return;
    }
    struct stat st;
    if (!target_path(h, target, h->body_path, sizeof h->body_path) ||
        stat(h->body_path, &st) || !S_ISREG(st.st_mode)) {
        error_response(h, 404, "Not Found", NULL);
        if (head_only)
            h->hdr_len = strstr(h->hdr, "\r\n\r\n") + 4 - h->hdr;
        return;
    }
    uint64_t size = (uint64_t)st.st_size, first = 0, last = size ? size - 1 : 0;
    const char *range = header_value(headers, "Range", v, sizeof v);
    int r = range ? parse_range(range, size, &first, &last) : -1;
    char extra[160];
    if (r == 0) {
        snprintf(extra, sizeof extra, "Content-Range: bytes */%llu\r\n", (unsigned long long)size);
        error_response(h, 416, "Range Not Satisfiable", extra);
        if (head_only)
            h->hdr_len = strstr(h->hdr, "\r\n\r\n") + 4 - h->hdr;
        return;
    }
    uint64_t length = r == 1 ? last - first + 1 : size;
    if (r == 1) {
        snprintf(extra, sizeof extra,
                 "Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n"
                 "Content-Range: bytes %llu-%llu/%llu\r\n",
                 (unsigned long long)first, (unsigned long long)last, (unsigned long long)size);
        set_header(h, 206, "Partial Content", length, extra);
    } else {
        set_header(h, 200, "OK", length,
                   "Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n");
    }
    h->body_off = h->body_start = r == 1 ? first : 0;
    h->body_left = head_only ? 0 : length;
}

static size_t read_body(http_server_t *h, sim_time_t now, uint8_t *buf, size_t max)
{
    if (max > h->body_left)
        max = (size_t)h->body_left;
    FILE *fp = fopen(h->body_path, "rb");
    size_t got = 0;
    if (fp) {
        if (!fseeko(fp, (off_t)h->body_off, SEEK_SET))
            got = fread(buf, 1, max, fp);
        fclose(fp);
    }
    /* a file that shrank underneath us: pad so Content-Length stays true */
    if (got < max)
        memset(buf + got, 0, max - got);
    for (unsigned k = 0; k < h->nfaults; k++) {
        http_fault_t *f = &h->faults[k];
        if (f->kind == HTTP_FAULT_CORRUPT && now >= f->from && now < f->until &&
            f->arg >= h->body_off && f->arg < h->body_off + max) {
            buf[f->arg - h->body_off] ^= 0xFF;
            f->used++;
        }
    }
    h->body_off += max;
    h->body_left -= max;
    h->stats.body_bytes += max;
    return max;
}

http_output_status_t http_server_output(http_server_t *h, sim_time_t now, uint8_t *buf,
                                        size_t max, size_t *n)
{
    *n = 0;
    if (h->closed)
        return HTTP_OUT_OK;
    if (!h->responding) {
        if (memmem(h->req, h->req_len, "\r\n\r\n", 4))
            start_response(h, now);
        else if (h->req_overflow) {
            h->close_after = true;
            error_response(h, 431, "Request Header Fields Too Large", NULL);
        } else
            return HTTP_OUT_OK;
    }
    if (active_fault(h, HTTP_FAULT_STALL, now))
        return HTTP_OUT_OK;
    http_fault_t *rst = active_fault(h, HTTP_FAULT_RESET, now);
    if (rst) {
        if (h->conn_bytes >= rst->arg) {
            rst->used++;
            h->stats.resets++;
            h->closed = true;
            h->responding = false;
            return HTTP_OUT_RESET;
        }
        if (max > rst->arg - h->conn_bytes)
            max = (size_t)(rst->arg - h->conn_bytes);
    }
    const http_fault_t *drip = active_fault(h, HTTP_FAULT_DRIP, now);
    if (drip) {
        if (now >= h->drip_window_start + DRIP_WINDOW) {
            h->drip_window_start = now - (now % DRIP_WINDOW);
            h->drip_window_bytes = 0;
        }
        uint64_t allowance = drip->arg / 10 ? drip->arg / 10 : 1;
        if (h->drip_window_bytes >= allowance)
            return HTTP_OUT_OK;
        if (max > allowance - h->drip_window_bytes)
            max = (size_t)(allowance - h->drip_window_bytes);
    }
    size_t done = 0;
    if (h->hdr_sent < h->hdr_len) {
        size_t k = h->hdr_len - h->hdr_sent;
        if (k > max)
            k = max;
        memcpy(buf, h->hdr + h->hdr_sent, k);
        h->hdr_sent += k;
        done += k;
    }
    if (h->hdr_sent == h->hdr_len && done < max && h->body_left)
        done += read_body(h, now, buf + done, max - done);
    h->conn_bytes += done;
    if (drip)
        h->drip_window_bytes += done;
    *n = done;
    if (h->hdr_sent == h->hdr_len && !h->body_left) {
        h->responding = false;
        if (h->close_after) {
            h->closed = true;
            return HTTP_OUT_CLOSE;
        }
    }
    return HTTP_OUT_OK;
}

sim_time_t http_server_wake_time(const http_server_t *h, sim_time_t now)
{
    sim_time_t t = SIM_TIME_NEVER;
    if (!http_server_has_output(h))
        return t;
    for (unsigned k = 0; k < h->nfaults; k++) {
        const http_fault_t *f = &h->faults[k];
        if (f->kind == HTTP_FAULT_STALL && now >= f->from && now < f->until && f->until < t)
            t = f->until;
        if (f->kind == HTTP_FAULT_DRIP && now >= f->from && now < f->until) {
            sim_time_t next = h->drip_window_start + DRIP_WINDOW;
            if (next <= now)
                next = now + 1;
            if (next < t)
                t = next;
        }
        /* a fault window that opens later changes what is sent: wake then too */
        if (f->from > now && f->from < t)
            t = f->from;
    }
    return t;
}
