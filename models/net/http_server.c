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

#define DRIP_STEP SIM_MS(100)

static const char *const fault_names[HTTP_FAULT_KIND_COUNT] = {
    [HTTP_FAULT_STALL] = "stall",
    [HTTP_FAULT_DRIP] = "drip",
    [HTTP_FAULT_CORRUPT] = "corrupt",
    [HTTP_FAULT_503] = "503",
    [HTTP_FAULT_RESET] = "reset",
};

const char *http_fault_name(http_fault_kind_t kind)
{
    return kind < HTTP_FAULT_KIND_COUNT ? fault_names[kind] : "?";
}

int http_server_init(http_server_t *h, const char *root)
{
    memset(h, 0, sizeof *h);
    struct stat st;
    if (!root || stat(root, &st) || !S_ISDIR(st.st_mode))
        return -1;
    snprintf(h->root, sizeof h->root, "%s", root);
    for (unsigned k = 0; k < HTTP_FAULT_KIND_COUNT; k++) {
        h->manual[k].kind = (http_fault_kind_t)k;
        h->manual[k].until = SIM_TIME_NEVER;
    }
    return 0;
}

int http_server_add_fault(http_server_t *h, const http_fault_t *f)
{
    if (h->nfaults == HTTP_MAX_FAULTS)
        return -1;
    h->faults[h->nfaults] = *f;
    h->faults[h->nfaults].used = 0;
    h->faults[h->nfaults].last_response = 0;
    h->nfaults++;
    return 0;
}

void http_server_set_manual(http_server_t *h, http_fault_kind_t kind, bool on, uint64_t arg)
{
    if (kind >= HTTP_FAULT_KIND_COUNT)
        return;
    h->manual_on[kind] = on;
    h->manual[kind].arg = arg;
    h->manual[kind].used = 0;
    h->manual[kind].last_response = 0;
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
    h->dripping = false;
    h->stats.connections++;
}

static bool in_window(const http_fault_t *f, sim_time_t now)
{
    return now >= f->from && now < f->until;
}

/* A fault applies while its window is open and its count is not used up; a
 * stall, drip or corrupt fault that counted against the current response
 * keeps applying to the rest of it. */
static bool applies(const http_server_t *h, const http_fault_t *f, sim_time_t now)
{
    if (!in_window(f, now))
        return false;
    if (!f->count || f->used < f->count)
        return true;
    bool per_response = f->kind == HTTP_FAULT_STALL || f->kind == HTTP_FAULT_DRIP ||
                        f->kind == HTTP_FAULT_CORRUPT;
    return per_response && f->last_response == h->response_no;
}

static http_fault_t *active_fault(http_server_t *h, http_fault_kind_t kind, sim_time_t now)
{
    if (h->manual_on[kind])
        return &h->manual[kind];
    for (unsigned k = 0; k < h->nfaults; k++) {
        http_fault_t *f = &h->faults[k];
        if (f->kind == kind && applies(h, f, now))
            return f;
    }
    return NULL;
}

/* Stall, drip and corrupt count once per response they touch. */
static void count_per_response(http_server_t *h, http_fault_t *f)
{
    if (f->last_response != h->response_no) {
        f->last_response = h->response_no;
        f->used++;
        probe_hit(&h->fault_probe);
    }
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
           (!h->closed && h->req_overflow);
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
    h->response_no++;
    switch (status) {
    case 200: h->stats.responses_200++; break;
    case 206: h->stats.responses_206++; break;
    case 404: h->stats.responses_404++; break;
    case 416: h->stats.responses_416++; break;
    case 503: h->stats.responses_503++; break;
    default: h->stats.responses_other++; break;
    }
}

/* A short text body for error responses, kept in hdr after the header;
 * HEAD gets the header only. */
