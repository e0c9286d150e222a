/*
 * Interop peer: one request with the C library (tests/interop/README.md has the
 * contract).
 *
 *   c-client --server-key HEX --key HEX --url http://HOST:PORT/PATH
 *            [--method GET|POST] [--json JSON | --data TEXT]
 *
 * The library prepares the request (cs_client_prepare) and opens the answer
 * (cs_client_open); in between, a minimal HTTP/1.1 client over a plain TCP socket
 * sends it with `Connection: close` and reads the answer to the end. It prints one
 * JSON line {"status", "data", "err"}; `data` is the opened answer revived by
 * cs_payload_revive, so it is already JSON.
 */

#define _POSIX_C_SOURCE 200809L

#include <crypto_sessions.h>

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
#define MAX_ANSWER (16u << 20)

/* ---- output ------------------------------------------------------------------ */

static void print_json_string(const char *text) {
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
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

static void print_status(int status) {
    if (status > 0)
        printf("%d", status);
    else
        fputs("null", stdout);
}

/* The contract's name of a result code: the core's kinds 1-8, else "error". */
static const char *kind_name(cs_result rc) {
    switch (rc) {
    case CS_RESULT_MALFORMED_INPUT: return "malformed_input";
    case CS_RESULT_INVALID_KEY: return "invalid_key";
    case CS_RESULT_DECRYPT_FAILED: return "decrypt_failed";
    case CS_RESULT_INVALID_SIGNATURE: return "invalid_signature";
    case CS_RESULT_WRONG_PEER: return "wrong_peer";
    case CS_RESULT_TOO_LARGE: return "too_large";
    case CS_RESULT_UNSUPPORTED_METHOD: return "unsupported_method";
    case CS_RESULT_HTTP_STATUS: return "http_status";
    default: return "error";
    }
}

static int report_error(const char *kind, const char *message, int status) {
    fputs("{\"status\": ", stdout);
    print_status(status);
    fputs(", \"data\": null, \"err\": {\"kind\": ", stdout);
    print_json_string(kind);
    fputs(", \"message\": ", stdout);
    print_json_string(message);
    fputs(", \"status\": ", stdout);
    print_status(status);
    fputs("}}\n", stdout);
    return 1;
}

/* A failed library call: its kind and the library's message (never a secret). */
static int report_library_error(cs_result rc, int status) {
    char message[512];
    if (cs_last_error_message(message, sizeof message) == 0)
        snprintf(message, sizeof message, "%s", cs_result_message(rc));
    return report_error(kind_name(rc), message, status);
}

/* ---- a minimal HTTP/1.1 client ----------------------------------------------- */

struct url {
    char host[256];
    char port[8];
    const char *target; /* the request-target: the URL after its origin */
};

static int parse_url(const char *text, struct url *out) {
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

static int connect_to(const struct url *url) {
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

static int send_all(int fd, const void *data, size_t len) {
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
static char *read_all(int fd, size_t *out_len) {
    size_t cap = 16384, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    for (;;) {
        if (len == cap) {
            if (cap >= MAX_ANSWER) {
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

struct answer {
    int status;
    const char *authorization; /* NULL when absent */
    size_t authorization_len;
    const char *body;
    size_t body_len;
};

static const char *skip_spaces(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* Parse the status line and the headers in place; NULL on success, else why not. */
static const char *parse_answer(const char *raw, size_t len, struct answer *out) {
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
    out->authorization = NULL;
    out->authorization_len = 0;
    long content_length = -1;
    const char *line = strstr(raw, "\r\n") + 2;
    while (line < head_end) {
        const char *eol = line;
        while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'))
            eol++;
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (colon) {
            size_t name_len = (size_t)(colon - line);
            const char *value = skip_spaces(colon + 1, eol);
            const char *value_end = eol;
            while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t'))
                value_end--;
            if (name_len == 13 && strncasecmp(line, "authorization", 13) == 0) {
                out->authorization = value;
                out->authorization_len = (size_t)(value_end - value);
            } else if (name_len == 14 && strncasecmp(line, "content-length", 14) == 0) {
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

/* ---- the request ------------------------------------------------------------- */

struct options {
    const char *server_key, *key, *url, *method, *json, *data;
};

static int parse_options(int argc, char **argv, struct options *o) {
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char **slot = NULL;
        if (strcmp(argv[i], "--server-key") == 0) slot = &o->server_key;
        else if (strcmp(argv[i], "--key") == 0) slot = &o->key;
        else if (strcmp(argv[i], "--url") == 0) slot = &o->url;
        else if (strcmp(argv[i], "--method") == 0) slot = &o->method;
        else if (strcmp(argv[i], "--json") == 0) slot = &o->json;
        else if (strcmp(argv[i], "--data") == 0) slot = &o->data;
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "c-client: unknown option or missing value: %s\n", argv[i]);
            return -1;
        }
        *slot = argv[++i];
    }
    if (!o->server_key || !o->key || !o->url) {
        fprintf(stderr, "usage: c-client --server-key HEX --key HEX --url URL "
                        "[--method GET|POST] [--json JSON | --data TEXT]\n");
        return -1;
    }
    return 0;
}

/* Send the prepared request and read the answer; 0, or -1 with *why set. */
static int exchange(const cs_request *request, char **raw, size_t *raw_len, const char **why) {
    struct url url;
    if (parse_url((const char *)request->url.data, &url) != 0) {
        *why = "the URL is not http://HOST[:PORT]/PATH";
        return -1;
    }
    size_t body_len = request->body.data ? request->body.len : 0;
    size_t head_cap = strlen(url.target) + strlen(url.host) + request->authorization.len + 256;
    char *head = malloc(head_cap);
    if (!head) {
        *why = "out of memory";
        return -1;
    }
    int n = snprintf(head, head_cap,
                     "%s %s HTTP/1.1\r\nHost: %s:%s\r\nAuthorization: %s\r\n%s%s%s"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     request->method, url.target, url.host, url.port,
                     (const char *)request->authorization.data,
                     request->content_type.data ? "Content-Type: " : "",
                     request->content_type.data ? (const char *)request->content_type.data : "",
                     request->content_type.data ? "\r\n" : "", body_len);
    if (n < 0 || (size_t)n >= head_cap) {
        free(head);
        *why = "the request head does not fit";
        return -1;
    }
    int fd = connect_to(&url);
    if (fd < 0) {
        free(head);
        *why = "cannot connect to the server";
        return -1;
    }
    int sent = send_all(fd, head, (size_t)n) == 0 && (body_len == 0 || send_all(fd, request->body.data, body_len) == 0);
    free(head);
    if (!sent) {
        close(fd);
        *why = "cannot send the request";
        return -1;
    }
    *raw = read_all(fd, raw_len);
    close(fd);
    if (!*raw) {
        *why = "cannot read the answer (error, timeout or over 16 MiB)";
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    struct options o;
    if (parse_options(argc, argv, &o) != 0)
        return 2;
    const char *method = o.method ? o.method : (o.json || o.data ? "POST" : "GET");

    cs_client *client = NULL;
    cs_result rc = cs_client_new((const uint8_t *)o.server_key, strlen(o.server_key),
                                 (const uint8_t *)o.key, strlen(o.key), NULL, 0, &client);
    if (rc != CS_RESULT_OK)
        return report_library_error(rc, 0);

    /* The body: JSON as the reference serializes it, text as its bytes, or none. */
    cs_bytes json_payload = {0};
    const uint8_t *body = NULL;
    size_t body_len = 0;
    if (o.json) {
        rc = cs_payload_json((const uint8_t *)o.json, strlen(o.json), &json_payload);
        if (rc != CS_RESULT_OK) {
            cs_client_free(client);
            return report_library_error(rc, 0);
        }
        body = json_payload.data;
        body_len = json_payload.len;
    } else if (o.data) {
        body = (const uint8_t *)o.data;
        body_len = strlen(o.data);
    }

    int exit_code;
    cs_request request;
    rc = cs_client_prepare(client, method, strlen(method), o.url, strlen(o.url), body, body_len, &request);
    cs_bytes_free(&json_payload);
    if (rc != CS_RESULT_OK) {
        cs_client_free(client);
        return report_library_error(rc, 0);
    }

    char *raw = NULL;
    size_t raw_len = 0;
    const char *why = NULL;
    struct answer answer = {0};
    if (exchange(&request, &raw, &raw_len, &why) != 0) {
        exit_code = report_error("network", why, 0);
    } else if ((why = parse_answer(raw, raw_len, &answer)) != NULL) {
        exit_code = report_error("malformed_answer", why, 0);
    } else {
        cs_bytes plaintext = {0}, revived = {0};
        rc = cs_client_open(client, (uint16_t)answer.status, answer.authorization, answer.authorization_len,
                            answer.body, answer.body_len, &plaintext);
        if (rc == CS_RESULT_OK)
            rc = cs_payload_revive(plaintext.data, plaintext.len, &revived);
        if (rc == CS_RESULT_OK) {
            printf("{\"status\": %d, \"data\": %s, \"err\": null}\n", answer.status, (const char *)revived.data);
            exit_code = 0;
        } else {
            exit_code = report_library_error(rc, answer.status);
        }
        cs_bytes_free(&revived);
        cs_bytes_free(&plaintext);
    }
    free(raw);
    cs_bytes_free(&request.url);
    cs_bytes_free(&request.authorization);
    cs_bytes_free(&request.content_type);
    cs_bytes_free(&request.body);
    cs_client_free(client);
    return exit_code;
}
