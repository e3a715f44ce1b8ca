/* joins.c: join state per row, over whole batches.
 *
 * The readable reference is the pure-Python twin,
 * src/learnstream/engine/joins_twin.py: the same state, the same steps in the
 * same order, so both produce identical events (tests/test_join_core_agreement.py).
 * A row is one key of `join` or one window of `join_window`; for each row and
 * side this core keeps the ids of the values that side holds (the values
 * themselves stay in a Python list the step indexes with these ids).
 *
 * Per row: `present`, one bit per side holding a value; in FIRST/LAST mode
 * the side's one value id in `one[row * sides + side]`, in PRODUCT mode all
 * of them in the vector `many[row * sides + side]`. A keyed core also keeps
 * each open row's key bytes and an open-addressing index (linear probing, at
 * most half full, backward-shift deletion) from key to row, and takes a row
 * back as soon as its state is forgotten.
 *
 * Allocation failures set j->oom and skip the push; every public call then
 * returns LS_ENOMEM, after which the core must not be used again.
 *
 * ls_join_batch is the one entry point that touches Python objects: it takes a
 * `join` step's whole batch of (key, value) tuples, reads each key's cached
 * UTF-8 form in place (no joined buffer to build), and applies each item's
 * events at once: values into the step's list, emitted rows into its output.
 * cffi releases the GIL around calls into C, so it takes the GIL back first.
 */
#include <Python.h>
#include <stdlib.h>
#include <string.h>

#include "ccore.h"
#include "grow.h"
#include "hash.h"

#define KEY_INLINE 24 /* order ids, user ids, words: most keys fit */

struct ls_join {
    int sides, insert_mode, emit_mode, keyed, oom;
    uint64_t all; /* the present mask of a row with every side */
    int64_t caprows;
    uint64_t *present;
    int64_t *one;    /* FIRST/LAST */
    ls_i64vec *many; /* PRODUCT */
    int64_t nopen;   /* rows with present != 0 */
    /* keyed cores only: a key of up to KEY_INLINE bytes is kept in `inline_keys`
     * (no allocation per key), a longer one in its own block, `key[row]` */
    char *inline_keys;
    char **key;
    int64_t *keylen;
    uint64_t *hash;
    int64_t *index; /* row + 1, 0 = empty */
    uint64_t mask;  /* index size - 1 */
    ls_i64vec free_rows;
    int64_t next_row;
    /* value ids */
    ls_i64vec free_vids, released;
    int64_t capacity;
    int64_t *odometer; /* PRODUCT emission: position in each side */
    ls_jevents ev;
};

/* ---- small helpers ------------------------------------------------------ */

static void push(ls_join *j, ls_i64vec *v, int64_t x) {
    if (ls_push_i64(v, x)) j->oom = 1;
}

static void begin(ls_join *j) {
    for (int64_t i = 0; i < j->released.len; i++) push(j, &j->free_vids, j->released.data[i]);
    j->released.len = 0;
    ls_i64vec *v = &j->ev.stored_items;
    ls_i64vec *end = &j->ev.new_items;
    for (; v <= end; v++) v->len = 0;
}

static int finish(ls_join *j) {
    j->ev.capacity = j->capacity;
    return j->oom ? LS_ENOMEM : LS_OK;
}

/* Per-row arrays long enough for row `row`; new rows hold nothing. */
static int reserve_rows(ls_join *j, int64_t row) {
    if (row < j->caprows) return LS_OK;
    int64_t cap = j->caprows ? j->caprows : 16;
    while (cap <= row) cap *= 2;
    size_t s = (size_t)j->sides, old = (size_t)j->caprows, now = (size_t)cap;
    uint64_t *present = realloc(j->present, now * sizeof *present);
    if (!present) return LS_ENOMEM;
    j->present = present;
    memset(present + old, 0, (now - old) * sizeof *present);
    if (j->insert_mode == LS_JOIN_PRODUCT) {
        ls_i64vec *many = realloc(j->many, now * s * sizeof *many);
        if (!many) return LS_ENOMEM;
        j->many = many;
        memset(many + old * s, 0, (now - old) * s * sizeof *many);
    } else {
        int64_t *one = realloc(j->one, now * s * sizeof *one);
        if (!one) return LS_ENOMEM;
        j->one = one;
    }
    if (j->keyed) {
        char **key = realloc(j->key, now * sizeof *key);
        if (!key) return LS_ENOMEM;
        j->key = key;
        char *inline_keys = realloc(j->inline_keys, now * KEY_INLINE);
        if (!inline_keys) return LS_ENOMEM;
        j->inline_keys = inline_keys;
        int64_t *keylen = realloc(j->keylen, now * sizeof *keylen);
        if (!keylen) return LS_ENOMEM;
        j->keylen = keylen;
        uint64_t *hash = realloc(j->hash, now * sizeof *hash);
        if (!hash) return LS_ENOMEM;
        j->hash = hash;
        memset(key + old, 0, (now - old) * sizeof *key);
    }
    j->caprows = cap;
    return LS_OK;
}

