/*
 * The bootloader's slot state machine (bootsel.c) and the boot state area
 * (bootstate.c) on a simulated flash: first boot, trial, confirmation,
 * rollback by the watchdog and after MAX_TRIAL_BOOTS, bad images, the
 * state sectors wrapping around, and a power cut at every flash operation
 * of a whole update (image download, marking the trial, counting the trial
 * boot, confirming), each followed by a boot that must find a valid image.
 */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bootsel.h"
#include "fwhost.h"
#include "platform.h"
#include "sim/sha256.h"

#define PAYLOAD 1024u

/* An image for 'slot' with 'version', signed with the tests' key (RFC 8032 TEST 1). */
static size_t make_image(uint8_t *out, unsigned slot, uint32_t version, bool good_key)
{
    uint8_t *payload = out + HEADER_SIZE;
    uint32_t x = version * 2654435761u + slot;
    for (size_t k = 0; k < PAYLOAD; k++)
        payload[k] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
    image_header_t h;
    memset(&h, 0, sizeof h);
    h.magic = IMAGE_MAGIC;
    h.header_size = HEADER_SIZE;
    h.version = version;
    h.image_size = PAYLOAD;
    h.load_addr = SLOT_ADDR(slot);
    snprintf(h.name, sizeof h.name, "test");
    sha256_t c;
    sha256_init(&c);
    sha256_update(&c, payload, PAYLOAD);
    sha256_final(&c, h.sha256);
    uint8_t seed[32];
    static const char *hex[2] = {
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",   /* trusted */
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",   /* another key */
    };
    for (int k = 0; k < 32; k++) {
        unsigned v;
        sscanf(hex[good_key ? 0 : 1] + 2 * k, "%2x", &v);
        seed[k] = (uint8_t)v;
    }
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t sl = 64;
    ck_assert(EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1);
    ck_assert(EVP_DigestSign(md, h.signature, &sl, (const uint8_t *)&h, HEADER_SIGNED_BYTES) == 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    memcpy(out, &h, sizeof h);
    return HEADER_SIZE + PAYLOAD;
}

static uint8_t img_a1[HEADER_SIZE + PAYLOAD], img_b2[HEADER_SIZE + PAYLOAD];

/* The factory flash: version 1 in slot A, no boot state. */
static void factory(void)
{
    host_flash_erase_all();
    make_image(img_a1, 0, 1, true);
    make_image(img_b2, 1, 2, true);
    host_flash_place(SLOT_ADDR(0), img_a1, sizeof img_a1);
}

/* What the agent does: erase the other slot, write the image, verify it, mark it for trial. */
static void agent_download(const uint8_t *img, size_t len, unsigned slot)
{
    for (unsigned k = 0; k < SLOT_SECTORS; k++)
        ck_assert_int_eq(flash_erase_sector(SLOT_FIRST_SECTOR(slot) + k), 0);
    ck_assert_int_eq(flash_program(SLOT_ADDR(slot), img, len), 0);
    image_header_t h;
    ck_assert_int_eq(image_check(slot, &h), IMAGE_OK);
    boot_state_t st;
    ck_assert(state_read(&st));
    st.pending = (uint8_t)slot;
    st.tries = 0;
    st.pending_version = h.version;
    ck_assert_int_eq(state_write(&st), 0);
}

/* What a trial image does once its self-test passed. */
static void agent_confirm(unsigned slot)
{
    boot_state_t st;
    ck_assert(state_read(&st));
    if (st.pending != slot)
        return;
    st.active = (uint8_t)slot;
    st.pending = SLOT_NONE;
    st.tries = 0;
    ck_assert_int_eq(state_write(&st), 0);
}

static unsigned boot(bool watchdog, uint32_t *version)
{
    image_header_t h;
    unsigned s = boot_select(watchdog, &h);
    if (s != SLOT_NONE && version)
        *version = h.version;
    return s;
}

START_TEST(first_boot)
{
    factory();
    boot_state_t st;
    ck_assert(!state_read(&st));
    uint32_t v = 0;
    ck_assert_uint_eq(boot(false, &v), 0);
    ck_assert_uint_eq(v, 1);
    ck_assert(state_read(&st));
    ck_assert_uint_eq(st.active, 0);
    ck_assert_uint_eq(st.pending, SLOT_NONE);
    /* only B holds an image */
    host_flash_erase_all();
    host_flash_place(SLOT_ADDR(1), img_b2, sizeof img_b2);
    ck_assert_uint_eq(boot(false, &v), 1);
    ck_assert(state_read(&st));
    ck_assert_uint_eq(st.active, 1);
    /* nothing at all */
    host_flash_erase_all();
    ck_assert_uint_eq(boot(false, NULL), SLOT_NONE);
}
END_TEST

START_TEST(trial_and_confirm)
{
    factory();
    boot(false, NULL);
    agent_download(img_b2, sizeof img_b2, 1);
    uint32_t v;
    ck_assert_uint_eq(boot(false, &v), 1);
    ck_assert_uint_eq(v, 2);
    boot_state_t st;
    ck_assert(state_read(&st));
    ck_assert_uint_eq(st.tries, 1);
    agent_confirm(1);
    for (int k = 0; k < 5; k++) {
        ck_assert_uint_eq(boot(k == 2, &v), 1);   /* a later watchdog reset changes nothing */
        ck_assert_uint_eq(v, 2);
    }
    ck_assert(state_read(&st));
    ck_assert_uint_eq(st.active, 1);
    ck_assert_uint_eq(st.failed_version, 0);
}
END_TEST

START_TEST(rollback_after_max_trials)
{
    factory();
    boot(false, NULL);
    agent_download(img_b2, sizeof img_b2, 1);
    for (unsigned k = 0; k < MAX_TRIAL_BOOTS; k++)
        ck_assert_uint_eq(boot(false, NULL), 1);   /* e.g. it crashes into a software reset */
    uint32_t v;
    ck_assert_uint_eq(boot(false, &v), 0);
    ck_assert_uint_eq(v, 1);
    boot_state_t st;
    ck_assert(state_read(&st));
    ck_assert_uint_eq(st.pending, SLOT_NONE);
    ck_assert_uint_eq(st.active, 0);
    ck_assert_uint_eq(st.failed_version, 2);
    ck_assert_uint_eq(boot(false, NULL), 0);
}
END_TEST

START_TEST(rollback_on_watchdog)
{
    factory();
    boot(false, NULL);
    agent_download(img_b2, sizeof img_b2, 1);
    ck_assert_uint_eq(boot(false, NULL), 1);
    uint32_t v;
    ck_assert_uint_eq(boot(true, &v), 0);
    ck_assert_uint_eq(v, 1);
    boot_state_t st;
    ck_assert(state_read(&st));
    ck_assert_uint_eq(st.failed_version, 2);
}
END_TEST

START_TEST(bad_images_rejected)
{
    uint8_t img[HEADER_SIZE + PAYLOAD];
    image_header_t h;
    factory();
    boot(false, NULL);
    /* signed with a key the firmware does not trust */
    make_image(img, 1, 3, false);
    host_flash_place(SLOT_ADDR(1), img, sizeof img);
    ck_assert_int_eq(image_check(1, &h), IMAGE_BAD_SIGNATURE);
    /* a payload byte changed after signing */
    make_image(img, 1, 3, true);
    img[HEADER_SIZE + 100] ^= 1;
    host_flash_erase_all();
    host_flash_place(SLOT_ADDR(1), img, sizeof img);
    ck_assert_int_eq(image_check(1, &h), IMAGE_BAD_HASH);
    /* the version changed after signing: the signature covers the header */
    make_image(img, 1, 3, true);
    ((image_header_t *)img)->version = 4;
    host_flash_place(SLOT_ADDR(1), img, sizeof img);
    ck_assert_int_eq(image_check(1, &h), IMAGE_BAD_SIGNATURE);
    /* linked for the other slot */
    make_image(img, 0, 3, true);
    host_flash_place(SLOT_ADDR(1), img, sizeof img);
    ck_assert_int_eq(image_check(1, &h), IMAGE_BAD_HEADER);
    ck_assert_int_eq(image_check(0, &h), IMAGE_EMPTY);

    /* a trial of a slot that stopped verifying is dropped */
    factory();
    boot(false, NULL);
    agent_download(img_b2, sizeof img_b2, 1);
    uint8_t zero[4] = { 0 };
    flash_program(SLOT_ADDR(1) + HEADER_SIZE + 64, zero, 4);
    ck_assert_uint_eq(boot(false, NULL), 0);
    /* a broken active slot: the other one takes over */
    factory();
    boot(false, NULL);
    agent_download(img_b2, sizeof img_b2, 1);
    agent_confirm(1);
    flash_program(SLOT_ADDR(1) + HEADER_SIZE, zero, 4);
    host_flash_place(SLOT_ADDR(0), img_a1, sizeof img_a1);
    uint32_t v;
    ck_assert_uint_eq(boot(false, &v), 0);
    ck_assert_uint_eq(v, 1);
    boot_state_t st;
    ck_assert(state_read(&st));
    ck_assert_uint_eq(st.active, 0);
}
END_TEST

START_TEST(state_sectors_wrap)
{
    factory();
    boot_state_t st = { .active = 0, .pending = SLOT_NONE };
    /* 512 records a sector: go round both sectors several times */
    for (uint32_t k = 0; k < 2500; k++) {
        st.pending_version = k;
        ck_assert_int_eq(state_write(&st), 0);
        boot_state_t r;
        ck_assert(state_read(&r));
        ck_assert_uint_eq(r.pending_version, k);
        ck_assert_uint_eq(r.seq, k + 1);
    }
}
END_TEST

/* The whole life of an update as the device goes through it: the agent
 * downloads and marks the trial, the bootloader counts the trial boot, the
 * new image confirms, the device boots again. */
static void update_life(void)
{
    ck_assert_uint_eq(boot(false, NULL), 0);
    agent_download(img_b2, sizeof img_b2, 1);
    ck_assert_uint_eq(boot(false, NULL), 1);
    agent_confirm(1);
    ck_assert_uint_eq(boot(false, NULL), 1);
}

/* After a power cut: the device must boot a valid image; then, running the
 * update again from wherever it stands, it must end on version 2. */
static void recover(long cut)
{
    host_flash_cut_at(-1, 0);
    image_header_t h;
    unsigned s = boot_select(false, &h);
    ck_assert_msg(s != SLOT_NONE, "cut at operation %ld: no bootable image", cut);
    ck_assert_msg(image_check(s, NULL) == IMAGE_OK, "cut at %ld: booted an invalid image", cut);
    ck_assert_msg(h.version == 1 || h.version == 2, "cut at %ld: version %u", cut, h.version);
    boot_state_t st;
    ck_assert_msg(state_read(&st), "cut at %ld: boot state lost", cut);
    if (h.version == 2) {
        agent_confirm(s);
    } else {
        agent_download(img_b2, sizeof img_b2, 1);
        ck_assert_uint_eq(boot(false, NULL), 1);
        agent_confirm(1);
    }
    uint32_t v;
    ck_assert_uint_eq(boot(false, &v), 1);
    ck_assert_uint_eq(v, 2);
}

static void power_cut_sweep(unsigned prefill)
{
    /* how many flash operations the whole update takes */
    factory();
    boot_state_t st = { .active = 0, .pending = SLOT_NONE };
    for (unsigned k = 0; k < prefill; k++)
        ck_assert_int_eq(state_write(&st), 0);
    static uint8_t start[HOST_FLASH_SIZE];
    memcpy(start, host_flash, sizeof start);
    host_flash_ops = 0;
    update_life();
    long total = (long)host_flash_ops;
    ck_assert_int_gt(total, (long)(PAYLOAD / 4));
    for (long cut = 0; cut < total; cut++) {
        memcpy(host_flash, start, sizeof start);
        host_flash_ops = 0;
        host_flash_cut_at(cut, (uint32_t)cut * 7919u + prefill);
        if (setjmp(host_power_cut) == 0) {
            update_life();
            ck_abort_msg("operation %ld of %ld did not cut", cut, total);
        }
        recover(cut);
    }
}

START_TEST(power_cut_everywhere_fresh)
{
    power_cut_sweep(0);
}
END_TEST

/* The state sector is nearly full, so the update's state writes erase and
 * move to the other sector: the cuts fall inside that erase too. */
START_TEST(power_cut_everywhere_wrapping)
{
    power_cut_sweep(510);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fw-bootstate");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, first_boot);
    tcase_add_test(tc, trial_and_confirm);
    tcase_add_test(tc, rollback_after_max_trials);
    tcase_add_test(tc, rollback_on_watchdog);
    tcase_add_test(tc, bad_images_rejected);
    tcase_add_test(tc, state_sectors_wrap);
    tcase_add_test(tc, power_cut_everywhere_fresh);
    tcase_add_test(tc, power_cut_everywhere_wrapping);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
