/*
 * The board drawing: an STM32F4-Discovery (MB997) with the common ENC28J60
 * module wired to it, drawn in millimetres and scaled to the panel. LEDs are
 * lit from the levels of the pins that drive them; the user and reset
 * buttons and the Ethernet jack are clickable. A board without an STM32F407
 * is drawn as a plain PCB with its model instances.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "ui.h"
#include "models/board/led.h"

typedef struct view {
    gfx_t *g;
    float ox, oy, s;          /* pixels = o + mm * s */
} view_t;

static float X(const view_t *v, float mm) { return v->ox + mm * v->s; }
static float Y(const view_t *v, float mm) { return v->oy + mm * v->s; }
static float S(const view_t *v, float mm) { return mm * v->s; }

static void box(const view_t *v, float x0, float y0, float x1, float y1, float rad, uint32_t c)
{
    gfx_round(v->g, X(v, x0), Y(v, y0), S(v, x1 - x0), S(v, y1 - y0), S(v, rad), c);
}

static void frame(const view_t *v, float x0, float y0, float x1, float y1, float rad, uint32_t c)
{
    gfx_round_frame(v->g, X(v, x0), Y(v, y0), S(v, x1 - x0), S(v, y1 - y0), S(v, rad), 1, c);
}

static void label(const view_t *v, int font, float x, float y, int align, uint32_t c,
                  const char *s)
{
    gfx_text_at(v->g, font, (int)X(v, x), (int)Y(v, y), align, c, s);
}

static void wid(ui_t *ui, const view_t *v, const char *id, float x0, float y0, float x1, float y1,
                bool hold)
{
    ui_widget(ui, id, (int)X(v, x0), (int)Y(v, y0), (int)S(v, x1 - x0), (int)S(v, y1 - y0), hold);
}

static void hole(const view_t *v, float x, float y)
{
    gfx_disc(v->g, X(v, x), Y(v, y), S(v, 1.7f), 0xc9a54e);
    gfx_disc(v->g, X(v, x), Y(v, y), S(v, 1.0f), 0x15181d);
}

/* A pin header: cols x rows at 2.54 mm from (x, y), black body, gold pins. */
static void header(const view_t *v, float x, float y, int cols, int rows)
{
    box(v, x, y, x + cols * 2.54f, y + rows * 2.54f, 0.4f, 0x1c1d20);
    for (int c = 0; c < cols; c++)
        for (int r = 0; r < rows; r++) {
            float cx = x + 1.27f + c * 2.54f, cy = y + 1.27f + r * 2.54f;
            box(v, cx - 0.45f, cy - 0.45f, cx + 0.45f, cy + 0.45f, 0.1f, 0xd8b45a);
        }
}

/* A quad flat package with 'per_side' pins on each side. */
static void qfp(const view_t *v, float cx, float cy, float body, int per_side, float pitch)
{
    float h = body / 2, span = (per_side - 1) * pitch / 2;
    for (int k = 0; k < per_side; k++) {
        float o = -span + k * pitch, w = pitch * 0.28f;
        box(v, cx + o - w, cy - h - 1.0f, cx + o + w, cy - h, 0, 0xb8bcc2);
        box(v, cx + o - w, cy + h, cx + o + w, cy + h + 1.0f, 0, 0xb8bcc2);
        box(v, cx - h - 1.0f, cy + o - w, cx - h, cy + o + w, 0, 0xb8bcc2);
        box(v, cx + h, cy + o - w, cx + h + 1.0f, cy + o + w, 0, 0xb8bcc2);
    }
    box(v, cx - h, cy - h, cx + h, cy + h, 0.4f, 0x232428);
    frame(v, cx - h, cy - h, cx + h, cy + h, 0.4f, 0x34363b);
    gfx_disc(v->g, X(v, cx - h + 1.2f), Y(v, cy - h + 1.2f), S(v, 0.45f), 0x3a3c42);
}

