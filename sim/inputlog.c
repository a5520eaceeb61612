/* Outside input, recorded for replay (see inputlog.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "inputlog.h"
#include "log.h"

static const char *rstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void tick(void *opaque);

void inputlog_init(input_log_t *il, machine_t *m)
{
    memset(il, 0, sizeof *il);
    il->m = m;
    il->records = cJSON_CreateArray();
    il->pending = cJSON_CreateArray();
    sched_event_init(&il->tick, "inputlog.tick", tick, il);
}

void inputlog_free(input_log_t *il)
{
    if (il->started)
        sched_cancel(&il->m->sched, &il->tick);
    for (unsigned i = 0; i < il->nuart; i++)
        free(il->uart[i].buf);
    cJSON_Delete(il->records);
    cJSON_Delete(il->pending);
    memset(il, 0, sizeof *il);
}

int inputlog_register(input_log_t *il, const char *kind, input_apply_fn fn, void *opaque)
{
    if (il->nkinds >= INPUTLOG_MAX_KINDS || strlen(kind) >= sizeof il->kinds[0].kind)
        return -1;
    snprintf(il->kinds[il->nkinds].kind, sizeof il->kinds[0].kind, "%s", kind);
    il->kinds[il->nkinds].fn = fn;
    il->kinds[il->nkinds].opaque = opaque;
    il->nkinds++;
    return 0;
}

int inputlog_set_replay(input_log_t *il, const cJSON *records, char *err, size_t errlen)
{
    if (!cJSON_IsArray(records)) {
        snprintf(err, errlen, "inputs: expected a list of records");
        return -1;
    }
    double last = 0;
    int k = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, records) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "t_ns");
        if (!cJSON_IsObject(r) || !cJSON_IsNumber(t) || t->valuedouble < last ||
            !rstr(r, "kind")) {
            snprintf(err, errlen, "inputs[%d]: expected {\"t_ns\": T, \"kind\": K, ...} in time "
                     "order", k);
            return -1;
        }
        last = t->valuedouble;
        k++;
    }
    cJSON_Delete(il->records);
    il->records = cJSON_Duplicate(records, 1);
    il->replaying = true;
    il->next = 0;
    return 0;
}

void inputlog_start(input_log_t *il)
{
    if (il->started)
        return;
    il->started = true;
    /* Ticks at whole milliseconds of virtual time, whenever the log starts. */
    sim_time_t now = machine_now(il->m);
    sched_at(&il->m->sched, &il->tick, (now / INPUTLOG_TICK_NS) * INPUTLOG_TICK_NS +
                                           (now % INPUTLOG_TICK_NS ? INPUTLOG_TICK_NS : 0));
}

void inputlog_submit(input_log_t *il, cJSON *rec)
{
    if (il->replaying || !rec) {
        cJSON_Delete(rec);
        return;
    }
    cJSON_AddItemToArray(il->pending, rec);
}

static cJSON *record(const char *kind, const char *target)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "kind", kind);
    cJSON_AddStringToObject(r, "target", target);
    return r;
}

void inputlog_submit_uart(input_log_t *il, const char *uart, const uint8_t *buf, size_t len)
{
    if (!len)
        return;
    char *hex = malloc(2 * len + 1);
    if (!hex)
        return;
    for (size_t k = 0; k < len; k++)
        snprintf(hex + 2 * k, 3, "%02x", buf[k]);
    cJSON *r = record("uart", uart);
    cJSON_AddStringToObject(r, "hex", hex);
    free(hex);
    inputlog_submit(il, r);
}

void inputlog_submit_control(input_log_t *il, const char *control, const cJSON *value)
{
    cJSON *r = record("control", control);
    cJSON_AddItemToObject(r, "value", cJSON_Duplicate(value, 1));
    inputlog_submit(il, r);
}

void inputlog_submit_pin(input_log_t *il, const char *pin, const char *level)
{
    cJSON *r = record("pin", pin);
    cJSON_AddStringToObject(r, "level", level);
    inputlog_submit(il, r);
}

/* ---- applying ---- */

static void uart_drain(input_log_t *il)
{
    for (unsigned i = 0; i < il->nuart; i++) {
        if (!il->uart[i].len)
            continue;
        size_t n = il->uart[i].ep->uart_rx(il->uart[i].ep->uart_dev, il->uart[i].buf,
                                           il->uart[i].len);
        memmove(il->uart[i].buf, il->uart[i].buf + n, il->uart[i].len - n);
        il->uart[i].len -= n;
    }
}