static int64_t new_vid(ls_join *j) {
    if (j->free_vids.len) return j->free_vids.data[--j->free_vids.len];
    return j->capacity++;
}

/* ---- emitting and forgetting ------------------------------------------- */

/* One tuple per combination of the row's values, the last side varying
 * fastest (itertools.product's order); a side with no value gives id 0. */
static void emit(ls_join *j, int64_t row, int64_t item) {
    int64_t s = j->sides;
    uint64_t present = j->present[row];
    if (j->insert_mode != LS_JOIN_PRODUCT) {
        push(j, &j->ev.rows, row);
        push(j, &j->ev.items, item);
        for (int64_t k = 0; k < s; k++)
            push(j, &j->ev.vids, (present >> k) & 1 ? j->one[row * s + k] : 0);
        return;
    }
    ls_i64vec *sides = j->many + row * s;
    int64_t *at = j->odometer;
    for (int64_t k = 0; k < s; k++) at[k] = 0;
    for (;;) {
        push(j, &j->ev.rows, row);
        push(j, &j->ev.items, item);
        for (int64_t k = 0; k < s; k++)
            push(j, &j->ev.vids, sides[k].len ? sides[k].data[at[k]] : 0);
        int64_t k = s - 1;
        while (k >= 0 && ++at[k] >= (sides[k].len ? sides[k].len : 1)) at[k--] = 0;
        if (k < 0 || j->oom) return;
    }
}

static void index_remove(ls_join *j, int64_t row) {
    uint64_t mask = j->mask, i = j->hash[row] & mask;
    while (j->index[i] != row + 1) i = (i + 1) & mask;
    uint64_t hole = i;
    for (uint64_t k = (i + 1) & mask; j->index[k]; k = (k + 1) & mask) {
        uint64_t home = j->hash[j->index[k] - 1] & mask;
        if (((k - home) & mask) >= ((k - hole) & mask)) { /* home is not in (hole, k] */
            j->index[hole] = j->index[k];
            hole = k;
        }
    }
    j->index[hole] = 0;
}

/* Drop a row's state: its value ids go back, and a keyed core's key its row. */
static void forget(ls_join *j, int64_t row) {
    int64_t s = j->sides;
    uint64_t present = j->present[row];
    for (int64_t k = 0; k < s; k++) {
        if (j->insert_mode == LS_JOIN_PRODUCT) {
            ls_i64vec *v = j->many + row * s + k;
            for (int64_t x = 0; x < v->len; x++) push(j, &j->released, v->data[x]);
            v->len = 0;
        } else if ((present >> k) & 1) {
            push(j, &j->released, j->one[row * s + k]);
        }
    }
    j->present[row] = 0;
    j->nopen--;
    if (j->keyed) {
        index_remove(j, row);
        free(j->key[row]);
        j->key[row] = NULL;
        push(j, &j->free_rows, row);
    }
}

static void check_emit(ls_join *j, int64_t row, int64_t item) {
    if (j->emit_mode == LS_JOIN_RUNNING) {
        emit(j, row, item);
    } else if (j->emit_mode == LS_JOIN_COMPLETE && j->present[row] == j->all) {
        emit(j, row, item);
        forget(j, row);
    }
}

