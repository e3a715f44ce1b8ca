/* grow.h: growable arrays shared by windows.c and joins.c (not part of the cffi API). */
#pragma once
#include <stdint.h>
#include <stdlib.h>

#include "ccore.h"

/* Make room for `need` elements of `size` bytes in *p (capacity *cap), doubling;
 * -1 when memory runs out (the caller records it and fails its call). */
static inline int ls_grow(void **p, int64_t *cap, int64_t need, size_t size) {
    if (need <= *cap) return 0;
    int64_t c = *cap ? *cap : 8;
    while (c < need) c *= 2;
    void *q = realloc(*p, (size_t)c * size);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* Append x to v; -1 when memory runs out. */
static inline int ls_push_i64(ls_i64vec *v, int64_t x) {
    if (v->len == v->cap) {
        void *p = v->data;
        if (ls_grow(&p, &v->cap, v->len + 1, sizeof(int64_t))) return -1;
        v->data = p;
    }
    v->data[v->len++] = x;
    return 0;
}
