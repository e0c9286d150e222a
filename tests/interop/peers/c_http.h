/*
 * Shared by the C interop clients (c_client.c for v1, c_client_v2.c for v2): JSON
 * output and a minimal HTTP/1.1 client over a plain TCP socket (`Connection:
 * close`; the status line, the headers asked for, `Content-Length` or read to the
 * end). The library under test does the protocol; this only moves bytes.
 */
#ifndef CS_INTEROP_C_HTTP_H
#define CS_INTEROP_C_HTTP_H

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Largest answer read: well above anything the matrix sends. */
#define HTTP_MAX_ANSWER (16u << 20)

/* ---- output ------------------------------------------------------------------ */

static inline void print_json_string_n(const char *text, size_t len) {
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)text; p < (const unsigned char *)text + len; p++) {
        switch (*p) {
        case '"': fputs("\\\"", stdout); break;
        case '\\': fputs("\\\\", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        default:
            if (*p < 0x20)
                printf("\\u%04x", *p);
            else
                putchar(*p); /* UTF-8 passes through as is */
        }
    }
    putchar('"');
}

static inline void print_json_string(const char *text) { print_json_string_n(text, strlen(text)); }

static inline void print_status(int status) {
    if (status > 0)
        printf("%d", status);
    else
        fputs("null", stdout);
}

/* ---- the request ------------------------------------------------------------- */

struct http_url {
    char host[256];
    char port[8];
    const char *target; /* the request-target: the URL after its origin */
};

static inline int http_parse_url(const char *text, struct http_url *out) {
    const char *scheme = "http://";
    if (strncasecmp(text, scheme, strlen(scheme)) != 0)
        return -1;
    const char *authority = text + strlen(scheme);
    size_t authority_len = strcspn(authority, "/?");
    out->target = authority + authority_len;
    if (*out->target != '/')
        return -1; /* the matrix always gives a path */
    const char *colon = memchr(authority, ':', authority_len);
    size_t host_len = colon ? (size_t)(colon - authority) : authority_len;
    size_t port_len = colon ? authority_len - host_len - 1 : 2;
    if (host_len == 0 || host_len >= sizeof out->host || port_len == 0 || port_len >= sizeof out->port)
        return -1;
    memcpy(out->host, authority, host_len);
    out->host[host_len] = '\0';
    if (colon) {
        memcpy(out->port, colon + 1, port_len);
        out->port[port_len] = '\0';
    } else {
        strcpy(out->port, "80");
    }
    return 0;
}

static inline int http_connect(const struct http_url *url) {
    struct addrinfo hints = {0}, *found = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(url->host, url->port, &hints, &found) != 0)
        return -1;
    int fd = -1;
    for (struct addrinfo *ai = found; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        struct timeval timeout = {.tv_sec = 30};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    return fd;
}

