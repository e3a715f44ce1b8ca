/* hash.h: the byte-string hash shared by keys.c and joins.c (not part of the cffi API). */
#pragma once
#include <stdint.h>
#include <string.h>

/* A multiply-rotate hash over 8-byte words (short keys dominate; a word at a
 * time keeps long ones cheap too), finished with murmur3's avalanche. */
static inline uint64_t ls_hash_bytes(const char *p, int64_t n) {
    const uint64_t k1 = 0x9E3779B97F4A7C15ULL, k2 = 0xC2B2AE3D27D4EB4FULL;
    uint64_t h = (uint64_t)n * k1;
    uint64_t w;
    while (n >= 8) {
        memcpy(&w, p, 8);
        h ^= w * k2;
        h = ((h << 31) | (h >> 33)) * k1;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        w = 0;
        memcpy(&w, p, (size_t)n);
        h ^= w * k2;
        h = ((h << 31) | (h >> 33)) * k1;
    }
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
}
