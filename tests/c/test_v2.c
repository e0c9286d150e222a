/*
 * Protocol v2 through the C API: tests/vectors/v2.json's `server` and `request`
 * sections replayed at the vectors' `now` (cs_v2_server_config_set_test_clock), its
 * `answer_checks` through cs_v2_check_answer, exchanges between the C client and the C server (answers, rejections, the signed
 * stale answer and its one retry, v1 on a server accepting it), and hostile callers.
 *
 * CRYPTO_SESSIONS_V2_VECTORS=<file> runs another file of the same format. The program
 * fails, never skips, when the file cannot be read or a section is missing or empty.
 */
#include "vectors.h"

#include <time.h>

#ifndef CS_DEFAULT_V2_VECTORS
#error "compile with -DCS_DEFAULT_V2_VECTORS='\"path/to/v2.json\"'"
#endif

static const char *str_of(json v) {
    size_t len = 0;
    char *s = json_string(v, &len);
    return s ? keep(s) : NULL;
}

static uint64_t u64_field(json obj, const char *key) {
    json v = json_get(obj, key);
    CHECK_MSG(v.at != NULL && v.len > 0 && v.at[0] >= '0' && v.at[0] <= '9', "field \"%s\" is not a number", key);
    return v.at ? strtoull(v.at, NULL, 10) : 0;
}

static double f64_field(json obj, const char *key) {
    json v = json_get(obj, key);
    CHECK_MSG(v.at != NULL && v.len > 0, "field \"%s\" is missing", key);
    return v.at ? strtod(v.at, NULL) : 0;
}

static bool text_is(cs_bytes b, const char *expected) { return text_equal(b, expected); }

/* The admission hook's state: the denied x-only keys. */
typedef struct {
    uint8_t keys[16][32];
    size_t count;
    unsigned long calls;
} denied_list;

static bool admit(void *context, const uint8_t *client) {
    denied_list *d = context;
    d->calls++;
    for (size_t i = 0; i < d->count; i++)
        if (memcmp(d->keys[i], client, 32) == 0) return false;
    return true;
}

static void load_denied(denied_list *d, json list) {
    d->count = 0;
    for (size_t i = 0; i < json_count(list) && i < 16; i++, d->count++) {
        size_t len = 0;
        const uint8_t *k = hex_decode(str_of(json_at(list, i)), &len);
        CHECK(k && len == 32);
        if (k) memcpy(d->keys[i], k, 32);
        free((void *)k);
    }
}

static uint16_t status_of(const char *code) {
    if (!strcmp(code, "too_large")) return 413;
    if (!strcmp(code, "forbidden")) return 403;
    if (!strcmp(code, "busy")) return 503;
    return 401;
}

/* The x-only key and kid of a secret, as hex (kept). */
static const char *xonly_hex(const char *secret) {
    uint8_t pk[CS_V2_PUBLIC_KEY_LEN], kid[CS_V2_KID_LEN];
    CHECK_OK(cs_v2_public_key_from_secret(BYT(secret), pk, sizeof pk, kid, sizeof kid));
    return keep(hex_of(pk, sizeof pk));
}

static void test_keys(json all) {
    json s = section(all, "keys");
    for (size_t i = 0; i < json_count(s); i++, release()) {
        json v = json_at(s, i);
        uint8_t pk[CS_V2_PUBLIC_KEY_LEN], kid[CS_V2_KID_LEN];
        CHECK_OK(cs_v2_public_key_from_secret(BYT(field(v, "secret")), pk, sizeof pk, kid, sizeof kid));
        CHECK_MSG(hex_equals(pk, sizeof pk, field(v, "xonly")), "keys[%zu]: xonly", i);
        CHECK_MSG(hex_equals(kid, sizeof kid, field(v, "kid")), "keys[%zu]: kid", i);
    }
}

static unsigned long steps_run, stale_answers;

