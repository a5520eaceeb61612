/*
 * Over-the-air update agent. Boots, brings the network up over DHCP,
 * confirms itself if it is an image on trial, then asks the update server
 * for its manifest; when a newer version exists it streams the image for
 * the other slot into flash (resuming with a Range request after a broken
 * connection), verifies it, marks it for a trial boot and restarts.
 *
 * Console lines are stable for tests and tools to parse:
 *   update: state=<state> version=<n> bytes=<done>/<total> retries=<n> errors=<n>
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
#define MAX_RETRIES 30u
#define IDLE_TIMEOUT_MS 10000u

static unsigned my_slot;
static char slot_name(unsigned s) { return s ? 'B' : 'A'; }

/* ---- flash writer: streams bytes into the target slot in whole words ---- */

typedef struct writer {
    unsigned slot;
    uint32_t written;        /* bytes programmed so far (a multiple of 4) */
    uint8_t stage[256];
    size_t staged;
    bool failed;
    uint32_t next_report;
    uint32_t total, retries, errors;
    const http_response_t *resp;   /* the response being received */
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
    if (w->written + n > SLOT_SIZE ||
        flash_program(SLOT_ADDR(w->slot) + w->written, w->stage, n)) {
        w->failed = true;
        return false;
    }
    w->written += (uint32_t)n;
    memmove(w->stage, w->stage + n, w->staged - n);
    w->staged -= n;
    return true;
}

static void progress(const char *state, const writer_t *w, uint32_t version)
{
    printf("update: state=%s version=%lu bytes=%lu/%lu retries=%lu errors=%lu\n", state,
           (unsigned long)version, (unsigned long)(w ? w->written : 0),
           (unsigned long)(w ? w->total : 0), (unsigned long)(w ? w->retries : 0),
           (unsigned long)(w ? w->errors : 0));
}

static uint32_t target_version;

static bool writer_sink(const uint8_t *data, size_t len, void *ctx)
{
    writer_t *w = ctx;
    if (w->resp && !w->resp->received) {
        w->total = w->resp->total_length;
        if (w->resp->status == 200 && (w->written || w->staged)) {
            /* the server ignored our Range and sends the whole image: start over */
            w->written = 0;
            w->staged = 0;
        }
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
        progress("downloading", w, target_version);
        w->next_report += 32768;
    }
    return true;
}

/* ---- manifest ---- */

typedef struct manifest_buf {
    char text[512];
    size_t len;
} manifest_buf_t;

static bool manifest_sink(const uint8_t *data, size_t len, void *ctx)
{
    manifest_buf_t *m = ctx;
    if (m->len + len >= sizeof m->text)
        return false;
    memcpy(m->text + m->len, data, len);
    m->len += len;
    m->text[m->len] = 0;
    return true;
}

/* "version N" and "image-a PATH" / "image-b PATH" lines. */
static bool manifest_parse(const char *text, uint32_t *version, char *path, size_t pathlen,
                           unsigned slot)
{
    const char *v = strstr(text, "version ");
    const char *key = slot ? "image-b " : "image-a ";
    const char *p = strstr(text, key);
    if (!v || !p)
        return false;
    *version = (uint32_t)strtoul(v + 8, NULL, 10);
    p += strlen(key);
    size_t n = strcspn(p, "\r\n ");
    if (!n || n >= pathlen || p[0] != '/')
        return false;
    memcpy(path, p, n);
    path[n] = 0;
    return true;
}

static bool fetch_manifest(manifest_buf_t *m)
{
    for (unsigned attempt = 1; attempt <= 5; attempt++) {
        http_response_t r;
        m->len = 0;
        m->text[0] = 0;
        http_result_t res = http_get(UPDATE_SERVER, UPDATE_PORT, "/manifest", 0, manifest_sink, m,
                                     &r, IDLE_TIMEOUT_MS);
        if (res == HTTP_DONE)
            return true;
        printf("update: manifest request failed (%s, status %d), attempt %u\n",
               http_result_str(res), r.status, attempt);
        delay_ms(1000u * attempt);
    }
    return false;
}

/* ---- the update ---- */

static void erase_slot(unsigned slot)
{
    for (unsigned k = 0; k < SLOT_SECTORS; k++) {
        watchdog_kick();
        flash_erase_sector(SLOT_FIRST_SECTOR(slot) + k);
    }
    flash_lock();
}