static void crystal(const view_t *v, float x0, float y0, float x1, float y1, const char *text)
{
    box(v, x0, y0, x1, y1, (y1 - y0) / 2, 0xc3c8ce);
    box(v, x0 + 0.5f, y0 + 0.5f, x1 - 0.5f, y1 - 0.5f, (y1 - y0) / 2 - 0.5f, 0xdde1e5);
    if (text && S(v, y1 - y0) > 9)
        label(v, FONT_TINY, (x0 + x1) / 2, (y0 + y1) / 2 - 1.3f, 1, 0x555a60, text);
}

static void smd(const view_t *v, float x, float y, bool vertical, uint32_t body)
{
    float w = vertical ? 0.8f : 1.6f, h = vertical ? 1.6f : 0.8f;
    box(v, x - w / 2, y - h / 2, x + w / 2, y + h / 2, 0.1f, body);
}

static ui_led_t *led_named(ui_t *ui, const char *label_)
{
    for (unsigned k = 0; k < ui->nleds; k++)
        if (!strcmp(ui->leds[k].label, label_))
            return &ui->leds[k];
    return NULL;
}

/* An LED lens at (x, y) mm; its centre pixel is exactly the on or off colour
 * (what the tests read back). */
static void led(ui_t *ui, const view_t *v, ui_led_t *l, float x, float y, float w, float h,
                bool powered)
{
    if (!l)
        return;
    l->on = powered && (l->model ? led_is_on(l->model) : l->pin && gpio_pin_level(l->pin));
    box(v, x - w / 2 - 0.3f, y - h / 2 - 0.3f, x + w / 2 + 0.3f, y + h / 2 + 0.3f, 0.3f, 0xb9bcbf);
    if (l->on)
        gfx_glow(v->g, X(v, x), Y(v, y), S(v, 6.5f), (l->on_rgb & 0xFFFFFF) | 0xB0000000);
    uint32_t core = l->on ? l->on_rgb : l->off_rgb;
    box(v, x - w / 2, y - h / 2, x + w / 2, y + h / 2, 0.25f, core);
    if (l->on) {
        gfx_disc(v->g, X(v, x), Y(v, y), S(v, h * 0.42f), core);
        gfx_disc(v->g, X(v, x - w * 0.28f), Y(v, y - h * 0.18f), S(v, 0.22f), 0xffffff);
    }
    l->x = (int)lroundf(X(v, x));
    l->y = (int)lroundf(Y(v, y));
    l->drawn = true;
    char id[32], tipbuf[160];
    snprintf(id, sizeof id, "led.%s", l->label);
    ui_widget(ui, id, (int)X(v, x - 2.2f), (int)Y(v, y - 2.2f), (int)S(v, 4.4f), (int)S(v, 4.4f),
              false);
    if (!l->pin && !l->model)
        snprintf(tipbuf, sizeof tipbuf, "%s: the model does not expose this LED's state", l->what);
    else if (l->model)
        snprintf(tipbuf, sizeof tipbuf, "%s %s: %s (LED model %s)", l->label, l->what,
                 l->on ? "on" : "off", l->model->name);
    else
        snprintf(tipbuf, sizeof tipbuf, "%s %s: %s (pin level %s)", l->label, l->what,
                 l->on ? "on" : "off", gpio_pin_level(l->pin) ? "high" : "low");
    ui_tooltip(ui, id, tipbuf);
}