static int apply_uart(input_log_t *il, const cJSON *r, char *err, size_t errlen)
{
    const char *target = rstr(r, "target"), *hex = rstr(r, "hex");
    endpoint_t *e = target ? machine_find_endpoint(il->m, target) : NULL;
    if (!e || e->kind != EP_UART) {
        snprintf(err, errlen, "no UART '%s'", target ? target : "");
        return -1;
    }
    size_t n = hex ? strlen(hex) : 0;
    if (!hex || n % 2) {
        snprintf(err, errlen, "\"hex\" must be an even number of hex digits");
        return -1;
    }
    unsigned i;
    for (i = 0; i < il->nuart && il->uart[i].ep != e; i++)
        ;
    if (i == il->nuart) {
        if (il->nuart >= INPUTLOG_MAX_UARTS) {
            snprintf(err, errlen, "too many UARTs");
            return -1;
        }
        il->uart[il->nuart++].ep = e;
    }
    size_t need = il->uart[i].len + n / 2;
    if (need > il->uart[i].cap) {
        size_t cap = il->uart[i].cap ? il->uart[i].cap : 256;
        while (cap < need)
            cap *= 2;
        uint8_t *nb = realloc(il->uart[i].buf, cap);
        if (!nb) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        il->uart[i].buf = nb;
        il->uart[i].cap = cap;
    }
    for (size_t k = 0; k < n; k += 2) {
        int a = hex_digit(hex[k]), b = hex_digit(hex[k + 1]);
        if (a < 0 || b < 0) {
            snprintf(err, errlen, "\"hex\" must be hex digits");
            return -1;
        }
        il->uart[i].buf[il->uart[i].len++] = (uint8_t)(a << 4 | b);
    }
    return 0;
}

static int apply_pin(input_log_t *il, const cJSON *r, char *err, size_t errlen)
{
    const char *target = rstr(r, "target"), *level = rstr(r, "level");
    if (!target || !level || (strcmp(level, "low") && strcmp(level, "high") &&
                              strcmp(level, "release"))) {
        snprintf(err, errlen, "a pin record needs \"target\" and \"level\" (low, high, release)");
        return -1;
    }
    unsigned i;
    for (i = 0; i < il->npins && strcmp(il->pins[i].target, target); i++)
        ;
    if (i == il->npins) {
        gpio_net_t *net = machine_find_net(il->m, target);
        if (!net)
            net = machine_pin_net(il->m, target, GPIO_PULL_UP);
        if (!net || il->npins >= INPUTLOG_MAX_PINS || strlen(target) >= sizeof il->pins[0].target) {
            snprintf(err, errlen, "no net or pin '%s'", target);
            return -1;
        }
        snprintf(il->pins[i].target, sizeof il->pins[i].target, "%s", target);
        gpio_pin_init(&il->pins[i].pin, "input");
        if (!gpio_net_attach(net, &il->pins[i].pin)) {
            snprintf(err, errlen, "net '%s' has no room for another driver", target);
            return -1;
        }
        il->npins++;
    }
    gpio_pin_drive(&il->pins[i].pin, !strcmp(level, "low") ? GPIO_FORCE_LOW
                                     : !strcmp(level, "high") ? GPIO_FORCE_HIGH
                                                              : GPIO_RELEASED);
    return 0;
}

static int apply(input_log_t *il, const cJSON *r, char *err, size_t errlen)
{
    const char *kind = rstr(r, "kind");
    if (!kind) {
        snprintf(err, errlen, "a record needs a \"kind\"");
        return -1;
    }
    for (unsigned i = 0; i < il->nkinds; i++)
        if (!strcmp(il->kinds[i].kind, kind))
            return il->kinds[i].fn(il->kinds[i].opaque, r, err, errlen);
    if (!strcmp(kind, "uart"))
        return apply_uart(il, r, err, errlen);
    if (!strcmp(kind, "pin"))
        return apply_pin(il, r, err, errlen);
    if (!strcmp(kind, "control")) {
        const char *t = rstr(r, "target");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "value");
        if (!t || !v) {
            snprintf(err, errlen, "a control record needs \"target\" and \"value\"");
            return -1;
        }
        return machine_set_control(il->m, t, v, err, errlen);
    }
    if (!strcmp(kind, "power_cut")) {
        const cJSON *off = cJSON_GetObjectItemCaseSensitive(r, "off_ns");
        machine_power_cut(il->m, cJSON_IsNumber(off) ? (sim_time_t)off->valuedouble : SIM_MS(100));
        return 0;
    }
    snprintf(err, errlen, "unknown kind '%s'", kind);
    return -1;
}

static void apply_logged(input_log_t *il, const cJSON *r)
{
    char err[256];
    if (apply(il, r, err, sizeof err)) {
        char *text = cJSON_PrintUnformatted(r);
        log_msg(LOG_ERROR, "input", "cannot apply %s: %s", text ? text : "a record", err);
        if (!il->error[0])
            snprintf(il->error, sizeof il->error, "%s: %s", text ? text : "record", err);
        free(text);
        return;
    }
    il->applied++;
}

static void tick(void *opaque)
{
    input_log_t *il = opaque;
    sim_time_t now = machine_now(il->m);
    if (il->replaying) {
        int n = cJSON_GetArraySize(il->records);
        while (il->next < n) {
            const cJSON *r = cJSON_GetArrayItem(il->records, il->next);
            if ((sim_time_t)cJSON_GetObjectItemCaseSensitive(r, "t_ns")->valuedouble > now)
                break;
            apply_logged(il, r);
            il->next++;
        }
    } else {
        if (il->poll)
            il->poll(il->poll_opaque, il);
        cJSON *r;
        while ((r = cJSON_DetachItemFromArray(il->pending, 0))) {
            cJSON *t = cJSON_CreateNumber((double)now);
            cJSON_AddItemToObject(r, "t_ns", t);
            apply_logged(il, r);
            cJSON_AddItemToArray(il->records, r);
        }
    }
    uart_drain(il);
    sched_after(&il->m->sched, &il->tick, INPUTLOG_TICK_NS);
}
