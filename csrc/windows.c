/* windows.c: event-time windows per key, over whole batches.
 *
 * The readable reference is the pure-Python twin,
 * src/learnstream/engine/windows_twin.py: the same decisions in the same order,
 * so both produce identical events (tests/test_window_core_agreement.py). The
 * twin keeps each key's windows as objects and numbers them with handles only
 * on the way out (its _Events); here windows live in per-key arrays and a
 * per-handle count array, with the same handle reuse. Times are int64
 * microseconds since the Unix epoch; keys are slots from keys.c; window
 * contents stay in Python, indexed by the handles this file hands out.
 *
 * Allocation failures set w->oom and skip the push; every public call then
 * returns LS_ENOMEM, after which the core must not be used again.
 *
 * Overflow: times lie in [LS_MIN_US, LS_MAX_US] (|t| < 2^58) and lengths,
 * offsets, gaps and waits in [0, LS_MAX_SPAN] (2^60), both checked at the
 * door, so every sum and difference below stays far inside int64.
 */
#include <stdlib.h>
#include <string.h>

#include "ccore.h"
#include "grow.h"

typedef struct {
    int64_t wid, open, close, handle;
} win_t;

typedef struct {
    int64_t ts, seq;
} qent_t;

/* One entry of the index of open sliding windows: (slot, wid) -> handle.
 * handle < 0 marks an empty bucket. */
typedef struct {
    int64_t slot, wid, handle;
} hent_t;

typedef struct {
    int64_t base;    /* largest event time minus wait */
    int64_t sys_max; /* system time when base last moved */
    int64_t sys_now; /* latest system time this key has seen */
    int64_t wm;      /* watermark after the last item or notify */
    int64_t wake;    /* system time when something is due (if has_wake) */
    int64_t max_id;  /* last session id */
    int64_t mark;    /* number of the last batch that touched this key */
    int has_wake;
    win_t *wins; /* open windows, in opening order */
    int64_t nwins, capwins;
    qent_t *q; /* items waiting for the watermark (ordered mode), in arrival order */
    int64_t nq, capq;
} wkey_t;

struct ls_win {
    int kind, clock, ordered, record;
    int64_t length, offset, align, gap, wait;
    wkey_t *keys;
    int64_t nkeys, capkeys;
    int64_t *counts; /* items per handle */
    int64_t ncounts, capcounts;
    ls_i64vec free_, released, touched;
    qent_t *scratch; /* due queue entries during a flush */
    int64_t capscratch;
    /* Open sliding windows by (slot, wid): a key can hold thousands of open
     * windows (a long wait, data far out of order), and the twin's dict finds
     * each in constant time, so a scan of the key's list here would not do.
     * Open addressing, linear probing, at most half full. */
    hent_t *index;
    uint64_t capindex; /* 0 or a power of two */
    int64_t nindex;
    int64_t *order; /* session indexes sorted by open time during a merge, */
    int64_t caporder; /* and the merge sort's scratch after them */
    int64_t seq, batch, soonest;
    int has_soonest, oom;
    ls_wevents ev;
};

/* ---- small helpers ------------------------------------------------------ */

static void push(ls_win *w, ls_i64vec *v, int64_t x) {
    if (ls_push_i64(v, x)) w->oom = 1;
}

