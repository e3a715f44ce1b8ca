/* keys.c: a hash table giving each distinct string key a dense slot id.
 *
 * Layout: the key bytes live one after another in an arena; slot s knows its
 * key's offset, length and hash. The index is an open-addressing table
 * (linear probing, at most half full) of 8-byte entries: slot + 1 (0 marks an
 * empty entry) and the top 32 bits of the hash, so a probe only touches the
 * arena when those 32 bits already match.
 *
 * The counts of count_final (ls_counts) are one int64 per slot, at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "ccore.h"
#include "grow.h"
#include "hash.h"

typedef struct {
    uint32_t slot1; /* slot + 1; 0 = empty */
    uint32_t tag;   /* high half of the key's hash */
} entry;

struct ls_keys {
    int64_t n, cap;      /* slots in use, slots allocated */
    int64_t *start;      /* per slot: offset of the key in arena */
    int64_t *len;        /* per slot: key length in bytes */
    uint64_t *hash;      /* per slot: full hash, for rehashing */
    char *arena;
    int64_t arena_len, arena_cap;
    entry *index;
    uint64_t mask;       /* index size - 1; the size is a power of two */
    int has_nul;
};

/* Room for `extra` more bytes in the arena. */
static int reserve_bytes(ls_keys *t, int64_t extra) {
    int64_t cap = t->arena_cap;
    while (cap < t->arena_len + extra) cap *= 2;
    if (cap == t->arena_cap) return LS_OK;
    char *arena = realloc(t->arena, (size_t)cap);
    if (!arena) return LS_ENOMEM;
    t->arena = arena;
    t->arena_cap = cap;
    return LS_OK;
}

ls_keys *ls_keys_new(void) {
    ls_keys *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    /* Start every array non-empty so no pointer is ever NULL. */
    t->cap = 16;
    t->arena_cap = 256;
    t->mask = 31;
    t->start = malloc(16 * sizeof(int64_t));
    t->len = malloc(16 * sizeof(int64_t));
    t->hash = malloc(16 * sizeof(uint64_t));
    t->arena = malloc(256);
    t->index = calloc(32, sizeof(entry));
    if (!t->start || !t->len || !t->hash || !t->arena || !t->index) {
        ls_keys_free(t);
        return NULL;
    }
    return t;
}

void ls_keys_free(ls_keys *t) {
    if (!t) return;
    free(t->start);
    free(t->len);
    free(t->hash);
    free(t->arena);
    free(t->index);
    free(t);
}

int64_t ls_keys_len(const ls_keys *t) { return t->n; }
int64_t ls_keys_bytes(const ls_keys *t) { return t->arena_len; }
int ls_keys_has_nul(const ls_keys *t) { return t->has_nul; }

static void place(entry *index, uint64_t mask, uint64_t h, uint32_t slot1) {
    uint64_t i = h & mask;
    while (index[i].slot1) i = (i + 1) & mask;
    index[i].slot1 = slot1;
    index[i].tag = (uint32_t)(h >> 32);
}

static int rehash(ls_keys *t) {
    uint64_t size = (t->mask + 1) * 2;
    entry *index = calloc(size, sizeof(entry));
    if (!index) return LS_ENOMEM;
    for (int64_t s = 0; s < t->n; s++) place(index, size - 1, t->hash[s], (uint32_t)(s + 1));
    free(t->index);
    t->index = index;
    t->mask = size - 1;
    return LS_OK;
}

/* Room for one more slot in each per-slot array. */
static int reserve_slot(ls_keys *t) {
    if (t->n < t->cap) return LS_OK;
    int64_t cap = t->cap * 2;
    int64_t *start = realloc(t->start, (size_t)cap * sizeof *start);
    if (!start) return LS_ENOMEM;
    t->start = start;
    int64_t *len = realloc(t->len, (size_t)cap * sizeof *len);
    if (!len) return LS_ENOMEM;
    t->len = len;
    uint64_t *hash = realloc(t->hash, (size_t)cap * sizeof *hash);
    if (!hash) return LS_ENOMEM;
    t->hash = hash;
    t->cap = cap;
    return LS_OK;
}