static void button(ui_t *ui, const view_t *v, const char *id, float cx, float cy, uint32_t cap,
                   bool down, const char *text)
{
    box(v, cx - 3.1f, cy - 3.1f, cx + 3.1f, cy + 3.1f, 0.5f, 0x9ea3a9);
    box(v, cx - 2.8f, cy - 2.8f, cx + 2.8f, cy + 2.8f, 0.4f, 0xb7bcc1);
    for (int k = 0; k < 4; k++) {
        float px = k & 1 ? cx + 3.6f : cx - 3.6f, py = k & 2 ? cy + 2.2f : cy - 2.2f;
        box(v, px - 0.6f, py - 0.5f, px + 0.6f, py + 0.5f, 0, 0xc9ccd0);
    }
    float r = down ? 2.05f : 2.3f;
    if (!down)
        gfx_disc(v->g, X(v, cx), Y(v, cy) + S(v, 0.35f), S(v, r), 0x000000 | 0x60000000);
    gfx_disc(v->g, X(v, cx), Y(v, cy), S(v, r), cap);
    gfx_disc(v->g, X(v, cx - 0.6f), Y(v, cy - 0.6f), S(v, r * 0.55f),
             (cap + 0x181818) | 0x50000000);
    if (!strcmp(ui->hover, id))
        gfx_round_frame(v->g, X(v, cx - 3.4f), Y(v, cy - 3.4f), S(v, 6.8f), S(v, 6.8f), S(v, 0.8f),
                        2, C_ACCENT);
    label(v, FONT_TINY, cx, cy + 3.7f, 1, 0x5f5d57, text);
    wid(ui, v, id, cx - 3.4f, cy - 3.4f, cx + 3.4f, cy + 3.4f, true);
    ui_tooltip(ui, id, !strcmp(id, "board.user") ? "hold the user button B1"
                                                 : "hold the reset button B2 (NRST)");
}

/* ---------------------------------------------------------------------- */