static int64_t floordiv(int64_t a, int64_t b) { /* b > 0 */
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

static int time_ok(int64_t t) { return t >= LS_MIN_US && t <= LS_MAX_US; }

static int span_ok(int64_t d) { return d >= 0 && d <= LS_MAX_SPAN; }

static void begin(ls_win *w) {
    for (int64_t i = 0; i < w->released.len; i++) push(w, &w->free_, w->released.data[i]);
    w->released.len = 0;
    ls_i64vec *v = &w->ev.late_items;
    for (size_t i = 0; i < sizeof(ls_wevents) / sizeof(ls_i64vec); i++) v[i].len = 0;
}

static wkey_t *key_at(ls_win *w, int64_t slot, int64_t now) {
    if (slot >= w->nkeys) {
        void *p = w->keys;
        if (ls_grow(&p, &w->capkeys, slot + 1, sizeof(wkey_t))) {
            w->oom = 1;
            return NULL;
        }
        w->keys = p;
        for (int64_t s = w->nkeys; s <= slot; s++) {
            wkey_t *k = &w->keys[s];
            memset(k, 0, sizeof *k);
            k->base = LS_MIN_US;
            k->sys_max = k->sys_now = now;
            k->wm = LS_MIN_US;
            k->max_id = LS_LATE_SESSION_ID;
            k->mark = -1;
        }
        w->nkeys = slot + 1;
    }
    return &w->keys[slot];
}

static int64_t new_handle(ls_win *w) {
    if (w->free_.len) {
        int64_t h = w->free_.data[--w->free_.len];
        w->counts[h] = 0;
        return h;
    }
    void *p = w->counts;
    if (ls_grow(&p, &w->capcounts, w->ncounts + 1, sizeof(int64_t))) {
        w->oom = 1;
        return -1;
    }
    w->counts = p;
    w->counts[w->ncounts] = 0;
    return w->ncounts++;
}

/* ---- the index of open sliding windows ----------------------------------- */

static uint64_t bucket(const ls_win *w, int64_t slot, int64_t wid) {
    uint64_t h = (uint64_t)wid * 0x9E3779B97F4A7C15u ^ (uint64_t)slot * 0xC2B2AE3D27D4EB4Fu;
    h ^= h >> 29;
    return h & (w->capindex - 1);
}

static int64_t index_find(const ls_win *w, int64_t slot, int64_t wid) {
    if (!w->capindex) return -1;
    for (uint64_t b = bucket(w, slot, wid);; b = (b + 1) & (w->capindex - 1)) {
        const hent_t *e = &w->index[b];
        if (e->handle < 0) return -1;
        if (e->slot == slot && e->wid == wid) return e->handle;
    }
}

static void index_put(ls_win *w, int64_t slot, int64_t wid, int64_t handle) {
    if ((uint64_t)(w->nindex + 1) * 2 > w->capindex) {
        uint64_t cap = w->capindex ? w->capindex * 2 : 64;
        hent_t *fresh = malloc(cap * sizeof(hent_t));
        if (!fresh) {
            w->oom = 1;
            return;
        }
        for (uint64_t b = 0; b < cap; b++) fresh[b].handle = -1;
        hent_t *old = w->index;
        uint64_t oldcap = w->capindex;
        w->index = fresh;
        w->capindex = cap;
        w->nindex = 0;
        for (uint64_t b = 0; b < oldcap; b++)
            if (old[b].handle >= 0) index_put(w, old[b].slot, old[b].wid, old[b].handle);
        free(old);
    }
    uint64_t b = bucket(w, slot, wid);
    while (w->index[b].handle >= 0) b = (b + 1) & (w->capindex - 1);
    w->index[b] = (hent_t){slot, wid, handle};
    w->nindex++;
}

/* Remove (slot, wid), shifting later entries of its probe run back so that
 * no search stops early at the hole (no tombstones needed). */
static void index_del(ls_win *w, int64_t slot, int64_t wid) {
    uint64_t mask = w->capindex - 1;
    uint64_t b = bucket(w, slot, wid);
    while (w->index[b].slot != slot || w->index[b].wid != wid) b = (b + 1) & mask;
    for (uint64_t next = (b + 1) & mask;; next = (next + 1) & mask) {
        hent_t *e = &w->index[next];
        if (e->handle < 0) break;
        uint64_t home = bucket(w, e->slot, e->wid);
        /* e may fill the hole at b unless its home lies cyclically in (b, next]. */
        if (((next - home) & mask) >= ((next - b) & mask)) {
            w->index[b] = *e;
            b = next;
        }
    }
    w->index[b].handle = -1;
    w->nindex--;
}

/* ---- clock ---------------------------------------------------------------- */

static int64_t current_wm(const ls_win *w, const wkey_t *k) {
    if (w->clock == LS_SYSTEM) return max64(k->wm, k->sys_now);
    return k->base + (k->sys_now - k->sys_max);
}

static int64_t wm_after(const ls_win *w, wkey_t *k, int64_t t) {
    int64_t wm = current_wm(w, k);
    if (w->clock == LS_SYSTEM) return wm;
    int64_t candidate = t - w->wait;
    if (candidate > wm && candidate >= LS_MIN_US) {
        k->base = candidate;
        k->sys_max = k->sys_now;
        return candidate;
    }
    return wm;
}

/* ---- windows -------------------------------------------------------------- */

static void late(ls_win *w, int64_t i, int64_t t) {
    if (w->kind == LS_SESSION) {
        push(w, &w->ev.late_items, i);
        push(w, &w->ev.late_wids, LS_LATE_SESSION_ID);
        return;
    }
    int64_t since = t - w->align;
    int64_t hi = floordiv(since, w->offset);
    for (int64_t wid = floordiv(since - w->length, w->offset) + 1; wid <= hi; wid++) {
        push(w, &w->ev.late_items, i);
        push(w, &w->ev.late_wids, wid);
    }
}

static void joined(ls_win *w, int64_t seq, int64_t wid, int64_t h) {
    w->counts[h]++;
    if (w->record) {
        push(w, &w->ev.ins_seqs, seq);
        push(w, &w->ev.ins_handles, h);
        push(w, &w->ev.ins_wids, wid);
    }
}

static win_t *add_window(ls_win *w, wkey_t *k, int64_t wid, int64_t open, int64_t close) {
    void *p = k->wins;
    if (ls_grow(&p, &k->capwins, k->nwins + 1, sizeof(win_t))) {
        w->oom = 1;
        return NULL;
    }
    k->wins = p;
    int64_t h = new_handle(w);
    if (h < 0) return NULL;
    win_t *win = &k->wins[k->nwins++];
    *win = (win_t){wid, open, close, h};
    return win;
}

static void open_sliding(ls_win *w, int64_t slot, wkey_t *k, int64_t t, int64_t seq) {
    int64_t since = t - w->align;
    int64_t hi = floordiv(since, w->offset);
    for (int64_t wid = floordiv(since - w->length, w->offset) + 1; wid <= hi; wid++) {
        int64_t h = index_find(w, slot, wid);
        if (h < 0) {
            int64_t open = w->align + wid * w->offset;
            win_t *win = add_window(w, k, wid, open, open + w->length);
            if (!win) return;
            h = win->handle;
            index_put(w, slot, wid, h);
            if (w->oom) return;
        }
        joined(w, seq, wid, h);
    }
}

/* Sort idx[0..n) by wins[idx].open, stably (equal opens keep opening order,
 * as Python's sort does in the twin). A bottom-up merge sort through tmp:
 * qsort is not stable and has no context argument, and a global would race
 * (cffi releases the GIL around these calls). */
static void sort_by_open(const win_t *wins, int64_t *idx, int64_t *tmp, int64_t n) {
    int64_t *src = idx, *dst = tmp;
    for (int64_t width = 1; width < n; width *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * width) {
            int64_t mid = lo + width < n ? lo + width : n;
            int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            int64_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                dst[o++] = wins[src[b]].open < wins[src[a]].open ? src[b++] : src[a++];
            while (a < mid) dst[o++] = src[a++];
            while (b < hi) dst[o++] = src[b++];
        }
        int64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != idx) memcpy(idx, src, (size_t)n * sizeof(int64_t));
}

