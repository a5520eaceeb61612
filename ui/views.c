/* The window: header, toolbar, console, faults and controls, network
 * timeline, status line (the board drawing is in board.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ui.h"

/* 0 = the whole run so far */
const sim_time_t ui_spans[] = { 0, SIM_S(1), SIM_S(5), SIM_S(20), SIM_S(60), SIM_S(300) };
const unsigned ui_nspans = sizeof ui_spans / sizeof ui_spans[0];
static const char *const span_labels[] = { "All", "1 s", "5 s", "20 s", "1 min", "5 min" };
const sim_time_t ui_power_choices[] = { SIM_MS(100), SIM_MS(300), SIM_S(1), SIM_S(3) };
const unsigned ui_npower = sizeof ui_power_choices / sizeof ui_power_choices[0];
static const char *const power_labels[] = { "0.1 s", "0.3 s", "1 s", "3 s" };
const sim_time_t ui_steps[] = { SIM_MS(1), SIM_MS(10), SIM_MS(100), SIM_S(1) };
const unsigned ui_nsteps = sizeof ui_steps / sizeof ui_steps[0];
static const char *const step_labels[] = { "1 ms", "10 ms", "100 ms", "1 s" };
static const char *const speed_labels[] = { "0.1\xc3\x97", "\xc2\xbc\xc3\x97", "1\xc3\x97",
                                            "4\xc3\x97", "16\xc3\x97", "Max" };

static const uint32_t proto_rgb[PROTO_COUNT] = {
    [PROTO_OTHER] = 0x7d8794, [PROTO_ARP] = 0xffd84d, [PROTO_ICMP] = 0xff8ad8,
    [PROTO_DHCP] = 0xffa94d, [PROTO_DNS] = 0x5fe3c8, [PROTO_UDP] = 0xb59cff,
    [PROTO_TCP] = 0x4f7fae, [PROTO_TCP_DATA] = 0x4cc2ff, [PROTO_TCP_CTRL] = 0xf2f5f8,
};

static char tip[320];

/* ---------------------------------------------------------------------- */
/* widgets */

void ui_widget(ui_t *ui, const char *id, int x, int y, int w, int h, bool hold)
{
    if (ui->nwidgets >= UI_MAX_WIDGETS)
        return;
    ui_widget_t *wd = &ui->widgets[ui->nwidgets++];
    snprintf(wd->id, sizeof wd->id, "%s", id);
    wd->r.x = x, wd->r.y = y, wd->r.w = w, wd->r.h = h;
    wd->hold = hold;
}

static bool hovered(const ui_t *ui, const char *id) { return !strcmp(ui->hover, id); }
static bool pressed(const ui_t *ui, const char *id) { return !strcmp(ui->pressed, id); }

void ui_tooltip(ui_t *ui, const char *id, const char *text)
{
    if (hovered(ui, id) && !ui->pressed[0])
        snprintf(tip, sizeof tip, "%s", text);
}

void ui_button(ui_t *ui, const char *id, int x, int y, int w, int h, const char *label,
               unsigned flags)
{
    bool dis = flags & BTN_DISABLED;
    if (!dis)
        ui_widget(ui, id, x, y, w, h, flags & BTN_HOLD);
    bool hov = !dis && hovered(ui, id), down = !dis && pressed(ui, id);
    uint32_t bg = 0x262c36, fg = C_TEXT, edge = 0x333b47;
    if (flags & BTN_ON)
        bg = 0x1d5f86, edge = 0x2f86b8, fg = 0xffffff;
    if (flags & BTN_ACCENT)
        bg = 0x1f6f52, edge = 0x2c9a71, fg = 0xffffff;
    if (flags & BTN_DANGER)
        bg = 0x6a2a2e, edge = 0x93403f, fg = 0xffe9e9;
    if (hov)
        bg += 0x0b0b0b, edge += 0x101010;
    if (down)
        bg -= 0x080808;
    if (dis)
        bg = 0x1e2229, edge = 0x262b33, fg = C_FAINT;
    gfx_round(&ui->g, (float)x, (float)y, (float)w, (float)h, 5, bg);
    gfx_round_frame(&ui->g, (float)x, (float)y, (float)w, (float)h, 5, 1, edge);
    int font = flags & BTN_SMALL ? FONT_SMALL : FONT_UI;
    int th = gfx_font_height(&ui->g, font);
    int tw = gfx_text_width(&ui->g, font, label);
    if (tw > w - 8)
        gfx_text(&ui->g, font, x + 4, y + (h - th) / 2, fg, label, w - 8);
    else
        gfx_text_at(&ui->g, font, x + w / 2, y + (h - th) / 2 + (down ? 1 : 0), 1, fg, label);
}

/* Joined buttons "<prefix>.<k>"; returns the width used. */
static int segmented(ui_t *ui, const char *prefix, int x, int y, int h,
                     const char *const *labels, int n, int selected, int font)
{
    int pad = font == FONT_SMALL ? 7 : 10, x0 = x;
    for (int k = 0; k < n; k++) {
        int w = gfx_text_width(&ui->g, font, labels[k]) + 2 * pad;
        char id[64];
        snprintf(id, sizeof id, "%s.%d", prefix, k);
        ui_widget(ui, id, x, y, w, h, false);
        bool sel = k == selected, hov = hovered(ui, id);
        uint32_t bg = sel ? 0x1d5f86 : hov ? 0x2f3641 : 0x232933;
        gfx_fill(&ui->g, x, y, w, h, bg);
        if (k)
            gfx_fill(&ui->g, x, y + 3, 1, h - 6, 0x3a424e);
        int th = gfx_font_height(&ui->g, font);
        gfx_text_at(&ui->g, font, x + w / 2, y + (h - th) / 2, 1, sel ? 0xffffff : C_TEXT,
                    labels[k]);
        x += w;
    }
    gfx_round_frame(&ui->g, (float)x0, (float)y, (float)(x - x0), (float)h, 4, 1, 0x3a424e);
    return x - x0;
}

static void panel(ui_t *ui, SDL_Rect r, const char *title, const char *sub)
{
    gfx_round(&ui->g, (float)r.x, (float)r.y, (float)r.w, (float)r.h, 8, C_PANEL);
    gfx_round_frame(&ui->g, (float)r.x, (float)r.y, (float)r.w, (float)r.h, 8, 1, C_BORDER);
    if (title) {
        int tw = gfx_text(&ui->g, FONT_UI_BOLD, r.x + 12, r.y + 8, C_TEXT, title, 0);
        if (sub)
            gfx_text(&ui->g, FONT_SMALL, r.x + 20 + tw, r.y + 10, C_DIM, sub, r.w - tw - 40);
    }
}