/* The slot of key p[0..n), added when new; negative on error. */
static int64_t intern(ls_keys *t, const char *p, int64_t n) {
    uint64_t h = ls_hash_bytes(p, n);
    uint32_t tag = (uint32_t)(h >> 32);
    uint64_t i = h & t->mask;
    for (;;) {
        entry e = t->index[i];
        if (!e.slot1) break;
        int64_t s = (int64_t)e.slot1 - 1;
        if (e.tag == tag && t->len[s] == n &&
            (n == 0 || memcmp(t->arena + t->start[s], p, (size_t)n) == 0))
            return s;
        i = (i + 1) & t->mask;
    }
    /* New key: make room first so a failed allocation leaves the table valid. */
    if (t->n >= (int64_t)LS_MAX_KEYS) return LS_EFULL;
    if (reserve_slot(t)) return LS_ENOMEM;
    if (reserve_bytes(t, n)) return LS_ENOMEM;
    if ((uint64_t)(t->n + 1) * 2 > t->mask + 1) {
        if (rehash(t)) return LS_ENOMEM;
        i = h & t->mask;
        while (t->index[i].slot1) i = (i + 1) & t->mask;
    }
    int64_t s = t->n++;
    if (n) {
        memcpy(t->arena + t->arena_len, p, (size_t)n);
        if (memchr(p, 0, (size_t)n)) t->has_nul = 1;
    }
    t->start[s] = t->arena_len;
    t->len[s] = n;
    t->hash[s] = h;
    t->arena_len += n;
    t->index[i].slot1 = (uint32_t)(s + 1);
    t->index[i].tag = tag;
    return s;
}

int ls_keys_slots(ls_keys *t, const char *buf, int64_t len, int64_t n, const int64_t *ends,
                  int64_t *out, int64_t *fresh) {
    int64_t first_new = t->n, next_new = t->n;
    if (n <= 0) return len == 0 || ends ? LS_OK : LS_ESPLIT;
    if (ends) {
        int64_t prev = 0;
        for (int64_t k = 0; k < n; k++) {
            if (ends[k] < prev || ends[k] > len) return LS_EINVAL;
            prev = ends[k];
        }
        prev = 0;
        for (int64_t k = 0; k < n; k++) {
            int64_t s = intern(t, buf + prev, ends[k] - prev);
            if (s < 0) return (int)s;
            out[k] = s;
            if (s == next_new) { /* slots are handed out in order: its first item */
                if (fresh) fresh[next_new - first_new] = k;
                next_new++;
            }
            prev = ends[k];
        }
        return LS_OK;
    }
    /* Check the separators before touching the table, so that a key holding
     * a NUL byte makes the caller retry with explicit ends, not double-count. */
    int64_t nuls = 0;
    const char *p = buf, *stop = buf + len;
    while (p < stop && (p = memchr(p, 0, (size_t)(stop - p))) != NULL) {
        nuls++;
        p++;
    }
    if (nuls != n - 1) return LS_ESPLIT;
    p = buf;
    for (int64_t k = 0; k < n; k++) {
        const char *end = k + 1 < n ? memchr(p, 0, (size_t)(stop - p)) : stop;
        int64_t s = intern(t, p, end - p);
        if (s < 0) return (int)s;
        out[k] = s;
        if (s == next_new) {
            if (fresh) fresh[next_new - first_new] = k;
            next_new++;
        }
        p = end + 1;
    }
    return LS_OK;
}

/* qsort has no context argument, so sort (pointer, length, slot) records. */
typedef struct {
    const unsigned char *p;
    int64_t n;
    int64_t slot;
} keyref;

