/* glitchbox-ui: options, the run driver, events, actions (see ui.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ui.h"
#include "sim/units.h"
#include "models/board/led.h"

#define FRAME_WALL_S (1.0 / 60.0)
/* A push button is held at least this long in virtual time, however quick
 * the click: the firmware polls and debounces. */
#define HOLD_MIN_NS SIM_MS(50)

static const double speeds[] = { 0.1, 0.25, 1, 4, 16, 0 };
const unsigned ui_nspeeds = sizeof speeds / sizeof speeds[0];
double ui_speed_choice(int k) { return speeds[k]; }

static double wall(void) { return session_wall_seconds(); }

void ui_set_status(ui_t *ui, uint32_t color, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ui->status, sizeof ui->status, fmt, ap);
    va_end(ap);
    ui->status_color = color;
}

/* ---------------------------------------------------------------------- */
/* what the board offers, found through its endpoints */

static void add_led(ui_t *ui, const char *ep_name, const char *label, const char *what,
                    uint32_t on, uint32_t off)
{
    if (ui->nleds >= UI_MAX_LEDS)
        return;
    ui_led_t *l = &ui->leds[ui->nleds++];
    memset(l, 0, sizeof *l);
    snprintf(l->label, sizeof l->label, "%s", label);
    snprintf(l->what, sizeof l->what, "%s", what);
    l->on_rgb = on;
    l->off_rgb = off;
    endpoint_t *e = machine_find_endpoint(ui->m, ep_name);
    l->pin = e && e->kind == EP_GPIO ? e->pin : NULL;
}

/* The net an endpoint drives or listens on (NULL: not wired). */
static const gpio_net_t *net_of(machine_t *m, const endpoint_t *e)
{
    if (!e || e->kind != EP_GPIO)
        return NULL;
    if (e->pin && e->pin->net)
        return e->pin->net;
    for (unsigned k = 0; k < m->nnets; k++)
        for (unsigned j = 0; j < m->nets[k].nlisteners; j++) {
            const gpio_listener_t *l = &m->nets[k].listeners[j];
            if (e->listen_fn && l->fn == e->listen_fn && l->opaque == e->listen_opaque &&
                l->n == e->listen_n)
                return &m->nets[k];
        }
    return NULL;
}

/* The GPIO endpoints of an instance ("<inst>.*"), the nth. */
static endpoint_t *inst_gpio(machine_t *m, const char *inst, unsigned nth)
{
    size_t n = strlen(inst);
    endpoint_t *e;
    for (unsigned k = 0; (e = machine_find_endpoint_kind(m, EP_GPIO, k)); k++)
        if (!strncmp(e->name, inst, n) && e->name[n] == '.' && !nth--)
            return e;
    return NULL;
}

static uint32_t led_rgb(const char *color)
{
    static const struct { const char *name; uint32_t rgb; } c[] = {
        { "green", 0x35e06a }, { "orange", 0xff9a1f }, { "red", 0xff3b3b }, { "blue", 0x3d8bff },
        { "yellow", 0xffe23d }, { "amber", 0xffb21f }, { "white", 0xf4f7fb },
    };
    for (unsigned k = 0; k < sizeof c / sizeof c[0]; k++)
        if (!strcasecmp(color, c[k].name))
            return c[k].rgb;
    return 0x35e06a;
}

/* LED models: those on the nets of the pins the drawing knows take them
 * over; the others are added by their instance names. */
static void find_led_models(ui_t *ui)
{
    machine_t *m = ui->m;
    for (unsigned i = 0; i < m->ninstances; i++) {
        if (strcmp(m->instances[i].cls->type, "led"))
            continue;
        const led_t *model = m->instances[i].inst;
        const gpio_net_t *net = net_of(m, inst_gpio(m, m->instances[i].name, 0));
        ui_led_t *l = NULL;
        for (unsigned k = 0; k < ui->nleds && !l; k++)
            if (ui->leds[k].pin && net && ui->leds[k].pin->net == net)
                l = &ui->leds[k];
        if (!l && ui->nleds < UI_MAX_LEDS) {
            l = &ui->leds[ui->nleds++];
            memset(l, 0, sizeof *l);
            snprintf(l->label, sizeof l->label, "%s", m->instances[i].name);
            snprintf(l->what, sizeof l->what, "%s LED", led_color(model));
            l->on_rgb = led_rgb(led_color(model));
            l->off_rgb = 0xd6d9dc;
        }
        if (l)
            l->model = model;
    }
}

/* Button models, pressed through their "<name>.pressed" control: the one on
 * the reset pin's net is the reset button, the first other one the user's. */
static void find_button_models(ui_t *ui, const gpio_net_t *nrst_net)
{
    machine_t *m = ui->m;
    for (unsigned i = 0; i < m->ninstances; i++) {
        if (strcmp(m->instances[i].cls->type, "button"))
            continue;
        char ctl[96];
        snprintf(ctl, sizeof ctl, "%s.pressed", m->instances[i].name);
        endpoint_t *c = machine_find_endpoint(m, ctl);
        if (!c || c->kind != EP_CONTROL)
            continue;
        const gpio_net_t *net = net_of(m, inst_gpio(m, m->instances[i].name, 0));
        ui_hold_t *h = net && net == nrst_net ? &ui->hold[0] : &ui->hold[1];
        if (h->control)
            continue;
        snprintf(h->id, sizeof h->id, h == &ui->hold[0] ? "button.reset" : "button.user");
        snprintf(h->target, sizeof h->target, "%s", ctl);
        h->control = true;
    }
}