static void error_response(http_server_t *h, int status, const char *reason, const char *extra,
                           bool head_only)
{
    char body[96];
    int bl = snprintf(body, sizeof body, "%d %s\n", status, reason);
    set_header(h, status, reason, (uint64_t)bl, extra);
    if (!head_only && h->hdr_len + (size_t)bl < sizeof h->hdr) {
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

/* True if the comma-separated header value lists 'token'. */
static bool has_token(const char *value, const char *token)
{
    size_t tl = strlen(token);
    for (const char *p = value; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        size_t e = n;
        while (e && (p[e - 1] == ' ' || p[e - 1] == '\t'))
            e--;
        if (e == tl && !strncasecmp(p, token, tl))
            return true;
        p += n;
    }
    return false;
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

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Maps a request target to a file under root; false for anything that could
 * leave the folder or is malformed. */
static bool target_path(const http_server_t *h, const char *target, char *out, size_t outlen)
{
    /* absolute-form (RFC 9112 3.2.2): drop the scheme and authority */
    if (!strncasecmp(target, "http://", 7)) {
        target = strchr(target + 7, '/');
        if (!target)
            target = "/";
    }
    if (target[0] != '/')
        return false;
    char rel[400];
    size_t n = strcspn(target + 1, "?#"), o = 0;
    for (size_t k = 0; k < n; k++) {
        char c = target[1 + k];
        if (c == '%') {
            int hi = k + 2 < n ? hexval(target[2 + k]) : -1;
            int lo = k + 2 < n ? hexval(target[3 + k]) : -1;
            if (hi < 0 || lo < 0)
                return false;
            c = (char)(hi * 16 + lo);
            k += 2;
            if (!c)
                return false;
        }
        if (o + 1 >= sizeof rel)
            return false;
        rel[o++] = c;
    }
    rel[o] = 0;
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
    probe_hit(&h->request_probe);

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
    char tail;
    if (sscanf(line, "%15s %511s %15s %c", method, target, version, &tail) != 3 ||
        strncmp(version, "HTTP/", 5)) {
        h->close_after = true;
        error_response(h, 400, "Bad Request", NULL, false);
        return;
    }
    if (strncmp(version, "HTTP/1.", 7) || !isdigit((unsigned char)version[7]) || version[8]) {
        h->close_after = true;
        error_response(h, 505, "HTTP Version Not Supported", NULL, false);
        return;
    }
    char v[128];
    bool http10 = !strcmp(version, "HTTP/1.0");
    const char *conn = header_value(headers, "Connection", v, sizeof v);
    h->close_after = http10 ? !(conn && has_token(conn, "keep-alive")) : conn && has_token(conn, "close");
    bool head_only = !strcmp(method, "HEAD");
    if (!http10 && !header_value(headers, "Host", v, sizeof v)) {
        /* RFC 9112 3.2: a 1.1 request without Host is answered 400 */
        h->close_after = true;
        error_response(h, 400, "Bad Request", NULL, head_only);
        return;
    }
    const char *cl = header_value(headers, "Content-Length", v, sizeof v);
    const char *te = header_value(headers, "Transfer-Encoding", v, sizeof v);
    if (te || (cl && strtoull(cl, NULL, 10) > 0)) {
        /* request bodies are not part of this server's job: refuse and close */
        h->close_after = true;
        error_response(h, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", head_only);
        return;
    }
    if (!head_only && strcmp(method, "GET")) {
        error_response(h, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", false);
        return;
    }
    http_fault_t *f503 = active_fault(h, HTTP_FAULT_503, now);
    if (f503) {
        f503->used++;
        probe_hit(&h->fault_probe);
        error_response(h, 503, "Service Unavailable", "Retry-After: 1\r\n", head_only);
        return;
    }
    struct stat st;
    if (!target_path(h, target, h->body_path, sizeof h->body_path) ||
        stat(h->body_path, &st) || !S_ISREG(st.st_mode)) {
        error_response(h, 404, "Not Found", NULL, head_only);
        return;
    }
    uint64_t size = (uint64_t)st.st_size, first = 0, last = size ? size - 1 : 0;
    const char *range = header_value(headers, "Range", v, sizeof v);
    int r = range ? parse_range(range, size, &first, &last) : -1;
    char extra[160];
    if (r == 0) {
        snprintf(extra, sizeof extra, "Content-Range: bytes */%llu\r\n", (unsigned long long)size);
        error_response(h, 416, "Range Not Satisfiable", extra, head_only);
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

static void corrupt_body(http_server_t *h, http_fault_t *f, sim_time_t now, uint8_t *buf, size_t n)
{
    if (!applies(h, f, now))
        return;
    if (f->arg >= h->body_off && f->arg < h->body_off + n) {
        buf[f->arg - h->body_off] ^= 0xFF;
        h->stats.corrupted_bytes++;
        count_per_response(h, f);
    }
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
    for (unsigned k = 0; k < h->nfaults; k++)
        if (h->faults[k].kind == HTTP_FAULT_CORRUPT)
            corrupt_body(h, &h->faults[k], now, buf, max);
    if (h->manual_on[HTTP_FAULT_CORRUPT])
        corrupt_body(h, &h->manual[HTTP_FAULT_CORRUPT], now, buf, max);
    h->body_off += max;
    h->body_left -= max;
    h->stats.body_bytes += max;
    return max;
}

/* Bytes a drip of 'rate' bytes/s allows in total by the end of the 100 ms
 * step that 'now' falls in. */
static uint64_t drip_allowed(const http_server_t *h, uint64_t rate, sim_time_t now)
{
    uint64_t step = (now - h->drip_start) / DRIP_STEP;
    return (step + 1) * rate / 10;
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
            error_response(h, 431, "Request Header Fields Too Large", NULL, false);
        } else
            return HTTP_OUT_OK;
    }
    http_fault_t *stall = active_fault(h, HTTP_FAULT_STALL, now);
    if (stall) {
        count_per_response(h, stall);
        return HTTP_OUT_OK;
    }
    http_fault_t *rst = active_fault(h, HTTP_FAULT_RESET, now);
    if (rst) {
        if (h->conn_bytes >= rst->arg) {
            rst->used++;
            probe_hit(&h->fault_probe);
            h->stats.resets++;
            h->closed = true;
            h->responding = false;
            return HTTP_OUT_RESET;
        }
        if (max > rst->arg - h->conn_bytes)
            max = (size_t)(rst->arg - h->conn_bytes);
    }
    http_fault_t *drip = active_fault(h, HTTP_FAULT_DRIP, now);
    if (drip) {
        if (!h->dripping) {
            h->dripping = true;
            h->drip_start = now;
            h->drip_sent = 0;
        }
        count_per_response(h, drip);
        uint64_t allowed = drip_allowed(h, drip->arg, now);
        if (h->drip_sent >= allowed)
            return HTTP_OUT_OK;
        if (max > allowed - h->drip_sent)
            max = (size_t)(allowed - h->drip_sent);
    } else {
        h->dripping = false;
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
        h->drip_sent += done;
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
        /* a window that opens or closes later changes what is sent: wake then */
        if (f->from > now && f->from < t)
            t = f->from;
        if (f->until > now && f->until < t && now >= f->from)
            t = f->until;
    }
    if (h->dripping) {
        const http_fault_t *drip = NULL;
        if (h->manual_on[HTTP_FAULT_DRIP])
            drip = &h->manual[HTTP_FAULT_DRIP];
        for (unsigned k = 0; !drip && k < h->nfaults; k++)
            if (h->faults[k].kind == HTTP_FAULT_DRIP && applies(h, &h->faults[k], now))
                drip = &h->faults[k];
        if (drip && drip->arg) {
            /* first step whose allowance exceeds what was sent */
            uint64_t step = ((h->drip_sent + 1) * 10 + drip->arg - 1) / drip->arg - 1;
            sim_time_t next = h->drip_start + step * DRIP_STEP;
            if (next <= now)
                next = now + 1;
            if (next < t)
                t = next;
        }
    }
    return t;
}
