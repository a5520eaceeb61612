/*
 * Helpers shared by the network test programs (tests/models/test_net_*.c):
 * a folder of files to serve, running the scheduler until a condition holds,
 * and parsing HTTP responses out of a received byte stream.
 */
#ifndef TESTS_NET_HARNESS_H
#define TESTS_NET_HARNESS_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sim/sched.h"

#define BLOB_SIZE 100000

static inline uint8_t blob_byte(size_t i)
{
    return (uint8_t)(i * 7 + i / 251);
}

static inline void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* A folder with small.txt, blob.bin (BLOB_SIZE bytes of blob_byte), "a b.txt", sub/. */
static inline void make_root(char *dir, size_t len)
{
    snprintf(dir, len, "/tmp/gb-net-root-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    write_file(dir, "small.txt", "hello world\n", 12);
    uint8_t *b = malloc(BLOB_SIZE);
    for (size_t i = 0; i < BLOB_SIZE; i++)
        b[i] = blob_byte(i);
    write_file(dir, "blob.bin", b, BLOB_SIZE);
    free(b);
    write_file(dir, "a b.txt", "space\n", 6);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0755);
    write_file(sub, "x.txt", "x\n", 2);
}

static inline void remove_root(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Runs the scheduler in 1 ms steps until cond(ctx) or 'limit' of virtual time
 * from now; returns whether cond held. */
static inline bool run_until(sched_t *s, bool (*cond)(void *), void *ctx, sim_time_t limit)
{
    sim_time_t end = s->now + limit;
    while (!cond(ctx)) {
        if (s->now >= end)
            return false;
        sched_run_until(s, s->now + SIM_MS(1));
    }
    return true;
}

typedef struct http_resp {
    int status;
    long long content_length;
    char headers[2048];
    const uint8_t *body;
    size_t body_len;
    size_t total;          /* bytes of the stream this response took */
} http_resp_t;

/* Parses the response at the start of 'p' (a HEAD response has no body when
 * head is true). Returns false if it is not complete yet. */
static inline bool http_parse(const uint8_t *p, size_t len, bool head, http_resp_t *r)
{
    memset(r, 0, sizeof *r);
    const uint8_t *end = memmem(p, len, "\r\n\r\n", 4);
    if (!end)
        return false;
    size_t hl = (size_t)(end - p) + 4;
    if (hl >= sizeof r->headers)
        return false;
    memcpy(r->headers, p, hl);
    r->headers[hl] = 0;
    if (sscanf(r->headers, "HTTP/1.%*d %d", &r->status) != 1)
        return false;
    const char *cl = strcasestr(r->headers, "\r\nContent-Length:");
    r->content_length = cl ? atoll(cl + 17) : -1;
    size_t body = head || r->content_length < 0 ? 0 : (size_t)r->content_length;
    if (len < hl + body)
        return false;
    r->body = p + hl;
    r->body_len = body;
    r->total = hl + body;
    return true;
}

static inline const char *http_header(const http_resp_t *r, const char *name, char *out, size_t outlen)
{
    char key[64];
    snprintf(key, sizeof key, "\r\n%s:", name);
    const char *h = strcasestr(r->headers, key);
    if (!h)
        return NULL;
    h += strlen(key);
    while (*h == ' ')
        h++;
    size_t n = strcspn(h, "\r");
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, h, n);
    out[n] = 0;
    return out;
}

#endif
