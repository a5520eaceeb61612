/*
 * Over-the-air update agent (firmware/README.md has the flow and the
 * console format). Boots, brings the network up over DHCP, runs its
 * self-test and confirms itself if it is an image on trial, then asks the
 * update server for its manifest; when a newer version exists it streams
 * the image for the other slot into flash (resuming with a Range request
 * after a broken connection), verifies it (SHA-256 and Ed25519), marks it
 * for a trial boot and restarts. The device's own work (here a heartbeat
 * LED and answering pings) goes on in every wait loop; the watchdog is
 * kicked throughout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootstate.h"
#include "enc28j60.h"
#include "http.h"
#include "net.h"
#include "platform.h"
#include "stm32f407.h"

#ifndef APP_VERSION
#define APP_VERSION 1
#endif
#ifndef UPDATE_SERVER
#define UPDATE_SERVER 0x0A000264u   /* 10.0.2.100 */
#endif
#ifndef UPDATE_PORT
#define UPDATE_PORT 80
#endif
#define MAX_ATTEMPTS 40u            /* download attempts before giving up */
#define IDLE_TIMEOUT_MS 8000u       /* no byte for this long: the connection is dead */
#define CHECK_INTERVAL_MS 60000u    /* between manifest checks when up to date */
#define STALLED_ATTEMPTS 3u         /* attempts without a byte before the NIC is reset */
#define PROGRESS_STEP 16384u        /* a downloading line every this many bytes */
#define TRIAL_DEADLINE_MS 60000u    /* a trial image that has not passed its self-test by then gives up */

static unsigned my_slot;
static char slot_name(unsigned s) { return s ? 'B' : 'A'; }

/* ---- the device's own work, done in every wait ---- */

static void report(const char *state, const char *extra);
static bool on_trial, trial_passed;

/* A trial image that cannot even pass its self-test (no network, say) must
 * not run unconfirmed for ever: it stops kicking the watchdog, and the
 * bootloader rolls it back. */
static void trial_watch(void)
{
    if (on_trial && !trial_passed && millis() > TRIAL_DEADLINE_MS) {
        report("failed", "reason=self-test-timeout");
        console_flush();
        for (;;)
            cpu_idle();
    }
}

static void heartbeat(void)
{
    trial_watch();
    static uint32_t last;
    static bool on;
    if (millis() - last >= 500) {
        last = millis();
        on = !on;
        led_set(0, on);
    }
}

static void wait_ms(uint32_t ms)
{
    uint32_t start = millis();
    while (millis() - start < ms)
        net_wait();
}

/* ---- progress lines ---- */

typedef struct progress {
    uint32_t version, done, total, retries, errors;
} progress_t;

static progress_t prog;

/* update: state=S version=N bytes=D/T retries=R errors=E[ key=value...] */
static void report(const char *state, const char *extra)
{
    printf("update: state=%s version=%lu bytes=%lu/%lu retries=%lu errors=%lu%s%s\n", state,
           (unsigned long)prog.version, (unsigned long)prog.done, (unsigned long)prog.total,
           (unsigned long)prog.retries, (unsigned long)prog.errors, extra ? " " : "", extra ? extra : "");
}

static void reportf(const char *state, const char *fmt, unsigned long a, const char *b)
{
    char extra[96];
    snprintf(extra, sizeof extra, fmt, a, b);
    report(state, extra);
}

/* ---- flash writer: streams bytes into the target slot in whole words ---- */

typedef struct writer {
    unsigned slot;
    uint32_t written;        /* bytes programmed so far (a multiple of 4) */
    uint32_t skip;           /* bytes of this response to drop (a 200 to a Range request) */
    uint8_t stage[256];
    size_t staged;
    bool failed;
    uint32_t next_report;
    const http_parser_t *resp;
    bool response_checked;
} writer_t;

