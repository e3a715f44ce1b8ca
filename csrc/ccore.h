/* ccore.h: the C hot loop of learnstream, called from Python through cffi.
 *
 * Everything here works on whole batches. keys.c and windows.c see only bytes
 * and numbers; chain.c and stamps.c call the learner's functions (through the
 * CPython API, as the builtin map() does) so that no list is built between a
 * call and what follows it; ls_join_batch reads a join's batch of Python tuples. Each .c file has a pure-Python twin, the
 * readable reference for what it does, and a wrapper that gives this API the
 * twin's interface (src/learnstream/engine/):
 *
 *   keys.c     keys_twin.py     keys_c.py     string keys -> slots, counts per slot
 *   windows.c  windows_twin.py  windows_c.py  event-time windows per key
 *   chain.c    chain_twin.py    chain_c.py    neighbouring map/filter steps in one pass
 *   stamps.c   stamps_twin.py   stamps_c.py   an EventClock's datetimes -> microseconds
 *   joins.c    joins_twin.py    joins_c.py    join rows per key or window: sides, modes
 *
 * grow.h (growable arrays) and hash.h (the byte-string hash) are shared by the
 * .c files and are not part of this API. Every call returns LS_OK or a negative
 * LS_E* code, unless it returns a count or a pointer; what a call found (a
 * failing item, "fall back") comes back through its arguments.
 *
 * The build script (src/learnstream/engine/ccore_build.py) hands this file,
 * minus its #pragma and #include lines, to cffi as its cdef, so declarations
 * here must stay within what cffi parses: no macros beyond integer #defines.
 *
 * Every #define below except the status codes and LS_MAX_KEYS has a Python twin
 * in src/learnstream/engine/constants.py, compared with it when the core loads.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Status codes returned by the functions below (0 is success). */
#define LS_OK 0
#define LS_ENOMEM -1 /* malloc failed */
#define LS_ESPLIT -2 /* a NUL-joined buffer does not hold exactly n keys */
#define LS_EINVAL -3 /* key end offsets out of order or past the buffer */
#define LS_EFULL -4  /* more than LS_MAX_KEYS distinct keys */
#define LS_MAX_KEYS 4294967294

/* ---- keys.c: string keys -> dense slot ids ----------------------------- */

/* A table giving each distinct byte string a slot: 0, 1, 2, ... in order of
 * first sight. Keys are copied in, so the caller's buffers may go away. */
typedef struct ls_keys ls_keys;

ls_keys *ls_keys_new(void);
void ls_keys_free(ls_keys *t);
int64_t ls_keys_len(const ls_keys *t);
/* Total bytes of all keys, and whether any key contains a NUL byte. */
int64_t ls_keys_bytes(const ls_keys *t);
int ls_keys_has_nul(const ls_keys *t);

/* Look up (adding when new) n keys and write their slots to out[0..n).
 * With ends == NULL the keys are buf's bytes split at NUL bytes, so the
 * buffer must hold exactly n - 1 NULs (else LS_ESPLIT, with the table
 * unchanged); otherwise key i is buf[ends[i-1] .. ends[i]) (ends[-1] = 0).
 * When fresh is not NULL, fresh[j] is the index of the key that got the j-th
 * new slot (as many as ls_keys_len grew by; fresh must hold n). */
int ls_keys_slots(ls_keys *t, const char *buf, int64_t len, int64_t n, const int64_t *ends,
                  int64_t *out, int64_t *fresh);

/* Every slot, ordered by its key's bytes (unsigned, shorter prefix first). */
int ls_keys_sorted(const ls_keys *t, int64_t *order);

/* Copy the keys of slots order[0..n) (all slots in slot order when order is
 * NULL, n = ls_keys_len) into out, each followed by one NUL byte; ends[i] is
 * the offset just past key i. out needs ls_keys_bytes + n bytes. */
void ls_keys_dump(const ls_keys *t, const int64_t *order, int64_t n, char *out, int64_t *ends);

/* ---- keys.c: counts per slot (count_final) ----------------------------- */

/* A growable int64 per slot, starting at 0. Counts are not checked for
 * overflow: 2^63 increments take centuries at any speed this code reaches. */
typedef struct ls_counts ls_counts;

ls_counts *ls_counts_new(void);
void ls_counts_free(ls_counts *c);
/* From now on, remember which slots ls_counts_add counts (ls_counts_take_dirty). */
void ls_counts_track(ls_counts *c);
/* Add amounts[i] (one, when amounts is NULL) to the count of slots[i], i < n. */
int ls_counts_add(ls_counts *c, const int64_t *slots, const int64_t *amounts, int64_t n);
/* How many slots were counted since the last ls_counts_take_dirty (each once). */
int64_t ls_counts_dirty_len(const ls_counts *c);
/* Copy those slots into out (ls_counts_dirty_len of them, in the order they were
 * first counted; out may be NULL) and forget them: a snapshot of the changed keys. */
