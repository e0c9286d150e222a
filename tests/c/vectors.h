/*
 * What the vector programs share: allocations kept until the end of a vector, the
 * fields of a vector, and reading the vector file.
 */
#ifndef CS_TEST_VECTORS_H
#define CS_TEST_VECTORS_H

#include "check.h"
#include "json.h"

/* Allocations of the current vector, released after it. */
static void *scratch[256];
static size_t scratch_len;

static void *keep(void *p) {
    if (!p || scratch_len == sizeof scratch / sizeof scratch[0]) abort();
    scratch[scratch_len++] = p;
    return p;
}

static void release(void) {
    while (scratch_len) free(scratch[--scratch_len]);
}

static const char *field(json obj, const char *key) {
    size_t len = 0;
    char *s = json_string(json_get(obj, key), &len);
    CHECK_MSG(s != NULL, "field \"%s\" is missing or not a string", key);
    return s ? keep(s) : "";
}

static const uint8_t *hex_field(json obj, const char *key, size_t *len) {
    uint8_t *bytes = hex_decode(field(obj, key), len);
    CHECK_MSG(bytes != NULL, "field \"%s\" is not hex", key);
    if (!bytes) {
        *len = 0;
        return (const uint8_t *)"";
    }
    return keep(bytes);
}

static json section(json parent, const char *name) {
    json s = json_get(parent, name);
    CHECK_MSG(json_count(s) > 0, "vector section \"%s\" is missing or empty", name);
    return s;
}

/* The whole file at `path`, malloc'd (NULL when it cannot be read). */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (!bigger) free(buf);
            buf = bigger;
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

#endif /* CS_TEST_VECTORS_H */
