/*
 * The agent's HTTP/1.1 response parser: well-formed responses in one piece
 * and byte by byte, Content-Length, chunked and close-delimited bodies,
 * Range answers, and malformed or hostile responses, each of which must end
 * with an error (never a crash or a body that was not sent).
 */
#include <check.h>
#include <string.h>
#include "http.h"

typedef struct sink {
    char data[4096];
    size_t len;
    bool refuse;
} sink_t;

static bool collect(const uint8_t *d, size_t n, void *ctx)
{
    sink_t *s = ctx;
    if (s->refuse)
        return false;
    ck_assert_uint_le(s->len + n, sizeof s->data);
    memcpy(s->data + s->len, d, n);
    s->len += n;
    return true;
}

/* Feeds the text in pieces of 'step' bytes; returns the parser's verdict. */
static bool feed(http_parser_t *p, sink_t *s, const char *text, size_t step)
{
    http_parser_init(p);
    memset(s, 0, sizeof *s);
    size_t n = strlen(text);
    for (size_t k = 0; k < n; k += step) {
        size_t m = n - k < step ? n - k : step;
        if (!http_parser_feed(p, (const uint8_t *)text + k, m, collect, s))
            return false;
    }
    return true;
}

START_TEST(content_length_any_split)
{
    const char *r = "HTTP/1.1 200 OK\r\nServer: x\r\ncontent-length:  11 \r\n\r\nhello worldEXTRA";
    for (size_t step = 1; step < 40; step++) {
        http_parser_t p;
        sink_t s;
        ck_assert(feed(&p, &s, r, step));
        ck_assert_int_eq(p.state, HP_DONE);
        ck_assert_int_eq(p.status, 200);
        ck_assert_uint_eq(s.len, 11);
        ck_assert(!memcmp(s.data, "hello world", 11));
        ck_assert_uint_eq(http_total_length(&p), 11);
    }
}
END_TEST

START_TEST(partial_content)
{
    http_parser_t p;
    sink_t s;
    ck_assert(feed(&p, &s, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-104/2000\r\n"
                           "Content-Length: 5\r\n\r\nabcde", 3));
    ck_assert_int_eq(p.state, HP_DONE);
    ck_assert_int_eq(p.status, 206);
    ck_assert_uint_eq(p.range_first, 100);
    ck_assert_uint_eq(p.range_last, 104);
    ck_assert_uint_eq(http_total_length(&p), 2000);
    ck_assert_uint_eq(s.len, 5);
    /* 416 with the unsatisfied form; its body is not data */
    ck_assert(feed(&p, &s, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */2000\r\n"
                           "Content-Length: 4\r\n\r\nnope", 100));
    ck_assert_int_eq(p.status, 416);
    ck_assert_uint_eq(p.range_total, 2000);
    ck_assert_uint_eq(s.len, 0);
}
END_TEST