static bool writer_flush(writer_t *w, bool pad)
{
    size_t n = w->staged & ~(size_t)3;
    if (pad && (w->staged & 3)) {
        while (w->staged & 3)
            w->stage[w->staged++] = 0xFF;
        n = w->staged;
    }
    if (!n)
        return true;
    if (w->written + n > SLOT_SIZE || flash_program(SLOT_ADDR(w->slot) + w->written, w->stage, n)) {
        w->failed = true;
        return false;
    }
    w->written += (uint32_t)n;
    prog.done = w->written;
    memmove(w->stage, w->stage + n, w->staged - n);
    w->staged -= n;
    return true;
}

static bool writer_sink(const uint8_t *data, size_t len, void *ctx)
{
    writer_t *w = ctx;
    if (!w->response_checked) {
        /* the first body bytes: is this the part we asked for? */
        w->response_checked = true;
        const http_parser_t *r = w->resp;
        if (r->status == 206 && r->range_first != w->written) {
            w->failed = true;   /* a different part: cannot be written over programmed flash */
            return false;
        }
        w->skip = r->status == 200 ? w->written : 0;
        if (http_total_length(r) > SLOT_SIZE) {
            w->failed = true;
            return false;
        }
        prog.total = http_total_length(r);
    }
    if (w->skip) {
        size_t k = len < w->skip ? len : w->skip;
        w->skip -= (uint32_t)k;
        data += k;
        len -= k;
    }
    while (len) {
        size_t k = sizeof w->stage - w->staged;
        if (k > len)
            k = len;
        memcpy(w->stage + w->staged, data, k);
        w->staged += k;
        data += k;
        len -= k;
        if (w->staged == sizeof w->stage && !writer_flush(w, false))
            return false;
    }
    if (w->written >= w->next_report) {
        report("downloading", NULL);
        w->next_report += PROGRESS_STEP;
    }
    return true;
}

/* ---- manifest ---- */

typedef struct manifest {
    char text[512];
    size_t len;
    uint32_t version, size;
    char path[128];
} manifest_t;

static bool manifest_sink(const uint8_t *data, size_t len, void *ctx)
{
    manifest_t *m = ctx;
    if (m->len + len >= sizeof m->text)
        return false;
    memcpy(m->text + m->len, data, len);
    m->len += len;
    m->text[m->len] = 0;
    return true;
}

/* The value of a "key value" line, or NULL. */
static const char *manifest_field(const char *text, const char *key)
{
    size_t kl = strlen(key);
    for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        if (!strncmp(l, key, kl) && l[kl] == ' ')
            return l + kl + 1;
    return NULL;
}

/* version N / image-a PATH / size-a BYTES / image-b ... */
static bool manifest_parse(manifest_t *m, unsigned slot)
{
    const char *v = manifest_field(m->text, "version");
    const char *p = manifest_field(m->text, slot ? "image-b" : "image-a");
    const char *z = manifest_field(m->text, slot ? "size-b" : "size-a");
    if (!v || !p || !z)
        return false;
    char *end;
    m->version = (uint32_t)strtoul(v, &end, 10);
    if (end == v)
        return false;
    m->size = (uint32_t)strtoul(z, &end, 10);
    if (end == z)
        return false;
    size_t n = strcspn(p, "\r\n ");
    if (!n || n >= sizeof m->path || p[0] != '/')
        return false;
    memcpy(m->path, p, n);
    m->path[n] = 0;
    return true;
}

static bool fetch_manifest(manifest_t *m)
{
    for (unsigned attempt = 1; attempt <= 5; attempt++) {
        http_parser_t r;
        m->len = 0;
        m->text[0] = 0;
        http_result_t res = http_get(UPDATE_SERVER, UPDATE_PORT, "/manifest", 0, manifest_sink, m, &r,
                                     IDLE_TIMEOUT_MS);
        if (res == HTTP_DONE)
            return true;
        prog.errors++;
        char extra[80];
        snprintf(extra, sizeof extra, "reason=%s status=%d attempt=%u", http_result_str(res), r.status,
                 attempt);
        report("checking", extra);
        wait_ms(1000u * attempt);
    }
    return false;
}