static void test_server(json all) {
    json s = section(all, "server");
    for (size_t i = 0; i < json_count(s); i++, release()) {
        json sc = json_at(s, i);
        const char *name = field(sc, "name");
        cs_v2_server_config *config = NULL;
        CHECK_OK(cs_v2_server_config_new(&config));
        json secrets = json_get(sc, "server_secrets"), origins = json_get(sc, "origins");
        for (size_t k = 0; k < json_count(secrets); k++)
            CHECK_OK(cs_v2_server_config_add_key(config, BYT(str_of(json_at(secrets, k)))));
        for (size_t k = 0; k < json_count(origins); k++)
            CHECK_OK(cs_v2_server_config_add_origin(config, TXT(str_of(json_at(origins, k)))));
        CHECK_OK(cs_v2_server_config_set_max_age(config, u64_field(sc, "max_age")));
        CHECK_OK(cs_v2_server_config_set_max_skew(config, u64_field(sc, "max_skew")));
        CHECK_OK(cs_v2_server_config_set_max_body(config, u64_field(sc, "max_body")));
        CHECK_OK(cs_v2_server_config_set_replay_capacity(config, (size_t)u64_field(sc, "replay_capacity")));
        CHECK_OK(cs_v2_server_config_set_test_clock(config, 0, f64_field(sc, "replay_store_created")));
        static denied_list denied;
        memset(&denied, 0, sizeof denied);
        if (json_get(sc, "denied_clients").at) load_denied(&denied, json_get(sc, "denied_clients"));
        CHECK_OK(cs_v2_server_config_set_admission(config, admit, &denied));
        cs_v2_server *server = NULL;
        CHECK_OK(cs_v2_server_new(config, &server));
        cs_v2_server_config_free(config);
        if (!server) continue;

        json steps = section(sc, "steps");
        for (size_t j = 0; j < json_count(steps); j++) {
            json step = json_at(steps, j);
            const char *method = field(step, "method"), *target = field(step, "target");
            const char *expect = field(step, "expect");
            CHECK_OK(cs_v2_server_set_test_now(server, u64_field(step, "now")));
            if (json_get(step, "denied_clients").at) load_denied(&denied, json_get(step, "denied_clients"));
            cs_str fields[8];
            size_t nfields = 0;
            json list = json_get(step, "authorization_fields");
            if (list.at) {
                for (; nfields < json_count(list) && nfields < 8; nfields++) {
                    const char *f = str_of(json_at(list, nfields));
                    fields[nfields] = (cs_str){f, strlen(f)};
                }
            } else {
                const char *f = field(step, "authorization");
                fields[0] = (cs_str){f, strlen(f)};
                nfields = 1;
            }
            size_t body_len = 0;
            const uint8_t *body = hex_field(step, "body_hex", &body_len);
            uint64_t content_length = body_len;
            cs_v2_authenticated *request = NULL;
            cs_v2_rejection rejection = {0};
            cs_result rc = cs_v2_server_authenticate(server, TXT(method), TXT(target), fields, nfields,
                                                     &content_length, body, body_len, &request, &rejection);
            steps_run++;
            if (!strcmp(expect, "ok")) {
                CHECK_MSG(rc == CS_RESULT_OK, "%s[%zu] %s %s: %s", name, j, method, target, last_error());
                if (rc != CS_RESULT_OK) continue;
                uint8_t version = 0;
                CHECK_OK(cs_v2_authenticated_version(request, &version));
                CHECK(version == 2);
                cs_bytes key = {0}, ct = {0}, payload = {0};
                CHECK_OK(cs_v2_authenticated_client_key(request, &key));
                CHECK_OK(cs_v2_authenticated_content_type(request, &ct));
                CHECK_OK(cs_v2_authenticated_payload(request, &payload));
                CHECK_MSG(key.len == 32 && hex_equals(key.data, key.len, field(step, "client_xonly")),
                          "%s[%zu]: client key", name, j);
                CHECK_MSG(text_is(ct, field(step, "content_type")), "%s[%zu]: content type", name, j);
                CHECK_MSG(hex_equals(payload.data, payload.len, field(step, "payload_hex")), "%s[%zu]: payload",
                          name, j);
                /* Its answer seals (no body for HEAD). */
                bool head = !strcmp(method, "HEAD");
                cs_v2_sealed sealed = {0};
                CHECK_OK(cs_v2_server_seal(server, request, 200, head ? "" : "application/json",
                                           head ? 0 : 16, BYT(head ? "" : "{\"ok\":true}"), &sealed));
                CHECK(sealed.status == 200 && sealed.header_name && !strcmp(sealed.header_name, "Crypto-Session"));
                CHECK(sealed.header_value.len > 0 && (head ? sealed.body.len == 0 : sealed.body.len > 0));
                CHECK(head ? sealed.content_type.data == NULL
                           : text_is(sealed.content_type, "application/vnd.crypto-session.v2"));
                cs_v2_sealed_free(&sealed);
                cs_bytes_free(&key);
                cs_bytes_free(&ct);
                cs_bytes_free(&payload);
                cs_v2_authenticated_free(request);
            } else {
                CHECK_MSG(rc != CS_RESULT_OK && !strcmp(cs_result_message(rc), expect),
                          "%s[%zu] %s %s: got %s, expected %s", name, j, method, target, cs_result_message(rc),
                          expect);
                CHECK(request == NULL);
                CHECK_MSG(rejection.code == rc && rejection.is_v2 && rejection.status == status_of(expect),
                          "%s[%zu]: rejection %u/%u", name, j, (unsigned)rejection.code, rejection.status);
                char want[64];
                snprintf(want, sizeof want, "CryptoSession error=\"%s\"", expect);
                CHECK_MSG(text_is(rejection.www_authenticate, want), "%s[%zu]: WWW-Authenticate", name, j);
                json stale = json_get(step, "stale_answer");
                bool signed_stale = stale.at && stale.len == 4 && !memcmp(stale.at, "true", 4);
                CHECK_MSG((rejection.crypto_session.data != NULL) == signed_stale, "%s[%zu]: stale answer",
                          name, j);
                if (signed_stale) stale_answers++;
                cs_v2_rejection_free(&rejection);
                CHECK(rejection.www_authenticate.data == NULL);
            }
        }
        cs_v2_server_free(server);
    }
    CHECK(steps_run > 0 && stale_answers > 0);
}