/* Item `item` arrives on `side` of row `row` (whose arrays exist). */
static void insert_one(ls_join *j, int64_t row, int64_t side, int64_t item) {
    int64_t s = j->sides;
    uint64_t bit = (uint64_t)1 << side;
    int has = (j->present[row] & bit) != 0;
    if (j->insert_mode == LS_JOIN_FIRST && has) { /* running mode still emits */
        check_emit(j, row, item);
        return;
    }
    int64_t vid = new_vid(j);
    push(j, &j->ev.stored_items, item);
    push(j, &j->ev.stored_vids, vid);
    if (j->insert_mode == LS_JOIN_PRODUCT) {
        push(j, j->many + row * s + side, vid);
    } else {
        if (has) push(j, &j->released, j->one[row * s + side]);
        j->one[row * s + side] = vid;
    }
    if (!j->present[row]) j->nopen++;
    j->present[row] |= bit;
    check_emit(j, row, item);
}

/* ---- the public calls --------------------------------------------------- */

ls_join *ls_join_new(int sides, int insert_mode, int emit_mode, int keyed) {
    if (sides < 1 || sides > LS_JOIN_MAX_SIDES) return NULL;
    if (insert_mode < LS_JOIN_FIRST || insert_mode > LS_JOIN_PRODUCT) return NULL;
    if (emit_mode < LS_JOIN_COMPLETE || emit_mode > LS_JOIN_RUNNING) return NULL;
    ls_join *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    j->sides = sides;
    j->insert_mode = insert_mode;
    j->emit_mode = emit_mode;
    j->keyed = keyed != 0;
    j->all = sides == 64 ? ~(uint64_t)0 : (((uint64_t)1 << sides) - 1);
    j->capacity = 1; /* id 0 is "no value" */
    j->odometer = malloc((size_t)sides * sizeof *j->odometer);
    if (keyed) {
        j->mask = 31;
        j->index = calloc(32, sizeof *j->index);
    }
    if (!j->odometer || (keyed && !j->index) || reserve_rows(j, 0)) {
        ls_join_free(j);
        return NULL;
    }
    return j;
}

void ls_join_free(ls_join *j) {
    if (!j) return;
    if (j->many)
        for (int64_t r = 0; r < j->caprows * j->sides; r++) free(j->many[r].data);
    if (j->key)
        for (int64_t r = 0; r < j->caprows; r++) free(j->key[r]);
    free(j->present);
    free(j->one);
    free(j->many);
    free(j->key);
    free(j->inline_keys);
    free(j->keylen);
    free(j->hash);
    free(j->index);
    free(j->free_rows.data);
    free(j->free_vids.data);
    free(j->released.data);
    free(j->odometer);
    ls_i64vec *v = &j->ev.stored_items;
    for (; v <= &j->ev.new_items; v++) free(v->data);
    free(j);
}

int ls_join_insert(ls_join *j, const int64_t *rows, const int64_t *sides, int64_t side,
                   int64_t n) {
    if (j->oom) return LS_ENOMEM;
    if (j->keyed) return LS_EINVAL;
    int64_t top = -1;
    for (int64_t i = 0; i < n; i++) {
        int64_t s = sides ? sides[i] : side;
        if (rows[i] < 0 || s < 0 || s >= j->sides) return LS_EINVAL;
        if (rows[i] > top) top = rows[i];
    }
    if (top >= 0 && reserve_rows(j, top)) return LS_ENOMEM;
    begin(j);
    for (int64_t i = 0; i < n; i++) insert_one(j, rows[i], sides ? sides[i] : side, i);
    return finish(j);
}

static const char *key_bytes(const ls_join *j, int64_t row) {
    return j->key[row] ? j->key[row] : j->inline_keys + row * KEY_INLINE;
}