/* Merge sessions now within gap of each other into the earliest-opening one. */
static void merge_sessions(ls_win *w, int64_t slot, wkey_t *k) {
    if (k->nwins < 2) return;
    void *p = w->order;
    if (ls_grow(&p, &w->caporder, 2 * k->nwins, sizeof(int64_t))) {
        w->oom = 1;
        return;
    }
    w->order = p;
    for (int64_t j = 0; j < k->nwins; j++) w->order[j] = j;
    sort_by_open(k->wins, w->order, w->order + k->nwins, k->nwins);
    win_t *last = &k->wins[w->order[0]];
    for (int64_t j = 1; j < k->nwins; j++) {
        win_t *win = &k->wins[w->order[j]];
        if (win->open - last->close <= w->gap) {
            last->close = max64(last->close, win->close);
            push(w, &w->ev.merge_slots, slot);
            push(w, &w->ev.merge_from, win->handle);
            push(w, &w->ev.merge_wids, win->wid);
            push(w, &w->ev.merge_into, last->handle);
            push(w, &w->ev.merge_into_wids, last->wid);
            push(w, &w->released, win->handle);
            win->handle = -1; /* merged away: dropped below */
        } else {
            last = win;
        }
    }
    int64_t kept = 0;
    for (int64_t j = 0; j < k->nwins; j++)
        if (k->wins[j].handle >= 0) k->wins[kept++] = k->wins[j];
    k->nwins = kept;
}