static void find_board(ui_t *ui)
{
    machine_t *m = ui->m;
    ui->nleds = 0;
    for (unsigned i = 0; i < m->ninstances; i++) {
        const char *type = m->instances[i].cls->type;
        if (!strcmp(type, "stm32f407") && !ui->discovery) {
            ui->discovery = true;
            snprintf(ui->mcu_name, sizeof ui->mcu_name, "%s", m->instances[i].name);
        } else if (!strcmp(type, "enc28j60") && !ui->enc_module) {
            ui->enc_module = true;
            snprintf(ui->eth_name, sizeof ui->eth_name, "%s", m->instances[i].name);
        }
    }
    char ep[96];
    if (ui->discovery) {
        /* STM32F4-Discovery (MB997): LD4 green PD12, LD3 orange PD13, LD5 red PD14,
         * LD6 blue PD15, lit when the pin is high */
        static const struct { const char *pin, *label, *color; uint32_t on, off; } d[] = {
            { "PD12", "LD4", "green", 0x35e06a, 0xcfe3d3 },
            { "PD13", "LD3", "orange", 0xff9a1f, 0xeadccb },
            { "PD14", "LD5", "red", 0xff3b3b, 0xead0d0 },
            { "PD15", "LD6", "blue", 0x3d8bff, 0xd0dbea },
        };
        for (unsigned k = 0; k < 4; k++) {
            char what[48];
            snprintf(ep, sizeof ep, "%s.%s", ui->mcu_name, d[k].pin);
            snprintf(what, sizeof what, "%s %s", d[k].pin, d[k].color);
            add_led(ui, ep, d[k].label, what, d[k].on, d[k].off);
        }
    }
    if (ui->enc_module) {
        /* the jack's LEDs, where the model drives them (PHLCON) */
        snprintf(ep, sizeof ep, "%s.leda", ui->eth_name);
        add_led(ui, ep, "LEDA", "ENC28J60 LEDA (PHLCON LACFG)", 0x3ddc6a, 0x58635c);
        snprintf(ep, sizeof ep, "%s.ledb", ui->eth_name);
        add_led(ui, ep, "LEDB", "ENC28J60 LEDB (PHLCON LBCFG)", 0xffc21f, 0x6a6350);
    }
    /* the reset pin and a user button: "*.nrst", and a net named like a button */
    memset(ui->hold, 0, sizeof ui->hold);
    endpoint_t *e;
    for (unsigned k = 0; (e = machine_find_endpoint_kind(m, EP_GPIO, k)); k++) {
        const char *dot = strrchr(e->name, '.');
        if (dot && !strcmp(dot + 1, "nrst") && !ui->hold[0].target[0]) {
            snprintf(ui->hold[0].id, sizeof ui->hold[0].id, "button.reset");
            snprintf(ui->hold[0].target, sizeof ui->hold[0].target, "%s", e->name);
            snprintf(ui->hold[0].press_level, sizeof ui->hold[0].press_level, "low");
        }
    }
    for (unsigned k = 0; k < m->nnets; k++) {
        char up[32];
        snprintf(up, sizeof up, "%s", m->net_names[k]);
        for (char *p = up; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        if (!strstr(up, "BUTTON") && !strstr(up, "BTN"))
            continue;
        snprintf(ui->hold[1].id, sizeof ui->hold[1].id, "button.user");
        snprintf(ui->hold[1].target, sizeof ui->hold[1].target, "%s", m->net_names[k]);
        snprintf(ui->hold[1].press_level, sizeof ui->hold[1].press_level, "%s",
                 m->nets[k].pull == GPIO_PULL_UP ? "low" : "high");
        break;
    }
    find_led_models(ui);
    const endpoint_t *nrst = ui->hold[0].target[0] ? machine_find_endpoint(m, ui->hold[0].target)
                                                   : NULL;
    find_button_models(ui, net_of(m, nrst));
    /* SPI buses with a device on them */
    ui->nspi = 0;
    for (unsigned k = 0; (e = machine_find_endpoint_kind(m, EP_SPI_BUS, k)); k++)
        if (e->spi_bus->ops && ui->nspi < UI_MAX_SPI) {
            ui->spi[ui->nspi].ep = e;
            ui->spi[ui->nspi].ber_exp = -4;
            ui->spi[ui->nspi].on = false;
            ui->nspi++;
        }
    /* controls and probes, whatever the models registered */
    unsigned nc = 0, np = 0;
    while (machine_find_endpoint_kind(m, EP_CONTROL, nc))
        nc++;
    while (machine_find_endpoint_kind(m, EP_PROBE, np))
        np++;
    ui->controls = calloc(nc ? nc : 1, sizeof *ui->controls);
    ui->probes = calloc(np ? np : 1, sizeof *ui->probes);
    ui->ncontrols = ui->controls ? nc : 0;
    ui->nprobes = ui->probes ? np : 0;
    for (unsigned k = 0; k < ui->ncontrols; k++) {
        /* A control says in its help what it takes; on/off buttons only for
         * those that take true/false (and errata switches, which do), so a
         * click never sends a value the model refuses. */
        endpoint_t *c = machine_find_endpoint_kind(m, EP_CONTROL, k);
        const char *h = c->help ? c->help : "";
        ui->controls[k].ep = c;
        bool sw = strstr(c->name, ".erratum.") && !strstr(c->name, ".chance");
        ui->controls[k].takes_true = sw || strcasestr(h, "true");
        ui->controls[k].takes_false = ui->controls[k].takes_true || strcasestr(h, "false");
    }
    for (unsigned k = 0; k < ui->nprobes; k++)
        ui->probes[k] = machine_find_endpoint_kind(m, EP_PROBE, k);
}

/* ---------------------------------------------------------------------- */
/* watching the run */

static void link_watch(void *opaque, const net_link_t *l, int from, enum net_link_fate fate,
                       bool fcs_ok, const uint8_t *frame, size_t len)
{
    ui_t *ui = opaque;
    unsigned k;
    for (k = 0; k < ui->nlinks && ui->links[k].l != l; k++)
        ;
    if (k == ui->nlinks)
        return;
    if (fate == NET_LINK_CABLE) {
        ui->links[k].up = l->p.up;
        scene_intervals_set(&ui->scene->link_down[k], machine_now(ui->m), !l->p.up);
        return;
    }
    /* lane 0: frames the board sent; lane 1: frames sent to it */
    unsigned dir = ui->links[k].dev_end < 0 ? (unsigned)from : from == ui->links[k].dev_end ? 0u : 1u;
    enum scene_fate f;
    switch (fate) {
    case NET_LINK_SENT: f = FATE_SENT; break;
    case NET_LINK_DELIVERED: f = fcs_ok ? FATE_DELIVERED : FATE_CORRUPTED; break;
    case NET_LINK_LOST: f = FATE_LOST; break;
    case NET_LINK_DOWN: f = FATE_DOWN; break;
    case NET_LINK_TOO_BIG: f = FATE_TOO_BIG; break;
    default: f = FATE_QUEUE_FULL; break;
    }
    scene_add_frame(ui->scene, machine_now(ui->m), k, dir, f, frame, len);
}

static void find_links(ui_t *ui)
{
    network_t *n = &ui->s->net;
    ui->nlinks = 0;
    for (unsigned k = 0; k < n->nlinks && ui->nlinks < UI_MAX_LINKS; k++) {
        ui_link_t *u = &ui->links[ui->nlinks++];
        memset(u, 0, sizeof *u);
        u->l = n->links[k];
        snprintf(u->name, sizeof u->name, "%s", u->l->name);
        u->dev_end = -1;
        endpoint_t *e;
        for (unsigned j = 0; (e = machine_find_endpoint_kind(ui->m, EP_NET_PORT, j)); j++)
            for (int end = 0; end < 2; end++)
                if (u->l->end[end] == e->port && u->dev_end < 0) {
                    u->dev_end = end;
                    snprintf(u->dev_name, sizeof u->dev_name, "%s", e->name);
                }
        int peer = u->dev_end < 0 ? 1 : 1 - u->dev_end;
        if (u->dev_end < 0)
            snprintf(u->dev_name, sizeof u->dev_name, "%s",
                     u->l->end[0] ? u->l->end[0]->name : "(nothing)");
        /* a cable "<network>/<port>" runs to the network's switch */
        snprintf(u->peer_name, sizeof u->peer_name, "%s",
                 strchr(u->name, '/') ? "switch" : u->l->end[peer] ? u->l->end[peer]->name
                                                                   : "(nothing)");
        u->up = u->l->p.up;
        net_link_watch(u->l, link_watch, ui);
    }
    /* the board's own cables first */
    for (unsigned a = 1; a < ui->nlinks; a++)
        for (unsigned b = a; b > 0 && ui->links[b].dev_end >= 0 && ui->links[b - 1].dev_end < 0;
             b--) {
            ui_link_t t = ui->links[b];
            ui->links[b] = ui->links[b - 1];
            ui->links[b - 1] = t;
        }
}

static void console_hook(void *opaque, const uint8_t *buf, size_t len)
{
    ui_t *ui = opaque;
    scene_console_feed(ui->scene, machine_now(ui->m), buf, len);
    if (ui->have_script)
        script_output(&ui->script, machine_now(ui->m), buf, len);
    if (ui->prev_hook)
        ui->prev_hook(ui->prev_hook_opaque, buf, len);
}

/* Learns which UART the guest writes to, so typing goes back to it. */
static void machine_console(void *opaque, const char *source, const uint8_t *buf, size_t len)
{
    ui_t *ui = opaque;
    if (!ui->console_uart[0] && source) {
        endpoint_t *e;
        for (unsigned k = 0; (e = machine_find_endpoint_kind(ui->m, EP_UART, k)); k++) {
            const char *dot = strrchr(e->name, '.');
            if (dot && !strcmp(dot + 1, source)) {
                snprintf(ui->console_uart, sizeof ui->console_uart, "%s", e->name);
                break;
            }
        }
    }
    if (ui->prev_console)
        ui->prev_console(ui->prev_console_opaque, source, buf, len);
}

static const char *rec_str(const cJSON *r, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* A short label for an applied input record, for the timeline. */
static void input_label(ui_t *ui, const cJSON *r, char *out, size_t n)
{
    const char *kind = rec_str(r, "kind"), *target = rec_str(r, "target");
    if (!strcmp(kind, "link")) {
        snprintf(out, n, "cable %s %s", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "up"))
                 ? "in" : "out", target);
    } else if (!strcmp(kind, "power_cut")) {
        const cJSON *off = cJSON_GetObjectItemCaseSensitive(r, "off_ns");
        snprintf(out, n, "power cut %.0f ms", cJSON_IsNumber(off) ? off->valuedouble / 1e6 : 100);
    } else if (!strcmp(kind, "pin")) {
        const char *what = !strcmp(target, ui->hold[0].target) ? "reset"
                           : !strcmp(target, ui->hold[1].target) ? "user button" : target;
        snprintf(out, n, "%s %s", what, strcmp(rec_str(r, "level"), "release") ? "pressed"
                                                                             : "released");
    } else if (!strcmp(kind, "control") && (!strcmp(target, ui->hold[0].target) ||
                                            !strcmp(target, ui->hold[1].target))) {
        snprintf(out, n, "%s %s", !strcmp(target, ui->hold[0].target) ? "reset" : "user button",
                 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "value")) ? "pressed"
                                                                            : "released");
    } else if (!strcmp(kind, "control")) {
        char *v = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, "value"));
        snprintf(out, n, "%s = %s", target, v ? v : "?");
        free(v);
    } else if (!strcmp(kind, "spi_errors")) {
        const cJSON *ber = cJSON_GetObjectItemCaseSensitive(r, "ber");
        double b = cJSON_IsNumber(ber) ? ber->valuedouble : 0;
        if (b > 0)
            snprintf(out, n, "SPI errors %.0e", b);
        else
            snprintf(out, n, "SPI errors off");
    } else if (!strcmp(kind, "uart")) {
        snprintf(out, n, "typed %zu bytes", strlen(rec_str(r, "hex")) / 2);
    } else {
        snprintf(out, n, "%s %s", kind, target);
    }
}