static void draw_discovery(ui_t *ui, const view_t *v, bool powered)
{
    gfx_t *g = v->g;
    /* the PCB */
    gfx_round(g, X(v, 0) + 4, Y(v, 0) + 6, S(v, 66), S(v, 97), S(v, 2.5f), 0x70000000);
    box(v, 0, 0, 66, 97, 2.5f, 0xecebe5);
    frame(v, 0, 0, 66, 97, 2.5f, 0xc9c7bf);
    hole(v, 3.6f, 3.6f), hole(v, 62.4f, 3.6f), hole(v, 3.6f, 93.4f), hole(v, 62.4f, 93.4f);
    /* ST-LINK: USB, its MCU, LEDs, jumpers */
    box(v, 27, -2.5f, 39, 6.5f, 0.6f, 0xb4b9bf);
    box(v, 28.2f, -2.5f, 37.8f, 1.5f, 0.4f, 0x2b2e33);
    box(v, 27, 5.2f, 39, 6.5f, 0, 0x9aa0a6);
    qfp(v, 33, 13, 7, 12, 0.5f);
    label(v, FONT_TINY, 33, 18.2f, 1, 0x7a786f, "ST-LINK/V2");
    header(v, 11, 9.5f, 2, 2);
    box(v, 11.2f, 9.7f, 13.7f, 14.4f, 0.3f, 0x2a2b2e);
    box(v, 13.8f, 9.7f, 16.3f, 14.4f, 0.3f, 0x2a2b2e);
    header(v, 51, 9.5f, 1, 4);
    label(v, FONT_TINY, 54.2f, 10.5f, 0, 0x7a786f, "SWD");
    ui_led_t pwr = { "LD2", "power (3.3 V)", 0xff3b3b, 0xead0d0, NULL, false, 0, 0, false };
    ui_led_t com = { "LD1", "ST-LINK COM", 0xff3b3b, 0xead0d0, NULL, false, 0, 0, false };
    box(v, 18.6f, 4.6f, 21.4f, 6.2f, 0.3f, com.off_rgb);
    label(v, FONT_TINY, 20, 6.8f, 1, 0x6f6d66, "LD1");
    box(v, 42.6f, 4.6f, 45.4f, 6.2f, 0.3f, powered ? pwr.on_rgb : pwr.off_rgb);
    if (powered)
        gfx_glow(g, X(v, 44), Y(v, 5.4f), S(v, 5), 0x90ff3b3b);
    label(v, FONT_TINY, 44, 6.8f, 1, 0x6f6d66, "PWR");
    (void)pwr;
    for (float x = 3; x < 63; x += 2.2f)
        box(v, x, 21.3f, x + 1.2f, 21.6f, 0, 0xc3c1b9);
    /* the two long headers */
    header(v, 1.5f, 15, 2, 25);
    header(v, 59.4f, 15, 2, 25);
    label(v, FONT_TINY, 4.0f, 79, 1, 0x6f6d66, "P1");
    label(v, FONT_TINY, 62.0f, 79, 1, 0x6f6d66, "P2");
    /* the MCU */
    qfp(v, 33, 37, 14, 25, 0.5f);
    int big = gfx_text_width(g, FONT_SMALL, "STM32F407") < S(v, 12.5f) ? FONT_SMALL : FONT_TINY;
    label(v, big, 33, 33.0f, 1, 0xc9ccd2, "STM32F407");
    label(v, FONT_TINY, 33, 37.0f, 1, 0x9a9da4, "VGT6");
    if (gfx_text_width(g, FONT_TINY, "Cortex-M4") < S(v, 12.5f))
        label(v, FONT_TINY, 33, 40.2f, 1, 0x6f727a, "Cortex-M4");
    int title = gfx_text_width(g, FONT_UI_BOLD, "STM32F4DISCOVERY") < S(v, 50) ? FONT_UI_BOLD
                                                                              : FONT_TINY;
    label(v, title, 33, 24.3f, 1, 0x55534c, "STM32F4DISCOVERY");
    crystal(v, 43.5f, 46.2f, 50, 48.8f, NULL);
    label(v, FONT_TINY, 46.7f, 49.4f, 1, 0x7a786f, "8 MHz");
    for (int k = 0; k < 6; k++)
        smd(v, 22.5f + (float)k * 1.3f, 47.5f, true, 0xb99b62);
    for (int k = 0; k < 5; k++)
        smd(v, 17.5f, 30.0f + (float)k * 2.2f, false, 0x7c6a52);
    /* the accelerometer and the four user LEDs around it */
    box(v, 31.2f, 61.2f, 34.8f, 64.8f, 0.3f, 0x2a2b2f);
    label(v, FONT_TINY, 33, 65.4f, 1, 0x7a786f, "MEMS");
    /* bit errors on an SPI bus other than the Ethernet module's: the MEMS one */
    const void *eth = ui->enc_module ? machine_find_instance(ui->m, ui->eth_name, "enc28j60")
                                     : NULL;
    for (unsigned k = 0; k < ui->nspi; k++)
        if (ui->spi[k].on && ui->spi[k].ep->spi_bus->dev != eth)
            gfx_glow(g, X(v, 33), Y(v, 63), S(v, 4), 0xC0d36bff);
    static const struct { const char *name; float x, y, lx, ly; int align; } L[] = {
        { "LD3", 33, 55.5f, 33, 51.6f, 1 }, { "LD4", 25.5f, 63, 20.4f, 61.6f, 1 },
        { "LD5", 40.5f, 63, 45.6f, 61.6f, 1 }, { "LD6", 33, 70.5f, 33, 72.2f, 1 },
    };
    for (unsigned k = 0; k < 4; k++) {
        ui_led_t *l = led_named(ui, L[k].name);
        led(ui, v, l, L[k].x, L[k].y, 3.2f, 2.0f, powered);
        char text[32];
        snprintf(text, sizeof text, "%s", L[k].name);
        label(v, FONT_TINY, L[k].lx, L[k].ly, L[k].align, 0x5f5d57, text);
    }
    /* audio, microphone, USB OTG */
    qfp(v, 50, 71, 5, 8, 0.5f);
    label(v, FONT_TINY, 50, 74.4f, 1, 0x7a786f, "CS43L22");
    box(v, 18.5f, 72.5f, 21.5f, 75.5f, 0.3f, 0xb5babf);
    gfx_disc(g, X(v, 20), Y(v, 74), S(v, 0.5f), 0x3a3d42);
    box(v, 55, 86, 65.5f, 96, 1, 0x1f2023);
    gfx_disc(g, X(v, 60.2f), Y(v, 91), S(v, 2.6f), 0x3a3b40);
    gfx_disc(g, X(v, 60.2f), Y(v, 91), S(v, 1.5f), 0x0c0c0e);
    box(v, 28.5f, 91.5f, 37.5f, 98, 0.5f, 0xb4b9bf);
    box(v, 29.8f, 95.8f, 36.2f, 98, 0.3f, 0x2b2e33);
    label(v, FONT_TINY, 33, 88.6f, 1, 0x7a786f, "USB OTG");
    /* the buttons */
    bool user_down = ui->hold[1].down, reset_down = ui->hold[0].down;
    if (ui->hold[1].target[0])
        button(ui, v, "board.user", 13, 85, 0x2f6fe0, user_down, "B1 USER");
    if (ui->hold[0].target[0])
        button(ui, v, "board.reset", 46, 85, 0x232427, reset_down, "B2 RESET");
}