/* Each request vector authenticates on a server of its key at its `created`. */
static void test_request(json all) {
    json s = section(all, "request"), keys = section(all, "keys");
    for (size_t i = 0; i < json_count(s); i++, release()) {
        json v = json_at(s, i);
        const char *server_xonly = field(v, "server_xonly"), *server_secret = NULL;
        for (size_t k = 0; k < json_count(keys); k++)
            if (!strcmp(field(json_at(keys, k), "xonly"), server_xonly)) server_secret = field(json_at(keys, k), "secret");
        CHECK_MSG(server_secret != NULL, "request[%zu]: the server key is not in `keys`", i);
        if (!server_secret) continue;
        cs_v2_server_config *config = NULL;
        CHECK_OK(cs_v2_server_config_new(&config));
        CHECK_OK(cs_v2_server_config_add_key(config, BYT(server_secret)));
        CHECK_OK(cs_v2_server_config_add_origin(config, TXT(field(v, "origin"))));
        CHECK_OK(cs_v2_server_config_set_test_clock(config, u64_field(v, "created"), 0));
        cs_v2_server *server = NULL;
        CHECK_OK(cs_v2_server_new(config, &server));
        cs_v2_server_config_free(config);
        size_t body_len;
        const uint8_t *body = hex_field(v, "body_hex", &body_len);
        const char *auth = field(v, "authorization");
        cs_str fields[1] = {{auth, strlen(auth)}};
        cs_v2_authenticated *request = NULL;
        cs_v2_rejection rejection = {0};
        CHECK_OK(cs_v2_server_authenticate(server, TXT(field(v, "method")), TXT(field(v, "target")), fields, 1,
                                           NULL, body, body_len, &request, &rejection));
        cs_bytes key = {0}, ct = {0}, payload = {0};
        CHECK_OK(cs_v2_authenticated_client_key(request, &key));
        CHECK_OK(cs_v2_authenticated_content_type(request, &ct));
        CHECK_OK(cs_v2_authenticated_payload(request, &payload));
        CHECK_MSG(key.data && hex_equals(key.data, key.len, xonly_hex(field(v, "client_secret"))), "request[%zu]", i);
        CHECK_MSG(text_is(ct, field(v, "content_type")), "request[%zu]: content type", i);
        CHECK_MSG(payload.data && hex_equals(payload.data, payload.len, field(v, "payload_hex")), "request[%zu]", i);
        cs_bytes_free(&key);
        cs_bytes_free(&ct);
        cs_bytes_free(&payload);
        cs_v2_authenticated_free(request);
        cs_v2_server_free(server);
    }
}

/* The answer_checks section: each response checked against the request token it
 * answers (cs_v2_check_answer), as the kind the vector names. */
static void test_answer_checks(json all) {
    json s = section(all, "answer_checks");
    unsigned long ok = 0, refused = 0;
    for (size_t i = 0; i < json_count(s); i++, release()) {
        json v = json_at(s, i);
        const char *name = field(v, "name");
        size_t token_len = 0, body_len = 0;
        const uint8_t *token = hex_field(v, "request_token", &token_len);
        const uint8_t *body = hex_field(v, "body_hex", &body_len);
        bool stale = strcmp(field(v, "kind"), "stale") == 0;
        cs_v2_answer answer = {0};
        uint64_t server_time = 0;
        cs_result rc = cs_v2_check_answer(BYT(field(v, "client_secret")), BYT(field(v, "server_xonly")), TXT("POST"),
                                          token, token_len, (uint16_t)u64_field(v, "status"),
                                          TXT(field(v, "crypto_session_header")), body, body_len, stale, &answer,
                                          &server_time);
        if (strcmp(field(v, "expect"), "ok") != 0) {
            CHECK_MSG(rc == CS_RESULT_V2_INVALID_ANSWER, "answer_checks %s: result %u, want invalid_answer", name,
                      (unsigned)rc);
            refused++;
        } else if (stale) {
            CHECK_MSG(rc == CS_RESULT_OK, "answer_checks %s: result %u", name, (unsigned)rc);
            CHECK_MSG(server_time == u64_field(v, "server_time"), "answer_checks %s: server time", name);
            ok++;
        } else {
            size_t payload_len = 0;
            const uint8_t *payload = hex_field(v, "payload_hex", &payload_len);
            CHECK_MSG(rc == CS_RESULT_OK, "answer_checks %s: result %u", name, (unsigned)rc);
            CHECK_MSG(rc != CS_RESULT_OK || bytes_equal(answer.payload, payload, payload_len),
                      "answer_checks %s: payload", name);
            CHECK_MSG(rc != CS_RESULT_OK || text_is(answer.content_type, field(v, "content_type")),
                      "answer_checks %s: content type", name);
            ok++;
        }
        cs_v2_answer_free(&answer);
    }
    CHECK_MSG(ok > 0 && refused > 0, "answer_checks: %lu accepted, %lu refused", ok, refused);
    /* The first (valid) answer taken as a signed stale answer: refused. A token of the
     * wrong size: malformed input. No output: a NULL argument. */
    json first = json_at(s, 0);
    size_t token_len = 0, body_len = 0;
    const uint8_t *token = hex_field(first, "request_token", &token_len);
    const uint8_t *body = hex_field(first, "body_hex", &body_len);
    cs_v2_answer answer = {0};
    uint64_t server_time = 0;
    CHECK_RC(cs_v2_check_answer(BYT(field(first, "client_secret")), BYT(field(first, "server_xonly")), TXT("POST"),
                                token, token_len, (uint16_t)u64_field(first, "status"),
                                TXT(field(first, "crypto_session_header")), body, body_len, true, &answer,
                                &server_time),
             CS_RESULT_V2_INVALID_ANSWER);
    CHECK_RC(cs_v2_check_answer(BYT(field(first, "client_secret")), BYT(field(first, "server_xonly")), TXT("POST"),
                                token, token_len - 1, (uint16_t)u64_field(first, "status"),
                                TXT(field(first, "crypto_session_header")), body, body_len, false, &answer,
                                &server_time),
             CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_v2_check_answer(BYT(field(first, "client_secret")), BYT(field(first, "server_xonly")), TXT("POST"),
                                token, token_len, (uint16_t)u64_field(first, "status"),
                                TXT(field(first, "crypto_session_header")), body, body_len, false, NULL,
                                &server_time),
             CS_RESULT_NULL_ARGUMENT);
    release();
}