/* After every slice: what changed at the slice's end. */
static void sample(ui_t *ui)
{
    machine_t *m = ui->m;
    sim_time_t now = machine_now(m);
    if (m->power_off != ui->power_off) {
        ui->power_off = m->power_off;
        scene_mark(ui->scene, now, MARK_POWER, m->power_off ? "power off" : "power on");
    }
    scene_intervals_set(&ui->scene->power_off, now, m->power_off);
    const cJSON *recs = inputlog_records(&ui->s->in);
    unsigned k = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, recs) {
        if (k++ < ui->inputs_seen)
            continue;
        char label[48];
        input_label(ui, r, label, sizeof label);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "t_ns");
        scene_mark(ui->scene, cJSON_IsNumber(t) ? (sim_time_t)t->valuedouble : now, MARK_INPUT,
                   label);
        ui->inputs_seen = k;
    }
    if (ui->s->in.error[0] && !ui->input_error_shown) {
        /* the engine ends the run's result with it too */
        ui->input_error_shown = true;
        ui_set_status(ui, C_RED, "not applied: %s", ui->s->in.error);
    }
    /* held buttons whose release waited for the minimum press */
    for (unsigned h = 0; h < UI_MAX_HOLD; h++) {
        ui_hold_t *b = &ui->hold[h];
        if (b->release_pending && now >= b->down_at + HOLD_MIN_NS) {
            b->release_pending = false;
            cJSON *rec = cJSON_CreateObject();
            cJSON_AddStringToObject(rec, "kind", b->control ? "control" : "pin");
            cJSON_AddStringToObject(rec, "target", b->target);
            if (b->control)
                cJSON_AddBoolToObject(rec, "value", false);
            else
                cJSON_AddStringToObject(rec, "level", "release");
            ui_submit(ui, rec, h == 0 ? "reset released" : "user button released");
        }
    }
}

/* ---------------------------------------------------------------------- */
/* running */

sim_time_t ui_now(const ui_t *ui)
{
    sim_time_t now = machine_now(ui->m);
    return now > ui->reached ? now : ui->reached;
}

static sim_time_t next_tick(sim_time_t t)
{
    return (t / INPUTLOG_TICK_NS + 1) * INPUTLOG_TICK_NS;
}

static sim_time_t tick_at_or_after(sim_time_t t)
{
    return t % INPUTLOG_TICK_NS ? next_tick(t) : t;
}

/* One slice: to the next millisecond tick (the input log's), never beyond
 * 'until' or the limit. Slices ending on ticks add no boundary of their own,
 * so the run is the one a single machine_run() to the end would give. */
static void slice(ui_t *ui, sim_time_t until)
{
    sim_time_t from = machine_now(ui->m) > ui->reached ? machine_now(ui->m) : ui->reached;
    sim_time_t to = next_tick(from);
    if (to > until)
        to = until;
    if (to > ui->limit)
        to = ui->limit;
    if (to <= ui->reached) {
        if (ui->reached >= ui->limit) {
            ui->ended = true;
            ui->stop = CPU_STOP_LIMIT;
        }
        return;
    }
    enum cpu_stop st = machine_run(ui->m, to);
    if (st == CPU_STOP_LIMIT) {
        ui->reached = to;
        if (to >= ui->limit) {
            ui->ended = true;
            ui->stop = CPU_STOP_LIMIT;
        }
    } else {
        ui->ended = true;
        ui->stop = st;
    }
    sample(ui);
    if (ui->ended) {
        const char *why = ui->s->stop_matched ? "stop-on" : session_stop_name(ui->stop);
        char label[48];
        snprintf(label, sizeof label, "end (%s)", why);
        scene_mark(ui->scene, machine_now(ui->m), MARK_END, label);
        ui_set_status(ui, C_ACCENT, "the run ended at %.6f s: %s%s%s", (double)machine_now(ui->m) / 1e9,
                      why, ui->s->stop_matched ? ", the guest printed " : "",
                      ui->s->stop_matched ? ui->s->cfg.stop_on : "");
    }
}

static void reanchor(ui_t *ui)
{
    ui->anchor_wall = wall();
    ui->anchor_virt = ui->reached;
}

/* Where the run must stop for the script: its next command's tick. */
static sim_time_t script_cap(const ui_t *ui, sim_time_t target)
{
    if (!ui->have_script)
        return target;
    sim_time_t st = script_next_time(&ui->script);
    return st != SIM_TIME_NEVER && tick_at_or_after(st) < target ? tick_at_or_after(st) : target;
}

/* Run until 'target', the script's next command (which console output can
 * make due at any moment) or the end of the wall-clock budget; true when the
 * target was reached. */
static bool run_to(ui_t *ui, sim_time_t target, double budget_end)
{
    while (!ui->ended && wall() < budget_end) {
        sim_time_t cap = script_cap(ui, target);
        if (ui->reached >= cap || ui_now(ui) >= cap)
            break;
        slice(ui, cap);
    }
    return ui->ended || ui->reached >= target;
}

/* Returns true when the run is ahead of the wall clock (nothing to do until
 * the next frame). */
static bool advance(ui_t *ui, double budget_end)
{
    if (ui->ended || ui->paused)
        return true;
    sim_time_t cap = script_cap(ui, ui->limit);
    sim_time_t target = cap;
    if (ui->speed > 0) {
        /* paced to the wall clock, in whole ticks: no slice ends between ticks */
        double want = (double)ui->anchor_virt + (wall() - ui->anchor_wall) * ui->speed * 1e9;
        if (want < (double)target)
            target = (sim_time_t)want / INPUTLOG_TICK_NS * INPUTLOG_TICK_NS;
    }
    bool reached = run_to(ui, target, budget_end);
    if (ui->speed > 0 && !ui->ended) {
        /* when the simulation cannot keep up, do not try to catch up later */
        double lag = ((double)ui->anchor_virt + (wall() - ui->anchor_wall) * ui->speed * 1e9 -
                      (double)ui->reached) / (ui->speed * 1e9);
        if (lag > 0.25)
            reanchor(ui);
    }
    return reached && target < cap;
}

static void measure_speed(ui_t *ui)
{
    double w = wall();
    if (w - ui->meas_wall >= 0.5) {
        double dv = (double)(ui->reached - ui->meas_virt) / 1e9;
        ui->speed_seen = ui->paused || ui->ended ? 0 : dv / (w - ui->meas_wall);
        ui->meas_wall = w;
        ui->meas_virt = ui->reached;
    }
}

/* ---------------------------------------------------------------------- */
/* actions */

/* What was submitted when, for dumps (tests check each record's time). */
static void log_submission(ui_t *ui, const char *what)
{
    if (!ui->submit_log)
        ui->submit_log = cJSON_CreateArray();
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "what", what);
    cJSON_AddNumberToObject(e, "at_ns", (double)machine_now(ui->m));
    cJSON_AddItemToArray(ui->submit_log, e);
}

void ui_submit(ui_t *ui, cJSON *rec, const char *what)
{
    if (ui->ended) {
        cJSON_Delete(rec);
        ui_set_status(ui, C_ORANGE, "%s: the run has ended", what);
        return;
    }
    if (ui->s->in.replaying) {
        cJSON_Delete(rec);
        ui_set_status(ui, C_ORANGE, "%s: a replay takes only its recorded inputs", what);
        return;
    }
    log_submission(ui, what);
    inputlog_submit(&ui->s->in, rec);
    ui->submitted++;
    ui_set_status(ui, C_TEXT, "%s at %.3f s%s", what,
                  (double)next_tick(machine_now(ui->m)) / 1e9,
                  ui->paused ? " (when the run goes on)" : "");
}

static cJSON *record(const char *kind, const char *target)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "kind", kind);
    if (target)
        cJSON_AddStringToObject(r, "target", target);
    return r;
}

static void submit_spi(ui_t *ui, ui_spi_t *sp)
{
    cJSON *r = record("spi_errors", sp->ep->name);
    double ber = sp->on ? pow(10.0, sp->ber_exp) : 0;
    cJSON_AddNumberToObject(r, "ber", ber);
    cJSON_AddStringToObject(r, "line", "both");
    char what[96];
    if (sp->on)
        snprintf(what, sizeof what, "bit errors on %s, 1 in 10^%d", sp->ep->name, -sp->ber_exp);
    else
        snprintf(what, sizeof what, "no more bit errors on %s", sp->ep->name);
    ui_submit(ui, r, what);
}

static void submit_control(ui_t *ui, const char *name, cJSON *value)
{
    char *text = cJSON_PrintUnformatted(value);
    for (unsigned k = 0; k < ui->ncontrols; k++)
        if (!strcmp(ui->controls[k].ep->name, name))
            snprintf(ui->controls[k].last, sizeof ui->controls[k].last, "%s", text ? text : "");
    cJSON *r = record("control", name);
    cJSON_AddItemToObject(r, "value", value);
    char what[160];
    snprintf(what, sizeof what, "%s = %s", name, text ? text : "?");
    free(text);
    ui_submit(ui, r, what);
}

static void apply_edit(ui_t *ui)
{
    if (!ui->edit_ctl[0])
        return;
    const char *t = ui->edit_buf;
    while (*t == ' ')
        t++;
    if (*t) {
        cJSON *v = cJSON_Parse(t);
        if (!v)
            v = cJSON_CreateString(t); /* a bare word is a string ("B4") */
        submit_control(ui, ui->edit_ctl, v);
    }
    ui->edit_ctl[0] = 0;
    SDL_StopTextInput();
}

static int idx_after(const char *id, const char *prefix)
{
    return atoi(id + strlen(prefix));
}

