/* ccore.h: the C hot loop of learnstream, called from Python through cffi.
 *
 * Everything here works on whole batches and on plain bytes and numbers; the
 * Python objects stay in Python. The readable reference for what each part
 * does is the pure-Python twin, src/learnstream/engine/keyed.py, and the
 * wrapper that adapts this API to the twin's is src/learnstream/engine/ccore.py.
 *
 * The build script (src/learnstream/engine/ccore_build.py) hands this file,
 * minus its #pragma and #include lines, to cffi as its cdef, so declarations
 * here must stay within what cffi parses: no macros beyond integer #defines.
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
 * unchanged); otherwise key i is buf[ends[i-1] .. ends[i]) (ends[-1] = 0). */
int ls_keys_slots(ls_keys *t, const char *buf, int64_t len, int64_t n, const int64_t *ends,
                  int64_t *out);

/* Every slot, ordered by its key's bytes (unsigned, shorter prefix first). */
int ls_keys_sorted(const ls_keys *t, int64_t *order);

/* Copy the keys of slots order[0..n) (all slots in slot order when order is
 * NULL, n = ls_keys_len) into out, each followed by one NUL byte; ends[i] is
 * the offset just past key i. out needs ls_keys_bytes + n bytes. */
void ls_keys_dump(const ls_keys *t, const int64_t *order, int64_t n, char *out, int64_t *ends);

/* ---- aggregate.c: per-slot counts and numeric folds -------------------- */

/* A growable int64 per slot, starting at 0. Counts are not checked for
 * overflow: 2^63 increments take centuries at any speed this code reaches. */
typedef struct ls_counts ls_counts;

ls_counts *ls_counts_new(void);
void ls_counts_free(ls_counts *c);
/* Add one to the count of each of slots[0..n). */
int ls_counts_bump(ls_counts *c, const int64_t *slots, int64_t n);
/* out[i] = count of slot order[i]. */
void ls_counts_gather(const ls_counts *c, const int64_t *order, int64_t n, int64_t *out);

/* What a value (or a slot's accumulator) is. */
#define LS_EMPTY 0 /* accumulator only: no value yet */
#define LS_INT 1   /* an int64 */
#define LS_FLOAT 2 /* an IEEE double */
#define LS_OBJECT 3 /* value only: anything else, folded by Python */
#define LS_SPILLED 128 /* flag on an accumulator: Python holds it from now on */

#define LS_SUM 0
#define LS_MIN 1
#define LS_MAX 2

/* A running sum, min or max per slot, with Python's semantics for int and
 * float (exact int64 sums, exact int/float comparisons, int + float is a
 * float, ties keep the accumulator). */
typedef struct ls_fold ls_fold;

ls_fold *ls_fold_new(int kind);
void ls_fold_free(ls_fold *f);

/* Fold value i into the accumulator of slots[i], for i in 0..n. Value i is
 * ints[i] or floats[i] as tags[i] says (all of them `uniform` when tags is
 * NULL). Values C cannot fold with Python's result (LS_OBJECT, or an int sum
 * leaving int64) mark their slot LS_SPILLED, keeping the accumulator as it
 * was; from then on every value of that slot is left to Python. Returns how
 * many values were left, their indexes in spill[0..), or LS_ENOMEM. */
int64_t ls_fold_update(ls_fold *f, const int64_t *slots, int64_t n, const uint8_t *tags,
                       uint8_t uniform, const int64_t *ints, const double *floats,
                       int64_t *spill);

/* The accumulators of slots order[0..n): tag (maybe with LS_SPILLED), and
 * the value in ints or floats as the tag says. */
void ls_fold_gather(const ls_fold *f, const int64_t *order, int64_t n, uint8_t *tags,
                    int64_t *ints, double *floats);