static const char *SERVER_SECRET = "b28267ad37f11a8c7a80a5a263d4fc19e8f0f82b7c9aeec83429a9df11351aa8";
static const char *CLIENT_SECRET = "f4d291c8ac1cb9f2af595990b9953127b2d66df37af5c5e22e9724e027fb4031";
static const char *ORIGIN = "https://api.example.com";

static cs_v2_server *make_server(bool accept_v1, long clock_ahead) {
    cs_v2_server_config *config = NULL;
    CHECK_OK(cs_v2_server_config_new(&config));
    CHECK_OK(cs_v2_server_config_add_key(config, BYT(SERVER_SECRET)));
    CHECK_OK(cs_v2_server_config_add_origin(config, TXT(ORIGIN)));
    CHECK_OK(cs_v2_server_config_set_accept_v1(config, accept_v1));
    /* The test clock with a store created long ago: no restart guard to wait out. */
    CHECK_OK(cs_v2_server_config_set_test_clock(config, (uint64_t)(time(NULL) + clock_ahead), 0));
    cs_v2_server *server = NULL;
    CHECK_OK(cs_v2_server_new(config, &server));
    cs_v2_server_config_free(config);
    return server;
}

/* Send a prepared request to the server: authenticate, answer with `answer`. */
typedef struct {
    uint16_t status;
    cs_bytes crypto_session, www_authenticate, body;
} response;

static void response_free(response *r) {
    cs_bytes_free(&r->crypto_session);
    cs_bytes_free(&r->www_authenticate);
    cs_bytes_free(&r->body);
}

static response serve(cs_v2_server *server, cs_v2_request *req, const char *target, const char *answer) {
    response out = {0};
    cs_v2_request_parts parts = {0};
    CHECK_OK(cs_v2_request_parts_get(req, &parts));
    cs_str auth = {(const char *)parts.authorization.data, parts.authorization.len};
    cs_v2_authenticated *request = NULL;
    cs_v2_rejection rejection = {0};
    cs_result rc = cs_v2_server_authenticate(server, (const char *)parts.method.data, parts.method.len, TXT(target),
                                             &auth, 1, NULL, parts.body.data, parts.body.len, &request, &rejection);
    if (rc == CS_RESULT_OK) {
        cs_v2_sealed sealed = {0};
        CHECK_OK(cs_v2_server_seal(server, request, 200, TXT("text/plain"), BYT(answer), &sealed));
        out.status = sealed.status;
        out.crypto_session = sealed.header_value;
        out.body = sealed.body;
        sealed.header_value = (cs_bytes){0};
        sealed.body = (cs_bytes){0};
        cs_v2_sealed_free(&sealed);
        cs_v2_authenticated_free(request);
    } else {
        out.status = rejection.status;
        out.www_authenticate = rejection.www_authenticate;
        out.crypto_session = rejection.crypto_session;
        out.body = (cs_bytes){0};
    }
    cs_v2_request_parts_free(&parts);
    return out;
}

static cs_result open_response(cs_v2_client *client, cs_v2_request *req, response *r, cs_v2_answer *answer,
                               cs_v2_request **retry) {
    return cs_v2_client_open(client, req, r->status, (const char *)r->crypto_session.data, r->crypto_session.len,
                             (const char *)r->www_authenticate.data, r->www_authenticate.len, r->body.data,
                             r->body.len, answer, retry);
}