static bool starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

void ui_action_click(ui_t *ui, const char *id)
{
    if (strcmp(id, "edit.apply") && strcmp(id, "edit.field") && ui->edit_ctl[0] &&
        !starts(id, "ctl.")) {
        ui->edit_ctl[0] = 0;
        SDL_StopTextInput();
    }
    if (strcmp(id, "console"))
        ui->console_focus = false;
    if (strcmp(id, "list.filter"))
        ui->filter_focus = false;
    if (!strcmp(id, "run")) {
        if (ui->ended)
            return;
        ui->paused = !ui->paused;
        reanchor(ui);
        ui_set_status(ui, C_TEXT, ui->paused ? "paused at %.6f s" : "running from %.6f s",
                      (double)ui->reached / 1e9);
    } else if (!strcmp(id, "step")) {
        if (ui->ended)
            return;
        ui->paused = true;
        sim_time_t target = ui->reached + ui->step_ns;
        run_to(ui, target < ui->limit ? target : ui->limit, wall() + 30.0);
        ui_set_status(ui, C_TEXT, "stepped to %.6f s", (double)ui->reached / 1e9);
    } else if (starts(id, "stepsize.")) {
        ui->step_ns = ui_steps[idx_after(id, "stepsize.") % ui_nsteps];
    } else if (starts(id, "speed.")) {
        ui->speed = speeds[idx_after(id, "speed.") % ui_nspeeds];
        reanchor(ui);
    } else if (starts(id, "cable.") || !strcmp(id, "jack")) {
        /* cable.<link>; the jack is the board's first cable */
        unsigned k = 0;
        while (k < ui->nlinks && starts(id, "cable.") && strcmp(ui->links[k].name, id + 6))
            k++;
        if (k >= ui->nlinks)
            return;
        cJSON *r = record("link", ui->links[k].name);
        bool up = !ui->links[k].l->p.up;
        cJSON_AddBoolToObject(r, "up", up);
        char what[96];
        snprintf(what, sizeof what, "%s the cable of %s", up ? "plug in" : "pull out",
                 ui->links[k].name);
        ui_submit(ui, r, what);
    } else if (!strcmp(id, "power")) {
        cJSON *r = record("power_cut", NULL);
        cJSON_AddNumberToObject(r, "off_ns", (double)ui_power_choices[ui->power_idx]);
        char what[64];
        snprintf(what, sizeof what, "power cut for %.0f ms",
                 (double)ui_power_choices[ui->power_idx] / 1e6);
        ui_submit(ui, r, what);
    } else if (starts(id, "powerlen.")) {
        ui->power_idx = idx_after(id, "powerlen.") % (int)ui_npower;
    } else if (starts(id, "spi.")) {
        /* spi.<bus> */
        for (unsigned k = 0; k < ui->nspi; k++)
            if (!strcmp(ui->spi[k].ep->name, id + 4)) {
                ui->spi[k].on = !ui->spi[k].on;
                submit_spi(ui, &ui->spi[k]);
            }
    } else if (starts(id, "ber.")) {
        /* ber.<bus>.<k>: a rate of 10^-(5+k) */
        const char *dot = strrchr(id, '.');
        for (unsigned k = 0; k < ui->nspi; k++) {
            size_t n = strlen(ui->spi[k].ep->name);
            if (!strncmp(id + 4, ui->spi[k].ep->name, n) && id + 4 + n == dot) {
                ui->spi[k].ber_exp = -5 - atoi(dot + 1);
                if (ui->spi[k].on)
                    submit_spi(ui, &ui->spi[k]);
            }
        }
    } else if (starts(id, "tab.")) {
        ui->tab = idx_after(id, "tab.");
        ui->list_scroll = 0;
    } else if (starts(id, "span.")) {
        ui->span_idx = idx_after(id, "span.") % (int)ui_nspans;
    } else if (!strcmp(id, "console")) {
        ui->console_focus = true;
        SDL_StartTextInput();
    } else if (!strcmp(id, "list.filter")) {
        ui->filter_focus = true;
        SDL_StartTextInput();
    } else if (!strcmp(id, "list.clear")) {
        ui->filter[0] = 0;
        ui->list_scroll = 0;
    } else if (!strcmp(id, "console.bottom")) {
        ui->console_scroll = 0;
    } else if (!strcmp(id, "edit.apply")) {
        apply_edit(ui);
    } else if (!strcmp(id, "edit.cancel")) {
        ui->edit_ctl[0] = 0;
        SDL_StopTextInput();
    } else if (starts(id, "ctl.")) {
        /* ctl.<name>.true | .false | .edit */
        const char *name = id + 4;
        const char *dot = strrchr(name, '.');
        if (!dot)
            return;
        char ctl[80];
        snprintf(ctl, sizeof ctl, "%.*s", (int)(dot - name), name);
        if (!strcmp(dot, ".true") || !strcmp(dot, ".false")) {
            ui->edit_ctl[0] = 0;
            submit_control(ui, ctl, cJSON_CreateBool(!strcmp(dot, ".true")));
        } else if (!strcmp(dot, ".edit")) {
            snprintf(ui->edit_ctl, sizeof ui->edit_ctl, "%s", ctl);
            ui->edit_buf[0] = 0;
            for (unsigned k = 0; k < ui->ncontrols; k++)
                if (!strcmp(ui->controls[k].ep->name, ctl))
                    snprintf(ui->edit_buf, sizeof ui->edit_buf, "%s", ui->controls[k].last);
            SDL_StartTextInput();
        }
    } else if (!strcmp(id, "list.up")) {
        ui->list_scroll = ui->list_scroll > 3 ? ui->list_scroll - 3 : 0;
    } else if (!strcmp(id, "list.down")) {
        ui->list_scroll += 3;
    }
}

static ui_hold_t *hold_of(ui_t *ui, const char *id)
{
    const char *name = starts(id, "board.") ? id + 6 : starts(id, "button.") ? id + 7 : NULL;
    if (!name)
        return NULL;
    for (unsigned h = 0; h < UI_MAX_HOLD; h++)
        if (ui->hold[h].target[0] && !strcmp(ui->hold[h].id + 7, name))
            return &ui->hold[h];
    return NULL;
}

void ui_action_press(ui_t *ui, const char *id)
{
    ui_hold_t *b = hold_of(ui, id);
    if (!b || b->down)
        return;
    b->down = true;
    b->release_pending = false;
    b->down_at = next_tick(machine_now(ui->m));
    cJSON *r = record(b->control ? "control" : "pin", b->target);
    if (b->control)
        cJSON_AddBoolToObject(r, "value", true);
    else
        cJSON_AddStringToObject(r, "level", b->press_level);
    ui_submit(ui, r, b == &ui->hold[0] ? "reset button pressed" : "user button pressed");
}

void ui_action_release(ui_t *ui, const char *id)
{
    ui_hold_t *b = hold_of(ui, id);
    if (!b || !b->down)
        return;
    b->down = false;
    b->release_pending = true;
    sample(ui); /* releases at once when it was held long enough */
}

/* ---------------------------------------------------------------------- */
/* events */

static ui_widget_t *widget_at(ui_t *ui, int x, int y)
{
    for (unsigned k = ui->nwidgets; k-- > 0;) {
        SDL_Rect *r = &ui->widgets[k].r;
        if (x >= r->x && y >= r->y && x < r->x + r->w && y < r->y + r->h)
            return &ui->widgets[k];
    }
    return NULL;
}

static ui_widget_t *widget_by_id(ui_t *ui, const char *id)
{
    for (unsigned k = 0; k < ui->nwidgets; k++)
        if (!strcmp(ui->widgets[k].id, id))
            return &ui->widgets[k];
    return NULL;
}

static void type_bytes(ui_t *ui, const char *buf, size_t n)
{
    if (!ui->console_uart[0]) {
        ui_set_status(ui, C_ORANGE, "no console UART yet (the guest has printed nothing; "
                      "--console UART names one)");
        return;
    }
    if (ui->ended || ui->s->in.replaying)
        return;
    log_submission(ui, "typing");
    inputlog_submit_uart(&ui->s->in, ui->console_uart, (const uint8_t *)buf, n);
    ui->submitted++;
}