/* ---- the update ---- */

static bool erase_slot(unsigned slot)
{
    /* the erase stalls the core, the console interrupt with it: say it first */
    console_flush();
    for (unsigned k = 0; k < SLOT_SECTORS; k++) {
        /* the single-bank flash stalls every fetch while a sector erases (1 s for 128 KiB) */
        watchdog_kick();
        if (flash_erase_sector(SLOT_FIRST_SECTOR(slot) + k)) {
            flash_lock();
            return false;
        }
        watchdog_kick();
    }
    flash_lock();
    return true;
}

static uint8_t my_mac[6];

#ifndef APP_NO_NIC_RECOVERY
/* Attempts that got nothing at all while the link is up point at the NIC
 * itself (a configuration corrupted by a glitch, a receive logic that
 * stopped): set the chip up from scratch and ask for an address again. */
static void nic_recover(unsigned stalled)
{
    printf("eth: nothing received in %u attempts, resetting the ENC28J60\n", stalled);
    enc_stats.nic_resets++;
    for (unsigned k = 0; k < 3 && enc_init(my_mac); k++) {
        watchdog_kick();
        wait_ms(100);
    }
    if (!dhcp_run(10000))
        printf("net: no DHCP answer after the reset\n");
}
#endif

static bool download(const char *path, writer_t *w)
{
    uint32_t backoff = 250;
    unsigned stalled = 0;
    for (unsigned attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        http_parser_t r;
        w->resp = &r;
        w->response_checked = false;
        uint32_t before = w->written;
        http_result_t res = http_get(UPDATE_SERVER, UPDATE_PORT, path, w->written, writer_sink, w, &r,
                                     IDLE_TIMEOUT_MS);
        w->resp = NULL;
        if (res == HTTP_DONE && !w->failed) {
            if (!writer_flush(w, true))
                return false;
            flash_lock();
            if (prog.total && w->written >= prog.total)
                return true;
            res = HTTP_ERR_CLOSED;
        }
        if (w->failed)
            return false;
        /* keep the whole words; a partial word is fetched again */
        writer_flush(w, false);
        w->staged = 0;
        flash_lock();
        prog.errors++;
        prog.retries++;
        char extra[96];
        snprintf(extra, sizeof extra, "reason=%s status=%d resume-from=%lu", http_result_str(res), r.status,
                 (unsigned long)w->written);
        report("resuming", extra);
        if (w->written > before) {
            backoff = 250;   /* progress was made: the link works */
            stalled = 0;
        } else if (++stalled >= STALLED_ATTEMPTS) {
#ifndef APP_NO_NIC_RECOVERY
            nic_recover(stalled);
#endif
            stalled = 0;
        }
        wait_ms(res == HTTP_ERR_STATUS ? 2000u : backoff);
        if (backoff < 4000)
            backoff *= 2;
    }
    return false;
}

static void confirm(void)
{
    boot_state_t st;
    if (!state_read(&st) || st.pending != my_slot)
        return;
    st.active = (uint8_t)my_slot;
    st.pending = SLOT_NONE;
    st.tries = 0;
    if (state_write(&st)) {
        report("failed", "reason=confirm-write");
        return;
    }
    reportf("confirmed", "slot=%c%s", (unsigned long)slot_name(my_slot), "");
}

/* The trial image's self-test: what this version needs to work. */
static bool self_test(bool manifest_ok)
{
#ifdef APP_SELFTEST_FAIL
    (void)manifest_ok;
    return false;
#else
    /* the bootloader verified this image right before it started it */
    const image_header_t *h = flash_ptr(SLOT_ADDR(my_slot));
    return manifest_ok && h->version == APP_VERSION;
#endif
}

