/*
 * Codes: what the engine does to keep the lock's access codes. Which steps
 * may erase them, the backup bound to the session (its own, a verified one
 * the host made, or the host's records), the code steps the vault does
 * (backup, verify after a re-pair, restore after the re-join that follows a
 * factory reset), and the read-back that alone clears the risk. The recovery
 * invariant itself is enforced in lkr__recovered (step.c). docs/VAULT.md.
 */
#include <string.h>

#include "session_int.h"

#define STEP_BIT LKR__STEP_BIT

/* ---- the code backup ----------------------------------------------------------- */

int lkr__backup_bound(const lkr_session *s)
{
    if (s->hooks != NULL && s->hooks->backup_stand_in != NULL && s->hooks->backup_stand_in(s)) {
        return 1;
    }
    /* Only what this session bound counts: the backup it made of this lock,
     * a verified backup of this lock the host made, or the host's records
     * when the lock could not be read. A vault imported from elsewhere,
     * bound to another lock, or changed since, does not. */
    return s->vault != NULL && s->has_vault_digest &&
           (lkr__vault_verified(s->vault) || lkr__vault_records(s->vault)) &&
           lkr__vault_matches(s->vault, &s->profile, s->has_vault_digest, s->vault_digest);
}

int lkr__backup_verified(const lkr_session *s)
{
    return lkr__backup_bound(s) && (s->vault == NULL || lkr__vault_verified(s->vault));
}

int lkr__notes_relied_on(const lkr_session *s)
{
    uint32_t i;
    if (s->has_vault_digest != LKR__DIGEST_NONE || !(s->confirmed & LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED))) {
        return 0;
    }
    for (i = 0; i < s->hist_count; i++) {
        uint32_t guards = lkr__step_guards(s->hist[i].step, s->profile.protocol);
        if (s->hist[i].outcome == LKR_OUTCOME_WAIVED) {
            continue; /* never begun, or closed unperformed */
        }
        if ((guards & LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP)) ||
            ((guards & LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE)) && s->profile.repair_erases_codes != LKR_NO)) {
            return 1;
        }
    }
    return 0;
}

/* The backup step can still be offered: not tried, waived or disabled. */
int lkr__backup_offerable(const lkr_session *s)
{
    const uint64_t b = STEP_BIT(LKR_STEP_REPAIR_BACKUP_CODES);
    return !((s->tried | s->waived_steps | s->disabled) & b);
}

/* The transport can read the lock's codes into an attached vault. */
static int vault_reads_codes(const lkr_session *s)
{
    return s->vault != NULL && s->tr.read_codes != NULL;
}

int lkr__may_erase_codes(const lkr_session *s, uint32_t step)
{
    uint32_t d = lkr__step_destroys(step, s->profile.protocol);
    /* A profile that says re-pairs keep codes is believed only when nothing
     * could check it: with a vault that reads codes, or a verified backup,
     * the codes are checked back after the step (a wrong model flag then
     * costs a read, never a code). */
    return (d & LKR_DESTROYS_CODES) ||
           ((d & LKR_MAY_DESTROY_CODES) &&
            (s->profile.repair_erases_codes != LKR_NO || vault_reads_codes(s) || lkr__backup_bound(s)));
}

/* The tests' stand-in for a verified backup without a vault (lib/hooks/). */
static int stand_in_backup(const lkr_session *s)
{
    return s->vault == NULL && s->hooks != NULL && s->hooks->backup_stand_in != NULL &&
           s->hooks->backup_stand_in(s);
}

/* Reads the codes back through the vault and, when some are missing and the
 * transport can write, restores them (the restore reads them back again). */
static lkr_status verify_then_restore(lkr_session *s, uint32_t *missing)
{
    lkr_status st = lkr_vault_verify(s->vault, &s->tr, missing);
    if (st == LKR_E_CORRUPT && s->tr.write_code != NULL) {
        st = lkr_vault_restore(s->vault, &s->tr, missing);
    }
    return st;
}

/* Codes the person noted (no reader attached): after the last step that may
 * have erased codes, the person tested each at the keypad and re-entered any
 * missing one from the notes (repair.verify_codes or the restore after a
 * reset, done by the person). That is the read-back at this evidence level;
 * the report names the level. */
static int person_checked_codes(const lkr_session *s)
{
    uint32_t i, last = 0;
    int erased = 0, checked = 0;
    if (!lkr__codes_noted(s)) {
        return 0;
    }
    for (i = 0; i < s->hist_count; i++) {
        if (lkr__outcome_attempted(s->hist[i].outcome) && lkr__may_erase_codes(s, s->hist[i].step)) {
            erased = 1;
            last = i;
        }
    }
    for (i = erased ? last + 1 : 0; i < s->hist_count; i++) {
        uint32_t step = s->hist[i].step;
        if ((step == LKR_STEP_REPAIR_VERIFY_CODES || step == LKR_STEP_RESET_RESTORE_AFTER_RESET) &&
            lkr__outcome_performed(s->hist[i].outcome) && !s->hist[i].by_host) {
            checked = 1;
        }
    }
    return checked;
}