static void fmt_time(char *out, size_t n, sim_time_t t)
{
    unsigned long long us = (unsigned long long)(t / 1000);
    snprintf(out, n, "%llu.%03llu %03llu", us / 1000000, us / 1000 % 1000, us % 1000);
}

static void fmt_count(char *out, size_t n, uint64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    size_t len = strlen(tmp), o = 0;
    for (size_t k = 0; k < len && o + 2 < n; k++) {
        if (k && (len - k) % 3 == 0)
            out[o++] = ',';
        out[o++] = tmp[k];
    }
    out[o] = 0;
}

/* ---------------------------------------------------------------------- */
/* header and toolbar */

static void draw_header(ui_t *ui, int w)
{
    gfx_t *g = &ui->g;
    gfx_vgrad(g, 0, 0, w, 46, 0x1a1f27, 0x141820);
    gfx_fill(g, 0, 46, w, 1, C_BORDER);
    /* the mark: a pulse through a box */
    gfx_round(g, 14, 11, 24, 24, 6, 0x1d5f86);
    gfx_line(g, 17, 24, 22, 24, 2, 0xffffff);
    gfx_line(g, 22, 24, 25, 16, 2, 0xffffff);
    gfx_line(g, 25, 16, 28, 30, 2, 0xffffff);
    gfx_line(g, 28, 30, 31, 21, 2, C_ORANGE);
    gfx_line(g, 31, 21, 35, 24, 2, 0xffffff);
    int x = 46;
    x += gfx_text(g, FONT_TITLE, x, 12, C_TEXT, "glitchbox", 0) + 16;
    x += gfx_text(g, FONT_UI_BOLD, x, 15, C_ACCENT, ui->run_name, 260) + 12;
    char right[200];
    snprintf(right, sizeof right, "board %s  \xc2\xb7  seed %llu", ui->m->board_name,
             (unsigned long long)ui->s->cfg.seed);
    int rw = gfx_text_width(g, FONT_SMALL, right);
    int rx = w - 14 - rw;
    if (ui->o.record || ui->s->in.replaying) {
        const char *what = ui->s->in.replaying ? "REPLAY" : "REC";
        const char *base = ui->o.record ? strrchr(ui->o.record, '/') : NULL;
        char rec[160];
        snprintf(rec, sizeof rec, "%s %s", what,
                 ui->o.record ? (base ? base + 1 : ui->o.record) : "");
        int recw = gfx_text_width(g, FONT_SMALL, rec) + 26;
        rx -= recw + 14;
        gfx_round(g, (float)(w - 14 - recw), 13, (float)recw, 20, 10,
                  ui->s->in.replaying ? 0x1d4f6e : 0x5a1f24);
        gfx_disc(g, (float)(w - 14 - recw + 11), 23, 4, ui->s->in.replaying ? C_ACCENT : C_RED);
        gfx_text(g, FONT_SMALL, w - 14 - recw + 19, 16, 0xffffff, rec, 0);
    }
    gfx_text(g, FONT_SMALL, rx, 16, C_DIM, right, 0);
    gfx_text(g, FONT_SMALL, x, 16, C_DIM, ui->run_desc, rx - x - 20);
}

static void draw_toolbar(ui_t *ui, int w)
{
    gfx_t *g = &ui->g;
    int y = 54, h = 28;
    gfx_fill(g, 0, 47, w, 42, C_BG);
    /* run / pause */
    bool ended = ui->ended;
    const char *id = "run";
    ui_button(ui, id, 14, y, 92, h, "", (ui->paused ? BTN_ACCENT : 0) | (ended ? BTN_DISABLED : 0));
    uint32_t ic = ended ? C_FAINT : 0xffffff;
    if (ui->paused || ended) {
        gfx_tri(g, 28, (float)y + 8, 28, (float)y + 20, 38, (float)y + 14, ic);
        gfx_text(g, FONT_UI_BOLD, 46, y + 6, ic, "Run", 0);
    } else {
        gfx_fill(g, 27, y + 8, 4, 12, ic);
        gfx_fill(g, 34, y + 8, 4, 12, ic);
        gfx_text(g, FONT_UI_BOLD, 46, y + 6, ic, "Pause", 0);
    }
    ui_tooltip(ui, id, "run or pause the simulation (space)");
    ui_button(ui, "step", 114, y, 58, h, "Step", ended ? BTN_DISABLED : 0);
    ui_tooltip(ui, "step", "pause and advance the virtual clock by the step (.)");
    int sel = 0;
    for (unsigned k = 0; k < ui_nsteps; k++)
        if (ui_steps[k] == ui->step_ns)
            sel = (int)k;
    int x = 178 + segmented(ui, "stepsize", 178, y + 2, h - 4, step_labels, (int)ui_nsteps, sel,
                            FONT_SMALL);
    x += 22;
    gfx_text(g, FONT_SMALL, x, y + 7, C_DIM, "Speed", 0);
    x += 42;
    sel = 0;
    for (unsigned k = 0; k < ui_nspeeds; k++)
        if (ui_speed_choice((int)k) == ui->speed)
            sel = (int)k;
    x += segmented(ui, "speed", x, y + 2, h - 4, speed_labels, (int)ui_nspeeds, sel, FONT_SMALL);
    ui_tooltip(ui, "speed.5", "as fast as the host can run it");
    /* the clock, on the right */
    char clock[48], sp[64];
    fmt_time(clock, sizeof clock, ui_now(ui));
    strcat(clock, " s");
    int cw = gfx_text_width(g, FONT_MONO_BIG, clock);
    int cx = w - 14 - cw;
    if (ui->ended)
        snprintf(sp, sizeof sp, "run ended");
    else if (ui->paused)
        snprintf(sp, sizeof sp, "paused");
    else if (ui->speed_seen > 0)
        snprintf(sp, sizeof sp, "%.2f\xc3\x97 real time", ui->speed_seen);
    else
        snprintf(sp, sizeof sp, "running");
    int sw = gfx_text_width(g, FONT_SMALL, sp);
    int tx = cx - 18 - (sw > 90 ? sw : 90);
    gfx_text(g, FONT_SMALL, tx, y - 1, C_DIM, "virtual time", 0);
    uint32_t sc = ui->ended ? C_ACCENT : ui->paused ? C_ORANGE : C_GREEN;
    gfx_disc(g, (float)tx + 4, (float)y + 20, 3.5f, sc);
    gfx_text(g, FONT_SMALL, tx + 12, y + 13, sc, sp, 0);
    gfx_text(g, FONT_MONO_BIG, cx, y + 1, C_TEXT, clock, 0);
    (void)x;
}

/* ---------------------------------------------------------------------- */
/* console */

