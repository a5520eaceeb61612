/* Scripted input for the UI (see script.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "script.h"
#include "sim/units.h"

static const struct { const char *name; enum script_op op; int args; } ops[] = {
    { "click", SCR_CLICK, 1 },       { "press", SCR_PRESS, 1 },   { "release", SCR_RELEASE, 1 },
    { "type", SCR_TYPE, 1 },         { "key", SCR_KEY, 1 },       { "screenshot", SCR_SCREENSHOT, 1 },
    { "dump", SCR_DUMP, 1 },         { "pause", SCR_PAUSE, 0 },   { "run", SCR_RUN, 0 },
    { "step", SCR_STEP, 0 },         { "speed", SCR_SPEED, 1 },   { "quit", SCR_QUIT, 0 },
    { "move", SCR_MOVE, 1 },
};

/* A quoted argument with C escapes (\r \n \t \\ \" \xHH); -1 if malformed. */
static int unquote(const char *p, char *out, size_t cap, size_t *len)
{
    size_t n = 0;
    p++;
    while (*p && *p != '"') {
        char c = *p++;
        if (c == '\\') {
            char e = *p++;
            switch (e) {
            case 'r': c = '\r'; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case '\\': c = '\\'; break;
            case '"': c = '"'; break;
            case 'x': {
                int a = hex_digit(p[0]), b = a >= 0 ? hex_digit(p[1]) : -1;
                if (b < 0)
                    return -1;
                c = (char)(a << 4 | b);
                p += 2;
                break;
            }
            default:
                return -1;
            }
        }
        if (n + 1 >= cap)
            return -1;
        out[n++] = c;
    }
    if (*p != '"')
        return -1;
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p && *p != '#')
        return -1;
    out[n] = 0;
    *len = n;
    return 0;
}

static void arm_next(script_t *s, sim_time_t ran);