static void key_down(ui_t *ui, const SDL_KeyboardEvent *k)
{
    SDL_Keycode sym = k->keysym.sym;
    bool ctrl = (k->keysym.mod & KMOD_CTRL) != 0;
    if (ui->edit_ctl[0]) {
        size_t n = strlen(ui->edit_buf);
        if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER)
            apply_edit(ui);
        else if (sym == SDLK_ESCAPE)
            ui_action_click(ui, "edit.cancel");
        else if (sym == SDLK_BACKSPACE && n)
            ui->edit_buf[n - 1] = 0;
        return;
    }
    if (ui->filter_focus) {
        size_t n = strlen(ui->filter);
        if (sym == SDLK_BACKSPACE && n)
            ui->filter[n - 1] = 0;
        else if (sym == SDLK_ESCAPE)
            ui->filter[0] = 0, ui->filter_focus = false;
        else if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER)
            ui->filter_focus = false;
        ui->list_scroll = 0;
        return;
    }
    if (ui->console_focus) {
        char c = 0;
        if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER)
            c = '\r';
        else if (sym == SDLK_BACKSPACE)
            c = '\b';
        else if (sym == SDLK_TAB)
            c = '\t';
        else if (ctrl && sym >= SDLK_a && sym <= SDLK_z)
            c = (char)(sym - SDLK_a + 1);
        else if (sym == SDLK_ESCAPE)
            ui->console_focus = false;
        if (c)
            type_bytes(ui, &c, 1);
        return;
    }
    switch (sym) {
    case SDLK_SPACE: ui_action_click(ui, "run"); break;
    case SDLK_PERIOD: ui_action_click(ui, "step"); break;
    case SDLK_c: ui_action_click(ui, "jack"); break;
    case SDLK_p: ui_action_click(ui, "power"); break;
    case SDLK_ESCAPE: ui->console_focus = false; break;
    case SDLK_q:
        if (ctrl)
            ui->quit = true;
        break;
    default:
        if (sym >= SDLK_1 && sym < SDLK_1 + (int)ui_nspeeds) {
            char id[16];
            snprintf(id, sizeof id, "speed.%d", (int)(sym - SDLK_1));
            ui_action_click(ui, id);
        }
        break;
    }
}

/* Typed text into a field (dropped whole when it does not fit). */
static void append(char *buf, size_t cap, const char *text)
{
    size_t n = strlen(buf), add = strlen(text);
    if (n + add < cap)
        memcpy(buf + n, text, add + 1);
}

static void handle_event(ui_t *ui, const SDL_Event *e)
{
    switch (e->type) {
    case SDL_QUIT:
        ui->quit = true;
        break;
    case SDL_MOUSEMOTION: {
        ui->mx = e->motion.x, ui->my = e->motion.y;
        ui_widget_t *w = widget_at(ui, ui->mx, ui->my);
        snprintf(ui->hover, sizeof ui->hover, "%s", w ? w->id : "");
        break;
    }
    case SDL_MOUSEBUTTONDOWN: {
        if (e->button.button != SDL_BUTTON_LEFT)
            break;
        ui->mx = e->button.x, ui->my = e->button.y;
        ui_widget_t *w = widget_at(ui, ui->mx, ui->my);
        snprintf(ui->pressed, sizeof ui->pressed, "%s", w ? w->id : "");
        if (w && w->hold)
            ui_action_press(ui, w->id);
        break;
    }
    case SDL_MOUSEBUTTONUP: {
        if (e->button.button != SDL_BUTTON_LEFT)
            break;
        ui->mx = e->button.x, ui->my = e->button.y;
        ui_widget_t *w = widget_at(ui, ui->mx, ui->my);
        ui_widget_t *p = ui->pressed[0] ? widget_by_id(ui, ui->pressed) : NULL;
        char id[sizeof ui->pressed];
        snprintf(id, sizeof id, "%s", ui->pressed);
        ui->pressed[0] = 0;
        if (p && p->hold)
            ui_action_release(ui, id);
        else if (w && !strcmp(w->id, id))
            ui_action_click(ui, id);
        else if (!w)
            ui_action_click(ui, "");
        break;
    }
    case SDL_MOUSEWHEEL: {
        ui_widget_t *w = widget_at(ui, ui->mx, ui->my);
        const char *id = w ? w->id : "";
        int dy = e->wheel.y;
        if (starts(id, "console")) {
            ui->console_scroll += dy * 3;
            if (ui->console_scroll < 0)
                ui->console_scroll = 0;
        } else if (starts(id, "list") || starts(id, "ctl.") || starts(id, "probe.")) {
            ui->list_scroll -= dy * 2;
            if (ui->list_scroll < 0)
                ui->list_scroll = 0;
        } else if (starts(id, "timeline")) {
            ui->span_idx -= dy;
            if (ui->span_idx < 0)
                ui->span_idx = 0;
            if (ui->span_idx >= (int)ui_nspans)
                ui->span_idx = (int)ui_nspans - 1;
        }
        break;
    }
    case SDL_TEXTINPUT:
        if (ui->edit_ctl[0]) {
            append(ui->edit_buf, sizeof ui->edit_buf, e->text.text);
        } else if (ui->filter_focus) {
            append(ui->filter, sizeof ui->filter, e->text.text);
            ui->list_scroll = 0;
        } else if (ui->console_focus) {
            type_bytes(ui, e->text.text, strlen(e->text.text));
        }
        break;
    case SDL_KEYDOWN:
        key_down(ui, &e->key);
        break;
    default:
        break;
    }
}

static void pump(ui_t *ui)
{
    SDL_Event e;
    while (SDL_PollEvent(&e))
        handle_event(ui, &e);
}

/* ---------------------------------------------------------------------- */
/* frames, dumps, screenshots */

static void draw_frame(ui_t *ui) { ui_draw(ui); }
static void present(ui_t *ui) { gfx_present(&ui->g); }

static int screenshot(ui_t *ui, const char *path)
{
    draw_frame(ui);
    int w, h;
    uint32_t *px = gfx_read_pixels(&ui->g, &w, &h);
    char err[256];
    int rc = -1;
    if (!px)
        snprintf(err, sizeof err, "cannot read the window's pixels: %s", SDL_GetError());
    else
        rc = gfx_write_png(path, px, w, h, err, sizeof err);
    free(px);
    present(ui);
    if (rc)
        fprintf(stderr, "glitchbox-ui: screenshot: %s\n", err);
    else
        fprintf(stderr, "glitchbox-ui: screenshot %s (%dx%d) at %.3f s\n", path, w, h,
                (double)ui->reached / 1e9);
    return rc;
}

static unsigned dist2(uint32_t a, uint32_t b)
{
    int dr = (int)(a >> 16 & 255) - (int)(b >> 16 & 255);
    int dg = (int)(a >> 8 & 255) - (int)(b >> 8 & 255);
    int db = (int)(a & 255) - (int)(b & 255);
    return (unsigned)(dr * dr + dg * dg + db * db);
}

static void add_str(cJSON *o, const char *k, const char *v) { cJSON_AddStringToObject(o, k, v); }