/* Verifies (and restores) the codes through the vault this session backed up;
 * codes the person noted are checked by the person at the keypad. */
void lkr__check_codes_back(lkr_session *s)
{
    lkr_status st;
    uint32_t missing = 0;
    if (stand_in_backup(s)) {
        s->codes_at_risk = 0;
        return;
    }
    if (!lkr__backup_bound(s) || s->tr.read_codes == NULL) {
        if (person_checked_codes(s)) {
            s->codes_at_risk = 0;
            lkr__log(s, LKR_LOG_INFO, "the person tested every noted code at the keypad", 0, NULL);
        }
        return; /* otherwise nothing can check them: they stay at risk */
    }
    st = verify_then_restore(s, &missing);
    if (st == LKR_OK) {
        s->codes_missing = 0;
        s->codes_at_risk = 0;
        lkr__log(s, LKR_LOG_INFO, "every code is back on the lock", 0, NULL);
        return;
    }
    lkr__log(s, LKR_LOG_WARN, "codes could not be checked back", 0, lkr_strerror(st));
    if (missing > 0) {
        s->codes_missing = missing;
    }
}

/* The vault's backup (or the host's records) becomes this session's: its
 * digest is what lkr__backup_bound checks from now on. */
static void bind_backup(lkr_session *s)
{
    lkr__vault_digest(s->vault, s->vault_digest);
    s->has_vault_digest = LKR__DIGEST_KEYED;
}

int lkr__adopt_host_backup(lkr_session *s)
{
    uint8_t d[32];
    /* A backup made after a step that may have erased codes cannot vouch for
     * them: while they are at risk only the backup bound before counts. */
    if (s->codes_at_risk || s->vault == NULL || s->tr.read_codes == NULL || !lkr__vault_verified(s->vault) ||
        lkr__backup_bound(s)) {
        return 0;
    }
    /* Another lock's backup never stands for this lock's. */
    if (lkr__vault_bind(s->vault, &s->profile) != LKR_OK) {
        return 0;
    }
    /* Once per content of the vault: a backup that did not match the lock is
     * not read against it again until the host changes the vault. */
    lkr__vault_digest(s->vault, d);
    if (s->adopt_tried && memcmp(d, s->adopt_digest, sizeof(d)) == 0) {
        return 0;
    }
    memcpy(s->adopt_digest, d, sizeof(d));
    s->adopt_tried = 1;
    /* A verified backup the host made (or imported) counts once the lock is
     * read and found to hold exactly its codes: then it is this lock's. */
    if (lkr__vault_matches_lock(s->vault, &s->tr) != LKR_OK) {
        lkr__log(s, LKR_LOG_WARN, "the vault's backup does not match the lock: not used", 0, NULL);
        return 0;
    }
    bind_backup(s);
    lkr__log(s, LKR_LOG_INFO, "the host's verified backup matches the lock: used", 0, NULL);
    return 1;
}

/* The backup step, done by the vault: the lock's codes read twice and
 * compared. A lock misreads now and then: up to LKR__BACKUP_ATTEMPTS tries. */
static void vault_backup(lkr_session *s, uint32_t step, int idx, uint64_t now)
{
    lkr_status st = LKR_E_CORRUPT;
    uint32_t attempt;
    s->hist[idx].by_host = 1;
    if (s->codes_at_risk) {
        /* Codes may already be erased: a backup now would not hold them. */
        lkr__log(s, LKR_LOG_WARN, "codes at risk: no new backup is taken", step, NULL);
        lkr__close_entry(s, (uint32_t)idx, LKR_OUTCOME_FAILED, now);
        lkr__to_idle(s);
        return;
    }
    /* The backup is bound to this lock: a vault bound to another is refused. */
    if (lkr__vault_bind(s->vault, &s->profile) != LKR_OK) {
        lkr__log(s, LKR_LOG_WARN, "code backup refused", step, lkr_strerror(LKR_E_STATE));
        lkr__close_entry(s, (uint32_t)idx, LKR_OUTCOME_FAILED, now);
        lkr__to_idle(s);
        return;
    }
    if (lkr__adopt_host_backup(s)) {
        lkr__close_entry(s, (uint32_t)idx, LKR_OUTCOME_DONE, now);
        lkr__to_idle(s);
        return;
    }
    for (attempt = 0; attempt < LKR__BACKUP_ATTEMPTS; attempt++) {
        st = lkr_vault_backup(s->vault, &s->tr);
        /* Two reads that differ, or a read that failed, may go right next
         * time; anything else (a lock that lists unrecorded slots, too many
         * codes, invalid codes) will not. */
        if (st != LKR_E_CORRUPT && st != LKR_E_TRANSPORT) {
            break;
        }
        lkr__log(s, LKR_LOG_WARN, "code backup attempt failed", step, lkr_strerror(st));
    }
    if (st != LKR_OK) {
        lkr__log(s, LKR_LOG_WARN, "code backup refused", step, lkr_strerror(st));
        if (lkr__vault_records(s->vault)) {
            /* A lock that cannot be read (a dead node) has the host's own
             * records of its codes: they stand in, marked as records; only
             * codes read back from the lock after a restore count as safe. */
            bind_backup(s);
            lkr__log(s, LKR_LOG_WARN, "the host's records of the codes are used, not read from the lock", step,
                     NULL);
        }
        lkr__close_entry(s, (uint32_t)idx, LKR_OUTCOME_FAILED, now);
        lkr__to_idle(s);
        return;
    }
    bind_backup(s);
    lkr__log(s, LKR_LOG_INFO, "code backup verified", step, NULL);
    lkr__close_entry(s, (uint32_t)idx, LKR_OUTCOME_DONE, now);
    lkr__to_idle(s);
}