static uint32_t line_color(const char *s)
{
    if (strstr(s, "HardFault") || strstr(s, "fail") || strstr(s, "error=") ||
        strstr(s, "rollback") || strstr(s, "interrupted") || strstr(s, "rejected"))
        return 0xff8a80;
    if (!strncmp(s, "update:", 7))
        return 0x7fd3ff;
    if (!strncmp(s, "boot:", 5))
        return 0xffd98a;
    if (!strncmp(s, "app:", 4))
        return 0x8ee6a8;
    if (!strncmp(s, "eth:", 4) || !strncmp(s, "net:", 4))
        return 0xc8b8ff;
    return C_TEXT;
}

/* Rows of a console line 'cols' wide, broken at spaces where a word would
 * be split (a word longer than a row is split). Fills starts[]; returns the
 * count. */
static int wrap_rows(const char *t, int len, int cols, int *starts, int max)
{
    int n = 0, at = 0;
    do {
        if (n < max)
            starts[n] = at;
        n++;
        if (len - at <= cols)
            break;
        int cut = at + cols;
        for (int k = cut; k > at + cols / 2; k--)
            if (t[k] == ' ') {
                cut = k + 1;
                break;
            }
        at = cut;
    } while (at < len);
    return n;
}

static void draw_console(ui_t *ui, SDL_Rect r)
{
    gfx_t *g = &ui->g;
    char sub[128];
    snprintf(sub, sizeof sub, "%s%s", ui->console_uart[0] ? ui->console_uart : "guest output",
             ui->console_focus ? "  \xc2\xb7  typing into the UART (Esc leaves)"
                               : "  \xc2\xb7  click to type");
    panel(ui, r, "Console", sub);
    if (ui->console_focus)
        gfx_round_frame(g, (float)r.x, (float)r.y, (float)r.w, (float)r.h, 8, 2, C_ACCENT);
    SDL_Rect body = { r.x + 8, r.y + 32, r.w - 16, r.h - 40 };
    ui_widget(ui, "console", body.x, body.y, body.w, body.h, false);
    gfx_fill(g, body.x, body.y, body.w, body.h, 0x0d1014);
    int lh = gfx_font_height(g, FONT_MONO) + 1;
    int cw = gfx_text_width(g, FONT_MONO, "M");
    int gutter = 8 * gfx_text_width(g, FONT_SMALL, "0") + 10;
    int cols = (body.w - gutter - 12) / (cw > 0 ? cw : 8);
    if (cols < 10)
        cols = 10;
    int rows = (body.h - 8) / lh;
    unsigned n = scene_console_nlines(ui->scene);
    if (!n) {
        gfx_text_at(g, FONT_UI, body.x + body.w / 2, body.y + body.h / 2 - 8, 1, C_FAINT,
                    "nothing printed yet");
        return;
    }
    /* bottom-up, wrapping long lines, skipping console_scroll rows; while
     * the text does not fill the panel it starts at the top */
    enum { MAX_ROWS = SCENE_LINE_MAX };
    int starts[MAX_ROWS];
    int total = 0;
    for (unsigned k = 0; k < n && total <= rows; k++) {
        const scene_line_t *l = scene_console_line(ui->scene, k);
        total += wrap_rows(l->text, l->len, cols, starts, MAX_ROWS);
    }
    if (total <= rows)
        ui->console_scroll = 0;
    gfx_clip(g, &body);
    int skip = ui->console_scroll;
    int y = total <= rows ? body.y + 4 + (total - 1) * lh : body.y + body.h - 4 - lh;
    int drawn = 0;
    for (unsigned k = n; k-- > 0 && y > body.y - lh;) {
        const scene_line_t *l = scene_console_line(ui->scene, k);
        int nrows = wrap_rows(l->text, l->len, cols, starts, MAX_ROWS);
        for (int row = nrows - 1; row >= 0; row--) {
            if (skip > 0) {
                skip--;
                continue;
            }
            char part[SCENE_LINE_MAX + 1];
            int off = starts[row];
            int len = (row + 1 < nrows ? starts[row + 1] : l->len) - off;
            if (len < 0)
                len = 0;
            /* bytes the font cannot show are drawn as '?' */
            for (int c = 0; c < len; c++) {
                unsigned char ch = (unsigned char)l->text[off + c];
                part[c] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
            }
            part[len] = 0;
            if (row == 0) {
                char ts[24];
                snprintf(ts, sizeof ts, "%.3f", (double)l->t / 1e9);
                gfx_text_at(g, FONT_SMALL, body.x + gutter - 6, y + 2, 2, C_FAINT, ts);
            }
            gfx_text(g, FONT_MONO, body.x + gutter, y, line_color(l->text), part, 0);
            y -= lh;
            drawn++;
            if (y < body.y - lh)
                break;
        }
    }
    gfx_clip(g, NULL);
    gfx_fill(g, body.x + gutter - 3, body.y, 1, body.h, 0x1f252d);
    if (ui->console_scroll > 0) {
        char lbl[48];
        snprintf(lbl, sizeof lbl, "\xe2\x86\x93 latest (%d rows up)", ui->console_scroll);
        int bw = gfx_text_width(g, FONT_SMALL, lbl) + 20;
        ui_button(ui, "console.bottom", body.x + body.w - bw - 8, body.y + body.h - 30, bw, 24,
                  lbl, BTN_SMALL | BTN_ON);
    }
    (void)rows;
    (void)drawn;
}

/* ---------------------------------------------------------------------- */
/* faults and controls */

static int fault_row_label(ui_t *ui, int x, int y, const char *title, const char *state,
                           uint32_t dot)
{
    gfx_text(&ui->g, FONT_UI, x, y, C_TEXT, title, 96);
    if (state) {
        gfx_disc(&ui->g, (float)x + 4, (float)y + 23, 3.5f, dot);
        gfx_text(&ui->g, FONT_SMALL, x + 12, y + 16, C_DIM, state, 86);
    }
    return y;
}

