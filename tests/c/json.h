/*
 * A small JSON reader for the test programs: enough to walk the vector file.
 *
 * A value is a span of the document's text. Lookups return spans; `json_string`
 * decodes a string value (escapes and \uXXXX surrogate pairs to UTF-8). Any
 * syntax error makes the lookup fail, so a broken file fails the tests.
 */
#ifndef CS_TEST_JSON_H
#define CS_TEST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct json {
    const char *at; /* first character of the value (NULL: no value) */
    size_t len;     /* length of its text */
} json;

static inline const char *json_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    return p;
}

/* The end of the string starting at the quote `p`, or NULL. */
static inline const char *json_skip_string(const char *p, const char *end) {
    for (p++; p < end; p++) {
        if (*p == '\\') {
            p++;
        } else if (*p == '"') {
            return p + 1;
        } else if ((unsigned char)*p < 0x20) {
            return NULL;
        }
    }
    return NULL;
}

/* The end of the value starting at `p`, or NULL. `depth` bounds the nesting. */
static inline const char *json_skip(const char *p, const char *end, int depth) {
    p = json_ws(p, end);
    if (p >= end || depth > 64) return NULL;
    if (*p == '"') return json_skip_string(p, end);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = json_ws(p + 1, end);
        if (p < end && *p == close) return p + 1;
        for (;;) {
            if (close == '}') {
                if (p >= end || *p != '"') return NULL;
                p = json_skip_string(p, end);
                if (!p) return NULL;
                p = json_ws(p, end);
                if (p >= end || *p != ':') return NULL;
                p++;
            }
            p = json_skip(p, end, depth + 1);
            if (!p) return NULL;
            p = json_ws(p, end);
            if (p < end && *p == ',') {
                p = json_ws(p + 1, end);
                continue;
            }
            if (p < end && *p == close) return p + 1;
            return NULL;
        }
    }
    /* number, true, false, null */
    const char *start = p;
    while (p < end && (strchr("+-.eE", *p) || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z'))) p++;
    return p > start ? p : NULL;
}

/* The whole document as a value (NULL `at` when it is not JSON). */
static inline json json_parse(const char *text, size_t len) {
    const char *end = text + len;
    const char *start = json_ws(text, end);
    const char *stop = json_skip(start, end, 0);
    json v = {NULL, 0};
    if (stop && json_ws(stop, end) == end) {
        v.at = start;
        v.len = (size_t)(stop - start);
    }
    return v;
}

static inline bool json_is(json v, char first) { return v.at && v.len > 0 && v.at[0] == first; }

static inline bool json_is_null(json v) { return !v.at || (v.len == 4 && memcmp(v.at, "null", 4) == 0); }

/* Decode a string value into a malloc'd, NUL-terminated buffer (NULL if not a string). */
static inline char *json_string(json v, size_t *out_len) {
    if (!json_is(v, '"')) return NULL;
    char *out = malloc(v.len + 1);
    size_t n = 0;
    const char *p = v.at + 1, *end = v.at + v.len - 1;
    while (out && p < end) {
        if (*p != '\\') {
            out[n++] = *p++;
            continue;
        }
        p++;
        char c = *p++;
        static const char escaped[] = "\"\\/bfnrt";
        static const char meaning[] = "\"\\/\b\f\n\r\t";
        const char *plain = c ? strchr(escaped, c) : NULL;
        if (plain) {
            out[n++] = meaning[plain - escaped];
            continue;
        }
        if (c != 'u' || end - p < 4) goto bad;
        uint32_t cp = (uint32_t)strtoul((char[5]){p[0], p[1], p[2], p[3], 0}, NULL, 16);
        p += 4;
        if (cp >= 0xd800 && cp < 0xdc00) {
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u') goto bad;
            uint32_t lo = (uint32_t)strtoul((char[5]){p[2], p[3], p[4], p[5], 0}, NULL, 16);
            p += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        if (cp < 0x80) {
            out[n++] = (char)cp;
        } else if (cp < 0x800) {
            out[n++] = (char)(0xc0 | (cp >> 6));
            out[n++] = (char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out[n++] = (char)(0xe0 | (cp >> 12));
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
            out[n++] = (char)(0x80 | (cp & 0x3f));
        } else {
            out[n++] = (char)(0xf0 | (cp >> 18));
            out[n++] = (char)(0x80 | ((cp >> 12) & 0x3f));
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
            out[n++] = (char)(0x80 | (cp & 0x3f));
        }
    }
    if (!out) return NULL;
    out[n] = 0;
    if (out_len) *out_len = n;
    return out;
bad:
    free(out);
    return NULL;
}

/* The member `key` of an object (NULL `at` when absent). */
static inline json json_get(json obj, const char *key) {
    json none = {NULL, 0};
    if (!json_is(obj, '{')) return none;
    const char *p = obj.at + 1, *end = obj.at + obj.len - 1;
    for (;;) {
        p = json_ws(p, end);
        if (p >= end || *p != '"') return none;
        const char *kend = json_skip_string(p, end);
        if (!kend) return none;
        json k = {p, (size_t)(kend - p)};
        p = json_ws(kend, end);
        if (p >= end || *p != ':') return none;
        const char *vstart = json_ws(p + 1, end);
        const char *vend = json_skip(vstart, end, 1);
        if (!vend) return none;
        size_t klen = 0;
        char *name = json_string(k, &klen);
        bool match = name && klen == strlen(key) && memcmp(name, key, klen) == 0;
        free(name);
        if (match) {
            json v = {vstart, (size_t)(vend - vstart)};
            return v;
        }
        p = json_ws(vend, end);
        if (p >= end || *p != ',') return none;
        p++;
    }
}

/* The number of elements of an array (0 when not an array). */
static inline size_t json_count(json arr) {
    if (!json_is(arr, '[')) return 0;
    const char *p = json_ws(arr.at + 1, arr.at + arr.len);
    const char *end = arr.at + arr.len - 1;
    size_t n = 0;
    while (p < end) {
        p = json_skip(p, end, 1);
        if (!p) return 0;
        n++;
        p = json_ws(p, end);
        if (p < end && *p == ',') p++;
    }
    return n;
}

/* Element `i` of an array (NULL `at` when out of range). */
static inline json json_at(json arr, size_t i) {
    json none = {NULL, 0};
    if (!json_is(arr, '[')) return none;
    const char *end = arr.at + arr.len - 1;
    const char *p = json_ws(arr.at + 1, end);
    for (size_t n = 0; p < end; n++) {
        const char *vend = json_skip(p, end, 1);
        if (!vend) return none;
        if (n == i) {
            json v = {p, (size_t)(vend - p)};
            return v;
        }
        p = json_ws(vend, end);
        if (p < end && *p == ',') p = json_ws(p + 1, end);
    }
    return none;
}

#endif /* CS_TEST_JSON_H */
