/*
 * Scripted input for the UI (--script FILE): what a user does, at virtual
 * times, as synthetic mouse and keyboard events on the UI's own widgets, so a
 * session can be driven without a person (tests, demos, screenshots).
 *
 *   # comment
 *   at 1.2s click cable.0          a click on a widget (ids: --list-widgets)
 *   after "state=downloading" 20ms click cable.0
 *                                  20 ms after the guest prints that text
 *                                  (output since the command before)
 *   in 1s   click cable.0          1 s after the command before ran
 *   at 2s   press button.user      mouse button down on it ...
 *   in 0.3s release button.user    ... and up again
 *   at 3s   type "help\r"          typed into the focused text (console)
 *   at 3s   key Return             one key (an SDL key name)
 *   at 3s   move 700 650           the pointer to window pixel (700, 650)
 *   at 4s   screenshot out/ui.png  PNG of the window
 *   at 4s   dump out/state.json    the UI's model of the scene, with the LED
 *                                  colours read back from the drawn pixels
 *   at 5s   pause | run | step | speed 4 | quit
 *
 * Times are virtual (units as elsewhere: s, ms, us, ns, min); commands run in
 * file order, each when its time has come ("at" times must not go
 * backwards). The run is held at each command's time (rounded up to the next
 * millisecond tick) while its events are handled, so a script gives the same
 * inputs at the same virtual times on every run.
 */
#ifndef UI_SCRIPT_H
#define UI_SCRIPT_H

#include <stddef.h>
#include "sim/types.h"

enum script_op { SCR_CLICK, SCR_PRESS, SCR_RELEASE, SCR_TYPE, SCR_KEY, SCR_SCREENSHOT, SCR_DUMP,
                 SCR_PAUSE, SCR_RUN, SCR_STEP, SCR_SPEED, SCR_QUIT, SCR_MOVE };

enum script_when { WHEN_AT, WHEN_AFTER_TEXT, WHEN_IN };

typedef struct script_cmd {
    enum script_when when;
    sim_time_t at;            /* WHEN_AT: the time; otherwise the delay */
    char text[128];           /* WHEN_AFTER_TEXT */
    enum script_op op;
    char arg[256];
    size_t arg_len;           /* SCR_TYPE: bytes (the text may hold NUL) */
    int x, y;                 /* SCR_MOVE */
    int line;
} script_cmd_t;

typedef struct script {
    script_cmd_t *cmds;
    unsigned n, next;
    /* run state */
    sim_time_t last_ran;      /* when the command before ran */
    sim_time_t due;           /* of cmds[next]; SIM_TIME_NEVER while its text is awaited */
    char seen[512];           /* output since the command before, for WHEN_AFTER_TEXT */
    size_t seen_len;
    bool over;                /* the run has ended: everything left is due */
} script_t;

/* Parse a script; -1 with "origin:line: reason" in err. */
int script_parse(script_t *s, const char *text, const char *origin, char *err, size_t errlen);
int script_load(script_t *s, const char *path, char *err, size_t errlen);
void script_free(script_t *s);
/* The guest's output as it is printed (at virtual time t). */
void script_output(script_t *s, sim_time_t t, const uint8_t *buf, size_t len);
/* The next command due at or before 'now' (it counts as run at 'now'), or NULL. */
const script_cmd_t *script_due(script_t *s, sim_time_t now);
/* Time of the next command (SIM_TIME_NEVER when done or awaiting its text). */
sim_time_t script_next_time(const script_t *s);
/* The run has ended: the commands left are due at once (none waits for
 * text that can no longer come). */
void script_run_over(script_t *s);

#endif