static int draw_faults(ui_t *ui, SDL_Rect r)
{
    gfx_t *g = &ui->g;
    int x = r.x + 12, y = r.y + 34, bx = r.x + 112, bw = r.w - 124;
    bool locked = ui->ended || ui->s->in.replaying;
    unsigned dis = locked ? BTN_DISABLED : 0;
    char id[112], label[96];
    for (unsigned k = 0; k < ui->nlinks; k++) {
        ui_link_t *l = &ui->links[k];
        snprintf(label, sizeof label, "Cable %s", strchr(l->name, '/') ? strchr(l->name, '/') + 1
                                                                        : l->name);
        fault_row_label(ui, x, y, label, l->up ? "plugged in" : "pulled out",
                        l->up ? C_GREEN : C_RED);
        snprintf(id, sizeof id, "cable.%s", l->name);
        ui_button(ui, id, bx, y + 2, bw, 28, l->up ? "Pull cable" : "Plug cable in",
                  (l->up ? BTN_DANGER : BTN_ACCENT) | dis);
        snprintf(label, sizeof label, "%s the cable between %s and %s (c)",
                 l->up ? "pull out" : "plug in", l->dev_name, l->peer_name);
        ui_tooltip(ui, id, label);
        y += 40;
    }
    fault_row_label(ui, x, y, "Power", ui->power_off ? "off" : "on",
                    ui->power_off ? C_RED : C_GREEN);
    ui_button(ui, "power", bx, y + 2, 56, 28, "Cut", BTN_DANGER | dis);
    ui_tooltip(ui, "power", "cut the board's power for the time chosen (p); flash keeps what an "
            "interrupted operation leaves");
    segmented(ui, "powerlen", bx + 62, y + 5, 22, power_labels, (int)ui_npower, ui->power_idx,
              FONT_SMALL);
    y += 40;
    fault_row_label(ui, x, y, "Buttons", NULL, 0);
    int half = (bw - 6) / 2;
    ui_button(ui, "button.reset", bx, y + 2, half, 28, "Reset  B2",
              BTN_HOLD | (ui->hold[0].down ? BTN_ON : 0) | (ui->hold[0].target[0] ? dis
                                                                                : BTN_DISABLED));
    ui_button(ui, "button.user", bx + half + 6, y + 2, half, 28, "User  B1",
              BTN_HOLD | (ui->hold[1].down ? BTN_ON : 0) | (ui->hold[1].target[0] ? dis
                                                                                : BTN_DISABLED));
    snprintf(label, sizeof label, "hold the reset button (%s low)", ui->hold[0].target);
    ui_tooltip(ui, "button.reset", label);
    snprintf(label, sizeof label, "hold the user button (net %s %s)", ui->hold[1].target,
             ui->hold[1].press_level);
    ui_tooltip(ui, "button.user", label);
    y += 40;
    static const char *const ber_labels[] = { "10\xe2\x81\xbb\xe2\x81\xb5", "10\xe2\x81\xbb\xe2\x81\xb4",
                                              "10\xe2\x81\xbb\xc2\xb3" };
    for (unsigned k = 0; k < ui->nspi; k++) {
        ui_spi_t *sp = &ui->spi[k];
        snprintf(label, sizeof label, "SPI %s", strchr(sp->ep->name, '.') ? strchr(sp->ep->name, '.') + 1
                                                                          : sp->ep->name);
        fault_row_label(ui, x, y, label, sp->on ? "bit errors" : "clean",
                        sp->on ? C_MAGENTA : C_GREEN);
        snprintf(id, sizeof id, "spi.%s", sp->ep->name);
        ui_button(ui, id, bx, y + 2, 76, 28, sp->on ? "Errors on" : "Errors", (sp->on ? BTN_ON : 0) | dis);
        snprintf(label, sizeof label, "flip bits on %s (MOSI and MISO) at the rate chosen",
                 sp->ep->name);
        ui_tooltip(ui, id, label);
        snprintf(id, sizeof id, "ber.%s", sp->ep->name);
        segmented(ui, id, bx + 82, y + 5, 22, ber_labels, 3, -sp->ber_exp - 5, FONT_SMALL);
        y += 40;
    }
    (void)g;
    return y;
}