static int keyref_cmp(const void *a, const void *b) {
    const keyref *x = a, *y = b;
    int64_t m = x->n < y->n ? x->n : y->n;
    int c = m ? memcmp(x->p, y->p, (size_t)m) : 0;
    if (c) return c;
    return (x->n > y->n) - (x->n < y->n);
}

int ls_keys_sorted(const ls_keys *t, int64_t *order) {
    if (t->n == 0) return LS_OK;
    keyref *refs = malloc((size_t)t->n * sizeof *refs);
    if (!refs) return LS_ENOMEM;
    for (int64_t s = 0; s < t->n; s++) {
        refs[s].p = (const unsigned char *)t->arena + t->start[s];
        refs[s].n = t->len[s];
        refs[s].slot = s;
    }
    qsort(refs, (size_t)t->n, sizeof *refs, keyref_cmp);
    for (int64_t s = 0; s < t->n; s++) order[s] = refs[s].slot;
    free(refs);
    return LS_OK;
}

void ls_keys_dump(const ls_keys *t, const int64_t *order, int64_t n, char *out, int64_t *ends) {
    int64_t at = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t s = order ? order[k] : k;
        if (t->len[s]) memcpy(out + at, t->arena + t->start[s], (size_t)t->len[s]);
        at += t->len[s];
        ends[k] = at;
        out[at++] = 0;
    }
}

/* ---- counts: one int64 per slot (count_final) ------------------------- */

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

struct ls_counts {
    int64_t *count;
    int64_t cap;
    int track;         /* keep the changed slots below (a run with recovery) */
    uint8_t *dirty;    /* per slot: counted since the last ls_counts_take_dirty */
    int64_t dirty_cap;
    ls_i64vec changed; /* the slots whose dirty byte is set, in the order they were set */
};

ls_counts *ls_counts_new(void) { return calloc(1, sizeof(ls_counts)); }

void ls_counts_free(ls_counts *c) {
    if (!c) return;
    free(c->count);
    free(c->dirty);
    free(c->changed.data);
    free(c);
}

void ls_counts_track(ls_counts *c) { c->track = 1; }

int ls_counts_add(ls_counts *c, const int64_t *slots, const int64_t *amounts, int64_t n) {
    int64_t top = -1;
    for (int64_t i = 0; i < n; i++)
        if (slots[i] > top) top = slots[i];
    if (top >= 0) {
        void *p = c->count;
        if (grow_zeroed(&p, &c->cap, top + 1, sizeof(int64_t))) return LS_ENOMEM;
        c->count = p;
    }
    if (c->track) {
        if (top >= 0) {
            void *p = c->dirty;
            if (grow_zeroed(&p, &c->dirty_cap, top + 1, sizeof(uint8_t))) return LS_ENOMEM;
            c->dirty = p;
        }
        for (int64_t i = 0; i < n; i++) {
            int64_t s = slots[i];
            c->count[s] += amounts ? amounts[i] : 1;
            if (!c->dirty[s]) {
                if (ls_push_i64(&c->changed, s)) return LS_ENOMEM;
                c->dirty[s] = 1;
            }
        }
    } else if (amounts)
        for (int64_t i = 0; i < n; i++) c->count[slots[i]] += amounts[i];
    else
        for (int64_t i = 0; i < n; i++) c->count[slots[i]]++;
    return LS_OK;
}

int64_t ls_counts_dirty_len(const ls_counts *c) { return c->changed.len; }

void ls_counts_take_dirty(ls_counts *c, int64_t *out) {
    for (int64_t i = 0; i < c->changed.len; i++) {
        int64_t s = c->changed.data[i];
        if (out) out[i] = s;
        c->dirty[s] = 0;
    }
    c->changed.len = 0;
}

void ls_counts_gather(const ls_counts *c, const int64_t *order, int64_t n, int64_t *out) {
    for (int64_t i = 0; i < n; i++) out[i] = order[i] < c->cap ? c->count[order[i]] : 0;
}