static int dump(ui_t *ui, const char *path)
{
    draw_frame(ui);
    int w = 0, h = 0;
    uint32_t *px = gfx_read_pixels(&ui->g, &w, &h);
    present(ui);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "t_ns", (double)ui->reached);
    cJSON_AddNumberToObject(j, "now_ns", (double)machine_now(ui->m));
    cJSON_AddBoolToObject(j, "paused", ui->paused);
    cJSON_AddBoolToObject(j, "ended", ui->ended);
    cJSON_AddBoolToObject(j, "power_off", ui->m->power_off);
    cJSON *leds = cJSON_AddArrayToObject(j, "leds");
    for (unsigned k = 0; k < ui->nleds; k++) {
        ui_led_t *l = &ui->leds[k];
        cJSON *o = cJSON_CreateObject();
        add_str(o, "name", l->label);
        add_str(o, "what", l->what);
        cJSON_AddBoolToObject(o, "exposed", l->pin != NULL || l->model != NULL);
        cJSON_AddBoolToObject(o, "gpio", l->pin && gpio_pin_level(l->pin));
        if (l->model)
            cJSON_AddBoolToObject(o, "model_on", led_is_on(l->model));
        cJSON_AddBoolToObject(o, "drawn_on", l->on);
        if (px && l->drawn && l->x >= 0 && l->y >= 0 && l->x < w && l->y < h) {
            uint32_t p = px[(size_t)l->y * (size_t)w + (size_t)l->x];
            char hex[8];
            snprintf(hex, sizeof hex, "#%06x", p);
            add_str(o, "pixel", hex);
            /* a lit LED's centre is drawn in exactly its lit colour */
            cJSON_AddBoolToObject(o, "pixel_lit", dist2(p, l->on_rgb) < 3 * 24 * 24);
            cJSON_AddNumberToObject(o, "x", l->x);
            cJSON_AddNumberToObject(o, "y", l->y);
        }
        cJSON_AddItemToArray(leds, o);
    }
    free(px);
    cJSON *con = cJSON_AddObjectToObject(j, "console");
    cJSON_AddNumberToObject(con, "lines", scene_console_nlines(ui->scene));
    cJSON_AddNumberToObject(con, "bytes", (double)ui->scene->console.bytes);
    add_str(con, "uart", ui->console_uart);
    char *tail = malloc(8192);
    if (tail) {
        scene_console_tail(ui->scene, tail, 8192);
        add_str(con, "tail", tail);
        free(tail);
    }
    const scene_update_t *u = &ui->scene->update;
    cJSON *up = cJSON_AddObjectToObject(j, "update");
    add_str(up, "state", u->seen ? u->state : "");
    cJSON_AddNumberToObject(up, "bytes", (double)u->bytes);
    cJSON_AddNumberToObject(up, "total", (double)u->total);
    cJSON_AddNumberToObject(up, "progress", scene_update_progress(u));
    cJSON *links = cJSON_AddArrayToObject(j, "links");
    for (unsigned k = 0; k < ui->nlinks; k++) {
        const scene_link_stats_t *st = &ui->scene->stats[k];
        cJSON *o = cJSON_CreateObject();
        add_str(o, "name", ui->links[k].name);
        cJSON_AddBoolToObject(o, "up", ui->links[k].l->p.up);
        static const char *const dirs[2] = { "from_board", "to_board" };
        for (int d = 0; d < 2; d++) {
            cJSON *dd = cJSON_AddObjectToObject(o, dirs[d]);
            static const char *const fates[FATE_COUNT] = { "sent", "delivered", "corrupted",
                                                           "lost", "down", "too_big",
                                                           "queue_full" };
            for (int f = 0; f < FATE_COUNT; f++)
                cJSON_AddNumberToObject(dd, fates[f], (double)st->fate[d][f]);
        }
        cJSON_AddNumberToObject(o, "link_down_periods",
                                scene_intervals_count(&ui->scene->link_down[k]));
        cJSON_AddItemToArray(links, o);
    }
    cJSON *in = cJSON_AddObjectToObject(j, "inputs");
    cJSON_AddNumberToObject(in, "submitted", ui->submitted);
    cJSON_AddNumberToObject(in, "applied", (double)ui->s->in.applied);
    cJSON_AddItemToObject(in, "records", cJSON_Duplicate(inputlog_records(&ui->s->in), 1));
    cJSON_AddItemToObject(in, "submitted_log", ui->submit_log ? cJSON_Duplicate(ui->submit_log, 1)
                                                              : cJSON_CreateArray());
    cJSON *marks = cJSON_AddArrayToObject(j, "marks");
    for (unsigned k = 0; k < scene_nmarks(ui->scene); k++) {
        const scene_mark_t *mk = scene_mark_at(ui->scene, k);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "t_ns", (double)mk->t);
        cJSON_AddNumberToObject(o, "kind", mk->kind);
        add_str(o, "label", mk->label);
        cJSON_AddItemToArray(marks, o);
    }
    cJSON_AddNumberToObject(j, "controls", ui->ncontrols);
    cJSON *pr = cJSON_AddObjectToObject(j, "probes");
    for (unsigned k = 0; k < ui->nprobes; k++)
        cJSON_AddNumberToObject(pr, ui->probes[k]->name, (double)ui->probes[k]->probe->hits);
    cJSON *wid = cJSON_AddArrayToObject(j, "widgets");
    for (unsigned k = 0; k < ui->nwidgets; k++)
        cJSON_AddItemToArray(wid, cJSON_CreateString(ui->widgets[k].id));
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    FILE *f = text ? fopen(path, "w") : NULL;
    int rc = !f || fputs(text, f) < 0 || fputc('\n', f) < 0;
    if (f)
        rc |= fclose(f) != 0;
    free(text);
    if (rc)
        fprintf(stderr, "glitchbox-ui: dump: cannot write %s: %s\n", path, strerror(errno));
    return rc ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* the script */

static void push_mouse(Uint32 type, int x, int y)
{
    SDL_Event e;
    memset(&e, 0, sizeof e);
    if (type == SDL_MOUSEMOTION) {
        e.type = type;
        e.motion.x = x, e.motion.y = y;
    } else {
        e.type = type;
        e.button.button = SDL_BUTTON_LEFT;
        e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
        e.button.clicks = 1;
        e.button.x = x, e.button.y = y;
    }
    SDL_PushEvent(&e);
}

/* Returns -1 when the script cannot go on (an unknown widget). */
static int run_command(ui_t *ui, const script_cmd_t *c)
{
    const char *origin = ui->o.script;
    switch (c->op) {
    case SCR_CLICK:
    case SCR_PRESS:
    case SCR_RELEASE: {
        /* the widgets as they are now (what came before may have changed them) */
        draw_frame(ui);
        present(ui);
        ui_widget_t *w = widget_by_id(ui, c->arg);
        if (!w) {
            fprintf(stderr, "glitchbox-ui: %s:%d: no widget '%s' on the screen (--list-widgets "
                    "prints them)\n", origin, c->line, c->arg);
            return -1;
        }
        int x = w->r.x + w->r.w / 2, y = w->r.y + w->r.h / 2;
        push_mouse(SDL_MOUSEMOTION, x, y);
        if (c->op != SCR_RELEASE)
            push_mouse(SDL_MOUSEBUTTONDOWN, x, y);
        if (c->op != SCR_PRESS) {
            push_mouse(SDL_MOUSEBUTTONUP, x, y);
            /* the pointer leaves, so that screenshots show no hover or tooltip */
            push_mouse(SDL_MOUSEMOTION, -100, -100);
        }
        pump(ui);
        break;
    }
    case SCR_TYPE: {
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.type = SDL_TEXTINPUT;
        for (size_t k = 0; k < c->arg_len;) {
            size_t n = c->arg_len - k < sizeof e.text.text - 1 ? c->arg_len - k
                                                               : sizeof e.text.text - 1;
            memset(e.text.text, 0, sizeof e.text.text);
            memcpy(e.text.text, c->arg + k, n);
            /* control bytes are typed as they are, through the console */
            if (ui->console_focus && memchr(e.text.text, '\r', n)) {
                type_bytes(ui, c->arg + k, n);
            } else {
                SDL_PushEvent(&e);
                pump(ui);
            }
            k += n;
        }
        break;
    }
    case SCR_KEY: {
        SDL_Keycode kc = SDL_GetKeyFromName(c->arg);
        if (kc == SDLK_UNKNOWN) {
            fprintf(stderr, "glitchbox-ui: %s:%d: unknown key '%s'\n", origin, c->line, c->arg);
            return -1;
        }
        SDL_Event e;
        memset(&e, 0, sizeof e);
        e.type = SDL_KEYDOWN;
        e.key.state = SDL_PRESSED;
        e.key.keysym.sym = kc;
        e.key.keysym.scancode = SDL_GetScancodeFromKey(kc);
        SDL_PushEvent(&e);
        e.type = SDL_KEYUP;
        e.key.state = SDL_RELEASED;
        SDL_PushEvent(&e);
        pump(ui);
        break;
    }
    case SCR_MOVE:
        push_mouse(SDL_MOUSEMOTION, c->x, c->y);
        pump(ui);
        break;
    case SCR_SCREENSHOT:
        return screenshot(ui, c->arg) ? -1 : 0;
    case SCR_DUMP:
        return dump(ui, c->arg);
    case SCR_PAUSE:
        ui->paused = true;
        break;
    case SCR_RUN:
        ui->paused = false;
        reanchor(ui);
        break;
    case SCR_STEP:
        ui_action_click(ui, "step");
        break;
    case SCR_SPEED:
        ui->speed = strcmp(c->arg, "max") ? strtod(c->arg, NULL) : 0;
        reanchor(ui);
        break;
    case SCR_QUIT:
        ui->quit = true;
        break;
    }
    return 0;
}

static void run_script(ui_t *ui)
{
    if (!ui->have_script)
        return;
    const script_cmd_t *c;
    /* commands wait until the run has reached their time (or has ended) */
    if (ui->ended)
        script_run_over(&ui->script);
    sim_time_t at = ui->ended ? SIM_TIME_NEVER : ui_now(ui);
    while (!ui->quit && (c = script_due(&ui->script, at))) {
        if (run_command(ui, c)) {
            ui->quit = true;
            ui->have_script = false;
            ui->script_failed = true;
        }
    }
}

/* ---------------------------------------------------------------------- */
/* the driver */