static void test_exchange(void) {
    uint8_t server_pk[32], kid[8];
    CHECK_OK(cs_v2_public_key_from_secret(BYT(SERVER_SECRET), server_pk, 32, kid, 8));
    cs_v2_client *client = NULL;
    CHECK_OK(cs_v2_client_new(BYT(CLIENT_SECRET), server_pk, 32, &client));
    cs_v2_server *server = make_server(false, 0);

    /* Any method; the answer verifies and carries its content type. */
    const char *methods[] = {"GET", "POST", "DELETE", "PATCH"};
    for (size_t i = 0; i < 4; i++) {
        bool body = i % 2 == 1;
        cs_v2_request *req = NULL;
        CHECK_OK(cs_v2_client_prepare(client, TXT(methods[i]), TXT("https://api.example.com/items/7?x=1"),
                                      TXT(body ? "application/json" : ""), BYT(body ? "{\"n\":1}" : ""), &req));
        cs_v2_request_parts parts = {0};
        CHECK_OK(cs_v2_request_parts_get(req, &parts));
        CHECK(text_is(parts.method, methods[i]) && text_is(parts.url, "https://api.example.com/items/7?x=1"));
        CHECK(parts.authorization.len > 14 && !memcmp(parts.authorization.data, "CryptoSession ", 14));
        CHECK(body ? text_is(parts.content_type, "application/vnd.crypto-session.v2") && text_is(parts.cache_control, "no-transform")
                   : parts.content_type.data == NULL && parts.body.len == 0);
        cs_v2_request_parts_free(&parts);
        response r = serve(server, req, "/items/7?x=1", "pong");
        cs_v2_answer answer = {0};
        cs_v2_request *retry = NULL;
        CHECK_OK(open_response(client, req, &r, &answer, &retry));
        if (!r.body.data) abort(); /* the checks above failed: no answer to tamper with */
        CHECK(answer.status == 200 && text_is(answer.payload, "pong") && text_is(answer.content_type, "text/plain"));
        cs_v2_answer_free(&answer);
        /* One flipped byte of the body: invalid_answer, and no output. */
        r.body.data[r.body.len / 2] ^= 1;
        cs_v2_answer untouched = {0};
        CHECK_RC(open_response(client, req, &r, &untouched, &retry), CS_RESULT_V2_INVALID_ANSWER);
        CHECK(untouched.payload.data == NULL && retry == NULL);
        /* The answer to another status is invalid too. */
        r.body.data[r.body.len / 2] ^= 1;
        r.status = 201;
        CHECK_RC(open_response(client, req, &r, &untouched, &retry), CS_RESULT_V2_INVALID_ANSWER);
        /* Replayed: the same request again is rejected, and the client reads the code. */
        response again = serve(server, req, "/items/7?x=1", "pong");
        CHECK(again.status == 401 && text_is(again.www_authenticate, "CryptoSession error=\"replayed\""));
        CHECK_RC(open_response(client, req, &again, &untouched, &retry), CS_RESULT_V2_REPLAYED);
        response_free(&again);
        response_free(&r);
        cs_v2_request_free(req);
    }
    /* Another path than the one signed: invalid_signature. */
    cs_v2_request *req = NULL;
    CHECK_OK(cs_v2_client_prepare(client, TXT("GET"), TXT("https://api.example.com/a"), TXT(""), NULL, 0, &req));
    response r = serve(server, req, "/b", "");
    CHECK(r.status == 401 && text_is(r.www_authenticate, "CryptoSession error=\"invalid_signature\""));
    CHECK(r.crypto_session.data == NULL);
    response_free(&r);
    cs_v2_request_free(req);
    /* A 401 without WWW-Authenticate: CryptoSession is no answer. */
    CHECK_OK(cs_v2_client_prepare(client, TXT("GET"), TXT("https://api.example.com/a"), TXT(""), NULL, 0, &req));
    cs_v2_answer answer = {0};
    cs_v2_request *retry = NULL;
    CHECK_RC(cs_v2_client_open(client, req, 401, NULL, 0, TXT("Basic"), NULL, 0, &answer, &retry),
             CS_RESULT_V2_INVALID_ANSWER);
    cs_v2_request_free(req);
    cs_v2_server_free(server);

    /* A server whose clock is 120 s ahead: signed stale answer, offset, one retry. */
    server = make_server(false, 120);
    CHECK_OK(cs_v2_client_prepare(client, TXT("POST"), TXT("https://api.example.com/pay"), TXT("text/plain"),
                                  BYT("42"), &req));
    r = serve(server, req, "/pay", "paid");
    CHECK(r.status == 401 && r.crypto_session.data != NULL);
    retry = NULL;
    CHECK_RC(open_response(client, req, &r, &answer, &retry), CS_RESULT_V2_STALE);
    CHECK(retry != NULL);
    int64_t offset = 0;
    CHECK_OK(cs_v2_client_clock_offset(client, &offset));
    CHECK_MSG(offset >= 118 && offset <= 122, "clock offset %lld", (long long)offset);
    response_free(&r);
    if (retry) {
        response r2 = serve(server, retry, "/pay", "paid");
        CHECK_OK(open_response(client, retry, &r2, &answer, &(cs_v2_request *){NULL}));
        CHECK(text_is(answer.payload, "paid"));
        cs_v2_answer_free(&answer);
        response_free(&r2);
        /* A stale answer to the retry allows no second retry. */
        CHECK_OK(cs_v2_server_set_test_now(server, (uint64_t)time(NULL) + 3000));
        cs_v2_request *retry2 = (cs_v2_request *)&answer; /* must be overwritten with NULL */
        response r3 = serve(server, retry, "/pay", "paid");
        CHECK_RC(open_response(client, retry, &r3, &answer, &retry2), CS_RESULT_V2_STALE);
        CHECK(retry2 == NULL);
        response_free(&r3);
        cs_v2_request_free(retry);
    }
    cs_v2_request_free(req);
    cs_v2_server_free(server);
    cs_v2_client_free(client);
}

