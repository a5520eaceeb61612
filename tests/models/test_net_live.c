/*
 * Live mode: a client on the virtual network reaches `python3 -m http.server`
 * on this machine's loopback, through a forward rule (10.0.2.100:80) and
 * through slirp's host address (10.0.2.2); the run is recorded, the server
 * is stopped, and the replay gives the same bytes and a byte-identical
 * capture. A replay whose device does something else reports the
 * divergence. The TAP backend is tried where /dev/net/tun and the rights to
 * use it exist, and skipped with a message otherwise. Without loopback
 * networking the live tests are skipped with a message.
 */
#include <arpa/inet.h>
#include <check.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "tests/net/harness.h"
#include "models/net/live.h"
#include "models/net/netconfig.h"
#include "models/net/link.h"
#include "models/net/pcap.h"
#include "models/net/pkt.h"
#include "models/net/tcp_client.h"

static char root[64];
static pid_t py_pid;
static int py_port, py_out = -1;

static bool loopback_works(char *why, size_t len)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    bool ok = s >= 0 && bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 1) == 0;
    if (!ok)
        snprintf(why, len, "no loopback networking on this host");
    if (s >= 0)
        close(s);
    return ok;
}

/* Starts the server on an ephemeral port and reads the port it prints. */
static bool start_python(const char *dir)
{
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    py_pid = fork();
    ck_assert_int_ge(py_pid, 0);
    if (!py_pid) {
        /* the request log goes to stderr: away from the pipe */
        FILE *null = fopen("/dev/null", "w");
        dup2(fd[1], 1);
        if (null)
            dup2(fileno(null), 2);
        close(fd[0]);
        execlp("python3", "python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
               "--directory", dir, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char buf[512];
    size_t n = 0;
    py_port = 0;
    struct pollfd p = { .fd = fd[0], .events = POLLIN };
    while (!py_port && n < sizeof buf - 1 && poll(&p, 1, 10000) > 0) {
        ssize_t r = read(fd[0], buf + n, sizeof buf - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        buf[n] = 0;
        const char *at = strstr(buf, " port ");
        if (at)
            py_port = atoi(at + 6);
    }
    py_out = fd[0]; /* kept open while the server runs */
    return py_port > 0;
}

static void stop_python(void)
{
    if (py_pid > 0) {
        kill(py_pid, SIGTERM);
        waitpid(py_pid, NULL, 0);
    }
    if (py_out >= 0)
        close(py_out);
    py_out = -1;
    py_pid = 0;
}

static void setup(void) { make_root(root, sizeof root); }
static void teardown(void)
{
    stop_python();
    remove_root(root);
}

/* ---- one session, live or replayed ---- */

typedef struct session {
    uint8_t *rx1, *rx2;
    size_t rx1_len, rx2_len;
    live_stats_t stats;
    bool diverged;
} session_t;

static sched_t sched;
static tcp_client_t dev;

static bool peer_done(void *ctx)
{
    (void)ctx;
    return dev.peer_fin || dev.state == TCPC_RESET || dev.state == TCPC_FAILED;
}

static uint8_t *take_rx(size_t *len)
{
    uint8_t *b = malloc(dev.rx_len + 1);
    if (dev.rx_len)
        memcpy(b, dev.rx, dev.rx_len);
    *len = dev.rx_len;
    return b;
}

static const cJSON *replay_obj; /* a record carried inside another JSON document */

static void run_session(const char *record, const char *replay, const char *pcap_path,
                        const char *first_path, session_t *out)
{
    sched_init(&sched);
    live_config_t c;
    live_default_config(&c);
    char fwd[64];
    snprintf(fwd, sizeof fwd, "10.0.2.100:80=127.0.0.1:%d", py_port);
    ck_assert_int_eq(netconfig_live_forward(fwd, &c.fwd[0]), 0);
    c.nfwd = 1;
    c.record_path = record;
    c.replay_path = replay;
    c.replay_json = replay_obj;
    live_host_t *h = calloc(1, sizeof *h);
    char err[512];
    ck_assert_msg(live_init(h, &sched, &c, err, sizeof err) == 0, "%s", err);
    static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x15 };
    tcp_client_init(&dev, &sched, "dev", mac, PKT_IP(10, 0, 2, 15));
    net_link_t *l = calloc(1, sizeof *l);
    net_link_init(l, "lan", &sched, 1, &dev.port, &h->port);
    pcap_writer_t *w = pcap_writer_open(pcap_path, err, sizeof err);
    ck_assert_ptr_nonnull(w);
    net_link_attach_pcap(l, 0, w);

    sched_run_until(&sched, SIM_MS(10));
    char req[200];
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: update\r\n\r\n", first_path);
    tcp_client_connect(&dev, PKT_IP(10, 0, 2, 100), 80);
    tcp_client_send(&dev, req, strlen(req));
    run_until(&sched, peer_done, NULL, SIM_S(10));
    out->rx1 = take_rx(&out->rx1_len);
    tcp_client_close(&dev);
    sched_run_until(&sched, sched.now + SIM_MS(50));
    /* the host's loopback through slirp's gateway address */
    tcp_client_connect(&dev, PKT_IP(10, 0, 2, 2), (uint16_t)py_port);
    snprintf(req, sizeof req, "GET /small.txt HTTP/1.1\r\nHost: localhost\r\n\r\n");
    tcp_client_send(&dev, req, strlen(req));
    run_until(&sched, peer_done, NULL, SIM_S(10));
    out->rx2 = take_rx(&out->rx2_len);
    tcp_client_close(&dev);
    sched_run_until(&sched, sched.now + SIM_MS(50));

    out->stats = h->stats;
    out->diverged = h->diverged;
    pcap_writer_close(w);
    net_link_destroy(l);
    free(l);
    tcp_client_free(&dev);
    live_free(h);
    free(h);
    sched_free(&sched);
}

START_TEST(live_round_trip_and_replay)
{
    char why[128];
    if (!loopback_works(why, sizeof why)) {
        printf("live: skipped: %s\n", why);
        return;
    }
    ck_assert_msg(start_python(root), "python3 -m http.server did not start (python3 is in DEB_PKGS)");
    char rec[] = "/tmp/gb-live-rec-XXXXXX", p1[] = "/tmp/gb-live-1-XXXXXX", p2[] = "/tmp/gb-live-2-XXXXXX";
    close(mkstemp(rec));
    close(mkstemp(p1));
    close(mkstemp(p2));
    session_t live, replay;
    run_session(rec, NULL, p1, "/blob.bin", &live);
    http_resp_t r;
    ck_assert_msg(http_parse(live.rx1, live.rx1_len, false, &r), "no response from the real server");
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, BLOB_SIZE);
    for (size_t i = 0; i < BLOB_SIZE; i++)
        if (r.body[i] != blob_byte(i))
            ck_abort_msg("byte %zu differs", i);
    ck_assert(http_parse(live.rx2, live.rx2_len, false, &r));
    ck_assert_int_eq(r.status, 200);
    ck_assert(!memcmp(r.body, "hello world\n", 12));
    ck_assert_uint_gt(live.stats.nat_rewrites, 0);

    /* no server any more: the replay needs only the record */
    stop_python();
    run_session(NULL, rec, p2, "/blob.bin", &replay);
    ck_assert(!replay.diverged);
    ck_assert_uint_eq(replay.rx1_len, live.rx1_len);
    ck_assert(!memcmp(replay.rx1, live.rx1, live.rx1_len));
    ck_assert_uint_eq(replay.rx2_len, live.rx2_len);
    ck_assert(!memcmp(replay.rx2, live.rx2, live.rx2_len));
    ck_assert_uint_eq(replay.stats.replay_in, live.stats.frames_in);
    ck_assert_uint_eq(replay.stats.replay_out, live.stats.frames_out);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", p1, p2);
    ck_assert_msg(system(cmd) == 0, "the replay's capture differs from the live run's");

    /* the same record inside a scenario replay file's JSON */
    FILE *rf = fopen(rec, "rb");
    static char text[1 << 20];
    size_t tl = fread(text, 1, sizeof text - 1, rf);
    fclose(rf);
    text[tl] = 0;
    char *doc = malloc(tl + 64);
    sprintf(doc, "{\"seed\": 1, \"live\": %s}", text);
    cJSON *j = cJSON_Parse(doc);
    free(doc);
    ck_assert_ptr_nonnull(j);
    replay_obj = cJSON_GetObjectItemCaseSensitive(j, "live");
    session_t embedded;
    run_session(NULL, NULL, p2, "/blob.bin", &embedded);
    replay_obj = NULL;
    cJSON_Delete(j);
    ck_assert(!embedded.diverged);
    ck_assert(embedded.rx1_len == live.rx1_len && !memcmp(embedded.rx1, live.rx1, live.rx1_len));
    ck_assert_msg(system(cmd) == 0, "the replay from an embedded record differs");
    free(embedded.rx1);
    free(embedded.rx2);

    /* a device that asks for something else diverges from the record */
    session_t other;
    run_session(NULL, rec, p2, "/small.txt", &other);
    ck_assert(other.diverged);

    free(live.rx1); free(live.rx2); free(replay.rx1); free(replay.rx2); free(other.rx1); free(other.rx2);
    unlink(rec);
    unlink(p1);
    unlink(p2);
}
END_TEST

START_TEST(bad_record_files)
{
    static const struct { const char *text, *msg; } cases[] = {
        { "{\"format\": \"pcap\"}", "not a live record" },
        { "{\"format\": \"glitchbox-live\", \"version\": 9}", "version: only version 1" },
        { "{\"format\": \"glitchbox-live\", \"version\": 1, \"tick_ns\": 1000000, \"frames\": ["
          "{\"t\": 5, \"in\": \"zz\"}]}", "frames[0]: 'zz' is not hex" },
        { "{\"format\": \"glitchbox-live\", \"version\": 1, \"tick_ns\": 1000000, \"frames\": ["
          "{\"t\": 5, \"in\": \"00\"}, {\"t\": 4, \"out\": \"00\"}]}", "frames[1].t" },
        { "{\"format\": \"glitchbox-live\", \"version\": 1, \"tick_ns\": 1000000,\n \"frames\": [\n",
          "not valid JSON (is the record truncated?)" },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(cases); k++) {
        char path[] = "/tmp/gb-live-bad-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_eq(write(fd, cases[k].text, strlen(cases[k].text)), (ssize_t)strlen(cases[k].text));
        close(fd);
        sched_init(&sched);
        live_config_t c;
        live_default_config(&c);
        c.replay_path = path;
        live_host_t h;
        char err[512] = "";
        ck_assert_int_ne(live_init(&h, &sched, &c, err, sizeof err), 0);
        ck_assert_msg(strstr(err, cases[k].msg), "case %u: %s", k, err);
        sched_free(&sched);
        unlink(path);
    }
}
END_TEST

/* ---- TAP ---- */

static int set_addr(const char *ifname, uint32_t ip, uint32_t mask)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(ip);
    int r = ioctl(s, SIOCSIFADDR, &ifr);
    a->sin_addr.s_addr = htonl(mask);
    r |= ioctl(s, SIOCSIFNETMASK, &ifr);
    r |= ioctl(s, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    r |= ioctl(s, SIOCSIFFLAGS, &ifr);
    close(s);
    return r;
}

static unsigned echo_replies;
static void count_echo(void *opaque, const uint8_t *f, size_t len)
{
    (void)opaque;
    pkt_ipv4_t ip;
    pkt_icmp_t c;
    if (pkt_parse_ipv4(f, len, &ip) && pkt_parse_icmp(&ip, &c) && c.type == 0)
        echo_replies++;
}

static bool got_mac(void *ctx)
{
    (void)ctx;
    return dev.peer_mac_known;
}

START_TEST(tap_ping_the_host)
{
    sched_init(&sched);
    live_config_t c;
    live_default_config(&c);
    c.backend = LIVE_TAP;
    snprintf(c.tap_name, sizeof c.tap_name, "gbtap%%d");
    live_host_t *h = calloc(1, sizeof *h);
    char err[512];
    if (live_init(h, &sched, &c, err, sizeof err)) {
        printf("tap: skipped: %s\n", err);
        free(h);
        sched_free(&sched);
        return;
    }
    /* a subnet of its own per process, so parallel runs do not meet */
    uint32_t net = PKT_IP(10, 123, (getpid() >> 6) & 255, (getpid() & 63) << 2);
    if (set_addr(h->tap_ifname, net + 1, 0xFFFFFFFCu)) {
        printf("tap: skipped: cannot configure %s (needs CAP_NET_ADMIN)\n", h->tap_ifname);
        live_free(h);
        free(h);
        sched_free(&sched);
        return;
    }
    static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x22 };
    tcp_client_init(&dev, &sched, "dev", mac, net + 2);
    dev.on_frame = count_echo;
    net_link_t *l = calloc(1, sizeof *l);
    net_link_init(l, "lan", &sched, 1, &dev.port, &h->port);
    /* resolve the host's address with ARP, then ping it */
    tcp_client_connect(&dev, net + 1, 9);
    ck_assert_msg(run_until(&sched, got_mac, NULL, SIM_S(3)), "the host did not answer ARP on %s",
                  h->tap_ifname);
    uint8_t f[PKT_ETH_MAX], body[16] = { 1, 2, 3 };
    size_t n = pkt_build_icmp(f, dev.peer_mac, mac, net + 2, net + 1, 1, 8, 0, body, sizeof body);
    tcp_client_send_frame(&dev, f, n);
    sched_run_until(&sched, sched.now + SIM_MS(500));
    ck_assert_uint_ge(echo_replies, 1);
    net_link_destroy(l);
    free(l);
    tcp_client_free(&dev);
    live_free(h);
    free(h);
    sched_free(&sched);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net-live");
    TCase *tc = tcase_create("live");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, live_round_trip_and_replay);
    tcase_add_test(tc, bad_record_files);
    tcase_add_test(tc, tap_ping_the_host);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