static enum cpu_stop drive(void *opaque, session_t *s, sim_time_t *until)
{
    ui_t *ui = opaque;
    ui->s = s;
    ui->m = s->m;
    ui->limit = *until;
    ui->reached = machine_now(s->m);
    ui->prev_hook = s->console_hook;
    ui->prev_hook_opaque = s->console_hook_opaque;
    s->console_hook = console_hook;
    s->console_hook_opaque = ui;
    ui->prev_console = s->m->console;
    ui->prev_console_opaque = s->m->console_opaque;
    s->m->console = machine_console;
    s->m->console_opaque = ui;
    if (ui->o.console_uart)
        snprintf(ui->console_uart, sizeof ui->console_uart, "%s", ui->o.console_uart);
    find_board(ui);
    find_links(ui);
    inputlog_start(&s->in); /* outside input needs the ticks (a recorded run has them already) */
    ui->paused = ui->o.paused;
    ui->speed = ui->o.speed;
    ui->step_ns = ui_steps[1];
    ui->wall_start = wall();
    ui->meas_wall = wall();
    reanchor(ui);
    ui_set_status(ui, C_DIM, "%s", s->in.replaying ? "replaying recorded inputs"
                  : "ready: faults and controls act at the next millisecond of virtual time");
    double last_frame = 0;
    while (!ui->quit) {
        run_script(ui);
        if (ui->quit)
            break;
        pump(ui);
        if (ui->quit)
            break;
        double t0 = wall();
        bool was_ended = ui->ended;
        bool ahead = advance(ui, t0 + (ui->o.headless ? 0.25 : FRAME_WALL_S * 0.8));
        measure_speed(ui);
        if (ui->ended && !was_ended && ui->o.exit_at_end && !ui->have_script)
            ui->quit = true;
        if (ui->ended && ui->have_script && ui->script.next >= ui->script.n)
            ui->quit = ui->quit || ui->o.exit_at_end;
        double now = wall();
        if (!ui->o.headless || now - last_frame > 0.5) {
            if (now - last_frame >= FRAME_WALL_S * 0.9 || ui->o.headless) {
                draw_frame(ui);
                present(ui);
                last_frame = now;
                if (ui->o.list_widgets) {
                    for (unsigned k = 0; k < ui->nwidgets; k++)
                        printf("%s\n", ui->widgets[k].id);
                    ui->o.list_widgets = false;
                }
            }
        }
        if ((ui->paused || ui->ended) && !ui->have_script) {
            SDL_Delay(ui->o.headless ? 1 : 8);
        } else if (ui->paused && ui->have_script && !ui->quit) {
            SDL_Delay(1);
        } else if (ahead && !ui->quit) {
            /* paced to real time and ahead of it: wait for the next frame */
            double rest = last_frame + FRAME_WALL_S - wall();
            SDL_Delay(rest > 0.001 ? (Uint32)(rest * 1000) : 1);
        }
    }
    if (ui->o.screenshot)
        screenshot(ui, ui->o.screenshot);
    for (unsigned k = 0; k < ui->nlinks; k++)
        net_link_watch(ui->links[k].l, NULL, NULL);
    s->console_hook = ui->prev_hook;
    s->console_hook_opaque = ui->prev_hook_opaque;
    s->m->console = ui->prev_console;
    s->m->console_opaque = ui->prev_console_opaque;
    if (ui->ended)
        return ui->stop;
    *until = ui->reached;
    return CPU_STOP_LIMIT;
}

/* ---------------------------------------------------------------------- */
/* command line */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: glitchbox-ui --scenario FILE [options]\n"
            "       glitchbox-ui --board NAME|FILE --firmware FILE[@ADDR] [--serve DIR | "
            "--network FILE] [options]\n"
            "       glitchbox-ui --replay FILE [options]\n"
            "\n"
            "  --scenario FILE     a scenario (scenarios/README.md): board, firmware, network,\n"
            "                      fault timeline, expectations\n"
            "  --board NAME|FILE   a board, with --firmware (up to %d; FILE@ADDR for a raw\n"
            "                      binary), --serve DIR (an update server serving DIR),\n"
            "                      --network FILE, --stop-on TEXT\n"
            "  --replay FILE       watch a recorded run (glitchbox replay FILE checks it)\n"
            "  --seed N            the run's seed\n"
            "  --max-time T        end the run at T of virtual time\n"
            "  --record FILE       write a replay file of this session (every click, cable,\n"
            "                      power cut, control and keystroke with its virtual time)\n"
            "  --out DIR           report.json, uart.log, net.pcap (default FILE.out with\n"
            "                      --record)\n"
            "  --speed X|max       virtual seconds per wall second (default 1)\n"
            "  --paused            start paused\n"
            "  --console UART      typing goes to this UART (default: the one the guest prints on)\n"
            "  --script FILE       scripted clicks and keys at virtual times (ui/script.h)\n"
            "  --screenshot FILE   PNG of the window when the UI closes\n"
            "  --exit-at-end       close when the run ends\n"
            "  --headless          no window (SDL's dummy video driver), for scripts and CI\n"
            "  --size WxH          window size (default 1440x900)\n"
            "  --list-widgets      print the ids of the widgets (for scripts)\n"
            "  --verbose           copy guest output to stdout\n"
            "\n"
            "keys: space run/pause, . step, 1-%u speed, c cable, p power cut, click the\n"
            "console to type into the guest's UART (Esc leaves it), Ctrl+Q quit\n",
            SESSION_MAX_FIRMWARE, ui_nspeeds);
}

static int parse_args(int argc, char **argv, ui_opts_t *o, const char **replay)
{
    enum { O_SCENARIO = 256, O_BOARD, O_FIRMWARE, O_SERVE, O_NETWORK, O_STOPON, O_SEED,
           O_MAXTIME, O_RECORD, O_OUT, O_SPEED, O_PAUSED, O_CONSOLE, O_SCRIPT, O_SHOT, O_EXIT,
           O_HEADLESS, O_SIZE, O_LIST, O_VERBOSE, O_REPLAY, O_HELP };
    static const struct option longopts[] = {
        { "scenario", required_argument, NULL, O_SCENARIO },
        { "board", required_argument, NULL, O_BOARD },
        { "firmware", required_argument, NULL, O_FIRMWARE },
        { "serve", required_argument, NULL, O_SERVE },
        { "network", required_argument, NULL, O_NETWORK },
        { "stop-on", required_argument, NULL, O_STOPON },
        { "seed", required_argument, NULL, O_SEED },
        { "max-time", required_argument, NULL, O_MAXTIME },
        { "record", required_argument, NULL, O_RECORD },
        { "out", required_argument, NULL, O_OUT },
        { "speed", required_argument, NULL, O_SPEED },
        { "paused", no_argument, NULL, O_PAUSED },
        { "console", required_argument, NULL, O_CONSOLE },
        { "script", required_argument, NULL, O_SCRIPT },
        { "screenshot", required_argument, NULL, O_SHOT },
        { "exit-at-end", no_argument, NULL, O_EXIT },
        { "headless", no_argument, NULL, O_HEADLESS },
        { "size", required_argument, NULL, O_SIZE },
        { "list-widgets", no_argument, NULL, O_LIST },
        { "verbose", no_argument, NULL, O_VERBOSE },
        { "replay", required_argument, NULL, O_REPLAY },
        { "help", no_argument, NULL, O_HELP },
        { 0, 0, 0, 0 },
    };
    memset(o, 0, sizeof *o);
    o->speed = 1;
    o->width = 1440;
    o->height = 900;
    o->max_time = SIM_S(24 * 3600);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case O_SCENARIO: o->scenario = optarg; break;
        case O_BOARD: o->board = optarg; break;
        case O_FIRMWARE: {
            if (o->nfirmware >= SESSION_MAX_FIRMWARE) {
                fprintf(stderr, "glitchbox-ui: at most %d --firmware files\n",
                        SESSION_MAX_FIRMWARE);
                return -1;
            }
            session_firmware_t *f = &o->firmware[o->nfirmware++];
            memset(f, 0, sizeof *f);
            f->path = optarg;
            f->format = LOADER_FMT_AUTO;
            char *at = strrchr(optarg, '@');
            if (at) {
                errno = 0;
                unsigned long long base = strtoull(at + 1, &end, 0);
                if (errno || end == at + 1 || *end || base > 0xFFFFFFFFull) {
                    fprintf(stderr, "glitchbox-ui: --firmware %s: '%s' is not a load address\n",
                            optarg, at + 1);
                    return -1;
                }
                *at = 0;
                f->format = LOADER_FMT_BIN;
                f->base = (uint32_t)base;
                f->base_set = true;
            }
            break;
        }
        case O_SERVE: o->serve = optarg; break;
        case O_NETWORK: o->network = optarg; break;
        case O_STOPON: o->stop_on = optarg; break;
        case O_SEED:
            errno = 0;
            o->seed = strtoull(optarg, &end, 0);
            if (errno || end == optarg || *end || optarg[0] == '-') {
                fprintf(stderr, "glitchbox-ui: --seed: '%s' is not an unsigned integer\n", optarg);
                return -1;
            }
            o->seed_set = true;
            break;
        case O_MAXTIME:
            if (units_parse_time(optarg, &o->max_time) || !o->max_time) {
                fprintf(stderr, "glitchbox-ui: --max-time: '%s' is not a time\n", optarg);
                return -1;
            }
            o->max_time_set = true;
            break;
        case O_RECORD: o->record = optarg; break;
        case O_OUT: o->out_dir = optarg; break;
        case O_SPEED:
            if (!strcmp(optarg, "max")) {
                o->speed = 0;
            } else {
                o->speed = strtod(optarg, &end);
                if (*end || !(o->speed > 0)) {
                    fprintf(stderr, "glitchbox-ui: --speed: '%s' is not a factor or max\n", optarg);
                    return -1;
                }
            }
            break;
        case O_PAUSED: o->paused = true; break;
        case O_CONSOLE: o->console_uart = optarg; break;
        case O_SCRIPT: o->script = optarg; break;
        case O_SHOT: o->screenshot = optarg; break;
        case O_EXIT: o->exit_at_end = true; break;
        case O_HEADLESS: o->headless = true; break;
        case O_SIZE:
            if (sscanf(optarg, "%dx%d", &o->width, &o->height) != 2 || o->width < UI_MIN_W ||
                o->height < UI_MIN_H || o->width > 8192 || o->height > 8192) {
                fprintf(stderr, "glitchbox-ui: --size: expected WxH, at least %dx%d\n", UI_MIN_W,
                        UI_MIN_H);
                return -1;
            }
            break;
        case O_LIST: o->list_widgets = true; break;
        case O_VERBOSE: o->verbose = true; break;
        case O_REPLAY: *replay = optarg; break;
        case O_HELP: usage(stdout); exit(0);
        default: return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "glitchbox-ui: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    int kinds = !!o->scenario + !!o->board + !!*replay;
    if (kinds != 1) {
        fprintf(stderr, "glitchbox-ui: give one of --scenario FILE, --board B --firmware F, or "
                "--replay FILE\n");
        return -1;
    }
    if (o->board && !o->nfirmware) {
        fprintf(stderr, "glitchbox-ui: --board needs --firmware\n");
        return -1;
    }
    if (!o->board && (o->nfirmware || o->serve || o->network || o->stop_on)) {
        fprintf(stderr, "glitchbox-ui: --firmware, --serve, --network and --stop-on go with "
                "--board (a scenario names them)\n");
        return -1;
    }
    if (*replay && (o->record || o->seed_set)) {
        fprintf(stderr, "glitchbox-ui: a replay has its own seed and inputs\n");
        return -1;
    }
    return 0;
}