/* The module, at (mx, my) mm: RJ45 jack on top, then the chip, its crystal and
 * the header the wires leave from. Returns the header's first pin. */
static void draw_module(ui_t *ui, const view_t *v, float mx, float my, bool powered)
{
    gfx_t *g = v->g;
    gfx_round(g, X(v, mx) + 4, Y(v, my) + 6, S(v, 34), S(v, 55), S(v, 1.6f), 0x70000000);
    box(v, mx, my, mx + 34, my + 55, 1.6f, 0x1f58a8);
    frame(v, mx, my, mx + 34, my + 55, 1.6f, 0x17437f);
    hole(v, mx + 2.8f, my + 52.2f), hole(v, mx + 31.2f, my + 52.2f);
    /* the chip, its crystal, passives */
    float cx = mx + 17, cy = my + 28;
    for (int k = 0; k < 14; k++) {
        float px = cx - 8.25f + (float)k * 1.27f;
        box(v, px - 0.22f, cy - 4.9f, px + 0.22f, cy - 3.7f, 0, 0xb8bcc2);
        box(v, px - 0.22f, cy + 3.7f, px + 0.22f, cy + 4.9f, 0, 0xb8bcc2);
    }
    box(v, cx - 9, cy - 3.75f, cx + 9, cy + 3.75f, 0.4f, 0x232428);
    int big = gfx_text_width(g, FONT_SMALL, "ENC28J60") < S(v, 16) ? FONT_SMALL : FONT_TINY;
    label(v, big, cx, cy - 2.4f, 1, 0xc9ccd2, "ENC28J60");
    label(v, FONT_TINY, cx, cy + 0.8f, 1, 0x8b8f96, "-I/SO");
    crystal(v, cx - 6.5f, cy + 7, cx + 6.5f, cy + 11, "25.000");
    for (int k = 0; k < 4; k++)
        smd(v, mx + 3 + (float)k * 1.6f, my + 36.5f, true, 0xb99b62);
    for (int k = 0; k < 4; k++)
        smd(v, mx + 28.5f, my + 23 + (float)k * 2.2f, false, 0x3a3a3a);
    box(v, mx + 27.6f, my + 38.5f, mx + 30.4f, my + 40.1f, 0.3f, powered ? 0xff3b3b : 0x5a3a3a);
    if (powered)
        gfx_glow(g, X(v, mx + 29), Y(v, my + 39.3f), S(v, 4), 0x90ff3b3b);
    label(v, FONT_TINY, mx + 29, my + 40.6f, 1, 0xb9c9e6, "PWR");
    label(v, FONT_TINY, mx + 17, my + 18.2f, 1, 0xb9c9e6, "ENC28J60 ETHERNET");
    header(v, mx + 10.65f, my + 44.5f, 5, 2);
    /* the RJ45 jack with its LEDs, overhanging the top edge */
    float jx0 = mx + 8, jx1 = mx + 26, jy0 = my - 4, jy1 = my + 17;
    box(v, jx0, jy0, jx1, jy1, 0.8f, 0xb3b9c0);
    for (float y = jy0 + 5; y < jy1 - 1; y += 2.2f)
        box(v, jx0 + 1, y, jx1 - 1, y + 0.35f, 0, 0x9aa1a9);
    box(v, jx0, jy0, jx1, jy0 + 3.5f, 0.8f, 0x8f969e);
    box(v, mx + 12.5f, jy0, mx + 21.5f, jy0 + 3.2f, 0.3f, 0x1a1c20);
    led(ui, v, led_named(ui, "LEDA"), jx0 + 2.2f, jy0 + 1.8f, 2.4f, 1.8f, powered);
    led(ui, v, led_named(ui, "LEDB"), jx1 - 2.2f, jy0 + 1.8f, 2.4f, 1.8f, powered);
    label(v, FONT_TINY, jx0 + 2.2f, jy0 + 3.6f, 1, 0x4a4f56, "A");
    label(v, FONT_TINY, jx1 - 2.2f, jy0 + 3.6f, 1, 0x4a4f56, "B");
    wid(ui, v, "jack", jx0, jy0 - 12, jx1, jy0 + 4, false);
}