void ls_counts_take_dirty(ls_counts *c, int64_t *out);
/* out[i] = count of slot order[i]. */
void ls_counts_gather(const ls_counts *c, const int64_t *order, int64_t n, int64_t *out);

/* ---- windows.c: event-time windows per key ------------------------------ */

/* The twin, src/learnstream/engine/windows_twin.py, documents what these mean.
 * Times are int64 microseconds since the Unix epoch. */
#define LS_SLIDING 0 /* tumbling windows are sliding windows with offset == length */
#define LS_SESSION 1
#define LS_EVENT 0  /* EventClock: times come with the items */
#define LS_SYSTEM 1 /* SystemClock: every item is stamped "now" */
#define LS_LATE_SESSION_ID -1
#define LS_MIN_US -62135596800000000 /* datetime.min, UTC */
#define LS_MAX_US 253402300799999999 /* datetime.max, UTC */
/* Longest length, offset, gap or wait (2^60 us, ~36,500 years): longer than
 * the whole datetime range, and small enough that no sum of times overflows. */
#define LS_MAX_SPAN 1152921504606846976

/* A growable array the window core fills; read data[0..len). */
typedef struct {
    int64_t *data;
    int64_t len;
    int64_t cap;
} ls_i64vec;

/* What one call decided, as parallel arrays (the twin's WindowEvents). */
typedef struct {
    ls_i64vec late_items;
    ls_i64vec late_wids;
    ls_i64vec ins_seqs;
    ls_i64vec ins_handles;
    ls_i64vec ins_wids;
    ls_i64vec merge_slots;
    ls_i64vec merge_from;
    ls_i64vec merge_wids;
    ls_i64vec merge_into;
    ls_i64vec merge_into_wids;
    ls_i64vec closed_slots;
    ls_i64vec closed_handles;
    ls_i64vec closed_wids;
    ls_i64vec closed_opens;
    ls_i64vec closed_closes;
    ls_i64vec closed_counts;
    ls_i64vec held;
} ls_wevents;

typedef struct ls_win ls_win;

/* NULL when out of memory or when an argument is out of range: kind, clock;
 * length, offset, gap, wait in [0, LS_MAX_SPAN] (sliding length and offset > 0);
 * align in [LS_MIN_US, LS_MAX_US]. */
ls_win *ls_win_new(int kind, int64_t length, int64_t offset, int64_t align, int64_t gap,
                   int clock, int64_t wait, int ordered, int record_inserts);
void ls_win_free(ls_win *w);
/* One batch: slots[i] is item i's key, ts[i] its time (ts NULL for LS_SYSTEM).
 * LS_EINVAL, changing nothing, when a slot is negative or a time (or now) lies
 * outside [LS_MIN_US, LS_MAX_US]. */
int ls_win_process(ls_win *w, const int64_t *slots, int64_t n, const int64_t *ts, int64_t now);
/* System time passed with no items. */
int ls_win_notify(ls_win *w, int64_t now);
/* End of input: flush and close every key of order[0..n), in that order. */
int ls_win_eof(ls_win *w, const int64_t *order, int64_t n);
/* The events of the last call; valid until the next call. */
const ls_wevents *ls_win_events(const ls_win *w);
/* 1 and *wake = the earliest due system time, or 0 when nothing is due. */
int ls_win_next_wake(const ls_win *w, int64_t *wake);
int64_t ls_win_watermark(const ls_win *w, int64_t slot);
/* Snapshots (recovery): the whole state between calls as int64s. ls_win_export
 * fills out[0..ls_win_export_size(w)); ls_win_import loads such an array into a
 * fresh core of the same configuration: LS_EINVAL, for a malformed array or a
 * core already in use. */
int64_t ls_win_export_size(const ls_win *w);
void ls_win_export(const ls_win *w, int64_t *out);
int ls_win_import(ls_win *w, const int64_t *in, int64_t n);

/* ---- chain.c: stateless steps over a batch, in one pass ---------------- */

/* The kinds of stage in a chain. */
#define LS_MAP 0    /* the item becomes fn(item) */
#define LS_FILTER 1 /* the item goes on when fn(item) is True, is dropped when False */

/* Pass every item of the list `items` through the n_stages functions of the
 * tuple `fns` (each of kind kinds[s]), appending what comes out to the list
 * `out`, until an item fails: then [its index, the stage, the item that stage
 * was given, the exception or the answer that was not a bool, raised?] is
 * appended to the list `failure` (stage -1: appending to `out` failed). LS_OK
 * either way; LS_ENOMEM when a failure could not be recorded. The four arguments
 * are Python objects, passed as their addresses; the function takes the GIL. */
int ls_chain_run(void *items, void *fns, const int8_t *kinds, int64_t n_stages, void *out,
                     void *failure);