/* Bytewax's session rule: join the first session t is in or within gap of. */
static void open_session(ls_win *w, int64_t slot, wkey_t *k, int64_t t, int64_t seq) {
    for (int64_t j = 0; j < k->nwins; j++) {
        win_t *win = &k->wins[j];
        int64_t wid = win->wid, h = win->handle;
        if (win->open <= t && t <= win->close) {
            joined(w, seq, wid, h);
            return;
        }
        int64_t before = win->open - t, after = t - win->close;
        if ((before > 0 && before <= w->gap) || (after > 0 && after <= w->gap)) {
            if (before > 0)
                win->open = t;
            else
                win->close = t;
            merge_sessions(w, slot, k);
            joined(w, seq, wid, h);
            return;
        }
    }
    win_t *win = add_window(w, k, k->max_id + 1, t, t);
    if (!win) return;
    k->max_id++;
    joined(w, seq, win->wid, win->handle);
}

static void close_windows(ls_win *w, int64_t slot, wkey_t *k, int64_t wm, int at_eof) {
    int64_t kept = 0;
    for (int64_t j = 0; j < k->nwins; j++) {
        win_t win = k->wins[j];
        int closing = at_eof || (w->kind == LS_SESSION ? win.close < wm - w->gap
                                                       : win.close <= wm);
        if (!closing) {
            k->wins[kept++] = win;
            continue;
        }
        push(w, &w->ev.closed_slots, slot);
        push(w, &w->ev.closed_handles, win.handle);
        push(w, &w->ev.closed_wids, win.wid);
        push(w, &w->ev.closed_opens, win.open);
        push(w, &w->ev.closed_closes, win.close);
        push(w, &w->ev.closed_counts, w->counts[win.handle]);
        push(w, &w->released, win.handle);
        if (w->kind == LS_SLIDING) index_del(w, slot, win.wid);
    }
    k->nwins = kept;
}

/* When system time alone will make this key's watermark reach something due. */
static void set_wake(ls_win *w, wkey_t *k) {
    int has = 0;
    int64_t target = 0;
    for (int64_t j = 0; j < k->nwins; j++) {
        int64_t due = w->kind == LS_SESSION ? k->wins[j].close + w->gap + 1 : k->wins[j].close;
        if (!has || due < target) target = due, has = 1;
    }
    for (int64_t j = 0; j < k->nq; j++)
        if (!has || k->q[j].ts < target) target = k->q[j].ts, has = 1;
    k->has_wake = has;
    if (!has) return;
    k->wake = w->clock == LS_SYSTEM ? target : k->sys_max + (target - k->base);
    if (!w->has_soonest || k->wake < w->soonest) w->soonest = k->wake, w->has_soonest = 1;
}