static void draw_cable(ui_t *ui, const view_t *v, float mx, float my, SDL_Rect area)
{
    gfx_t *g = v->g;
    if (!ui->nlinks)
        return;
    ui_link_t *l = &ui->links[0];
    float jy0 = my - 4;
    float lift = l->up ? 0 : 7.5f;
    float px = mx + 17, top = jy0 - 7 - lift;
    /* the cable leaves upwards and off the panel */
    float p[8] = { X(v, px), Y(v, top), X(v, px), Y(v, top - 6),
                   X(v, px + 12), Y(v, top - 2), (float)area.x + (float)area.w - 2,
                   Y(v, top - 10) };
    if (p[7] < (float)area.y + 36)
        p[7] = (float)area.y + 36;
    gfx_curve(g, p, S(v, 2.4f) + 2, 0x1a2c40);
    gfx_curve(g, p, S(v, 2.4f), 0x3b79b8);
    /* the plug: boot, body and latch */
    box(v, px - 3.2f, top - 2.5f, px + 3.2f, top + 1, 0.6f, 0x2f5f94);
    box(v, px - 4.2f, top, px + 4.2f, top + 7, 0.5f, 0xd5dde6);
    box(v, px - 3.6f, top + 0.6f, px + 3.6f, top + 6.4f, 0.4f, 0xeaf0f6);
    for (int k = 0; k < 8; k++)
        box(v, px - 3 + (float)k * 0.8f, top + 4.8f, px - 2.6f + (float)k * 0.8f, top + 6.6f, 0,
            0xd4a94a);
    /* the network's name at the cable, a badge left of the plug when it is out */
    const char *name = strchr(l->name, '/') ? strchr(l->name, '/') + 1 : l->name;
    gfx_text(g, FONT_SMALL, (int)X(v, px + 4.8f), (int)Y(v, top - 4.8f), C_DIM,
             strchr(l->name, '/') ? "to the switch" : name, 0);
    if (!l->up) {
        int bw = gfx_text_width(g, FONT_SMALL, "unplugged") + 12;
        float bx = X(v, px - 5.5f) - (float)bw;
        gfx_round(g, bx, Y(v, top + 2), (float)bw, 18, 9, 0x8a2a2e);
        gfx_text(g, FONT_SMALL, (int)bx + 6, (int)Y(v, top + 2) + 2, 0xffe0e0, "unplugged", 0);
    }
    if (!strcmp(ui->hover, "jack"))
        gfx_round_frame(g, X(v, px - 5), Y(v, top - 3), S(v, 10), S(v, 12 + lift), 4, 2,
                        C_ACCENT);
}