static void abs_path(const char *p, char *out, size_t n)
{
    char cwd[PATH_MAX];
    if (p[0] == '/' || !getcwd(cwd, sizeof cwd))
        snprintf(out, n, "%s", p);
    else
        snprintf(out, n, "%s/%s", cwd, p);
}

/* The run as a scenario: the file, a plain run described as one, or the
 * scenario a replay file carries. */
static scenario_t *load_run(ui_opts_t *o, const char *replay, cJSON **replay_json,
                            char *err, size_t errlen)
{
    if (o->scenario)
        return scenario_load(o->scenario, err, errlen);
    if (replay) {
        char e2[512];
        cJSON *r = session_read_json(replay, e2, sizeof e2);
        if (!r) {
            snprintf(err, errlen, "%s: %s", replay, e2);
            return NULL;
        }
        const cJSON *scj = cJSON_GetObjectItemCaseSensitive(r, "scenario");
        const cJSON *seed = cJSON_GetObjectItemCaseSensitive(r, "seed");
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(r, "scenario_file");
        if (!cJSON_IsObject(scj) || !cJSON_IsNumber(seed) || !cJSON_IsString(file)) {
            snprintf(err, errlen, "%s: not a replay file (needs scenario, scenario_file, seed)",
                     replay);
            cJSON_Delete(r);
            return NULL;
        }
        const cJSON *fw;
        cJSON_ArrayForEach(fw, cJSON_GetObjectItemCaseSensitive(r, "firmware")) {
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(fw, "path");
            const cJSON *h = cJSON_GetObjectItemCaseSensitive(fw, "sha256");
            char hex[65];
            if (!cJSON_IsString(p) || !cJSON_IsString(h))
                continue;
            session_file_sha256(p->valuestring, hex);
            if (strcmp(hex, h->valuestring)) {
                snprintf(err, errlen, "%s: firmware %s %s since the recording", replay,
                         p->valuestring, hex[0] ? "changed" : "is missing");
                cJSON_Delete(r);
                return NULL;
            }
        }
        o->seed = (uint64_t)seed->valuedouble;
        o->seed_set = true;
        *replay_json = r;
        return scenario_from_json(cJSON_Duplicate(scj, 1), file->valuestring, err, errlen);
    }
    session_config_t c;
    session_config_init(&c);
    c.board = o->board;
    for (unsigned k = 0; k < o->nfirmware; k++)
        c.firmware[k] = o->firmware[k];
    c.nfirmware = o->nfirmware;
    c.seed = o->seed_set ? o->seed : 1;
    c.max_time = o->max_time;
    c.stop_on = o->stop_on;
    c.serve_root = o->serve;
    cJSON *j = scenario_json_of_run(&c, o->network, err, errlen);
    if (!j)
        return NULL;
    cJSON_DeleteItemFromObjectCaseSensitive(j, "name");
    cJSON_DeleteItemFromObjectCaseSensitive(j, "description");
    cJSON_AddStringToObject(j, "name", "ui-session");
    cJSON_AddStringToObject(j, "description", "a glitchbox-ui session");
    char where[PATH_MAX + 32];
    abs_path(o->record ? o->record : "ui-session.json", where, sizeof where);
    char *slash = strrchr(where, '/');
    snprintf(slash + 1, sizeof where - (size_t)(slash + 1 - where), "ui-session.json");
    return scenario_from_json(j, where, err, errlen);
}

int ui_main(int argc, char **argv)
{
    ui_t *ui = calloc(1, sizeof *ui);
    if (!ui)
        return 1;
    const char *replay = NULL;
    if (parse_args(argc, argv, &ui->o, &replay)) {
        usage(stderr);
        free(ui);
        return EXIT_USAGE;
    }
    ui_opts_t *o = &ui->o;
    char err[1024];
    int status = 0;
    cJSON *replay_json = NULL;
    ui->sc = load_run(o, replay, &replay_json, err, sizeof err);
    if (!ui->sc) {
        fprintf(stderr, "glitchbox-ui: %s\n", err);
        free(ui);
        return EXIT_INPUT;
    }
    if (o->script) {
        if (script_load(&ui->script, o->script, err, sizeof err)) {
            fprintf(stderr, "glitchbox-ui: %s\n", err);
            scenario_free(ui->sc);
            cJSON_Delete(replay_json);
            free(ui);
            return EXIT_USAGE;
        }
        ui->have_script = true;
    }
    snprintf(ui->run_name, sizeof ui->run_name, "%s", scenario_name(ui->sc));
    const cJSON *desc = cJSON_GetObjectItemCaseSensitive(scenario_json(ui->sc), "description");
    snprintf(ui->run_desc, sizeof ui->run_desc, "%s",
             replay ? "replay of a recorded run" : cJSON_IsString(desc) ? desc->valuestring : "");
    ui->scene = scene_new();
    if (o->headless && !getenv("SDL_VIDEODRIVER"))
        setenv("SDL_VIDEODRIVER", "dummy", 1);
    char title[128];
    snprintf(title, sizeof title, "glitchbox — %s", ui->run_name);
    if (!ui->scene || gfx_open(&ui->g, title, o->width, o->height, UI_MIN_W, UI_MIN_H, err,
                               sizeof err)) {
        fprintf(stderr, "glitchbox-ui: %s\n", ui->scene ? err : "out of memory");
        scene_free(ui->scene);
        scenario_free(ui->sc);
        script_free(&ui->script);
        cJSON_Delete(replay_json);
        free(ui);
        return 1;
    }
    scenario_run_opts_t ro;
    memset(&ro, 0, sizeof ro);
    ro.seed = o->seed;
    ro.seed_set = o->seed_set;
    char out[PATH_MAX];
    ro.out_dir = o->out_dir;
    if (o->record && !o->out_dir) {
        snprintf(out, sizeof out, "%s.out", o->record);
        ro.out_dir = out;
    }
    ro.quiet = !o->verbose;
    ro.record_path = o->record;
    ro.until = o->scenario && o->max_time_set ? o->max_time : 0;
    ro.inputs = replay_json ? cJSON_GetObjectItemCaseSensitive(replay_json, "inputs") : NULL;
    ro.drive = drive;
    ro.drive_opaque = ui;
    scenario_result_t res;
    if (scenario_run(ui->sc, &ro, &res, err, sizeof err, &status)) {
        fprintf(stderr, "glitchbox-ui: %s\n", err);
    } else {
        status = ui->script_failed ? 1 : 0;
        /* a scenario has a verdict; a plain run has an outcome */
        char how[96];
        bool verdict = !o->board && !res.cut_at;
        if (res.cut_at)
            snprintf(how, sizeof how, "stopped by the user");
        else if (verdict)
            snprintf(how, sizeof how, "%s", scenario_verdict(&res));
        else
            snprintf(how, sizeof how, "ended (%s, exit status %d)", res.outcome, res.exit_code);
        fprintf(stderr, "glitchbox-ui: %s (seed %llu) %s at %.6f s virtual, %.1f s wall%s%s\n",
                ui->run_name, (unsigned long long)(o->seed_set ? o->seed
                                                               : scenario_default_seed(ui->sc)),
                how, (double)res.virtual_ns / 1e9, res.wall_s,
                verdict && !res.passed ? ": " : "", verdict && !res.passed ? res.reason : "");
        if (ro.out_dir)
            fprintf(stderr, "glitchbox-ui: report %s/report.json, UART log %s/uart.log, pcap "
                    "%s/net.pcap\n", ro.out_dir, ro.out_dir, ro.out_dir);
        if (o->record)
            fprintf(stderr, "glitchbox-ui: replay file %s (%u outside inputs; glitchbox replay "
                    "%s)\n", o->record, ui->inputs_seen, o->record);
    }
    gfx_close(&ui->g);
    scene_free(ui->scene);
    scenario_free(ui->sc);
    script_free(&ui->script);
    cJSON_Delete(replay_json);
    free(ui->controls);
    free(ui->probes);
    cJSON_Delete(ui->submit_log);
    free(ui);
    return status;
}