/* ---- stamps.c: event times from the clock's ts_getter ------------------ */

/* Why ls_event_micros stopped (the kind recorded in `failure`). */
#define LS_STAMP_RAISED 1       /* the getter (or the zone's utcoffset) raised */
#define LS_STAMP_NOT_AWARE 2    /* the getter returned a non-datetime or a naive one */
#define LS_STAMP_OUT_OF_RANGE 3 /* in UTC, before datetime.min or after datetime.max */

/* Call `getter` on each item of the list `values` and write each answer's UTC
 * microseconds since the epoch to out[0..n) (n = the list's length), until an
 * answer is not an aware datetime within datetime's UTC range: then [its index,
 * the kind, the exception or the answer] is appended to the list `failure`.
 * LS_OK either way; LS_ENOMEM when a failure could not be recorded. Python
 * objects are passed as their addresses; the function takes the GIL itself. */
int ls_event_micros(void *values, void *getter, int64_t *out, void *failure);

/* ---- joins.c: join state per row (a key, or one window of a key) -------- */

/* The twin, src/learnstream/engine/joins_twin.py, documents what these mean.
 * Values stay in Python: this core hands out value ids, indexes into the
 * step's list of values; id 0 means "no value" (None). */
#define LS_JOIN_FIRST 0
#define LS_JOIN_LAST 1
#define LS_JOIN_PRODUCT 2
#define LS_JOIN_COMPLETE 0
#define LS_JOIN_FINAL 1
#define LS_JOIN_RUNNING 2
#define LS_JOIN_MAX_SIDES 64

/* What one call decided, as parallel arrays (the twin's JoinEvents). */
typedef struct {
    ls_i64vec stored_items;
    ls_i64vec stored_vids;
    ls_i64vec rows;
    ls_i64vec vids;
    ls_i64vec items;
    ls_i64vec new_rows;
    ls_i64vec new_items;
    int64_t capacity;
} ls_jevents;

typedef struct ls_join ls_join;

/* NULL when out of memory or when an argument is out of range. A keyed core
 * finds rows from string keys (ls_join_insert_keys) and cannot merge; the
 * other takes rows from the caller (ls_join_insert). */
ls_join *ls_join_new(int sides, int insert_mode, int emit_mode, int keyed);
void ls_join_free(ls_join *j);
/* Item i arrives on side sides[i] (side for every item when sides is NULL)
 * of row rows[i]. LS_EINVAL, changing nothing, for a negative row, a side
 * out of range or a keyed core. */
int ls_join_insert(ls_join *j, const int64_t *rows, const int64_t *sides, int64_t side,
                   int64_t n);
/* Item i arrives on `side` for key i of buf, split as ls_keys_slots splits it
 * (LS_ESPLIT when ends is NULL and buf does not hold n - 1 NUL bytes). */
int ls_join_insert_keys(ls_join *j, const char *buf, int64_t len, int64_t n, const int64_t *ends,
                        int64_t side);
/* Row from[i] merges into row into[i], for each i in order. */
int ls_join_merge(ls_join *j, const int64_t *into, const int64_t *from, int64_t n);
/* Rows rows[0..n) end, in order: emit (final mode) and forget them. */
int ls_join_close(ls_join *j, const int64_t *rows, int64_t n);
/* The events of the last call; valid until the next call. */
const ls_jevents *ls_join_events(const ls_join *j);
/* A keyed core's whole batch through the CPython API (the twin's join_batch):
 * `items` is a list of (key, value) 2-tuples arriving on `side`; each value is
 * kept in the list `values` at its value id (which the caller started as
 * [None]) and each emitted row is appended to the list `out` as
 * (key, (v_side0, ...)); the key of each new row goes to the list `row_keys`
 * (when not NULL) at the row's index; the values of forgotten rows are set to
 * None. When some item is not exactly a 2-tuple with an exact str key with a
 * UTF-8 form, it changes nothing and sets *generic to 1 (the caller then checks
 * the batch and uses ls_join_insert_keys); otherwise *generic is 0. Python
 * objects are passed as their addresses; the function takes the GIL itself. */
int ls_join_batch(ls_join *j, void *items, int64_t side, void *values, void *out, void *row_keys,
                  int *generic);
/* Snapshots (recovery), as ls_win_export/ls_win_import: the whole state between
 * calls as int64s (key bytes included). ls_join_import loads such an array into a
 * fresh core of the same configuration: LS_EINVAL for a malformed array, another
 * configuration's, or a core already in use. */
int64_t ls_join_export_size(const ls_join *j);
void ls_join_export(const ls_join *j, int64_t *out);
int ls_join_import(ls_join *j, const int64_t *in, int64_t n);
/* How many rows hold values; whether row `row` does. */
int64_t ls_join_open_rows(const ls_join *j);
int ls_join_has_row(const ls_join *j, int64_t row);