static void draw_list(ui_t *ui, SDL_Rect r)
{
    gfx_t *g = &ui->g;
    char lbl[2][32];
    snprintf(lbl[0], sizeof lbl[0], "Controls %u", ui->ncontrols);
    snprintf(lbl[1], sizeof lbl[1], "Probes %u", ui->nprobes);
    const char *labels[2] = { lbl[0], lbl[1] };
    int tabw = segmented(ui, "tab", r.x, r.y, 24, labels, 2, ui->tab, FONT_SMALL);
    /* the filter field */
    int fx = r.x + tabw + 8, fw = r.w - tabw - 8;
    ui_widget(ui, "list.filter", fx, r.y, fw, 24, false);
    gfx_round(g, (float)fx, (float)r.y, (float)fw, 24, 4, 0x0f1216);
    gfx_round_frame(g, (float)fx, (float)r.y, (float)fw, 24, 4, 1,
                    ui->filter_focus ? C_ACCENT : 0x333b47);
    if (ui->filter[0] || ui->filter_focus) {
        int tw = gfx_text(g, FONT_UI, fx + 8, r.y + 4, C_TEXT, ui->filter, fw - 36);
        if (ui->filter_focus && (SDL_GetTicks() / 500) % 2)
            gfx_fill(g, fx + 9 + tw, r.y + 5, 1, 14, C_ACCENT);
        if (ui->filter[0])
            ui_button(ui, "list.clear", fx + fw - 22, r.y + 3, 18, 18, "\xc3\x97", BTN_SMALL);
    } else {
        gfx_text(g, FONT_UI, fx + 8, r.y + 4, C_FAINT, "filter\xe2\x80\xa6", 0);
    }
    SDL_Rect body = { r.x, r.y + 30, r.w, r.h - 30 };
    ui_widget(ui, "list", body.x, body.y, body.w, body.h, false);
    gfx_fill(g, body.x, body.y, body.w, body.h, 0x14181e);
    /* the entries that pass the filter */
    unsigned all = ui->tab ? ui->nprobes : ui->ncontrols, n = 0;
    unsigned *sel = malloc((all ? all : 1) * sizeof *sel);
    if (!sel)
        return;
    for (unsigned k = 0; k < all; k++) {
        endpoint_t *e = ui->tab ? ui->probes[k] : ui->controls[k].ep;
        if (!ui->filter[0] || strcasestr(e->name, ui->filter) ||
            (e->help && strcasestr(e->help, ui->filter)))
            sel[n++] = k;
    }
    if (!n) {
        free(sel);
        const char *msg = all ? "nothing matches the filter"
                        : ui->tab ? "no probes on this board" : "no controls on this board";
        gfx_text_at(g, FONT_UI, body.x + body.w / 2, body.y + 16, 1, C_FAINT, msg);
        if (!all)
            gfx_text_at(g, FONT_SMALL, body.x + body.w / 2, body.y + 36, 1, C_FAINT,
                        "(models register them; glitchbox controls --board B)");
        return;
    }
    int rowh = 38;
    int visible = body.h / rowh;
    int maxscroll = (int)n - visible > 0 ? (int)n - visible : 0;
    if (ui->list_scroll > maxscroll)
        ui->list_scroll = maxscroll;
    gfx_clip(g, &body);
    int y = body.y;
    char id[112];
    for (unsigned i = (unsigned)ui->list_scroll; i < n && y < body.y + body.h; i++, y += rowh) {
        unsigned k = sel[i];
        if ((i - (unsigned)ui->list_scroll) % 2)
            gfx_fill(g, body.x, y, body.w, rowh, 0x171b22);
        if (ui->tab) {
            endpoint_t *e = ui->probes[k];
            char hits[32];
            fmt_count(hits, sizeof hits, e->probe->hits);
            int hw = gfx_text_width(g, FONT_UI_BOLD, hits);
            gfx_text(g, FONT_UI, body.x + 8, y + 3, C_TEXT, e->name, body.w - hw - 28);
            gfx_text(g, FONT_UI_BOLD, body.x + body.w - 10 - hw, y + 3,
                     e->probe->hits ? C_ACCENT : C_FAINT, hits, 0);
            gfx_text(g, FONT_SMALL, body.x + 8, y + 20, C_DIM, e->help ? e->help : "", body.w - 16);
            snprintf(id, sizeof id, "probe.%s", e->name);
            ui_widget(ui, id, body.x, y, body.w, rowh, false);
            ui_tooltip(ui, id, e->help ? e->help : e->name);
            continue;
        }
        ui_control_t *c = &ui->controls[k];
        bool editing = !strcmp(ui->edit_ctl, c->ep->name);
        int bx = body.x + body.w - 126;
        char name[120];
        snprintf(name, sizeof name, "%s%s%s", c->ep->name, c->last[0] ? " = " : "", c->last);
        snprintf(id, sizeof id, "ctl.%s.row", c->ep->name);
        ui_widget(ui, id, body.x, y, bx - body.x - 4, rowh, false);
        ui_tooltip(ui, id, c->ep->help ? c->ep->help : c->ep->name);
        gfx_text(g, FONT_UI, body.x + 8, y + 3, c->last[0] ? 0x9fdcff : C_TEXT, name,
                 bx - body.x - 14);
        gfx_text(g, FONT_SMALL, body.x + 8, y + 20, C_DIM, c->ep->help ? c->ep->help : "",
                 bx - body.x - 14);
        unsigned dis = ui->ended || ui->s->in.replaying ? BTN_DISABLED : 0;
        if (c->takes_true) {
            snprintf(id, sizeof id, "ctl.%s.true", c->ep->name);
            ui_button(ui, id, bx, y + 7, 36, 24, "on", BTN_SMALL | dis |
                      (!strcmp(c->last, "true") ? BTN_ON : 0));
        }
        if (c->takes_false) {
            snprintf(id, sizeof id, "ctl.%s.false", c->ep->name);
            ui_button(ui, id, bx + 39, y + 7, 36, 24, "off", BTN_SMALL | dis |
                      (!strcmp(c->last, "false") ? BTN_ON : 0));
        }
        snprintf(id, sizeof id, "ctl.%s.edit", c->ep->name);
        ui_button(ui, id, bx + 78, y + 7, 42, 24, "set\xe2\x80\xa6", BTN_SMALL | dis);
        ui_tooltip(ui, id, "type a value: a number, true/false, or text (a JSON value)");
        if (editing) {
            /* the editor replaces the row */
            gfx_fill(g, body.x, y, body.w, rowh, 0x10161d);
            gfx_text(g, FONT_SMALL, body.x + 8, y + 2, C_DIM, c->ep->name, body.w - 16);
            int ex = body.x + 8, ew = body.w - 8 - 96;
            ui_widget(ui, "edit.field", ex, y + 16, ew, 20, false);
            gfx_fill(g, ex, y + 16, ew, 20, 0x0b0e12);
            gfx_rect(g, ex, y + 16, ew, 20, C_ACCENT);
            int tw = gfx_text(g, FONT_MONO, ex + 4, y + 17, C_TEXT, ui->edit_buf, ew - 12);
            if ((SDL_GetTicks() / 500) % 2)
                gfx_fill(g, ex + 5 + tw, y + 19, 1, 14, C_ACCENT);
            ui_button(ui, "edit.apply", body.x + body.w - 86, y + 14, 44, 22, "Set",
                      BTN_SMALL | BTN_ON);
            ui_button(ui, "edit.cancel", body.x + body.w - 38, y + 14, 30, 22, "\xc3\x97",
                      BTN_SMALL);
        }
    }
    gfx_clip(g, NULL);
    free(sel);
    if (maxscroll) {
        /* a scroll bar, and buttons to move by a few rows */
        int track = body.h - 4;
        int th = track * visible / (int)n;
        int ty = body.y + 2 + (track - th) * ui->list_scroll / maxscroll;
        gfx_round(g, (float)(body.x + body.w - 5), (float)ty, 3, (float)th, 1.5f, 0x3a4350);
        ui_widget(ui, "list.up", body.x + body.w - 16, body.y, 16, 16, false);
        ui_widget(ui, "list.down", body.x + body.w - 16, body.y + body.h - 16, 16, 16, false);
    }
}

static void draw_side(ui_t *ui, SDL_Rect r)
{
    panel(ui, r, "Faults", "recorded; applied at the next ms tick");
    int y = draw_faults(ui, r);
    gfx_fill(&ui->g, r.x + 10, y + 2, r.w - 20, 1, C_BORDER);
    SDL_Rect list = { r.x + 10, y + 10, r.w - 20, r.y + r.h - y - 20 };
    draw_list(ui, list);
}

/* ---------------------------------------------------------------------- */
/* network timeline */

static uint32_t mark_color(int kind)
{
    switch (kind) {
    case MARK_INPUT: return C_YELLOW;
    case MARK_UPDATE: return C_ACCENT;
    case MARK_POWER: return C_RED;
    case MARK_RESET: return C_ORANGE;
    default: return 0xffffff;
    }
}

static int time_x(sim_time_t t, sim_time_t t0, sim_time_t t1, int x, int w)
{
    if (t <= t0)
        return x;
    if (t >= t1)
        return x + w;
    return x + (int)((double)(t - t0) / (double)(t1 - t0) * w);
}

static void draw_intervals(ui_t *ui, const scene_intervals_t *iv, sim_time_t t0, sim_time_t t1,
                           int x, int y, int w, int h, uint32_t argb, const char *label,
                           uint32_t text_rgb)
{
    for (unsigned k = 0; k < scene_intervals_count(iv); k++) {
        const scene_interval_t *v = scene_interval_at(iv, k);
        sim_time_t to = v->to == SIM_TIME_NEVER ? ui_now(ui) : v->to;
        if (to < t0 || v->from > t1)
            continue;
        int a = time_x(v->from, t0, t1, x, w), b = time_x(to, t0, t1, x, w);
        if (b - a < 2)
            b = a + 2;
        gfx_fill(&ui->g, a, y, b - a, h, argb);
        /* hatching */
        for (int hx = a - h; hx < b; hx += 9) {
            float x0 = (float)(hx > a ? hx : a), y0 = (float)(y + h - (hx > a ? 0 : a - hx));
            float xe = (float)(hx + h < b ? hx + h : b), ye = (float)(y + h - (xe - (float)hx));
            gfx_line(&ui->g, x0, y0, xe, ye, 1, (argb & 0xFFFFFF) | 0x50000000);
        }
        int lw = gfx_text_width(&ui->g, FONT_SMALL, label);
        if (b - a > lw + 8)
            gfx_text_at(&ui->g, FONT_SMALL, (a + b) / 2, y + h / 2 - 7, 1, text_rgb, label);
    }
}

