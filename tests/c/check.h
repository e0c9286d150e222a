/*
 * Assertions and small helpers shared by the C test programs.
 *
 * Each program counts its checks and ends with "<name>: N passed, N failed";
 * any failed check makes it exit 1.
 */
#ifndef CS_TEST_CHECK_H
#define CS_TEST_CHECK_H

#include <crypto_sessions.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long checks_passed, checks_failed;

static inline void check_report(bool ok, const char *file, int line, const char *fmt, ...) {
    if (ok) {
        checks_passed++;
        return;
    }
    checks_failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s:%d: FAILED: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The calling thread's last error message (static buffer: single-threaded use). */
static inline const char *last_error(void) {
    static char buf[512];
    cs_last_error_message(buf, sizeof buf);
    return buf;
}

#define CHECK(cond) check_report((cond), __FILE__, __LINE__, "%s", #cond)

#define CHECK_MSG(cond, ...) check_report((cond), __FILE__, __LINE__, __VA_ARGS__)

/* Check that `expr` returns the code `want`. */
#define CHECK_RC(expr, want)                                                              \
    do {                                                                                  \
        cs_result got_ = (expr);                                                          \
        check_report(got_ == (cs_result)(want), __FILE__, __LINE__,                       \
                     "%s returned %u (%s: %s), expected %u (%s)", #expr, (unsigned)got_, \
                     cs_result_message(got_), last_error(), (unsigned)(want),             \
                     cs_result_message(want));                                            \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, CS_RESULT_OK)

/* Check that the calling thread's last error message contains `needle`. */
#define CHECK_ERROR_SAYS(needle)                                                           \
    check_report(strstr(last_error(), (needle)) != NULL, __FILE__, __LINE__,              \
                 "last error \"%s\" does not contain \"%s\"", last_error(), (needle))

static inline int check_summary(const char *name) {
    printf("%s: %lu passed, %lu failed\n", name, checks_passed, checks_failed);
    return checks_failed == 0 && checks_passed > 0 ? 0 : 1;
}

/* Lowercase hex of `len` bytes, in a malloc'd string. */
static inline char *hex_of(const uint8_t *bytes, size_t len) {
    static const char digits[] = "0123456789abcdef";
    char *out = malloc(2 * len + 1);
    if (!out) abort();
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * len] = 0;
    return out;
}

/* Whether `bytes` (len) has the lowercase hex `expected`. */
static inline bool hex_equals(const uint8_t *bytes, size_t len, const char *expected) {
    char *hex = hex_of(bytes, len);
    bool same = strcmp(hex, expected) == 0;
    free(hex);
    return same;
}

/* Decode hex into a malloc'd buffer (NULL on bad hex). */
static inline uint8_t *hex_decode(const char *hex, size_t *out_len) {
    size_t n = strlen(hex);
    if (n % 2) return NULL;
    uint8_t *out = malloc(n / 2 + 1);
    if (!out) abort();
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)v;
    }
    *out_len = n / 2;
    return out;
}

/* Whether a cs_bytes holds exactly `len` bytes equal to `expected`. */
static inline bool bytes_equal(cs_bytes b, const void *expected, size_t len) {
    return b.data != NULL && b.len == len && memcmp(b.data, expected, len) == 0 && b.data[len] == 0;
}

/* Whether a cs_bytes holds the text `expected`. */
static inline bool text_equal(cs_bytes b, const char *expected) { return bytes_equal(b, expected, strlen(expected)); }

/* A text argument: pointer and length of a C string. */
#define TXT(s) (s), strlen(s)

/* A byte argument from a C string. */
#define BYT(s) (const uint8_t *)(s), strlen(s)

#endif /* CS_TEST_CHECK_H */
