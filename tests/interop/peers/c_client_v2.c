/*
 * Interop peer: the C library's protocol v2 client (tests/interop/README.md, "The
 * v2 peer contract").
 *
 *   c-client-v2 --key HEX    < one JSON request per line > one JSON report per line
 *
 * For each request a fresh client (cs_v2_client_new; cs_v2_client_new_skewed, the
 * test-only constructor, when the request gives a clock_offset) prepares it
 * (cs_v2_client_prepare), a minimal HTTP/1.1 client (c_http.h) sends it, and
 * cs_v2_client_open opens the answer: a verified answer, the one retry after a
 * signed stale answer, or the rejection's code.
 */

#include "c_http.h" /* first: it sets _POSIX_C_SOURCE */

#include <crypto_sessions.h>

#include "json.h" /* tests/c/json.h */

#include <stdbool.h>
#include <stdint.h>

/* The contract's `err.kind` of a result: the v2 codes by name, else "error". */
static const char *v2_kind(cs_result rc) {
    switch (rc) {
    case CS_RESULT_V2_MALFORMED: return "malformed";
    case CS_RESULT_V2_UNKNOWN_KEY: return "unknown_key";
    case CS_RESULT_V2_STALE: return "stale";
    case CS_RESULT_V2_INVALID_SIGNATURE: return "invalid_signature";
    case CS_RESULT_V2_REPLAYED: return "replayed";
    case CS_RESULT_V2_FORBIDDEN: return "forbidden";
    case CS_RESULT_V2_INVALID_BODY: return "invalid_body";
    case CS_RESULT_V2_TOO_LARGE: return "too_large";
    case CS_RESULT_V2_BUSY: return "busy";
    case CS_RESULT_V2_INVALID_ANSWER: return "invalid_answer";
    case CS_RESULT_V2_REJECTED: return "rejected";
    default: return "error";
    }
}

static void report_error(const char *kind, const char *message, int status) {
    fputs("{\"status\": ", stdout);
    print_status(status);
    fputs(", \"content_type\": null, \"data\": null, \"err\": {\"kind\": ", stdout);
    print_json_string(kind);
    fputs(", \"status\": ", stdout);
    print_status(status);
    fputs(", \"message\": ", stdout);
    print_json_string(message);
    fputs("}}\n", stdout);
}

static void report_library_error(cs_result rc, int status) {
    char message[512];
    if (cs_last_error_message(message, sizeof message) == 0)
        snprintf(message, sizeof message, "%s", cs_result_message(rc));
    report_error(v2_kind(rc), message, status);
}

static bool starts_with(const cs_bytes *text, const char *prefix) {
    return text->len >= strlen(prefix) && strncasecmp((const char *)text->data, prefix, strlen(prefix)) == 0;
}

/* `data` as the contract says: JSON for a JSON content type, text for a text/ type,
 * {"hex": ...} otherwise, null when empty. */
static void print_data(const cs_v2_answer *answer) {
    const char *payload = (const char *)answer->payload.data;
    size_t len = answer->payload.len;
    const cs_bytes *type = &answer->content_type;
    if (len == 0) {
        fputs("null", stdout);
    } else if (starts_with(type, "application/json") && json_parse(payload, len).at) {
        /* Valid JSON, on one line: a line break can only be whitespace between tokens. */
        for (size_t i = 0; i < len; i++)
            putchar(payload[i] == '\n' || payload[i] == '\r' ? ' ' : payload[i]);
    } else if (starts_with(type, "text/")) {
        print_json_string_n(payload, len);
    } else {
        fputs("{\"hex\": \"", stdout);
        for (size_t i = 0; i < len; i++)
            printf("%02x", (unsigned char)payload[i]);
        fputs("\"}", stdout);
    }
}

static void report_answer(const cs_v2_answer *answer, bool retried) {
    printf("{\"status\": %d, \"content_type\": ", answer->status);
    print_json_string_n((const char *)answer->content_type.data, answer->content_type.len);
    fputs(", \"data\": ", stdout);
    print_data(answer);
    printf(", \"retried\": %s, \"err\": null}\n", retried ? "true" : "false");
}

/* Send a prepared request and open its answer into *rc: CS_RESULT_OK with *out,
 * or a CS_RESULT_V2_* outcome (*retry set on a signed stale answer). -1 with *why
 * set when no answer came (network, HTTP syntax). */