static void __attribute__((noreturn)) run_without_update(const char *state, const char *extra)
{
    report(state, extra);
    if (!strcmp(extra, "reason=up-to-date"))
        printf("app: version %u is up to date\n", APP_VERSION);
    for (;;) {
        uint32_t start = millis();
        while (millis() - start < CHECK_INTERVAL_MS)
            net_wait();
        manifest_t m;
        if (!fetch_manifest(&m)) {
#ifndef APP_NO_NIC_RECOVERY
            nic_recover(1);
#endif
            continue;
        }
        if (manifest_parse(&m, my_slot ^ 1u) && m.version > APP_VERSION)
            system_reset();   /* start over: the update flow runs at boot */
    }
}

int main(void)
{
    clock_init(true);
    console_init();
    tick_init();
    led_init();
    watchdog_kick();
    net_background = heartbeat;
    my_slot = SCB_VTOR == SLOT_ADDR(1) + HEADER_SIZE ? 1u : 0u;
    printf("app: version %u running from slot %c\n", APP_VERSION, slot_name(my_slot));
    prog.version = APP_VERSION;

    uint8_t *mac = my_mac;
    uint32_t uid = UID0 ^ UID1 ^ UID2;
    mac[0] = 0x02;
    mac[1] = 0x47;
    mac[2] = 0x42;
    mac[3] = (uint8_t)(uid >> 16);
    mac[4] = (uint8_t)(uid >> 8);
    mac[5] = (uint8_t)uid;
    boot_state_t st;
    bool have_state = state_read(&st);
    on_trial = have_state && st.pending == my_slot;
    net_init(mac);
    while (enc_init(mac)) {
        printf("eth: ENC28J60 does not answer, retrying\n");
        wait_ms(1000);
    }
    while (!dhcp_run(30000))
        printf("net: no DHCP answer, trying again\n");

    report("checking", NULL);
    manifest_t m;
    bool manifest_ok = fetch_manifest(&m);
    if (on_trial) {
        if (!self_test(manifest_ok)) {
            /* no confirmation: the watchdog brings the bootloader back, which rolls back */
            report("failed", "reason=self-test");
            console_flush();
            for (;;)
                cpu_idle();
        }
        trial_passed = true;
        confirm();
        have_state = state_read(&st);
    }
    if (!manifest_ok)
        run_without_update("failed", "reason=no-manifest");
    if (!have_state || st.active != my_slot)
        run_without_update("idle", "reason=not-confirmed");
    unsigned target = my_slot ^ 1u;
    if (!manifest_parse(&m, target))
        run_without_update("failed", "reason=bad-manifest");
    if (m.version <= APP_VERSION)
        run_without_update("idle", "reason=up-to-date");
    if (m.version == st.failed_version)
        run_without_update("idle", "reason=version-rolled-back");
    if (m.size <= HEADER_SIZE || m.size > SLOT_SIZE)
        run_without_update("failed", "reason=image-too-large");

    prog.version = m.version;
    prog.total = m.size;
    char extra[160];
    snprintf(extra, sizeof extra, "slot=%c path=%s", slot_name(target), m.path);
    report("available", extra);
    report("erasing", NULL);
    static writer_t w;
    memset(&w, 0, sizeof w);
    w.slot = target;
    if (!erase_slot(target))
        run_without_update("failed", "reason=erase");
    w.next_report = 0;
    if (!download(m.path, &w))
        run_without_update("failed", w.failed ? "reason=flash-write" : "reason=download");
    report("verifying", NULL);
    image_header_t h;
    image_status_t is = image_check(target, &h);
    if (is == IMAGE_OK && h.version != m.version)
        is = IMAGE_BAD_HEADER;
    if (is != IMAGE_OK) {
        snprintf(extra, sizeof extra, "reason=%s", image_status_str(is));
        erase_slot(target);
        run_without_update("rejected", extra);
    }
    st.pending = (uint8_t)target;
    st.tries = 0;
    st.pending_version = m.version;
    if (state_write(&st))
        run_without_update("failed", "reason=state-write");
    snprintf(extra, sizeof extra, "slot=%c", slot_name(target));
    report("rebooting", extra);
    console_flush();
    enc_power_down();
    system_reset();
}