/* The row of key p[0..n), given a new row when the key holds none; -1 when out of memory. */
static int64_t row_of_key(ls_join *j, const char *p, int64_t n, int64_t item) {
    uint64_t h = ls_hash_bytes(p, n);
    uint64_t i = h & j->mask;
    for (;;) {
        int64_t e = j->index[i];
        if (!e) break;
        int64_t r = e - 1;
        if (j->hash[r] == h && j->keylen[r] == n && (n == 0 || !memcmp(key_bytes(j, r), p, (size_t)n)))
            return r;
        i = (i + 1) & j->mask;
    }
    int64_t row = j->free_rows.len ? j->free_rows.data[j->free_rows.len - 1] : j->next_row;
    if (reserve_rows(j, row)) return -1;
    char *copy = NULL;
    if (n > KEY_INLINE && !(copy = malloc((size_t)n))) return -1;
    if ((uint64_t)(j->nopen + 1) * 2 > j->mask + 1) { /* keep the index at most half full */
        uint64_t size = (j->mask + 1) * 2;
        int64_t *index = calloc(size, sizeof *index);
        if (!index) {
            free(copy);
            return -1;
        }
        for (uint64_t k = 0; k <= j->mask; k++) {
            int64_t e = j->index[k];
            if (!e) continue;
            uint64_t at = j->hash[e - 1] & (size - 1);
            while (index[at]) at = (at + 1) & (size - 1);
            index[at] = e;
        }
        free(j->index);
        j->index = index;
        j->mask = size - 1;
        i = h & j->mask;
        while (j->index[i]) i = (i + 1) & j->mask;
    }
    if (j->free_rows.len)
        j->free_rows.len--;
    else
        j->next_row++;
    if (n) memcpy(copy ? copy : j->inline_keys + row * KEY_INLINE, p, (size_t)n);
    j->key[row] = copy;
    j->keylen[row] = n;
    j->hash[row] = h;
    j->index[i] = row + 1;
    push(j, &j->ev.new_rows, row);
    push(j, &j->ev.new_items, item);
    return row;
}

int ls_join_insert_keys(ls_join *j, const char *buf, int64_t len, int64_t n, const int64_t *ends,
                        int64_t side) {
    if (j->oom) return LS_ENOMEM;
    if (!j->keyed || side < 0 || side >= j->sides) return LS_EINVAL;
    if (n <= 0) {
        if (!(len == 0 || ends)) return LS_ESPLIT;
        begin(j);
        return finish(j);
    }
    const char *stop = buf + len;
    if (ends) {
        int64_t prev = 0;
        for (int64_t k = 0; k < n; k++) {
            if (ends[k] < prev || ends[k] > len) return LS_EINVAL;
            prev = ends[k];
        }
    } else {
        int64_t nuls = 0;
        const char *p = buf;
        while (p < stop && (p = memchr(p, 0, (size_t)(stop - p))) != NULL) {
            nuls++;
            p++;
        }
        if (nuls != n - 1) return LS_ESPLIT;
    }
    begin(j);
    const char *p = buf;
    for (int64_t k = 0; k < n; k++) {
        const char *end;
        if (ends)
            end = buf + ends[k];
        else
            end = k + 1 < n ? memchr(p, 0, (size_t)(stop - p)) : stop;
        int64_t row = row_of_key(j, p, end - p, k);
        if (row < 0) {
            j->oom = 1;
            return LS_ENOMEM;
        }
        insert_one(j, row, side, k);
        p = ends ? end : end + 1;
    }
    return finish(j);
}

/* Whether the cyclic GC may ever need to look at `obj` (CPython's own test when
 * it untracks a tuple whose items are all atomic). */
static int may_be_tracked(PyObject *obj) {
    return PyObject_IS_GC(obj) && (!PyTuple_CheckExact(obj) || PyObject_GC_IsTracked(obj));
}

/* Apply the events of one item of ls_join_batch, then clear them. -1 on a Python error.
 *
 * A row of atomic values (numbers, strings) can be in no reference cycle, so its
 * tuples are untracked at once, as the GC itself would untrack them at its next
 * pass: otherwise a batch of fresh rows makes the GC walk every long-lived object
 * (the whole input, for a flow reading a list) again and again. */
static int apply_direct(ls_join *j, PyObject *key, PyObject *value, PyObject *values,
                        PyObject *out, PyObject *row_keys) {
    ls_jevents *ev = &j->ev;
    while (PyList_GET_SIZE(values) < j->capacity)
        if (PyList_Append(values, Py_None) < 0) return -1;
    for (int64_t k = 0; k < ev->stored_vids.len; k++) {
        Py_INCREF(value);
        PyList_SetItem(values, ev->stored_vids.data[k], value); /* frees the old value */
    }
    int64_t s = j->sides;
    for (int64_t r = 0; r < ev->rows.len; r++) {
        PyObject *row = PyTuple_New(s);
        if (!row) return -1;
        int atomic = 1;
        for (int64_t k = 0; k < s; k++) {
            PyObject *v = PyList_GET_ITEM(values, ev->vids.data[r * s + k]);
            Py_INCREF(v);
            PyTuple_SET_ITEM(row, k, v);
            if (may_be_tracked(v)) atomic = 0;
        }
        if (atomic) PyObject_GC_UnTrack(row);
        PyObject *pair = PyTuple_Pack(2, key, row);
        Py_DECREF(row);
        if (!pair) return -1;
        if (atomic) PyObject_GC_UnTrack(pair); /* the key is an exact str */
        int failed = PyList_Append(out, pair);
        Py_DECREF(pair);
        if (failed) return -1;
    }
    if (row_keys) {
        for (int64_t k = 0; k < ev->new_rows.len; k++) {
            int64_t row = ev->new_rows.data[k];
            while (PyList_GET_SIZE(row_keys) <= row)
                if (PyList_Append(row_keys, Py_None) < 0) return -1;
            Py_INCREF(key);
            PyList_SetItem(row_keys, row, key);
        }
    }
    ls_i64vec *v = &ev->stored_items;
    for (; v <= &ev->new_items; v++) v->len = 0;
    return 0;
}