/* CORS: a server's exposed headers name Authorization (where a v1 answer travels)
   exactly when it accepts v1. */
static void test_exposed_headers(void) {
    const char *exposed = NULL;
    cs_v2_server *v2_only = make_server(false, 0);
    CHECK_OK(cs_v2_server_exposed_headers(v2_only, &exposed));
    CHECK(exposed && strcmp(exposed, "Crypto-Session, WWW-Authenticate") == 0);
    cs_v2_server *both = make_server(true, 0);
    CHECK_OK(cs_v2_server_exposed_headers(both, &exposed));
    CHECK(exposed && strcmp(exposed, "Crypto-Session, WWW-Authenticate, Authorization") == 0);
    CHECK(cs_v2_server_exposed_headers(NULL, &exposed) == CS_RESULT_NULL_ARGUMENT);
    CHECK(cs_v2_server_exposed_headers(both, NULL) == CS_RESULT_NULL_ARGUMENT);
    cs_v2_server_free(v2_only);
    cs_v2_server_free(both);
}

/* v1 on a server accepting it: authenticates as version 1 with a 33-byte key. */
static void test_v1_on_v2_server(void) {
    cs_v2_server *server = make_server(true, 0);
    uint8_t pk[CS_PUBLIC_KEY_LEN];
    CHECK_OK(cs_public_key_from_secret(BYT(SERVER_SECRET), pk, sizeof pk));
    cs_client *client = NULL;
    CHECK_OK(cs_client_new(pk, sizeof pk, BYT(CLIENT_SECRET), TXT(ORIGIN), &client));
    cs_request req;
    CHECK_OK(cs_client_prepare(client, TXT("POST"), TXT("/v1"), BYT("{\"a\":1}"), &req));
    cs_str auth = {(const char *)req.authorization.data, req.authorization.len};
    cs_v2_authenticated *request = NULL;
    cs_v2_rejection rejection = {0};
    CHECK_OK(cs_v2_server_authenticate(server, TXT("POST"), TXT("/v1"), &auth, 1, NULL, req.body.data, req.body.len,
                                       &request, &rejection));
    uint8_t version = 0;
    CHECK_OK(cs_v2_authenticated_version(request, &version));
    CHECK(version == 1);
    cs_bytes key = {0}, payload = {0};
    CHECK_OK(cs_v2_authenticated_client_key(request, &key));
    CHECK(key.len == 33);
    CHECK_OK(cs_v2_authenticated_payload(request, &payload));
    CHECK(text_is(payload, "{\"a\":1}"));
    cs_v2_sealed sealed = {0};
    CHECK_OK(cs_v2_server_seal(server, request, 200, TXT(""), BYT("ok"), &sealed));
    CHECK(!strcmp(sealed.header_name, "authorization"));
    cs_bytes opened = {0};
    CHECK_OK(cs_client_open(client, 200, (const char *)sealed.header_value.data, sealed.header_value.len,
                            (const char *)sealed.body.data, sealed.body.len, &opened));
    CHECK(text_is(opened, "ok"));
    /* A bad v1 token: rejected without a v2 code. */
    auth.len = 10;
    cs_v2_authenticated *none = NULL;
    CHECK_RC(cs_v2_server_authenticate(server, TXT("POST"), TXT("/v1"), &auth, 1, NULL, req.body.data, req.body.len,
                                       &none, &rejection),
             CS_RESULT_V2_REJECTED);
    CHECK(none == NULL && !rejection.is_v2 && rejection.status == 401 &&
          text_is(rejection.www_authenticate, "CryptoSession"));
    cs_v2_rejection_free(&rejection);
    cs_bytes_free(&opened);
    cs_v2_sealed_free(&sealed);
    cs_bytes_free(&key);
    cs_bytes_free(&payload);
    cs_v2_authenticated_free(request);
    cs_bytes_free(&req.url);
    cs_bytes_free(&req.authorization);
    cs_bytes_free(&req.content_type);
    cs_bytes_free(&req.body);
    cs_client_free(client);
    cs_v2_server_free(server);
}