static const char *const proto_names[PROTO_COUNT] = {
    [PROTO_OTHER] = "other", [PROTO_ARP] = "ARP", [PROTO_ICMP] = "ICMP", [PROTO_DHCP] = "DHCP",
    [PROTO_DNS] = "DNS", [PROTO_UDP] = "UDP", [PROTO_TCP] = "TCP ack", [PROTO_TCP_DATA] = "TCP data",
    [PROTO_TCP_CTRL] = "TCP SYN/FIN/RST",
};

/* What the column under the pointer holds, as the tooltip. */
static void lane_tip(ui_t *ui, const scene_bucket_t *b, int c, sim_time_t t0, sim_time_t t1,
                     int w, const char *lane)
{
    char text[256];
    double ta = ((double)t0 + (double)(t1 - t0) * c / w) / 1e9;
    double tb = ((double)t0 + (double)(t1 - t0) * (c + 1) / w) / 1e9;
    int n = snprintf(text, sizeof text, "%s  %.4f-%.4f s: ", lane, ta, tb);
    if (!b->frames && !b->dropped && !b->down) {
        snprintf(text + n, sizeof text - (size_t)n, "no frames");
    } else {
        n += snprintf(text + n, sizeof text - (size_t)n, "%u frame%s, %u bytes (mostly %s)",
                      b->frames, b->frames == 1 ? "" : "s", b->bytes, proto_names[b->proto]);
        if (b->corrupted && n < (int)sizeof text)
            n += snprintf(text + n, sizeof text - (size_t)n, ", %u corrupted", b->corrupted);
        if (b->dropped && n < (int)sizeof text)
            n += snprintf(text + n, sizeof text - (size_t)n, ", %u lost", b->dropped);
        if (b->down && n < (int)sizeof text)
            snprintf(text + n, sizeof text - (size_t)n, ", %u dropped (cable out)", b->down);
    }
    ui_tooltip(ui, "timeline", text);
}

static void draw_lane(ui_t *ui, const scene_bucket_t *b, sim_time_t t0, sim_time_t t1, int x,
                      int y, int w, int h, uint32_t max_bytes, const char *lane)
{
    gfx_t *g = &ui->g;
    gfx_fill(g, x, y, w, h, 0x12161b);
    gfx_fill(g, x, y + h - 1, w, 1, 0x222831);
    if (ui->my >= y && ui->my < y + h && ui->mx >= x && ui->mx < x + w) {
        gfx_fill(g, ui->mx, y, 1, h, 0x40ffffff);
        lane_tip(ui, &b[ui->mx - x], ui->mx - x, t0, t1, w, lane);
    }
    for (int c = 0; c < w; c++) {
        if (b[c].frames) {
            double f = sqrt((double)b[c].bytes / (double)(max_bytes ? max_bytes : 1));
            int bh = 4 + (int)(f * (h - 8));
            if (bh > h - 3)
                bh = h - 3;
            gfx_fill(g, x + c, y + h - 1 - bh, c + 1 < w ? 2 : 1, bh, proto_rgb[b[c].proto]);
            if (b[c].corrupted)
                gfx_fill(g, x + c - 1, y + h - 1 - bh - 3, 3, 3, C_MAGENTA);
        }
        if (b[c].dropped)
            gfx_tri(g, (float)(x + c - 4), (float)y + 2, (float)(x + c + 4), (float)y + 2,
                    (float)(x + c), (float)y + 9, C_RED);
        if (b[c].down) {
            gfx_line(g, (float)(x + c - 3), (float)y + 3, (float)(x + c + 3), (float)y + 9, 1.5f,
                     0xb0b8c4);
            gfx_line(g, (float)(x + c + 3), (float)y + 3, (float)(x + c - 3), (float)y + 9, 1.5f,
                     0xb0b8c4);
        }
    }
}

static void draw_update_bar(ui_t *ui, int x, int y, int w)
{
    gfx_t *g = &ui->g;
    const scene_update_t *u = &ui->scene->update;
    gfx_text(g, FONT_UI_BOLD, x, y + 3, C_TEXT, "Update", 0);
    int bx = x + 70, bw = (w - 70) * 45 / 100, bh = 14, by = y + 5;
    if (bw < 120)
        bw = 120;
    gfx_round(g, (float)bx, (float)by, (float)bw, (float)bh, 7, 0x232a33);
    double p = scene_update_progress(u);
    bool good = u->seen && (!strcmp(u->state, "confirmed") || !strcmp(u->state, "idle"));
    bool bad = u->seen && (!strcmp(u->state, "failed") || !strcmp(u->state, "rejected"));
    uint32_t fill = bad ? C_RED : good ? C_GREEN : !strcmp(u->state, "resuming") ? C_ORANGE
                                                                                : C_ACCENT;
    if (p >= 0) {
        int fw = (int)(p * bw);
        if (fw > 2)
            gfx_round(g, (float)bx, (float)by, (float)fw, (float)bh, 7, fill);
    } else if (good) {
        gfx_round(g, (float)bx, (float)by, (float)bw, (float)bh, 7, C_GREEN);
    }
    char text[200];
    if (!u->seen) {
        snprintf(text, sizeof text, "no \"update: state=\" line from the guest yet");
    } else {
        char b1[32], b2[32];
        fmt_count(b1, sizeof b1, u->bytes);
        fmt_count(b2, sizeof b2, u->total);
        int n = snprintf(text, sizeof text, "%s%s%s", u->state, u->version[0] ? "  v" : "",
                         u->version);
        if (u->has_bytes && n < (int)sizeof text)
            n += snprintf(text + n, sizeof text - (size_t)n, u->has_total ? "  \xc2\xb7  %s / %s bytes"
                                                                          : "  \xc2\xb7  %s bytes",
                          b1, b2);
        if (p >= 0 && n < (int)sizeof text)
            n += snprintf(text + n, sizeof text - (size_t)n, " (%.0f %%)", p * 100);
        if (u->retries >= 0 && n < (int)sizeof text)
            n += snprintf(text + n, sizeof text - (size_t)n, "  \xc2\xb7  retries %ld", u->retries);
        if (u->errors > 0 && n < (int)sizeof text)
            n += snprintf(text + n, sizeof text - (size_t)n, ", errors %ld", u->errors);
        if (u->reason[0] && n < (int)sizeof text)
            snprintf(text + n, sizeof text - (size_t)n, "  \xc2\xb7  %s", u->reason);
    }
    gfx_text(g, FONT_UI, bx + bw + 12, y + 3, u->seen ? (bad ? C_RED : C_TEXT) : C_FAINT, text,
             x + w - (bx + bw + 12));
}