/* The vault can put codes back on this lock: a bound backup, and the
 * transport reads and writes codes. */
int lkr__vault_restores(const lkr_session *s)
{
    return s->vault != NULL && s->tr.read_codes != NULL && s->tr.write_code != NULL &&
           lkr__backup_bound(s);
}

/* A code step the vault did: the codes still missing after it (each read
 * back, or not), and the step's entry closed. */
static void codes_checked(lkr_session *s, uint32_t step, int idx, lkr_status st, uint32_t missing,
                          uint64_t now)
{
    if (st != LKR_OK && missing == 0) {
        missing = lkr__vault_count(s->vault); /* could not even read: assume none is back */
    }
    s->codes_missing = missing;
    if (missing > 0) {
        lkr__log(s, LKR_LOG_WARN, "codes still missing after", step, lkr_strerror(st));
    } else {
        s->codes_at_risk = 0; /* every code read back from the lock */
    }
    lkr__close_entry(s, (uint32_t)idx, missing == 0 ? LKR_OUTCOME_DONE : LKR_OUTCOME_FAILED, now);
}

/* The code steps the engine does itself when a vault is attached and the
 * transport can read codes: back up, and verify (restoring what is missing)
 * after a re-pair. Returns 1 when it handled the step. The restore after a
 * factory reset waits for the lock to be back on its network (restore_codes). */
int lkr__vault_step(lkr_session *s, uint32_t step, int idx, int followup, uint64_t now)
{
    lkr_status st;
    uint32_t missing = 0;
    if (s->vault == NULL || s->tr.read_codes == NULL) {
        return 0;
    }
    if (step == LKR_STEP_REPAIR_BACKUP_CODES) {
        vault_backup(s, step, idx, now);
        return 1;
    }
    if (step != LKR_STEP_REPAIR_VERIFY_CODES || !lkr__backup_bound(s)) {
        return 0;
    }
    s->hist[idx].by_host = 1;
    st = verify_then_restore(s, &missing);
    codes_checked(s, step, idx, st, missing, now);
    lkr__step_closed(s, followup);
    return 1;
}

/* The lock answers on its network again: the probe says so, or there is no
 * probe to ask (then the restore's own reads tell). */
static int lock_answers(lkr_session *s)
{
    lkr_probe_result r;
    lkr_status st;
    if (s->tr.probe == NULL) {
        return 1;
    }
    lkr__probe_result_defaults(&r);
    st = s->tr.probe(s->tr.ctx, &r);
    return st == LKR_OK && lkr__probe_result_ok(&r) && r.reachable == LKR_YES;
}

/* reset.restore_after_reset, after its re-join part (the host's run_step or
 * a person brought the lock back onto its network): the lock must answer,
 * then the vault writes every code and reads each back. */
void lkr__restore_codes(lkr_session *s, uint64_t now)
{
    lkr_status st = LKR_E_TRANSPORT;
    uint32_t missing = 0;
    if (lock_answers(s)) {
        st = lkr_vault_restore(s->vault, &s->tr, &missing);
    } else {
        lkr__log(s, LKR_LOG_WARN, "the lock does not answer on its network: codes not restored", s->cur_step,
                 NULL);
    }
    codes_checked(s, s->cur_step, s->cur_hist, st, missing, now);
}


void lkr__check_vault_codes(lkr_session *s)
{
    uint32_t missing = 0;
    lkr_status st;
    if (s->vault == NULL || s->tr.read_codes == NULL || lkr__vault_count(s->vault) == 0) {
        return; /* nothing that could tell */
    }
    if (lkr__backup_bound(s)) {
        s->codes_at_risk = 1; /* read back (and restored) through the bound backup */
        lkr__check_codes_back(s);
        return;
    }
    /* A vault not bound to this session (a backup whose blob was never saved,
     * say, the app killed after the vault was written): the lock must still
     * hold every code in it. If not, codes may have been erased by a step this
     * session no longer knows of, and the vault cannot vouch it is this
     * lock's: support, never "recovered". */
    st = lkr_vault_verify(s->vault, &s->tr, &missing);
    if (st == LKR_OK || st == LKR_E_STATE) {
        return;
    }
    s->codes_at_risk = 1;
    if (missing > 0) {
        s->codes_missing = missing;
    }
    lkr__log(s, LKR_LOG_WARN, "codes in the vault are not on the lock", 0, lkr_strerror(st));
}