/* Jumper wires from the module's header to the Discovery's P2. */
static void draw_wires(ui_t *ui, const view_t *v, float mx, float my)
{
    const void *eth = machine_find_instance(ui->m, ui->eth_name, "enc28j60");
    /* header row 0: CLK INT WOL SO SI, row 1: SCK CS RST VCC GND */
    static const struct { int col, row, p2_row; uint32_t rgb; bool spi; } W[] = {
        { 1, 0, 17, 0xa66cff, false }, { 3, 0, 20, 0x3ddc84, true },  { 4, 0, 21, 0x4d8dff, true },
        { 0, 1, 19, 0xffd84d, true },  { 1, 1, 18, 0xffa94d, false }, { 2, 1, 16, 0xe8e8e8, false },
        { 3, 1, 22, 0xff5c5c, false }, { 4, 1, 23, 0x4a4d55, false },
    };
    bool errors = false;
    for (unsigned k = 0; k < ui->nspi; k++)
        errors |= ui->spi[k].on && ui->spi[k].ep->spi_bus->dev == eth;
    for (unsigned k = 0; k < sizeof W / sizeof W[0]; k++) {
        float hx = mx + 10.65f + 1.27f + (float)W[k].col * 2.54f;
        float hy = my + 44.5f + 1.27f + (float)W[k].row * 2.54f;
        float tx = 59.4f + 2.54f + 1.27f, ty = 15 + 1.27f + (float)W[k].p2_row * 2.54f;
        /* down out of the header, then a loose arc into P2 */
        float drop = 6 + (float)(W[k].col) * 1.1f + (float)W[k].row * 0.6f;
        float p[8] = { X(v, hx), Y(v, hy), X(v, hx), Y(v, hy + drop + 6),
                       X(v, tx + 6), Y(v, ty + 4), X(v, tx), Y(v, ty) };
        gfx_curve(v->g, p, S(v, 0.9f) + 1.5f, 0x90000000);
        gfx_curve(v->g, p, S(v, 0.9f), W[k].rgb);
        gfx_disc(v->g, X(v, hx), Y(v, hy), S(v, 0.7f), W[k].rgb);
        gfx_disc(v->g, X(v, tx), Y(v, ty), S(v, 0.7f), W[k].rgb);
    }
    for (unsigned k = 0; errors && k < sizeof W / sizeof W[0]; k++) {
        float hx = mx + 10.65f + 1.27f + (float)W[k].col * 2.54f;
        float hy = my + 44.5f + 1.27f + (float)W[k].row * 2.54f;
        float drop = 6 + (float)(W[k].col) * 1.1f + (float)W[k].row * 0.6f;
        if (W[k].spi) {
            /* a spark where the bits flip */
            float sx = X(v, hx) - S(v, 1.5f), sy = Y(v, hy + drop + 1);
            gfx_glow(v->g, sx, sy, 9, 0xC0d36bff);
            gfx_line(v->g, sx - 4, sy - 5, sx + 1, sy, 1.5f, 0xffffff);
            gfx_line(v->g, sx + 1, sy, sx - 2, sy + 1, 1.5f, 0xffffff);
            gfx_line(v->g, sx - 2, sy + 1, sx + 3, sy + 6, 1.5f, 0xffffff);
        }
    }
    if (errors) {
        char t[64];
        int e = 0;
        for (unsigned k = 0; k < ui->nspi; k++)
            if (ui->spi[k].on && ui->spi[k].ep->spi_bus->dev == eth)
                e = ui->spi[k].ber_exp;
        snprintf(t, sizeof t, "SPI bit errors 1e%d", e);
        float lx = mx + 2, ly = my + 58;
        gfx_round(v->g, X(v, lx), Y(v, ly), (float)gfx_text_width(v->g, FONT_SMALL, t) + 12, 18,
                  9, 0x5a2a6e);
        gfx_text(v->g, FONT_SMALL, (int)X(v, lx) + 6, (int)Y(v, ly) + 2, 0xf1d6ff, t, 0);
    }
}