START_TEST(chunked_and_close_delimited)
{
    http_parser_t p;
    sink_t s;
    const char *c = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nTrailer: x\r\n\r\n";
    for (size_t step = 1; step < 9; step++) {
        ck_assert(feed(&p, &s, c, step));
        ck_assert_int_eq(p.state, HP_DONE);
        ck_assert_uint_eq(s.len, 31);
        ck_assert(!memcmp(s.data, "helloabcdefghijklmnopqrstuvwxyz", 31));
    }
    /* no length: the body ends with the connection */
    ck_assert(feed(&p, &s, "HTTP/1.0 200 OK\r\n\r\nall of it", 4));
    ck_assert_int_eq(p.state, HP_BODY);
    ck_assert(http_parser_eof(&p));
    ck_assert_uint_eq(s.len, 9);
    /* an interim 100 Continue, then the response; 204 has no body */
    ck_assert(feed(&p, &s, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", 5));
    ck_assert_int_eq(p.state, HP_DONE);
    ck_assert_int_eq(p.status, 204);
}
END_TEST

START_TEST(truncated)
{
    http_parser_t p;
    sink_t s;
    ck_assert(feed(&p, &s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", 7));
    ck_assert(!http_parser_eof(&p));
    ck_assert_str_eq(p.error, "truncated response");
    http_parser_init(&p);
    ck_assert(!http_parser_eof(&p));
    ck_assert_str_eq(p.error, "no response");
    ck_assert(feed(&p, &s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc", 2));
    ck_assert(!http_parser_eof(&p));
}
END_TEST

static const struct {
    const char *text, *error;
} bad[] = {
    { "HTTX/1.1 200 OK\r\n\r\n", "bad status line" },
    { "HTTP/2.0 200 OK\r\n\r\n", "bad status line" },
    { "HTTP/1.1 2x0 OK\r\n\r\n", "bad status code" },
    { "HTTP/1.1 999 Odd\r\n\r\n", "bad status code" },
    { "HTTP/1.1 20 OK\r\n\r\n", "bad status code" },
    { "HTTP/1.1 200OK\r\n\r\n", "bad status code" },
    { "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", "bad Content-Length" },
    { "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", "bad Content-Length" },
    { "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n", "bad Content-Length" },
    { "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "bad Content-Length" },
    { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "conflicting Content-Length" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "unsupported Transfer-Encoding" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
      "both Content-Length and chunked" },
    { "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "header without a name" },
    { "HTTP/1.1 200 OK\r\n: empty name\r\n\r\n", "header without a name" },
    { "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "space in a header name" },
    { "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", "obsolete header folding" },
    { "HTTP/1.1 206 Partial\r\nContent-Length: 3\r\n\r\nabc", "206 without Content-Range" },
    { "HTTP/1.1 206 Partial\r\nContent-Range: bytes 5-2/10\r\n\r\n", "bad Content-Range" },
    { "HTTP/1.1 206 Partial\r\nContent-Range: bytes 0-10/10\r\n\r\n", "bad Content-Range" },
    { "HTTP/1.1 206 Partial\r\nContent-Range: items 0-1/10\r\n\r\n", "bad Content-Range" },
    { "HTTP/1.1 206 Partial\r\nContent-Range: bytes 0-1\r\n\r\n", "bad Content-Range" },
    { "HTTP/1.1 206 Partial\r\nContent-Range: bytes 0-3/10\r\nContent-Length: 3\r\n\r\n",
      "Content-Length differs from Content-Range" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "bad chunk size" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1FFFFFFFF\r\n", "chunk too large" },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", "chunk not followed by CRLF" },
};

START_TEST(malformed)
{
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        for (size_t step = 1; step <= 64; step *= 4) {
            http_parser_t p;
            sink_t s;
            bool ok = feed(&p, &s, bad[k].text, step);
            ck_assert_msg(!ok, "accepted: %s", bad[k].text);
            ck_assert_int_eq(p.state, HP_ERROR);
            ck_assert_msg(!strcmp(p.error, bad[k].error), "%s: got '%s', want '%s'", bad[k].text,
                          p.error, bad[k].error);
            /* once broken, it stays broken */
            ck_assert(!http_parser_feed(&p, (const uint8_t *)"x", 1, collect, &s));
        }
}
END_TEST

START_TEST(limits_and_binary)
{
    http_parser_t p;
    sink_t s;
    char big[600];
    memset(big, 'a', sizeof big);
    memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
    big[sizeof big - 1] = 0;
    ck_assert(!feed(&p, &s, big, 50));
    ck_assert_str_eq(p.error, "header line too long");
    memset(big, 'H', sizeof big);
    big[sizeof big - 1] = 0;
    ck_assert(!feed(&p, &s, big, 50));
    ck_assert_str_eq(p.error, "status line too long");
    /* too many headers */
    char many[2048] = "HTTP/1.1 200 OK\r\n";
    for (int k = 0; k < HTTP_HEADERS_MAX + 1; k++)
        strcat(many, "A: b\r\n");
    strcat(many, "\r\n");
    ck_assert(!feed(&p, &s, many, 13));
    ck_assert_str_eq(p.error, "too many headers");
    /* a NUL byte in the head */
    http_parser_init(&p);
    static const uint8_t nul[] = "HTTP/1.1 200 OK\r\nA: \0b\r\n";
    ck_assert(!http_parser_feed(&p, nul, sizeof nul - 1, collect, &s));
    ck_assert_str_eq(p.error, "NUL in the header");
    /* bare LF line ends are accepted; binary bodies pass unchanged */
    static const uint8_t bin[] = "HTTP/1.1 200 OK\nContent-Length: 4\n\n\0\r\n\xff";
    http_parser_init(&p);
    memset(&s, 0, sizeof s);
    ck_assert(http_parser_feed(&p, bin, sizeof bin - 1, collect, &s));
    ck_assert_int_eq(p.state, HP_DONE);
    ck_assert_uint_eq(s.len, 4);
    ck_assert(!memcmp(s.data, "\0\r\n\xff", 4));
    /* the sink refusing stops the response */
    http_parser_init(&p);
    s.refuse = true;
    ck_assert(!http_parser_feed(&p, bin, sizeof bin - 1, collect, &s));
    ck_assert_str_eq(p.error, "sink");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fw-http");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, content_length_any_split);
    tcase_add_test(tc, partial_content);
    tcase_add_test(tc, chunked_and_close_delimited);
    tcase_add_test(tc, truncated);
    tcase_add_test(tc, malformed);
    tcase_add_test(tc, limits_and_binary);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