static int send_and_open(const cs_v2_client *client, const cs_v2_request *request, cs_result *rc, int *status,
                         cs_v2_answer *out, cs_v2_request **retry, const char **why) {
    cs_v2_request_parts parts = {0};
    *rc = cs_v2_request_parts_get(request, &parts);
    if (*rc != CS_RESULT_OK)
        return 0;
    size_t cap = parts.authorization.len + parts.content_type.len + parts.cache_control.len + 96;
    char *headers = malloc(cap);
    char *method = strndup((const char *)parts.method.data, parts.method.len);
    char *url = strndup((const char *)parts.url.data, parts.url.len);
    int result = -1;
    char *raw = NULL;
    size_t raw_len = 0;
    if (!headers || !method || !url) {
        *why = "out of memory";
        goto done;
    }
    int n = snprintf(headers, cap, "Authorization: %.*s\r\n", (int)parts.authorization.len,
                     (const char *)parts.authorization.data);
    if (parts.content_type.data)
        n += snprintf(headers + n, cap - (size_t)n, "Content-Type: %.*s\r\n", (int)parts.content_type.len,
                      (const char *)parts.content_type.data);
    if (parts.cache_control.data)
        snprintf(headers + n, cap - (size_t)n, "Cache-Control: %.*s\r\n", (int)parts.cache_control.len,
                 (const char *)parts.cache_control.data);
    if (http_exchange(method, url, headers, parts.body.data, parts.body.len, &raw, &raw_len, why) != 0)
        goto done;
    struct http_answer answer = {0};
    struct http_header wanted[2] = {{"crypto-session", NULL, 0}, {"www-authenticate", NULL, 0}};
    if ((*why = http_parse_answer(raw, raw_len, &answer, wanted, 2)) != NULL)
        goto done;
    *status = answer.status;
    *rc = cs_v2_client_open(client, request, (uint16_t)answer.status, wanted[0].value, wanted[0].value_len,
                            wanted[1].value, wanted[1].value_len, (const uint8_t *)answer.body, answer.body_len,
                            out, retry);
    result = 0;
done:
    free(raw);
    free(url);
    free(method);
    free(headers);
    cs_v2_request_parts_free(&parts);
    return result;
}

/* One request line of the contract: prints its report. */
static void run_one(const char *key, const char *line, size_t line_len) {
    json req = json_parse(line, line_len);
    char *server_key = json_string(json_get(req, "server_key"), NULL);
    char *url = json_string(json_get(req, "url"), NULL);
    char *method = json_string(json_get(req, "method"), NULL);
    char *content_type = json_string(json_get(req, "content_type"), NULL);
    char *body_hex = json_string(json_get(req, "body_hex"), NULL);
    json offset = json_get(req, "clock_offset");
    long long clock_offset = offset.at ? strtoll(offset.at, NULL, 10) : 0;
    size_t body_len = body_hex ? strlen(body_hex) / 2 : 0;
    uint8_t *body = malloc(body_len + 1);
    cs_v2_client *client = NULL;
    cs_v2_request *request = NULL, *retry = NULL;
    cs_v2_answer answer = {0};
    if (!server_key || !url || !method || !content_type || !body_hex || !body) {
        report_error("usage", "a request line needs server_key, url, method, content_type, body_hex", 0);
        goto done;
    }
    for (size_t i = 0; i < body_len; i++) {
        unsigned byte;
        if (sscanf(body_hex + 2 * i, "%2x", &byte) != 1) {
            report_error("usage", "body_hex is not hex", 0);
            goto done;
        }
        body[i] = (uint8_t)byte;
    }
    cs_result rc = clock_offset
        ? cs_v2_client_new_skewed((const uint8_t *)key, strlen(key), (const uint8_t *)server_key,
                                  strlen(server_key), clock_offset, &client)
        : cs_v2_client_new((const uint8_t *)key, strlen(key), (const uint8_t *)server_key, strlen(server_key),
                           &client);
    if (rc == CS_RESULT_OK)
        rc = cs_v2_client_prepare(client, method, strlen(method), url, strlen(url), content_type,
                                  strlen(content_type), body, body_len, &request);
    if (rc != CS_RESULT_OK) {
        report_library_error(rc, 0);
        goto done;
    }
    int status = 0;
    const char *why = NULL;
    if (send_and_open(client, request, &rc, &status, &answer, &retry, &why) != 0) {
        report_error("network", why, status);
        goto done;
    }
    bool retried = false;
    if (rc == CS_RESULT_V2_STALE && retry) {
        /* The signed stale answer corrected the clock: the one retry. */
        cs_v2_request_free(request);
        request = retry;
        retry = NULL;
        retried = true;
        if (send_and_open(client, request, &rc, &status, &answer, &retry, &why) != 0) {
            report_error("network", why, status);
            goto done;
        }
    }
    if (rc == CS_RESULT_OK)
        report_answer(&answer, retried);
    else
        report_library_error(rc, status);
done:
    fflush(stdout);
    cs_v2_answer_free(&answer);
    cs_v2_request_free(retry);
    cs_v2_request_free(request);
    cs_v2_client_free(client);
    free(body);
    free(body_hex);
    free(content_type);
    free(method);
    free(url);
    free(server_key);
}

int main(int argc, char **argv) {
    if (argc != 3 || strcmp(argv[1], "--key") != 0) {
        fprintf(stderr, "usage: c-client-v2 --key HEX < requests (JSON lines)\n");
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        if (n > 1 || line[0] != '\n')
            run_one(argv[2], line, (size_t)n);
    }
    free(line);
    return 0;
}