int ls_join_batch(ls_join *j, void *items_p, int64_t side, void *values_p, void *out_p,
                  void *row_keys_p, int *generic) {
    *generic = 0;
    if (j->oom) return LS_ENOMEM;
    if (!j->keyed || side < 0 || side >= j->sides) return LS_EINVAL;
    PyObject *items = items_p, *values = values_p, *out = out_p, *row_keys = row_keys_p;
    PyGILState_STATE gil = PyGILState_Ensure();
    int status = LS_OK;
    Py_ssize_t n = PyList_GET_SIZE(items);
    /* Check every item before changing anything, so the caller can fall back. */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        Py_ssize_t len;
        if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2 ||
            !PyUnicode_CheckExact(PyTuple_GET_ITEM(item, 0)) ||
            !PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(item, 0), &len)) {
            PyErr_Clear(); /* a lone surrogate has no UTF-8 form */
            *generic = 1;
            goto done;
        }
    }
    begin(j);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        PyObject *key = PyTuple_GET_ITEM(item, 0), *value = PyTuple_GET_ITEM(item, 1);
        Py_ssize_t len;
        const char *p = PyUnicode_AsUTF8AndSize(key, &len);
        int64_t row = row_of_key(j, p, (int64_t)len, (int64_t)i);
        if (row < 0) j->oom = 1;
        if (j->oom) break;
        insert_one(j, row, side, (int64_t)i);
        if (j->oom) break;
        if (apply_direct(j, key, value, values, out, row_keys) < 0) {
            PyErr_Clear();
            j->oom = 1;
            break;
        }
    }
    if (!j->oom) { /* forgotten values go now, not when their id is next handed out */
        for (int64_t k = 0; k < j->released.len; k++) {
            Py_INCREF(Py_None);
            PyList_SetItem(values, j->released.data[k], Py_None);
        }
    }
    status = finish(j);
done:
    PyGILState_Release(gil);
    return status;
}

int ls_join_merge(ls_join *j, const int64_t *into, const int64_t *from, int64_t n) {
    if (j->oom) return LS_ENOMEM;
    if (j->keyed) return LS_EINVAL;
    int64_t top = -1;
    for (int64_t i = 0; i < n; i++) {
        if (into[i] < 0 || from[i] < 0) return LS_EINVAL;
        if (into[i] > top) top = into[i];
        if (from[i] > top) top = from[i];
    }
    if (top >= 0 && reserve_rows(j, top)) return LS_ENOMEM;
    begin(j);
    int64_t s = j->sides;
    for (int64_t i = 0; i < n; i++) {
        int64_t a = into[i], b = from[i];
        if (a == b) continue;
        uint64_t pa = j->present[a], pb = j->present[b];
        for (int64_t k = 0; k < s; k++) {
            if (j->insert_mode == LS_JOIN_PRODUCT) {
                ls_i64vec *src = j->many + b * s + k, *dst = j->many + a * s + k;
                for (int64_t x = 0; x < src->len; x++) push(j, dst, src->data[x]);
                src->len = 0;
                continue;
            }
            int src_has = (pb >> k) & 1, dst_has = (pa >> k) & 1;
            /* FIRST takes the merged-in row's value where it has one (Bytewax's
             * `state |= original`); LAST keeps the surviving row's value. */
            if (src_has && (j->insert_mode == LS_JOIN_FIRST || !dst_has)) {
                if (dst_has) push(j, &j->released, j->one[a * s + k]);
                j->one[a * s + k] = j->one[b * s + k];
            } else if (src_has) {
                push(j, &j->released, j->one[b * s + k]);
            }
        }
        j->present[a] = pa | pb;
        j->present[b] = 0;
        j->nopen -= (pa != 0) + (pb != 0) - ((pa | pb) != 0);
        if (pa | pb) check_emit(j, a, -1);
    }
    return finish(j);
}