static int by_time(const void *a, const void *b) {
    const qent_t *x = a, *y = b;
    if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Insert the items the watermark has reached, then close what it has passed. */
static void flush(ls_win *w, int64_t slot, int64_t wm, int at_eof) {
    wkey_t *k = &w->keys[slot];
    void *p = w->scratch;
    if (ls_grow(&p, &w->capscratch, k->nq, sizeof(qent_t))) {
        w->oom = 1;
        return;
    }
    w->scratch = p;
    int64_t ndue = 0, kept = 0;
    for (int64_t j = 0; j < k->nq; j++) {
        if (!w->ordered || at_eof || k->q[j].ts <= wm)
            w->scratch[ndue++] = k->q[j];
        else
            k->q[kept++] = k->q[j];
    }
    k->nq = kept;
    if (w->ordered && ndue > 1) qsort(w->scratch, (size_t)ndue, sizeof(qent_t), by_time);
    int64_t first_merge = w->ev.merge_from.len;
    for (int64_t j = 0; j < ndue; j++) {
        if (w->kind == LS_SESSION)
            open_session(w, slot, k, w->scratch[j].ts, w->scratch[j].seq);
        else
            open_sliding(w, slot, k, w->scratch[j].ts, w->scratch[j].seq);
    }
    /* As in Bytewax, merged windows combine after this flush's items went in. */
    for (int64_t j = first_merge; j < w->ev.merge_from.len; j++)
        w->counts[w->ev.merge_into.data[j]] += w->counts[w->ev.merge_from.data[j]];
    close_windows(w, slot, k, wm, at_eof);
    set_wake(w, k);
}

static void notify_due(ls_win *w, int64_t now) {
    if (!w->has_soonest || now < w->soonest) return;
    w->has_soonest = 0;
    for (int64_t slot = 0; slot < w->nkeys; slot++) {
        wkey_t *k = &w->keys[slot];
        if (!k->has_wake) continue;
        if (k->wake <= now) {
            k->sys_now = max64(k->sys_now, now);
            k->wm = current_wm(w, k);
            flush(w, slot, k->wm, 0);
        } else if (!w->has_soonest || k->wake < w->soonest) {
            w->soonest = k->wake, w->has_soonest = 1;
        }
    }
}

/* ---- the API ------------------------------------------------------------- */

ls_win *ls_win_new(int kind, int64_t length, int64_t offset, int64_t align, int64_t gap,
                   int clock, int64_t wait, int ordered, int record_inserts) {
    if ((kind != LS_SLIDING && kind != LS_SESSION) || (clock != LS_EVENT && clock != LS_SYSTEM))
        return NULL;
    if (!span_ok(length) || !span_ok(offset) || !span_ok(gap) || !span_ok(wait) ||
        !time_ok(align))
        return NULL;
    if (kind == LS_SLIDING && (length == 0 || offset == 0)) return NULL;
    ls_win *w = calloc(1, sizeof(ls_win));
    if (!w) return NULL;
    w->kind = kind;
    w->length = length;
    w->offset = offset;
    w->align = align;
    w->gap = gap;
    w->clock = clock;
    w->wait = wait;
    w->ordered = ordered;
    w->record = record_inserts;
    return w;
}

/* ---- snapshots ------------------------------------------------------------
 * The format both backends write and read (the twin's export_state writes the
 * same int64s): format, nkeys, handles made, nfree, nreleased, seq, has_soonest,
 * soonest; free handles; released handles; then per key: base, base_at (sys_max),
 * now (sys_now), wm, has_wake, wake, last session id, nwins, nq, its windows
 * (wid, open, close, handle, count) and its queue (ts, seq). A time that is not
 * set (wake, soonest) is written as 0. The index of open sliding windows, each
 * key's batch mark, scratch space and events are not state. */

#define SNAP_FORMAT 2
#define SNAP_HEAD 8
#define SNAP_KEY 9
#define SNAP_WIN 5

int64_t ls_win_export_size(const ls_win *w) {
    int64_t n = SNAP_HEAD + w->free_.len + w->released.len;
    for (int64_t s = 0; s < w->nkeys; s++)
        n += SNAP_KEY + SNAP_WIN * w->keys[s].nwins + 2 * w->keys[s].nq;
    return n;
}

void ls_win_export(const ls_win *w, int64_t *out) {
    int64_t head[SNAP_HEAD] = {SNAP_FORMAT,     w->nkeys, w->ncounts,     w->free_.len,
                               w->released.len, w->seq,   w->has_soonest, w->has_soonest ? w->soonest : 0};
    memcpy(out, head, sizeof head);
    out += SNAP_HEAD;
    for (int64_t i = 0; i < w->free_.len; i++) *out++ = w->free_.data[i];
    for (int64_t i = 0; i < w->released.len; i++) *out++ = w->released.data[i];
    for (int64_t s = 0; s < w->nkeys; s++) {
        const wkey_t *k = &w->keys[s];
        int64_t fields[SNAP_KEY] = {k->base,     k->sys_max,  k->sys_now, k->wm,  k->has_wake,
                                    k->has_wake ? k->wake : 0, k->max_id, k->nwins, k->nq};
        memcpy(out, fields, sizeof fields);
        out += SNAP_KEY;
        for (int64_t j = 0; j < k->nwins; j++) {
            const win_t *win = &k->wins[j];
            *out++ = win->wid;
            *out++ = win->open;
            *out++ = win->close;
            *out++ = win->handle;
            *out++ = w->counts[win->handle];
        }
        for (int64_t j = 0; j < k->nq; j++) {
            *out++ = k->q[j].ts;
            *out++ = k->q[j].seq;
        }
    }
}

/* Read `count` int64s at *at, or fail: the array ends too soon or is too long. */
static const int64_t *take(const int64_t **at, const int64_t *end, int64_t count) {
    if (count < 0 || count > end - *at) return NULL;
    const int64_t *here = *at;
    *at += count;
    return here;
}

int ls_win_import(ls_win *w, const int64_t *in, int64_t n) {
    if (w->oom) return LS_ENOMEM;
    if (w->nkeys || w->ncounts || w->seq || n < SNAP_HEAD || in[0] != SNAP_FORMAT) return LS_EINVAL;
    const int64_t *at = in + SNAP_HEAD, *end = in + n;
    int64_t nkeys = in[1], ncounts = in[2], nfree = in[3], nreleased = in[4];
    if (nkeys < 0 || nkeys > LS_MAX_KEYS || ncounts < 0) return LS_EINVAL;
    const int64_t *freed = take(&at, end, nfree);
    const int64_t *released = take(&at, end, nreleased);
    if (!freed || !released) return LS_EINVAL;
    for (int64_t i = 0; i < nfree; i++)
        if (freed[i] < 0 || freed[i] >= ncounts) return LS_EINVAL;
    for (int64_t i = 0; i < nreleased; i++)
        if (released[i] < 0 || released[i] >= ncounts) return LS_EINVAL;
    void *p = w->counts;
    if (ls_grow(&p, &w->capcounts, ncounts, sizeof(int64_t))) return LS_ENOMEM;
    w->counts = p;
    if (ncounts) memset(w->counts, 0, (size_t)ncounts * sizeof(int64_t));
    w->ncounts = ncounts;
    for (int64_t i = 0; i < nfree; i++) push(w, &w->free_, freed[i]);
    for (int64_t i = 0; i < nreleased; i++) push(w, &w->released, released[i]);
    if (nkeys && !key_at(w, nkeys - 1, 0)) return LS_ENOMEM;
    for (int64_t s = 0; s < nkeys; s++) {
        const int64_t *f = take(&at, end, SNAP_KEY);
        if (!f || f[7] < 0 || f[8] < 0) return LS_EINVAL;
        wkey_t *k = &w->keys[s];
        k->base = f[0], k->sys_max = f[1], k->sys_now = f[2], k->wm = f[3];
        k->has_wake = f[4] != 0, k->wake = f[5], k->max_id = f[6];
        const int64_t *wins = take(&at, end, SNAP_WIN * f[7]);
        const int64_t *q = take(&at, end, 2 * f[8]);
        if (!wins || !q) return LS_EINVAL;
        p = k->wins;
        if (ls_grow(&p, &k->capwins, f[7], sizeof(win_t))) return LS_ENOMEM;
        k->wins = p;
        p = k->q;
        if (ls_grow(&p, &k->capq, f[8], sizeof(qent_t))) return LS_ENOMEM;
        k->q = p;
        for (int64_t j = 0; j < f[7]; j++) {
            const int64_t *v = wins + SNAP_WIN * j;
            win_t win = {v[0], v[1], v[2], v[3]};
            if (win.handle < 0 || win.handle >= ncounts || v[4] < 0) return LS_EINVAL;
            k->wins[k->nwins++] = win;
            w->counts[win.handle] = v[4];
            if (w->kind == LS_SLIDING) index_put(w, s, win.wid, win.handle);
        }
        for (int64_t j = 0; j < f[8]; j++) k->q[k->nq++] = (qent_t){q[2 * j], q[2 * j + 1]};
    }
    if (at != end) return LS_EINVAL;
    w->seq = in[5], w->has_soonest = in[6] != 0, w->soonest = in[7];
    return w->oom ? LS_ENOMEM : LS_OK;
}

void ls_win_free(ls_win *w) {
    if (!w) return;
    for (int64_t s = 0; s < w->nkeys; s++) {
        free(w->keys[s].wins);
        free(w->keys[s].q);
    }
    free(w->keys);
    free(w->counts);
    free(w->free_.data);
    free(w->released.data);
    free(w->touched.data);
    free(w->scratch);
    free(w->order);
    free(w->index);
    ls_i64vec *v = &w->ev.late_items;
    for (size_t i = 0; i < sizeof(ls_wevents) / sizeof(ls_i64vec); i++) free(v[i].data);
    free(w);
}

int ls_win_process(ls_win *w, const int64_t *slots, int64_t n, const int64_t *ts, int64_t now) {
    if (w->oom) return LS_ENOMEM;
    /* Check the whole batch first, so a bad one changes nothing. */
    if (!time_ok(now)) return LS_EINVAL;
    for (int64_t i = 0; i < n; i++)
        if (slots[i] < 0 || slots[i] >= LS_MAX_KEYS || (ts && !time_ok(ts[i]))) return LS_EINVAL;
    begin(w);
    int64_t first_seq = w->seq;
    w->seq += n;
    w->batch++;
    w->touched.len = 0;
    for (int64_t i = 0; i < n; i++) {
        wkey_t *k = key_at(w, slots[i], now);
        if (!k) return LS_ENOMEM;
        if (k->mark != w->batch) {
            k->mark = w->batch;
            push(w, &w->touched, slots[i]);
            k->sys_now = max64(k->sys_now, now); /* system time never goes back */
        }
        int64_t t = ts ? ts[i] : now;
        k->wm = wm_after(w, k, t);
        if (t < k->wm) {
            late(w, i, t);
        } else {
            void *p = k->q;
            if (ls_grow(&p, &k->capq, k->nq + 1, sizeof(qent_t))) return LS_ENOMEM;
            k->q = p;
            k->q[k->nq++] = (qent_t){t, first_seq + i};
        }
    }
    for (int64_t j = 0; j < w->touched.len; j++) {
        int64_t slot = w->touched.data[j];
        flush(w, slot, w->keys[slot].wm, 0);
    }
    for (int64_t j = 0; j < w->touched.len; j++) {
        wkey_t *k = &w->keys[w->touched.data[j]];
        for (int64_t e = 0; e < k->nq; e++)
            if (k->q[e].seq >= first_seq) push(w, &w->ev.held, k->q[e].seq);
    }
    notify_due(w, now);
    return w->oom ? LS_ENOMEM : LS_OK;
}

int ls_win_notify(ls_win *w, int64_t now) {
    if (w->oom) return LS_ENOMEM;
    if (!time_ok(now)) return LS_EINVAL;
    begin(w);
    notify_due(w, now);
    return w->oom ? LS_ENOMEM : LS_OK;
}

int ls_win_eof(ls_win *w, const int64_t *order, int64_t n) {
    if (w->oom) return LS_ENOMEM;
    begin(w);
    for (int64_t i = 0; i < n; i++)
        if (order[i] >= 0 && order[i] < w->nkeys) flush(w, order[i], LS_MAX_US, 1);
    return w->oom ? LS_ENOMEM : LS_OK;
}

const ls_wevents *ls_win_events(const ls_win *w) { return &w->ev; }

int ls_win_next_wake(const ls_win *w, int64_t *wake) {
    int has = 0;
    for (int64_t s = 0; s < w->nkeys; s++) {
        const wkey_t *k = &w->keys[s];
        if (k->has_wake && (!has || k->wake < *wake)) *wake = k->wake, has = 1;
    }
    return has;
}

int64_t ls_win_watermark(const ls_win *w, int64_t slot) {
    return slot >= 0 && slot < w->nkeys ? w->keys[slot].wm : LS_MIN_US;
}