int script_parse(script_t *s, const char *text, const char *origin, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    unsigned cap = 0;
    sim_time_t last = 0;
    int lineno = 0;
    const char *p = text;
    while (*p) {
        lineno++;
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        char line[512];
        if (n >= sizeof line) {
            snprintf(err, errlen, "%s:%d: line too long", origin, lineno);
            goto fail;
        }
        memcpy(line, p, n);
        line[n] = 0;
        p += n + (eol ? 1 : 0);
        char *q = line;
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        char *cr = strchr(q, '\r');
        if (cr)
            *cr = 0;
        if (!*q || *q == '#')
            continue;
        script_cmd_t c;
        memset(&c, 0, sizeof c);
        c.line = lineno;
        char word[16], when[32], opname[16];
        int used = 0;
        if (!strncmp(q, "after \"", 7)) {
            /* after "TEXT" [DELAY] COMMAND */
            const char *end = strchr(q + 7, '"');
            if (!end || end == q + 7 || (size_t)(end - q - 7) >= sizeof c.text) {
                snprintf(err, errlen, "%s:%d: after needs a quoted text of 1 to %zu bytes", origin,
                         lineno, sizeof c.text - 1);
                goto fail;
            }
            c.when = WHEN_AFTER_TEXT;
            memcpy(c.text, q + 7, (size_t)(end - q - 7));
            q = (char *)end + 1;
            if (sscanf(q, " %31s %n", when, &used) == 1 && !units_parse_time(when, &c.at))
                q += used;
            if (sscanf(q, " %15s %n", opname, &used) < 1) {
                snprintf(err, errlen, "%s:%d: after \"TEXT\" needs a command", origin, lineno);
                goto fail;
            }
        } else {
            if (sscanf(q, "%15s %31s %15s %n", word, when, opname, &used) < 3 ||
                (strcmp(word, "at") && strcmp(word, "in"))) {
                snprintf(err, errlen, "%s:%d: expected \"at TIME\", \"in DELAY\" or \"after "
                         "\\\"TEXT\\\" [DELAY]\", then COMMAND [ARGUMENT]", origin, lineno);
                goto fail;
            }
            c.when = strcmp(word, "at") ? WHEN_IN : WHEN_AT;
            if (units_parse_time(when, &c.at)) {
                snprintf(err, errlen, "%s:%d: '%s' is not a time (e.g. 1.5s, 200ms)", origin,
                         lineno, when);
                goto fail;
            }
            if (c.when == WHEN_AT && c.at < last) {
                snprintf(err, errlen, "%s:%d: %s is earlier than the command before", origin,
                         lineno, when);
                goto fail;
            }
            if (c.when == WHEN_AT)
                last = c.at;
        }
        unsigned k;
        for (k = 0; k < sizeof ops / sizeof ops[0] && strcmp(ops[k].name, opname); k++)
            ;
        if (k == sizeof ops / sizeof ops[0]) {
            snprintf(err, errlen, "%s:%d: unknown command '%s' (click, press, release, type, key, "
                     "screenshot, dump, pause, run, step, speed, move, quit)", origin, lineno, opname);
            goto fail;
        }
        c.op = ops[k].op;
        char *arg = q + used;
        char *end = arg + strlen(arg);
        while (end > arg && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = 0;
        if (ops[k].args && !*arg) {
            snprintf(err, errlen, "%s:%d: %s needs an argument", origin, lineno, opname);
            goto fail;
        }
        if (!ops[k].args && *arg && *arg != '#') {
            snprintf(err, errlen, "%s:%d: %s takes no argument", origin, lineno, opname);
            goto fail;
        }
        if (*arg == '"') {
            if (unquote(arg, c.arg, sizeof c.arg, &c.arg_len)) {
                snprintf(err, errlen, "%s:%d: bad quoted text (escapes: \\r \\n \\t \\\\ \\\" "
                         "\\xHH)", origin, lineno);
                goto fail;
            }
        } else if (ops[k].args) {
            char *hash = strchr(arg, '#');
            if (hash) {
                *hash = 0;
                end = hash;
                while (end > arg && (end[-1] == ' ' || end[-1] == '\t'))
                    *--end = 0;
            }
            if (strlen(arg) >= sizeof c.arg) {
                snprintf(err, errlen, "%s:%d: argument too long", origin, lineno);
                goto fail;
            }
            snprintf(c.arg, sizeof c.arg, "%s", arg);
            c.arg_len = strlen(c.arg);
        }
        if (c.op == SCR_SPEED) {
            char *e;
            double v = strtod(c.arg, &e);
            if (strcmp(c.arg, "max") && (*e || v <= 0)) {
                snprintf(err, errlen, "%s:%d: speed is a factor of real time (e.g. 1, 0.5) or "
                         "max", origin, lineno);
                goto fail;
            }
        }
        if (c.op == SCR_MOVE) {
            char extra;
            if (sscanf(c.arg, "%d %d %c", &c.x, &c.y, &extra) != 2 || c.x < 0 || c.y < 0) {
                snprintf(err, errlen, "%s:%d: move takes X Y (window pixels)", origin, lineno);
                goto fail;
            }
        }
        if (s->n == cap) {
            cap = cap ? 2 * cap : 32;
            script_cmd_t *nc = realloc(s->cmds, cap * sizeof *nc);
            if (!nc) {
                snprintf(err, errlen, "out of memory");
                goto fail;
            }
            s->cmds = nc;
        }
        s->cmds[s->n++] = c;
    }
    arm_next(s, 0);
    return 0;
fail:
    script_free(s);
    return -1;
}

int script_load(script_t *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    while (text) {
        len += fread(text + len, 1, cap - 1 - len, f);
        if (len < cap - 1)
            break;
        if (cap >= (1u << 24)) {
            free(text);
            text = NULL;
            break;
        }
        cap *= 2;
        char *nt = realloc(text, cap);
        if (!nt)
            free(text);
        text = nt;
    }
    fclose(f);
    if (!text) {
        snprintf(err, errlen, "%s: too large or out of memory", path);
        return -1;
    }
    text[len] = 0;
    int rc = script_parse(s, text, path, err, errlen);
    free(text);
    return rc;
}

void script_free(script_t *s)
{
    free(s->cmds);
    memset(s, 0, sizeof *s);
}

/* The time cmds[next] becomes due, once the command before has run at 'ran'. */
static void arm_next(script_t *s, sim_time_t ran)
{
    s->last_ran = ran;
    s->seen_len = 0;
    s->seen[0] = 0;
    if (s->next >= s->n) {
        s->due = SIM_TIME_NEVER;
        return;
    }
    const script_cmd_t *c = &s->cmds[s->next];
    s->due = s->over ? 0 : c->when == WHEN_AT ? c->at : c->when == WHEN_IN ? ran + c->at
                                                                            : SIM_TIME_NEVER;
}

void script_run_over(script_t *s)
{
    s->over = true;
    if (s->next < s->n)
        s->due = 0;
}

void script_output(script_t *s, sim_time_t t, const uint8_t *buf, size_t len)
{
    if (s->next >= s->n || s->cmds[s->next].when != WHEN_AFTER_TEXT || s->due != SIM_TIME_NEVER)
        return;
    const script_cmd_t *c = &s->cmds[s->next];
    for (size_t k = 0; k < len; k++) {
        if (s->seen_len == sizeof s->seen - 1) {
            /* keep enough of the tail to match a text split across writes */
            memmove(s->seen, s->seen + 256, s->seen_len - 256);
            s->seen_len -= 256;
        }
        s->seen[s->seen_len++] = buf[k] ? (char)buf[k] : ' ';
        s->seen[s->seen_len] = 0;
        if (buf[k] == (uint8_t)c->text[strlen(c->text) - 1] && strstr(s->seen, c->text)) {
            s->due = t + c->at;
            return;
        }
    }
}

const script_cmd_t *script_due(script_t *s, sim_time_t now)
{
    if (s->next < s->n && s->due != SIM_TIME_NEVER && s->due <= now) {
        const script_cmd_t *c = &s->cmds[s->next++];
        arm_next(s, now);
        return c;
    }
    return NULL;
}

sim_time_t script_next_time(const script_t *s)
{
    return s->next < s->n ? s->due : SIM_TIME_NEVER;
}