static void draw_generic(ui_t *ui, SDL_Rect r)
{
    gfx_t *g = &ui->g;
    int x = r.x + 20, y = r.y + 20, w = r.w - 40, h = r.h - 40;
    gfx_round(g, (float)x + 4, (float)y + 6, (float)w, (float)h, 10, 0x70000000);
    gfx_round(g, (float)x, (float)y, (float)w, (float)h, 10, 0x1f6b45);
    gfx_round_frame(g, (float)x, (float)y, (float)w, (float)h, 10, 1, 0x175236);
    gfx_text(g, FONT_UI_BOLD, x + 14, y + 10, 0xd7efe1, ui->m->board_name, w - 28);
    int cx = x + 20, cy = y + 44;
    for (unsigned k = 0; k < ui->m->ninstances; k++) {
        const machine_instance_t *in = &ui->m->instances[k];
        int bw = 150, bh = 70;
        if (cx + bw > x + w - 10) {
            cx = x + 20;
            cy += bh + 18;
        }
        if (cy + bh > y + h)
            break;
        gfx_round(g, (float)cx, (float)cy, (float)bw, (float)bh, 4, 0x232428);
        gfx_text_at(g, FONT_UI_BOLD, cx + bw / 2, cy + 18, 1, 0xd0d3d9, in->name);
        gfx_text_at(g, FONT_SMALL, cx + bw / 2, cy + 40, 1, 0x8b8f96, in->cls->type);
        cx += bw + 18;
    }
    bool powered = !ui->m->power_off;
    gfx_disc(g, (float)(x + w - 24), (float)(y + 20), 5, powered ? 0xff3b3b : 0x5a3a3a);
    if (powered)
        gfx_glow(g, (float)(x + w - 24), (float)(y + 20), 14, 0x90ff3b3b);
    /* the board's LEDs in a row along the bottom edge, 8 mm apart */
    view_t v = { g, (float)x, (float)(y + h - 34), 4 };
    for (unsigned k = 0; k < ui->nleds; k++) {
        float lx = 6 + 9 * (float)k;
        if (X(&v, lx + 4) > (float)(x + w))
            break;
        led(ui, &v, &ui->leds[k], lx, 2, 3.2f, 2.0f, powered);
        label(&v, FONT_TINY, lx, 4.2f, 1, 0xd7efe1, ui->leds[k].label);
    }
}

void ui_draw_board(ui_t *ui, SDL_Rect r)
{
    gfx_t *g = &ui->g;
    gfx_round(g, (float)r.x, (float)r.y, (float)r.w, (float)r.h, 8, C_PANEL);
    gfx_round_frame(g, (float)r.x, (float)r.y, (float)r.w, (float)r.h, 8, 1, C_BORDER);
    int tw = gfx_text(g, FONT_UI_BOLD, r.x + 12, r.y + 8, C_TEXT, "Board", 0);
    gfx_text(g, FONT_SMALL, r.x + 24 + tw, r.y + 10, C_DIM, ui->m->board_name, r.w - tw - 40);
    for (unsigned k = 0; k < ui->nleds; k++)
        ui->leds[k].drawn = false;
    bool powered = !ui->m->power_off;
    SDL_Rect area = { r.x + 8, r.y + 30, r.w - 16, r.h - 38 };
    gfx_clip(g, &area);
    if (!ui->discovery) {
        draw_generic(ui, area);
    } else {
        /* Discovery 66 mm wide, 12 mm of gap, the module 34 mm; 16 mm above
         * the module for the cable */
        float wmm = ui->enc_module ? 114 : 70, hmm = 101;
        view_t v = { g, 0, 0, 1 };
        v.s = (float)area.w / wmm < (float)area.h / hmm ? (float)area.w / wmm
                                                        : (float)area.h / hmm;
        v.ox = (float)area.x + ((float)area.w - wmm * v.s) / 2 + 2 * v.s;
        v.oy = (float)area.y + ((float)area.h - hmm * v.s) / 2 + 3 * v.s;
        float mx = 78, my = 22;
        draw_discovery(ui, &v, powered);
        if (ui->enc_module) {
            draw_module(ui, &v, mx, my, powered);
            draw_wires(ui, &v, mx, my);
            draw_cable(ui, &v, mx, my, area);
        }
        if (!powered) {
            gfx_round(g, X(&v, 0), Y(&v, 0), S(&v, 66), S(&v, 97), S(&v, 2.5f), 0x99101418);
            if (ui->enc_module)
                gfx_round(g, X(&v, mx), Y(&v, my), S(&v, 34), S(&v, 55), S(&v, 1.6f), 0x99101418);
            int bw = gfx_text_width(g, FONT_UI_BOLD, "POWER OFF") + 28;
            gfx_round(g, X(&v, 33) - (float)bw / 2, Y(&v, 48) - 14, (float)bw, 28, 14, 0xE0a8262c);
            gfx_text_at(g, FONT_UI_BOLD, (int)X(&v, 33), (int)Y(&v, 48) - 8, 1, 0xffffff,
                        "POWER OFF");
        }
    }
    gfx_clip(g, NULL);
}