static void draw_timeline(ui_t *ui, SDL_Rect r)
{
    gfx_t *g = &ui->g;
    panel(ui, r, "Network", NULL);
    ui_widget(ui, "timeline", r.x, r.y, r.w, r.h, false);
    int segw = 0;
    for (unsigned k = 0; k < ui_nspans; k++)
        segw += gfx_text_width(g, FONT_SMALL, span_labels[k]) + 14;
    int seg_x = r.x + r.w - 12 - segw;
    segmented(ui, "span", seg_x, r.y + 7, 22, span_labels, (int)ui_nspans, ui->span_idx,
              FONT_SMALL);
    /* the legend, as much of it as fits left of the span buttons */
    enum { SW_PROTO, SW_LOST, SW_CORRUPT, SW_CABLE, SW_POWER };
    static const struct { int kind, proto; const char *name; } legend[] = {
        { SW_PROTO, PROTO_TCP_DATA, "TCP data" }, { SW_PROTO, PROTO_TCP, "TCP ack" },
        { SW_PROTO, PROTO_TCP_CTRL, "SYN/FIN/RST" }, { SW_LOST, 0, "lost" },
        { SW_CORRUPT, 0, "corrupted" }, { SW_CABLE, 0, "cable out" },
        { SW_POWER, 0, "power off" }, { SW_PROTO, PROTO_ARP, "ARP" },
        { SW_PROTO, PROTO_DHCP, "DHCP" }, { SW_PROTO, PROTO_DNS, "DNS" },
        { SW_PROTO, PROTO_ICMP, "ICMP" },
    };
    int lx = r.x + 90;
    for (unsigned k = 0; k < sizeof legend / sizeof legend[0]; k++) {
        int tw = gfx_text_width(g, FONT_SMALL, legend[k].name);
        if (lx + 16 + tw + 10 > seg_x - 8)
            break;
        float fx = (float)lx, fy = (float)r.y + 11;
        switch (legend[k].kind) {
        case SW_PROTO: gfx_fill(g, lx, r.y + 12, 10, 10, proto_rgb[legend[k].proto]); break;
        case SW_LOST: gfx_tri(g, fx, fy, fx + 10, fy, fx + 5, fy + 8, C_RED); break;
        case SW_CORRUPT: gfx_fill(g, lx + 3, r.y + 14, 4, 4, C_MAGENTA); break;
        case SW_CABLE: gfx_fill(g, lx, r.y + 12, 12, 10, 0x6a2a2e); break;
        default: gfx_fill(g, lx, r.y + 12, 12, 10, 0x566070); break;
        }
        gfx_text(g, FONT_SMALL, lx + 15, r.y + 10, C_DIM, legend[k].name, 0);
        lx += 15 + tw + 12;
    }

    sim_time_t now = ui_now(ui);
    sim_time_t span = ui_spans[ui->span_idx];
    if (!span) {
        /* the whole run, in whole seconds */
        span = (now + SIM_MS(999)) / SIM_S(1) * SIM_S(1);
        if (span < SIM_S(1))
            span = SIM_S(1);
    }
    sim_time_t t1 = now > span ? now : span, t0 = t1 - span;
    int gx = r.x + 12, gw = 170;
    int x = gx + gw, w = r.w - gw - 24;
    int marks_y = r.y + 36, marks_h = 30;
    int lanes_y = marks_y + marks_h;
    int nl = ui->nlinks ? (int)ui->nlinks : 0;
    int avail = r.h - (lanes_y - r.y) - 64;
    int lane_h = nl ? (avail / nl - 8) / 2 : 30;
    if (lane_h > 60)
        lane_h = 60;
    int shown = nl;
    if (nl && lane_h < 12) {
        /* many cables: as many as fit, the board's first */
        lane_h = 12;
        shown = avail / (2 * lane_h + 8);
        if (shown < 1)
            shown = 1;
    }
    int lanes_h = shown * (2 * lane_h + 8);
    if (!nl) {
        gfx_text_at(g, FONT_UI, x + w / 2, lanes_y + 10, 1, C_FAINT, "this board has no network");
        lanes_h = 40;
    }
    int ncols = w > 0 ? w : 1;
    scene_bucket_t *b = calloc((size_t)2 * (size_t)(nl ? nl : 1) * (size_t)ncols, sizeof *b);
    if (!b)
        return;
    scene_buckets_all(ui->scene, (unsigned)nl, t0, t1, (unsigned)ncols, b);
    /* one scale for every lane in view: the busiest column */
    uint32_t max_bytes = 1514;
    for (size_t c = 0; c < (size_t)2 * (size_t)nl * (size_t)ncols; c++)
        if (b[c].bytes > max_bytes)
            max_bytes = b[c].bytes;
    for (int k = 0; k < shown; k++) {
        ui_link_t *l = &ui->links[k];
        const scene_link_stats_t *st = &ui->scene->stats[k];
        int ly = lanes_y + k * (2 * lane_h + 8);
        for (unsigned d = 0; d < 2; d++) {
            int y = ly + (int)d * lane_h;
            char name[140], counts[96], lost[32] = "", nf[32];
            fmt_count(nf, sizeof nf, st->fate[d][FATE_DELIVERED] + st->fate[d][FATE_CORRUPTED]);
            uint64_t drops = st->fate[d][FATE_LOST] + st->fate[d][FATE_DOWN] +
                             st->fate[d][FATE_TOO_BIG] + st->fate[d][FATE_QUEUE_FULL];
            if (drops)
                snprintf(lost, sizeof lost, ", %llu lost", (unsigned long long)drops);
            snprintf(counts, sizeof counts, "%s frames%s", nf, lost);
            const char *from = d ? l->peer_name : l->dev_name, *to = d ? l->dev_name : l->peer_name;
            if (lane_h >= 28) {
                snprintf(name, sizeof name, "%s \xe2\x86\x92 %s", from, to);
                gfx_text(g, FONT_SMALL, gx, y + 1, C_TEXT, name, gw - 8);
                gfx_text(g, FONT_SMALL, gx, y + 15, drops ? 0xff9d96 : C_DIM, counts, gw - 8);
            } else {
                snprintf(name, sizeof name, "%s \xe2\x86\x92 %s  %s", from, to, nf);
                gfx_text(g, lane_h >= 15 ? FONT_SMALL : FONT_TINY, gx, y, drops ? 0xff9d96
                                                                               : C_TEXT,
                         name, gw - 8);
            }
            snprintf(name, sizeof name, "%s \xe2\x86\x92 %s", from, to);
            draw_lane(ui, b + (size_t)(2 * k + (int)d) * (size_t)ncols, t0, t1, x, y, w, lane_h - 2,
                      max_bytes, name);
        }
        draw_intervals(ui, &ui->scene->link_down[k], t0, t1, x, ly, w, 2 * lane_h - 2,
                       0x706a2a2e, "cable out", 0xffd0d0);
        char ln[48];
        snprintf(ln, sizeof ln, "%s", l->name);
        gfx_text(g, FONT_TINY, x + w - gfx_text_width(g, FONT_TINY, ln) - 4, ly + 2, C_FAINT, ln, 0);
    }
    if (shown < nl) {
        char more[64];
        snprintf(more, sizeof more, "+%d more cable%s", nl - shown, nl - shown > 1 ? "s" : "");
        gfx_text(g, FONT_TINY, gx, lanes_y + lanes_h + 4, C_DIM, more, gw - 30);
    }
    free(b);
    draw_intervals(ui, &ui->scene->power_off, t0, t1, x, lanes_y, w, lanes_h - 8,
                   0x90566070, "power off", 0xf0f0f0);
    /* marks: lines through the lanes, labels above them on two rows */
    int last_end[2] = { -1000, -1000 };
    for (unsigned k = 0; k < scene_nmarks(ui->scene); k++) {
        const scene_mark_t *mk = scene_mark_at(ui->scene, k);
        if (mk->t < t0 || mk->t > t1)
            continue;
        int mx = time_x(mk->t, t0, t1, x, w);
        uint32_t c = mark_color(mk->kind);
        for (int yy = marks_y + 14; yy < lanes_y + lanes_h; yy += 6)
            gfx_fill(g, mx, yy, 1, 3, c | 0xA0000000);
        int lw = gfx_text_width(g, FONT_SMALL, mk->label);
        int row = mx > last_end[0] + 4 ? 0 : mx > last_end[1] + 4 ? 1 : -1;
        if (row >= 0 && mx + lw + 6 < x + w + 40) {
            int ty = marks_y + row * 14 - 2;
            gfx_fill(g, mx, ty + 3, 1, 10, c);
            gfx_text(g, FONT_SMALL, mx + 3, ty, c, mk->label, 0);
            last_end[row] = mx + lw + 3;
        }
    }
    /* now */
    int nx = time_x(now, t0, t1, x, w);
    gfx_fill(g, nx, marks_y + 10, 1, lanes_h + marks_h - 10, 0x80ffffff);
    /* axis */
    int ay = lanes_y + lanes_h + 2;
    gfx_fill(g, x, ay, w, 1, C_BORDER);
    double span_s = (double)span / 1e9;
    static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120 };
    double step = steps[0];
    for (unsigned k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        step = steps[k];
        if (span_s / step <= 10)
            break;
    }
    double first = ceil((double)t0 / 1e9 / step) * step;
    for (double s = first; s <= (double)t1 / 1e9 + 1e-9; s += step) {
        int tx = time_x((sim_time_t)(s * 1e9 + 0.5), t0, t1, x, w);
        gfx_fill(g, tx, ay, 1, 5, C_DIM);
        char lbl[24];
        snprintf(lbl, sizeof lbl, step < 1 ? "%.1f s" : "%.0f s", s);
        gfx_text_at(g, FONT_SMALL, tx, ay + 6, 1, C_DIM, lbl);
    }
    draw_update_bar(ui, gx, r.y + r.h - 30, r.w - 24);
}