static inline int http_send_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The whole answer, read until the server closes (we asked for Connection: close). */
static inline char *http_read_all(int fd, size_t *out_len) {
    size_t cap = 16384, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    for (;;) {
        if (len == cap) {
            if (cap >= HTTP_MAX_ANSWER) {
                free(buf);
                return NULL;
            }
            cap *= 2;
            char *bigger = realloc(buf, cap + 1);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
        }
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(buf);
            return NULL;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *out_len = len;
    return buf;
}

/* Send `method target` to the URL's host with the header lines `headers` (each
 * "Name: value\r\n", already joined; may be empty) and `body`, and read the whole
 * answer into *raw (free it). 0, or -1 with *why set. */
static inline int http_exchange(const char *method, const char *url_text, const char *headers,
                                const void *body, size_t body_len, char **raw, size_t *raw_len,
                                const char **why) {
    struct http_url url;
    if (http_parse_url(url_text, &url) != 0) {
        *why = "the URL is not http://HOST[:PORT]/PATH";
        return -1;
    }
    size_t head_cap = strlen(method) + strlen(url.target) + strlen(url.host) + strlen(headers) + 256;
    char *head = malloc(head_cap);
    if (!head) {
        *why = "out of memory";
        return -1;
    }
    int n = snprintf(head, head_cap,
                     "%s %s HTTP/1.1\r\nHost: %s:%s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     method, url.target, url.host, url.port, headers, body_len);
    if (n < 0 || (size_t)n >= head_cap) {
        free(head);
        *why = "the request head does not fit";
        return -1;
    }
    int fd = http_connect(&url);
    if (fd < 0) {
        free(head);
        *why = "cannot connect to the server";
        return -1;
    }
    int sent = http_send_all(fd, head, (size_t)n) == 0 && (body_len == 0 || http_send_all(fd, body, body_len) == 0);
    free(head);
    if (!sent) {
        close(fd);
        *why = "cannot send the request";
        return -1;
    }
    *raw = http_read_all(fd, raw_len);
    close(fd);
    if (!*raw) {
        *why = "cannot read the answer (error, timeout or over 16 MiB)";
        return -1;
    }
    return 0;
}

/* ---- the answer -------------------------------------------------------------- */

/* A header to find in an answer: its name; its value (NULL when absent) is set by
 * http_parse_answer, pointing into the raw answer. */
struct http_header {
    const char *name;
    const char *value;
    size_t value_len;
};

struct http_answer {
    int status;
    const char *body;
    size_t body_len;
};

static inline const char *http_skip_spaces(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* Parse the status line and the headers in place, filling `wanted` (the first of
 * each name); NULL on success, else why not. */
static inline const char *http_parse_answer(const char *raw, size_t len, struct http_answer *out,
                                            struct http_header *wanted, size_t n_wanted) {
    const char *end = raw + len;
    const char *head_end = NULL;
    for (const char *p = raw; p + 4 <= end; p++) {
        if (memcmp(p, "\r\n\r\n", 4) == 0) {
            head_end = p;
            break;
        }
    }
    if (!head_end)
        return "the answer has no end of headers";
    int major, minor, status;
    if (sscanf(raw, "HTTP/%d.%d %3d", &major, &minor, &status) != 3 || status < 100 || status > 999)
        return "the answer has no HTTP/1.x status line";
    out->status = status;
    for (size_t i = 0; i < n_wanted; i++) {
        wanted[i].value = NULL;
        wanted[i].value_len = 0;
    }
    long content_length = -1;
    const char *line = strstr(raw, "\r\n") + 2;
    while (line < head_end) {
        const char *eol = line;
        while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'))
            eol++;
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (colon) {
            size_t name_len = (size_t)(colon - line);
            const char *value = http_skip_spaces(colon + 1, eol);
            const char *value_end = eol;
            while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t'))
                value_end--;
            for (size_t i = 0; i < n_wanted; i++) {
                if (!wanted[i].value && name_len == strlen(wanted[i].name)
                    && strncasecmp(line, wanted[i].name, name_len) == 0) {
                    wanted[i].value = value;
                    wanted[i].value_len = (size_t)(value_end - value);
                }
            }
            if (name_len == 14 && strncasecmp(line, "content-length", 14) == 0) {
                char *stop;
                content_length = strtol(value, &stop, 10);
                if (stop != value_end || content_length < 0)
                    return "the answer has a bad content-length";
            } else if (name_len == 17 && strncasecmp(line, "transfer-encoding", 17) == 0) {
                return "the answer is chunked, which this minimal client does not read";
            }
        }
        line = eol + 2;
    }
    out->body = head_end + 4;
    size_t available = (size_t)(end - out->body);
    if (content_length >= 0) {
        if ((size_t)content_length > available)
            return "the answer is shorter than its content-length";
        out->body_len = (size_t)content_length;
    } else {
        out->body_len = available; /* no length: the body runs to the end */
    }
    return NULL;
}

#endif /* CS_INTEROP_C_HTTP_H */
