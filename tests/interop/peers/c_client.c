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

#include "c_http.h" /* first: it sets _POSIX_C_SOURCE */

#include <crypto_sessions.h>

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
    size_t cap = request->authorization.len + (request->content_type.data ? request->content_type.len : 0) + 64;
    char *headers = malloc(cap);
    if (!headers) {
        *why = "out of memory";
        return -1;
    }
    snprintf(headers, cap, "Authorization: %s\r\n%s%s%s", (const char *)request->authorization.data,
             request->content_type.data ? "Content-Type: " : "",
             request->content_type.data ? (const char *)request->content_type.data : "",
             request->content_type.data ? "\r\n" : "");
    int rc = http_exchange(request->method, (const char *)request->url.data, headers, request->body.data,
                           request->body.data ? request->body.len : 0, raw, raw_len, why);
    free(headers);
    return rc;
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
    struct http_answer answer = {0};
    struct http_header authorization = {"authorization", NULL, 0};
    if (exchange(&request, &raw, &raw_len, &why) != 0) {
        exit_code = report_error("network", why, 0);
    } else if ((why = http_parse_answer(raw, raw_len, &answer, &authorization, 1)) != NULL) {
        exit_code = report_error("malformed_answer", why, 0);
    } else {
        cs_bytes plaintext = {0}, revived = {0};
        rc = cs_client_open(client, (uint16_t)answer.status, authorization.value, authorization.value_len,
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