static void test_hostile(void) {
    /* Configurations the core refuses. */
    cs_v2_server_config *config = NULL;
    CHECK_OK(cs_v2_server_config_new(&config));
    cs_v2_server *server = (cs_v2_server *)&config; /* must stay untouched */
    cs_v2_server *const sentinel = server;
    CHECK_RC(cs_v2_server_new(config, &server), CS_RESULT_MALFORMED_INPUT);
    CHECK_ERROR_SAYS("no server key");
    CHECK(server == sentinel);
    CHECK_RC(cs_v2_server_config_add_key(config, BYT("00")), CS_RESULT_INVALID_KEY);
    CHECK_OK(cs_v2_server_config_add_key(config, BYT(SERVER_SECRET)));
    CHECK_OK(cs_v2_server_config_add_origin(config, TXT("not an origin")));
    CHECK_RC(cs_v2_server_new(config, &server), CS_RESULT_MALFORMED_INPUT);
    cs_v2_server_config_free(config);
    CHECK_OK(cs_v2_server_config_new(&config));
    CHECK_OK(cs_v2_server_config_add_key(config, BYT(SERVER_SECRET)));
    CHECK_OK(cs_v2_server_config_add_origin(config, TXT(ORIGIN)));
    CHECK_OK(cs_v2_server_config_set_max_skew(config, 1));
    CHECK_RC(cs_v2_server_new(config, &server), CS_RESULT_MALFORMED_INPUT);
    CHECK_ERROR_SAYS("max_skew");
    CHECK_OK(cs_v2_server_config_set_max_skew(config, 5));
    CHECK_OK(cs_v2_server_config_set_replay(config, TXT("bogus://x")));
    CHECK_RC(cs_v2_server_new(config, &server), CS_RESULT_V2_BUSY);
    CHECK_OK(cs_v2_server_config_set_replay(config, TXT("memory")));
    CHECK_RC(cs_v2_server_config_set_test_clock(config, 0, -1.0), CS_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cs_v2_server_config_add_origin(config, "\xff", 1), CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_v2_server_config_add_origin(NULL, TXT(ORIGIN)), CS_RESULT_NULL_ARGUMENT);
    CHECK_OK(cs_v2_server_new(config, &server));
    CHECK_RC(cs_v2_server_set_test_now(server, 1), CS_RESULT_INVALID_ARGUMENT);

    /* Handles of the wrong type. */
    CHECK_RC(cs_v2_server_new((cs_v2_server_config *)server, &server), CS_RESULT_INVALID_HANDLE);
    cs_v2_client_free((cs_v2_client *)server); /* ignored */
    cs_v2_server_config_free(config);

    const char *auth = "CryptoSession AAAA";
    cs_str fields[2] = {{auth, strlen(auth)}, {auth, strlen(auth)}};
    cs_v2_authenticated *request = NULL;
    cs_v2_rejection rejection = {0};
    /* Misuse: nothing written. */
    CHECK_RC(cs_v2_server_authenticate(server, TXT("GET"), TXT("/"), fields, 1, NULL, NULL, 0, NULL, &rejection),
             CS_RESULT_NULL_ARGUMENT);
    CHECK_RC(cs_v2_server_authenticate(server, TXT("GET"), TXT("/"), NULL, 1, NULL, NULL, 0, &request, &rejection),
             CS_RESULT_NULL_ARGUMENT);
    CHECK_RC(cs_v2_server_authenticate(server, TXT("GET"), TXT("/"), fields, SIZE_MAX / 2, NULL, NULL, 0, &request,
                                       &rejection),
             CS_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cs_v2_server_authenticate(server, "\xc3", 1, TXT("/"), fields, 1, NULL, NULL, 0, &request, &rejection),
             CS_RESULT_MALFORMED_INPUT);
    cs_str bad_utf8 = {"\xff", 1};
    CHECK_RC(cs_v2_server_authenticate(server, TXT("GET"), TXT("/"), &bad_utf8, 1, NULL, NULL, 0, &request, &rejection),
             CS_RESULT_MALFORMED_INPUT);
    CHECK(request == NULL && rejection.www_authenticate.data == NULL);
    /* Misaligned array of cs_str. */
    unsigned char raw[sizeof(cs_str) * 2 + 1];
    memcpy(raw + 1, fields, sizeof(cs_str));
    CHECK_RC(cs_v2_server_authenticate(server, TXT("GET"), TXT("/"), (const cs_str *)(void *)(raw + 1), 1, NULL, NULL,
                                       0, &request, &rejection),
             CS_RESULT_INVALID_ARGUMENT);
    /* Protocol rejections: no field, two fields, a short token, a large Content-Length. */
    CHECK_RC(cs_v2_server_authenticate(server, TXT("GET"), TXT("/"), NULL, 0, NULL, NULL, 0, &request, &rejection),
             CS_RESULT_V2_MALFORMED);
    cs_v2_rejection_free(&rejection);
    CHECK_RC(cs_v2_server_authenticate(server, TXT("GET"), TXT("/"), fields, 2, NULL, NULL, 0, &request, &rejection),
             CS_RESULT_V2_MALFORMED);
    CHECK_ERROR_SAYS("2 Authorization fields");
    cs_v2_rejection_free(&rejection);
    uint64_t huge = UINT64_MAX;
    CHECK_RC(cs_v2_server_authenticate(server, TXT("POST"), TXT("/"), fields, 1, &huge, NULL, 0, &request, &rejection),
             CS_RESULT_V2_TOO_LARGE);
    CHECK(rejection.status == 413);
    cs_v2_rejection_free(&rejection);
    cs_v2_rejection_free(&rejection); /* twice: harmless */
    cs_v2_rejection_free(NULL);
    CHECK(request == NULL);

    /* Client misuse. */
    cs_v2_client *client = NULL;
    CHECK_RC(cs_v2_client_new(BYT(CLIENT_SECRET), BYT("abcd"), &client), CS_RESULT_INVALID_KEY);
    uint8_t pk[32], kid[8];
    CHECK_RC(cs_v2_public_key_from_secret(BYT(SERVER_SECRET), pk, 31, kid, 8), CS_RESULT_BUFFER_TOO_SMALL);
    /* Overlapping outputs are refused. */
    CHECK_RC(cs_v2_public_key_from_secret(BYT(SERVER_SECRET), pk, 32, pk + 4, 8), CS_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cs_v2_server_authenticate(server, TXT("GET"), TXT("/"), fields, 1, NULL, NULL, 0,
                                       (cs_v2_authenticated **)(void *)&rejection, &rejection),
             CS_RESULT_INVALID_ARGUMENT);
    CHECK_OK(cs_v2_public_key_from_secret(BYT(SERVER_SECRET), pk, 32, kid, 8));
    char pk_hex[65];
    char *h = hex_of(pk, 32);
    memcpy(pk_hex, h, 65);
    free(h);
    CHECK_OK(cs_v2_client_new(BYT(CLIENT_SECRET), BYT(pk_hex), &client));
    cs_v2_request *req = NULL;
    CHECK_RC(cs_v2_client_prepare(client, TXT("GE T"), TXT("https://a.example/"), TXT(""), NULL, 0, &req),
             CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_v2_client_prepare(client, TXT("GET"), TXT("/relative"), TXT(""), NULL, 0, &req),
             CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_v2_client_prepare((cs_v2_client *)server, TXT("GET"), TXT("https://a.example/"), TXT(""), NULL, 0,
                                  &req),
             CS_RESULT_INVALID_HANDLE);
    CHECK(req == NULL);
    CHECK_OK(cs_v2_client_prepare(client, TXT("GET"), TXT("https://a.example/"), TXT(""), NULL, 0, &req));
    cs_v2_answer answer = {0};
    CHECK_RC(cs_v2_client_open(client, req, 200, NULL, 0, NULL, 0, NULL, 0, &answer, NULL), CS_RESULT_NULL_ARGUMENT);
    cs_v2_request *retry = NULL;
    CHECK_RC(cs_v2_client_open(client, req, 200, TXT("garbage"), NULL, 0, NULL, 0, &answer, &retry),
             CS_RESULT_V2_INVALID_ANSWER);
    CHECK_RC(cs_v2_client_open(client, req, 401, NULL, 0, TXT("CryptoSession error=\"nonsense\""), NULL, 0, &answer,
                               &retry),
             CS_RESULT_V2_INVALID_ANSWER);
    CHECK_RC(cs_v2_client_open(client, req, 503, NULL, 0, TXT("cryptosession error=\"busy\""), NULL, 0, &answer,
                               &retry),
             CS_RESULT_V2_BUSY);
    CHECK(answer.payload.data == NULL && retry == NULL);
    /* A request handle where a client is expected. */
    CHECK_RC(cs_v2_client_open((cs_v2_client *)req, req, 200, NULL, 0, NULL, 0, NULL, 0, &answer, &retry),
             CS_RESULT_INVALID_HANDLE);
    cs_v2_request_parts parts = {0};
    CHECK_RC(cs_v2_request_parts_get((cs_v2_request *)client, &parts), CS_RESULT_INVALID_HANDLE);
    cs_v2_request_parts_free(&parts);
    cs_v2_request_parts_free(NULL);
    cs_v2_answer_free(NULL);
    cs_v2_sealed_free(NULL);
    cs_v2_request_free(req);
    cs_v2_request_free(NULL);
    cs_v2_client_free(client);
    cs_v2_client_free(NULL);
    cs_v2_server_free(server);
    cs_v2_server_free(NULL);
    cs_v2_server_config_free(NULL);
    cs_v2_authenticated_free(NULL);
    CHECK(!strcmp(cs_result_message(CS_RESULT_V2_UNKNOWN_KEY), "unknown_key"));
    CHECK(!strcmp(cs_result_message(CS_RESULT_V2_INVALID_ANSWER), "invalid_answer"));
}

int main(void) {
    const char *path = getenv("CRYPTO_SESSIONS_V2_VECTORS");
    if (!path || !*path) path = CS_DEFAULT_V2_VECTORS;
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "cannot read vectors %s\n", path);
        return 1;
    }
    json all = json_parse(text, len);
    if (!json_is(all, '{')) {
        fprintf(stderr, "vectors %s are not a JSON object\n", path);
        free(text);
        return 1;
    }
    test_keys(all);
    test_server(all);
    test_request(all);
    test_answer_checks(all);
    test_exchange();
    test_v1_on_v2_server();
    test_exposed_headers();
    test_hostile();
    free(text);
    printf("test_v2: %lu server steps, %lu signed stale answers\n", steps_run, stale_answers);
    return check_summary("test_v2");
}
