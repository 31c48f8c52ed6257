/*
 * lockrecover diagnose, private to its files (cmd_diagnose.c, dx_open.c,
 * dx_steps.c): the wizard's state and its prompts.
 *
 * Every prompt a person sees is a (kind, arg, stage) triple kept in the state
 * file and saved before the prompt is shown. A run shows the pending prompt,
 * reads one answer, applies it to that prompt and nothing else, and moves on;
 * a run that ends (stdin closed, terminal shut) leaves the prompt pending,
 * and the next run shows the same prompt again.
 */
#ifndef LOCKRECOVER_DX_H
#define LOCKRECOVER_DX_H

#include "cli.h"

#define DX_EOF 100  /* stdin ended */
#define DX_STOP 101 /* the person chose to stop for now */

/* Prompt kinds (CLI_SV_PROMPT). Stored in state files: never renumber. */
enum {
    DX_P_NONE = 0,
    /* opening questions, before the session exists */
    DX_P_PROTOCOL = 1,
    DX_P_CHANGES = 2,
    DX_P_APP_SEEN = 3,
    DX_P_APPS = 4,
    DX_P_BRIDGE = 5,
    DX_P_OTHER_PHONE = 6,
    DX_P_BATTERY = 7,
    DX_P_FW_BEFORE = 8,
    DX_P_FW_TARGET = 9,
    DX_P_MODEL = 10,
    DX_P_SERIAL = 11,
    DX_P_ERROR = 12,
    DX_P_KEYPAD = 13,
    DX_P_HUB = 14,
    DX_P_OTHER_WIFI = 15,
    DX_P_UPDATE = 16,  /* stage 1: the follow-up of a "don't know" */
    DX_P_STALLED = 17,
    /* the session's own prompts; arg is the question, step or guard */
    DX_P_ASK = 20,     /* stage 1: the follow-up of a "don't know" about an update */
    DX_P_STEP = 21,    /* stage 1: the next best route after "I can't" */
    DX_P_RESUME = 22,
    DX_P_VERIFY = 23,  /* stage 1: version after an update; stage 2: the codes */
    DX_P_GUARD = 24,   /* arg step, stage the guard asked */
    DX_P_BLOCKED = 25  /* arg step */
};

/* Opening answers (CLI_SV_CHANGES bits). */
#define DX_CH_NETWORK 0x01u
#define DX_CH_APP 0x02u
#define DX_CH_PHONE 0x04u
#define DX_CH_FIRMWARE 0x08u
#define DX_CH_BATTERIES 0x10u
#define DX_CH_MOVED 0x20u
#define DX_CH_NOTHING 0x40u
#define DX_CH_OTHER 0x80u
#define DX_CH_UNKNOWN 0x100u

/* CLI_SV_AFTER bits: the checks after an update that came back. */
#define DX_AFTER_VERSION 0x01u
#define DX_AFTER_CODES 0x02u
#define DX_ASKED_FW_NOW 0x04u /* the session asked the version it runs now */

typedef struct dx {
    int tty_in, tty_out;
    int fast;              /* virtual clock */
    int verbose;           /* show ids and the classifier's numbers */
    uint64_t vclock;       /* the virtual clock */
    uint64_t base_session; /* real clock: session time = base_session + (mono - base_mono) */
    uint64_t base_mono;
    uint64_t last_save_mono;
    const char *state_path; /* or NULL */
    lkr_session *s;
    cli_state st;
} dx;

#define DX_V(x, k) ((x)->st.v[CLI_SV_##k])

uint64_t dx_now(void *ctx);
int dx_save(dx *x);
void dx_set_prompt(dx *x, uint32_t kind, uint32_t arg, uint32_t stage);

/* Input: one trimmed answer line (1), or 0 at the end of stdin. */
int dx_read_line(const dx *x, char *buf, size_t cap);
/* A numbered choice of n labels: 0 with *out the index, DX_EOF, or 1 after
 * an answer that was not one of them (already told; show the prompt again). */
int dx_choose(const dx *x, const char *question, const char *hint, const char *const *labels,
              size_t n, size_t *out);
/* Several numbers at once (a mask of 1 << index); same returns. */
int dx_choose_many(const dx *x, const char *question, const char *const *labels, size_t n,
                   uint32_t *mask);
/* Free text (Enter: empty); printable ASCII of at most cap-1 characters;
 * same returns. */
int dx_text(const dx *x, const char *question, const char *hint, char *out, size_t cap);
void dx_heading(const char *text);

/* dx_open.c: the opening questions and the session they start. */
uint32_t dx_next_opening(const dx *x);
/* Whether opening prompt p may be pending (a state file names only those). */
int dx_opening_fits(const dx *x, uint32_t p);
int dx_answer_opening(dx *x);
int dx_start_session(dx *x, const lkr_transport *t);
/* The lock as the opening answers describe it. */
void dx_build_profile(const dx *x, lkr_profile *p);

/* dx_steps.c: the session's prompts and the ending. */
/* Works out the next prompt from the session (running any wait); 0, a
 * final exit code through *final (set to 1), or an error. */
int dx_next_session_prompt(dx *x, int *final);
int dx_answer_session(dx *x);
/* Whether the pending prompt still fits the session's action. */
int dx_prompt_fits(dx *x);

#endif /* LOCKRECOVER_DX_H */