int ls_join_close(ls_join *j, const int64_t *rows, int64_t n) {
    if (j->oom) return LS_ENOMEM;
    for (int64_t i = 0; i < n; i++)
        if (rows[i] < 0) return LS_EINVAL;
    begin(j);
    for (int64_t i = 0; i < n; i++) {
        int64_t row = rows[i];
        if (row >= j->caprows || !j->present[row]) continue;
        if (j->emit_mode == LS_JOIN_FINAL) emit(j, row, -1);
        forget(j, row);
    }
    return finish(j);
}

/* ---- snapshots ------------------------------------------------------------
 * The format both backends write and read (the twin's export_state writes the
 * same int64s): format, sides, insert mode, emit mode, keyed, capacity, next row,
 * nfree value ids, nreleased, nfree rows, nrows; the free value ids, the released
 * ones, the free rows; then each row holding values, in row order: the row, (a
 * keyed core) its key's byte length and bytes, 8 to an int64 in memory order,
 * zero-padded, then for each side the number of value ids it holds and the ids.
 * The key index, the odometer and the events are not state. */

#define SNAP_FORMAT 1
#define SNAP_HEAD 11

static int64_t key_words(int64_t len) { return (len + 7) / 8; }

int64_t ls_join_export_size(const ls_join *j) {
    int64_t n = SNAP_HEAD + j->free_vids.len + j->released.len + j->free_rows.len;
    int64_t s = j->sides;
    for (int64_t row = 0; row < j->caprows; row++) {
        if (!j->present[row]) continue;
        n += 1 + s + (j->keyed ? 1 + key_words(j->keylen[row]) : 0);
        for (int64_t k = 0; k < s; k++)
            n += j->insert_mode == LS_JOIN_PRODUCT ? j->many[row * s + k].len
                                                   : (int64_t)((j->present[row] >> k) & 1);
    }
    return n;
}

static int64_t *put_vec(int64_t *out, const ls_i64vec *v) {
    if (v->len) memcpy(out, v->data, (size_t)v->len * sizeof(int64_t));
    return out + v->len;
}