static bool download(const char *path, writer_t *w)
{
    while (w->retries <= MAX_RETRIES) {
        http_response_t r;
        w->resp = &r;
        http_result_t res = http_get(UPDATE_SERVER, UPDATE_PORT, path, w->written, writer_sink, w,
                                     &r, IDLE_TIMEOUT_MS);
        w->resp = NULL;
        if (r.status == 200 || r.status == 206)
            w->total = r.total_length;
        if (res == HTTP_DONE) {
            if (!writer_flush(w, true))
                return false;
            flash_lock();
            if (w->written >= w->total)
                return true;
        } else {
            w->errors++;
            if (w->failed)
                return false;
            writer_flush(w, false);
            w->staged = 0; /* a partial word is fetched again */
            flash_lock();
            if (res == HTTP_ERR_STATUS && r.status == 416) {
                w->written = 0;
            }
            printf("update: download interrupted (%s, status %d) at %lu bytes\n",
                   http_result_str(res), r.status, (unsigned long)w->written);
        }
        w->retries++;
        progress("resuming", w, target_version);
        delay_ms(res == HTTP_ERR_STATUS ? 2000u : 500u);
    }
    return false;
}

static void idle_forever(void)
{
    uint32_t last = 0;
    bool on = false;
    for (;;) {
        net_poll();
        watchdog_kick();
        if (millis() - last >= 500) {
            last = millis();
            on = !on;
            led_set(0, on);
        }
        __asm__ volatile("wfi");
    }
}

static void confirm_if_trial(void)
{
    boot_state_t st;
    if (!state_read(&st) || st.pending != my_slot)
        return;
    st.active = (uint8_t)my_slot;
    st.pending = SLOT_NONE;
    st.tries = 0;
    if (state_write(&st)) {
        printf("update: could not confirm the image\n");
        return;
    }
    printf("update: state=confirmed version=%u slot=%c\n", APP_VERSION, slot_name(my_slot));
}

int main(void)
{
    clock_init(true);
    console_init();
    tick_init();
    led_init();
    watchdog_kick();
    my_slot = SCB_VTOR == SLOT_ADDR(1) + HEADER_SIZE ? 1u : 0u;
    printf("app: version %u running from slot %c\n", APP_VERSION, slot_name(my_slot));

    uint8_t mac[6] = { 0x02, 0x47, 0x42, 0, 0, 0 };
    uint32_t uid = UID0 ^ UID1 ^ UID2;
    mac[3] = (uint8_t)(uid >> 16);
    mac[4] = (uint8_t)(uid >> 8);
    mac[5] = (uint8_t)uid;
    net_init(mac);
    if (enc_init(mac)) {
        printf("eth: ENC28J60 does not answer\n");
        idle_forever();
    }
    while (!dhcp_run(30000))
        printf("net: no DHCP answer, trying again\n");

    /* the self-test of a trial image: the network works and the server answers */
    manifest_buf_t m;
    if (!fetch_manifest(&m)) {
        printf("update: state=failed reason=no-manifest\n");
        idle_forever();
    }
    confirm_if_trial();

    unsigned target = my_slot ^ 1u;
    char path[128];
    if (!manifest_parse(m.text, &target_version, path, sizeof path, target)) {
        printf("update: state=failed reason=bad-manifest\n");
        idle_forever();
    }
    if (target_version <= APP_VERSION) {
        printf("update: state=idle version=%u up to date\n", APP_VERSION);
        idle_forever();
    }
    printf("update: state=available version=%lu path=%s\n", (unsigned long)target_version, path);
    static writer_t w;
    memset(&w, 0, sizeof w);
    w.slot = target;
    erase_slot(target);
    progress("downloading", &w, target_version);
    if (!download(path, &w)) {
        progress("failed", &w, target_version);
        idle_forever();
    }
    progress("verifying", &w, target_version);
    image_header_t h;
    if (!image_valid(target, &h) || h.version != target_version) {
        printf("update: state=rejected version=%lu reason=verification\n", (unsigned long)target_version);
        erase_slot(target);
        idle_forever();
    }
    boot_state_t st;
    if (!state_read(&st)) {
        st.active = (uint8_t)my_slot;
    }
    st.pending = (uint8_t)target;
    st.tries = 0;
    st.pending_version = target_version;
    if (state_write(&st)) {
        printf("update: state=failed reason=state-write\n");
        idle_forever();
    }
    printf("update: state=rebooting version=%lu slot=%c bytes=%lu retries=%lu errors=%lu\n",
           (unsigned long)target_version, slot_name(target), (unsigned long)w.written,
           (unsigned long)w.retries, (unsigned long)w.errors);
    console_flush();
    system_reset();
}
