/*
 * Board models: LEDs following their nets (and the UI accessors), buttons
 * pressed through their control (with seeded contact bounce), the LIS3DSH
 * answering over SPI from the STM32's SPI1, the shipped board files, and
 * the board-file errors the README promises.
 */
#include <stdio.h>
#include "stm32f4_fixture.h"
#include "models/board/led.h"
#include "models/board/button.h"
#include "models/board/lis3dsh.h"

static const char *disco_board(void)
{
    static char text[8192];
    FILE *f = fopen("models/boards/stm32f407-disco.json", "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    return text;
}

static void set_control(const char *name, cJSON *v)
{
    char err[128];
    int rc = machine_set_control(m, name, v, err, sizeof err);
    cJSON_Delete(v);
    ck_assert_msg(rc == 0, "%s: %s", name, err);
}

START_TEST(leds_on_pd12_to_pd15)
{
    teardown();
    load(disco_board(), 1);
    led_t *green = machine_find_instance(m, "led_green", "led");
    led_t *blue = machine_find_instance(m, "led_blue", "led");
    ck_assert_ptr_nonnull(green);
    ck_assert_str_eq(led_color(green), "green");
    ck_assert(!led_is_on(green));
    set_bits(RCC_AHB1ENR, 1u << 3);
    wr(0x40020C00, 0x55000000);
    wr(0x40020C18, 1u << 12);
    ck_assert(led_is_on(green));
    ck_assert(!led_is_on(blue));
    run_ns(SIM_MS(3));
    wr(0x40020C18, 1u << 28);
    ck_assert(!led_is_on(green));
    ck_assert_uint_eq(led_on_time(green), SIM_MS(3));
    ck_assert_uint_eq(led_changes(green), 2);
    ck_assert_uint_eq(machine_find_probe(m, "led_green.changed")->hits, 2);
    /* a power cut releases the pins: the LEDs go dark */
    wr(0x40020C18, 1u << 15);
    ck_assert(led_is_on(blue));
    machine_power_cut(m, SIM_MS(1));
    machine_run(m, m->sched.now + SIM_US(10));
    ck_assert(!led_is_on(blue));
}
END_TEST

START_TEST(user_button_and_bounce)
{
    teardown();
    load(disco_board(), 1);
    button_t *b = machine_find_instance(m, "user_button", "button");
    set_bits(RCC_AHB1ENR, 1);
    ck_assert_uint_eq(rd(0x40020010) & 1, 0);
    set_control("user_button.pressed", cJSON_CreateNumber(5));
    ck_assert(button_is_pressed(b));
    ck_assert_uint_eq(rd(0x40020010) & 1, 1);
    run_ns(SIM_MS(5));
    ck_assert(!button_is_pressed(b));
    ck_assert_uint_eq(rd(0x40020010) & 1, 0);
    ck_assert_uint_eq(button_presses(b), 1);
    char err[128];
    cJSON *bad = cJSON_CreateString("yes");
    ck_assert_int_ne(machine_set_control(m, "user_button.pressed", bad, err, sizeof err), 0);
    cJSON_Delete(bad);
    ck_assert_ptr_nonnull(strstr(err, "true (press)"));
    /* a bouncing contact: several edges, the same ones for the same seed */
    uint64_t edges[2];
    for (unsigned k = 0; k < 2; k++) {
        teardown();
        load("{ \"name\": \"t\", \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\" },"
             "  { \"name\": \"b\", \"type\": \"button\", \"bounce_ms\": 2 } ],"
             "  \"nets\": { \"B\": { \"pins\": [\"mcu.PA0\", \"b.out\"], \"pull\": \"down\" } } }", 5);
        set_control("b.pressed", cJSON_CreateTrue());
        run_ns(SIM_MS(5));
        gpio_net_t *net = machine_find_net(m, "B");
        edges[k] = net->edges;
        ck_assert(gpio_net_level(net));
    }
    ck_assert_uint_gt(edges[0], 2);
    ck_assert_uint_eq(edges[0], edges[1]);
}
END_TEST

/* One SPI1 transaction with CS on PE3. */
static void accel_xfer(const uint8_t *out, uint8_t *in, unsigned n)
{
    wr(0x40021018, 1u << 19);                         /* PE3 low */
    for (unsigned k = 0; k < n; k++) {
        wr(0x4001300C, out[k]);
        run_ns(SIM_US(2));
        in[k] = (uint8_t)rd(0x4001300C);
    }
    wr(0x40021018, 1u << 3);                          /* PE3 high */
}

START_TEST(lis3dsh_over_spi1)
{
    teardown();
    load(disco_board(), 1);
    set_bits(RCC_AHB1ENR, 1u << 4);
    set_bits(RCC_APB2ENR, 1u << 12);
    wr(0x40021018, 1u << 3);                          /* PE3 high, then an output */
    wr(0x40021000, 1u << 6);
    wr(0x40013000, (1u << 2) | (1u << 9) | (1u << 8) | (1u << 6) | (1u << 3)); /* 4 MHz master */
    uint8_t out[8] = { 0x80 | 0x0F, 0 }, in[8];
    accel_xfer(out, in, 2);
    ck_assert_uint_eq(in[1], 0x3F);                   /* WHO_AM_I */
    out[0] = 0x20;                                    /* CTRL_REG4: 100 Hz, XYZ */
    out[1] = 0x67;
    accel_xfer(out, in, 2);
    set_control("accel.x_mg", cJSON_CreateNumber(-120));
    uint8_t rdout[7] = { 0x80 | 0x28 };
    accel_xfer(rdout, in, 7);                         /* OUT_X_L .. OUT_Z_H, auto-increment */
    int16_t x = (int16_t)(in[1] | (in[2] << 8)), z = (int16_t)(in[5] | (in[6] << 8));
    ck_assert_int_eq(x, -2000);                       /* -120 mg at 0.06 mg/digit */
    ck_assert_int_eq(z, 16667);
    lis3dsh_t *d = machine_find_instance(m, "accel", "lis3dsh");
    ck_assert_uint_eq(d->transactions, 3);
}
END_TEST

START_TEST(board_file_errors)
{
    static const struct { const char *json, *want; } cases[] = {
        { "{ \"devices\": [ { \"name\": \"l\", \"type\": \"led\", \"colour\": \"red\" } ] }",
          "devices[0] (l, led): unknown field \"colour\" (led takes color, active_low)" },
        { "{ \"devices\": [ { \"name\": \"b\", \"type\": \"button\", \"bounce_ms\": -1 } ] }",
          "bounce_ms must be" },
        { "{ \"devices\": [ { \"name\": \"l\", \"type\": \"lamp\" } ] }", "unknown model 'lamp'" },
        { "{ \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\" }, { \"name\": \"l\", "
          "\"type\": \"led\" } ], \"nets\": { \"A\": [\"mcu.PD12\", \"l.in\"], \"B\": [\"mcu.PD12\"] } }",
          "nets.B[0]: pin 'mcu.PD12' is wired twice" },
        { "{ \"devices\": [ { \"name\": \"mcu\", \"type\": \"stm32f407\" } ], \"nets\": "
          "{ \"A\": [\"mcu.PD16\"] } }", "nets.A[0]: no endpoint 'mcu.PD16'" },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(cases); k++) {
        machine_t *x = machine_new(1);
        ck_assert_int_ne(machine_load_board_json(x, cases[k].json, "b.json"), 0);
        ck_assert_msg(strstr(x->error, cases[k].want), "%s", x->error);
        machine_free(x);
    }
    /* both shipped STM32 boards load */
    const char *boards[] = { "models/boards/stm32f407-disco.json", "models/boards/stm32f407-enc28j60.json" };
    for (unsigned k = 0; k < 2; k++) {
        machine_t *x = machine_new(1);
        ck_assert_msg(machine_load_board(x, boards[k]) == 0, "%s", x->error);
        ck_assert_ptr_nonnull(machine_find_endpoint(x, "mcu.hse_ppm"));
        ck_assert_ptr_nonnull(machine_find_probe(x, "mcu.flash.op"));
        machine_free(x);
    }
}
END_TEST

int main(void)
{
    const TTest *tests[] = { leds_on_pd12_to_pd15, user_button_and_bounce, lis3dsh_over_spi1,
                             board_file_errors };
    return run_suite("board_models", tests, ARRAY_SIZE(tests));
}