void ls_join_export(const ls_join *j, int64_t *out) {
    int64_t head[SNAP_HEAD] = {SNAP_FORMAT,       j->sides,        j->insert_mode,
                               j->emit_mode,      j->keyed,        j->capacity,
                               j->next_row,       j->free_vids.len, j->released.len,
                               j->free_rows.len,  j->nopen};
    memcpy(out, head, sizeof head);
    out += SNAP_HEAD;
    out = put_vec(out, &j->free_vids);
    out = put_vec(out, &j->released);
    out = put_vec(out, &j->free_rows);
    int64_t s = j->sides;
    for (int64_t row = 0; row < j->caprows; row++) {
        uint64_t present = j->present[row];
        if (!present) continue;
        *out++ = row;
        if (j->keyed) {
            int64_t len = j->keylen[row], words = key_words(len);
            *out++ = len;
            if (words) {
                out[words - 1] = 0;
                memcpy(out, key_bytes(j, row), (size_t)len);
            }
            out += words;
        }
        for (int64_t k = 0; k < s; k++) {
            if (j->insert_mode == LS_JOIN_PRODUCT) {
                *out++ = j->many[row * s + k].len;
                out = put_vec(out, &j->many[row * s + k]);
            } else if ((present >> k) & 1) {
                *out++ = 1;
                *out++ = j->one[row * s + k];
            } else {
                *out++ = 0;
            }
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

/* Load `count` ids, each in [lo, hi), onto v; LS_EINVAL when one is out of range. */
static int load_ids(ls_join *j, ls_i64vec *v, const int64_t *ids, int64_t count, int64_t lo,
                    int64_t hi) {
    for (int64_t i = 0; i < count; i++) {
        if (ids[i] < lo || ids[i] >= hi) return LS_EINVAL;
        push(j, v, ids[i]);
    }
    return j->oom ? LS_ENOMEM : LS_OK;
}

/* A keyed core's index, sized for `rows` keys (at most half full). */
static int size_index(ls_join *j, int64_t rows) {
    uint64_t size = 32;
    while ((uint64_t)(rows + 1) * 2 > size) size *= 2;
    int64_t *index = calloc(size, sizeof *index);
    if (!index) return LS_ENOMEM;
    free(j->index);
    j->index = index;
    j->mask = size - 1;
    return LS_OK;
}

int ls_join_import(ls_join *j, const int64_t *in, int64_t n) {
    if (j->oom) return LS_ENOMEM;
    if (j->nopen || j->next_row || j->capacity != 1 || j->free_vids.len || j->released.len)
        return LS_EINVAL; /* not a fresh core */
    if (n < SNAP_HEAD || in[0] != SNAP_FORMAT || in[1] != j->sides || in[2] != j->insert_mode ||
        in[3] != j->emit_mode || in[4] != j->keyed)
        return LS_EINVAL;
    int64_t capacity = in[5], next_row = in[6], nrows = in[10];
    if (capacity < 1 || next_row < 0 || nrows < 0 || (!j->keyed && next_row)) return LS_EINVAL;
    const int64_t *at = in + SNAP_HEAD, *end = in + n;
    const int64_t *free_vids = take(&at, end, in[7]);
    const int64_t *released = take(&at, end, in[8]);
    const int64_t *free_rows = take(&at, end, in[9]);
    if (!free_vids || !released || !free_rows || (!j->keyed && in[9])) return LS_EINVAL;
    int status;
    if ((status = load_ids(j, &j->free_vids, free_vids, in[7], 1, capacity)) ||
        (status = load_ids(j, &j->released, released, in[8], 1, capacity)) ||
        (status = load_ids(j, &j->free_rows, free_rows, in[9], 0, next_row)))
        return status;
    if (j->keyed && size_index(j, nrows)) return LS_ENOMEM;
    int64_t s = j->sides, last = -1;
    for (int64_t r = 0; r < nrows; r++) {
        const int64_t *row_p = take(&at, end, 1);
        if (!row_p || *row_p <= last || (j->keyed && *row_p >= next_row)) return LS_EINVAL;
        int64_t row = last = *row_p;
        if (reserve_rows(j, row)) return LS_ENOMEM;
        if (j->keyed) {
            const int64_t *len = take(&at, end, 1);
            if (!len || *len < 0) return LS_EINVAL;
            const int64_t *bytes = take(&at, end, key_words(*len));
            if (!bytes) return LS_EINVAL;
            char *copy = NULL;
            if (*len > KEY_INLINE && !(copy = malloc((size_t)*len))) return LS_ENOMEM;
            if (*len) memcpy(copy ? copy : j->inline_keys + row * KEY_INLINE, bytes, (size_t)*len);
            j->key[row] = copy;
            j->keylen[row] = *len;
            j->hash[row] = ls_hash_bytes(key_bytes(j, row), *len);
            uint64_t i = j->hash[row] & j->mask;
            while (j->index[i]) i = (i + 1) & j->mask;
            j->index[i] = row + 1;
        }
        uint64_t present = 0;
        for (int64_t k = 0; k < s; k++) {
            const int64_t *count = take(&at, end, 1);
            if (!count || *count < 0 || (j->insert_mode != LS_JOIN_PRODUCT && *count > 1))
                return LS_EINVAL;
            const int64_t *ids = take(&at, end, *count);
            if (!ids) return LS_EINVAL;
            if (*count) present |= (uint64_t)1 << k;
            if (j->insert_mode == LS_JOIN_PRODUCT) {
                if ((status = load_ids(j, &j->many[row * s + k], ids, *count, 1, capacity)))
                    return status;
            } else if (*count) {
                if (ids[0] < 1 || ids[0] >= capacity) return LS_EINVAL;
                j->one[row * s + k] = ids[0];
            }
        }
        if (!present) return LS_EINVAL;
        j->present[row] = present;
        j->nopen++;
    }
    if (at != end) return LS_EINVAL;
    j->capacity = capacity;
    j->next_row = next_row;
    return LS_OK;
}

const ls_jevents *ls_join_events(const ls_join *j) { return &j->ev; }

int64_t ls_join_open_rows(const ls_join *j) { return j->nopen; }

int ls_join_has_row(const ls_join *j, int64_t row) {
    return row >= 0 && row < j->caprows && j->present[row] != 0;
}