/* ---------------------------------------------------------------------- */
/* the window */

static void draw_footer(ui_t *ui, int w, int h)
{
    gfx_t *g = &ui->g;
    gfx_fill(g, 0, h - 24, w, 24, 0x0d1014);
    gfx_fill(g, 0, h - 24, w, 1, C_BORDER);
    char right[200];
    snprintf(right, sizeof right, "%u outside inputs applied  \xc2\xb7  %llu frames  \xc2\xb7  "
             "%u console lines", ui->inputs_seen, (unsigned long long)ui->scene->nframes,
             scene_console_nlines(ui->scene));
    int rw = gfx_text_width(g, FONT_SMALL, right);
    gfx_text(g, FONT_SMALL, w - 12 - rw, h - 19, C_DIM, right, 0);
    gfx_text(g, FONT_SMALL, 12, h - 19, ui->status_color ? ui->status_color : C_DIM, ui->status,
             w - rw - 40);
}

static void draw_tip(ui_t *ui)
{
    if (!tip[0])
        return;
    gfx_t *g = &ui->g;
    int tw = gfx_text_width(g, FONT_SMALL, tip);
    if (tw > 460)
        tw = 460;
    int x = ui->mx + 14, y = ui->my + 18;
    if (x + tw + 16 > g->w)
        x = g->w - tw - 16;
    if (y + 26 > g->h)
        y = ui->my - 30;
    gfx_round(g, (float)x, (float)y, (float)tw + 14, 24, 5, 0x2a313c);
    gfx_round_frame(g, (float)x, (float)y, (float)tw + 14, 24, 5, 1, 0x46505e);
    gfx_text(g, FONT_SMALL, x + 7, y + 5, C_TEXT, tip, 460);
}

void ui_draw(ui_t *ui)
{
    gfx_t *g = &ui->g;
    gfx_clear(g, C_BG);
    ui->nwidgets = 0;
    tip[0] = 0;
    int w = g->w, h = g->h;
    draw_header(ui, w);
    draw_toolbar(ui, w);
    int top = 92, foot = 24;
    int side_w = w * 25 / 100;
    if (side_w < 330)
        side_w = 330;
    if (side_w > 400)
        side_w = 400;
    int left_w = w - side_w - 28;
    int tl_h = h * 29 / 100;
    if (tl_h < 220)
        tl_h = 220;
    int main_h = h - top - foot - tl_h - 16;
    int board_w = left_w * 44 / 100;
    if (board_w < 380)
        board_w = 380;
    SDL_Rect board = { 10, top, board_w, main_h };
    SDL_Rect con = { board.x + board.w + 8, top, left_w - board_w - 8, main_h };
    SDL_Rect side = { w - 10 - side_w, top, side_w, h - top - foot - 8 };
    SDL_Rect tl = { 10, top + main_h + 8, left_w, tl_h };
    ui_draw_board(ui, board);
    draw_console(ui, con);
    draw_side(ui, side);
    draw_timeline(ui, tl);
    draw_footer(ui, w, h);
    draw_tip(ui);
}
