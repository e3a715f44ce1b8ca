/* aggregate.c: per-slot counts and numeric folds (sum, min, max).
 *
 * Slots come from a key table (keys.c); here they are just array indexes.
 * Folds reproduce Python's arithmetic on int and float exactly, so the
 * pure-Python twin and this file always agree; whatever C cannot reproduce
 * (big ints, other types) is handed back to Python slot by slot.
 */
#include <stdlib.h>
#include <string.h>

#include "ccore.h"

/* Grow a zero-filled per-slot array of `size`-byte items to hold slot `need - 1`. */
static int grow_zeroed(void **p, int64_t *cap, int64_t need, size_t size) {
    if (need <= *cap) return LS_OK;
    int64_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    char *q = realloc(*p, (size_t)c * size);
    if (!q) return LS_ENOMEM;
    memset(q + (size_t)*cap * size, 0, (size_t)(c - *cap) * size);
    *p = q;
    *cap = c;
    return LS_OK;
}

/* ---- counts ------------------------------------------------------------ */

struct ls_counts {
    int64_t *count;
    int64_t cap;
};

ls_counts *ls_counts_new(void) { return calloc(1, sizeof(ls_counts)); }

void ls_counts_free(ls_counts *c) {
    if (!c) return;
    free(c->count);
    free(c);
}

int ls_counts_bump(ls_counts *c, const int64_t *slots, int64_t n) {
    int64_t top = -1;
    for (int64_t i = 0; i < n; i++)
        if (slots[i] > top) top = slots[i];
    if (top >= 0) {
        void *p = c->count;
        if (grow_zeroed(&p, &c->cap, top + 1, sizeof(int64_t))) return LS_ENOMEM;
        c->count = p;
    }
    for (int64_t i = 0; i < n; i++) c->count[slots[i]]++;
    return LS_OK;
}

void ls_counts_gather(const ls_counts *c, const int64_t *order, int64_t n, int64_t *out) {
    for (int64_t i = 0; i < n; i++) out[i] = order[i] < c->cap ? c->count[order[i]] : 0;
}

/* ---- folds ------------------------------------------------------------- */

typedef union {
    int64_t i;
    double f;
} number;

struct ls_fold {
    int kind;
    uint8_t *tag; /* per slot: LS_EMPTY, LS_INT or LS_FLOAT, maybe | LS_SPILLED */
    number *acc;
    int64_t cap;
};

ls_fold *ls_fold_new(int kind) {
    if (kind != LS_SUM && kind != LS_MIN && kind != LS_MAX) return NULL;
    ls_fold *f = calloc(1, sizeof *f);
    if (f) f->kind = kind;
    return f;
}

void ls_fold_free(ls_fold *f) {
    if (!f) return;
    free(f->tag);
    free(f->acc);
    free(f);
}

/* Compare an int64 with a double exactly, as Python does (converting the
 * int to double first could round it): -1, 0 or 1 for i <, ==, > d, and 2
 * when d is NaN (every comparison false). */
static int cmp_int_float(int64_t i, double d) {
    if (d != d) return 2;
    if (d >= 9223372036854775808.0) return -1; /* 2^63 */
    if (d < -9223372036854775808.0) return 1;
    /* Now trunc(d) fits in int64, and d - trunc(d) is exact. */
    int64_t whole = (int64_t)d;
    if (i != whole) return i < whole ? -1 : 1;
    double frac = d - (double)whole;
    return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

/* Is value (vt, v) less than accumulator (at, a)? Both are LS_INT or LS_FLOAT. */
static int less(uint8_t vt, number v, uint8_t at, number a) {
    if (vt == LS_INT && at == LS_INT) return v.i < a.i;
    if (vt == LS_FLOAT && at == LS_FLOAT) return v.f < a.f;
    if (vt == LS_INT) return cmp_int_float(v.i, a.f) == -1;
    return cmp_int_float(a.i, v.f) == 1;
}

/* Fold (vt, v) into slot s; 0 when done, 1 when Python must take over. */
static int fold_one(ls_fold *f, int64_t s, uint8_t vt, number v) {
    uint8_t at = f->tag[s];
    if (at & LS_SPILLED || vt == LS_OBJECT) return 1;
    if (at == LS_EMPTY) {
        f->tag[s] = vt;
        f->acc[s] = v;
        return 0;
    }
    number a = f->acc[s];
    switch (f->kind) {
    case LS_SUM:
        if (at == LS_INT && vt == LS_INT) {
            int64_t sum;
            if (__builtin_add_overflow(a.i, v.i, &sum)) return 1; /* Python makes a big int */
            f->acc[s].i = sum;
        } else {
            /* int + float is a float in Python; the int converts with
             * round-to-nearest-even, as C's conversion does. */
            double x = at == LS_INT ? (double)a.i : a.f;
            double y = vt == LS_INT ? (double)v.i : v.f;
            f->tag[s] = LS_FLOAT;
            f->acc[s].f = x + y;
        }
        return 0;
    case LS_MIN: /* min(acc, v) keeps acc unless v < acc */
        if (less(vt, v, at, a)) {
            f->tag[s] = vt;
            f->acc[s] = v;
        }
        return 0;
    default: /* max(acc, v) keeps acc unless acc < v */
        if (less(at, a, vt, v)) {
            f->tag[s] = vt;
            f->acc[s] = v;
        }
        return 0;
    }
}

int64_t ls_fold_update(ls_fold *f, const int64_t *slots, int64_t n, const uint8_t *tags,
                       uint8_t uniform, const int64_t *ints, const double *floats,
                       int64_t *spill) {
    int64_t top = -1;
    for (int64_t i = 0; i < n; i++)
        if (slots[i] > top) top = slots[i];
    if (top >= 0) {
        int64_t cap = f->cap;
        void *p = f->tag;
        if (grow_zeroed(&p, &cap, top + 1, sizeof(uint8_t))) return LS_ENOMEM;
        f->tag = p;
        cap = f->cap;
        p = f->acc;
        if (grow_zeroed(&p, &cap, top + 1, sizeof(number))) return LS_ENOMEM;
        f->acc = p;
        f->cap = cap;
    }
    int64_t left = 0;
    for (int64_t i = 0; i < n; i++) {
        uint8_t vt = tags ? tags[i] : uniform;
        number v = {0};
        if (vt == LS_INT)
            v.i = ints[i];
        else if (vt == LS_FLOAT)
            v.f = floats[i];
        else
            vt = LS_OBJECT;
        if (fold_one(f, slots[i], vt, v)) {
            f->tag[slots[i]] |= LS_SPILLED;
            spill[left++] = i;
        }
    }
    return left;
}

void ls_fold_gather(const ls_fold *f, const int64_t *order, int64_t n, uint8_t *tags,
                    int64_t *ints, double *floats) {
    for (int64_t i = 0; i < n; i++) {
        int64_t s = order[i];
        uint8_t t = s < f->cap ? f->tag[s] : LS_EMPTY;
        tags[i] = t;
        ints[i] = 0;
        floats[i] = 0.0;
        if ((t & ~LS_SPILLED) == LS_INT)
            ints[i] = f->acc[s].i;
        else if ((t & ~LS_SPILLED) == LS_FLOAT)
            floats[i] = f->acc[s].f;
    }
}
