/*
 * The reference vectors (tests/vectors/reference-1.1.10.json) through the C API.
 *
 * CRYPTO_SESSIONS_VECTORS=<file> runs another file of the same format. The program
 * fails, never skips, when the file cannot be read or a section is missing or empty.
 * The `cipher` section (AES with a chosen IV) has no C entry point by design and is
 * run by the core's own tests.
 */
#include "vectors.h"

#ifndef CS_DEFAULT_VECTORS
#error "compile with -DCS_DEFAULT_VECTORS='\"path/to/vectors.json\"'"
#endif

/* A cs_bytes kept until the end of the vector, as a malloc'd copy. */
static const uint8_t *keep_bytes(cs_bytes *b, size_t *len) {
    uint8_t *copy = keep(malloc(b->len + 1));
    memcpy(copy, b->data, b->len + 1);
    *len = b->len;
    cs_bytes_free(b);
    return copy;
}

/* The compact JSON the protocol gives for a JSON value of the file. */
static const char *compact(json value) {
    cs_bytes out = {0};
    CHECK_OK(cs_payload_json((const uint8_t *)value.at, value.len, &out));
    size_t len;
    return out.data ? (const char *)keep_bytes(&out, &len) : "";
}

/* The compact JSON of received bytes, revived as the reference does. */
static const char *revived(const uint8_t *bytes, size_t len) {
    cs_bytes out = {0};
    CHECK_OK(cs_payload_revive(bytes, len, &out));
    size_t n;
    return out.data ? (const char *)keep_bytes(&out, &n) : "";
}

static void test_keys(json all) {
    json s = section(all, "keys");
    for (size_t i = 0; i < json_count(s); i++, release()) {
        json v = json_at(s, i);
        const char *secret = field(v, "secret"), *pubkey = field(v, "pubkey");
        uint8_t pk[CS_PUBLIC_KEY_LEN] = {0};
        CHECK_OK(cs_public_key_from_secret(BYT(secret), pk, sizeof pk));
        CHECK_MSG(hex_equals(pk, sizeof pk, pubkey), "keys[%zu]: public key", i);
        /* The raw form of the secret gives the same key. */
        size_t raw_len;
        const uint8_t *raw = hex_field(v, "secret", &raw_len);
        uint8_t pk2[CS_PUBLIC_KEY_LEN] = {0};
        CHECK_OK(cs_public_key_from_secret(raw, raw_len, pk2, sizeof pk2));
        CHECK(memcmp(pk, pk2, sizeof pk) == 0);
        uint8_t parsed_secret[CS_SECRET_KEY_LEN] = {0};
        CHECK_OK(cs_secret_key_parse(BYT(secret), parsed_secret, sizeof parsed_secret));
        CHECK(raw_len == sizeof parsed_secret && memcmp(raw, parsed_secret, raw_len) == 0);
        uint8_t parsed[CS_PUBLIC_KEY_LEN] = {0};
        CHECK_OK(cs_public_key_parse(BYT(pubkey), parsed, sizeof parsed));
        CHECK(memcmp(pk, parsed, sizeof pk) == 0);
    }
}

static void test_ecdh(json all) {
    json s = section(all, "ecdh");
    for (size_t i = 0; i < json_count(s); i++, release()) {
        json v = json_at(s, i);
        cs_session *session = NULL;
        CHECK_OK(cs_session_new(BYT(field(v, "peer_pubkey")), BYT(field(v, "secret")), &session));
        uint8_t shared[CS_SHARED_SECRET_LEN] = {0};
        CHECK_OK(cs_session_shared_secret(session, shared, sizeof shared));
        CHECK_MSG(hex_equals(shared, sizeof shared, field(v, "aes_key")), "ecdh[%zu]", i);
        uint8_t peer[CS_PUBLIC_KEY_LEN] = {0};
        CHECK_OK(cs_session_peer(session, peer, sizeof peer));
        CHECK(hex_equals(peer, sizeof peer, field(v, "peer_pubkey")));
        cs_session_free(session);
    }
}

static void test_sign(json all) {
    json s = section(all, "sign");
    for (size_t i = 0; i < json_count(s); i++, release()) {
        json v = json_at(s, i);
        const char *secret = field(v, "secret"), *kind = field(v, "payload_kind");
        uint8_t own[CS_PUBLIC_KEY_LEN] = {0};
        CHECK_OK(cs_public_key_from_secret(BYT(secret), own, sizeof own));
        cs_session *session = NULL;
        CHECK_OK(cs_session_new(own, sizeof own, BYT(secret), &session));

        /* Our serialization of the payload gives the reference's bytes. */
        const uint8_t *payload = (const uint8_t *)"";
        size_t payload_len = 0;
        if (strcmp(kind, "string") == 0) {
            payload = keep(json_string(json_get(v, "payload"), &payload_len));
        } else if (strcmp(kind, "json") == 0) {
            payload = (const uint8_t *)compact(json_get(v, "payload"));
            payload_len = strlen((const char *)payload);
        } else {
            CHECK_MSG(false, "sign[%zu]: unknown payload_kind %s", i, kind);
        }
        size_t serialized_len;
        const uint8_t *serialized = hex_field(v, "serialized_hex", &serialized_len);
        CHECK_MSG(payload_len == serialized_len && memcmp(payload, serialized, payload_len) == 0,
                  "sign[%zu]: serialization", i);

        /* Signing is deterministic: the same token, and the reference's verifies. */
        const char *token = field(v, "token");
        cs_bytes ours = {0};
        CHECK_OK(cs_session_sign(session, serialized, serialized_len, &ours));
        CHECK_MSG(text_equal(ours, token), "sign[%zu]: token %s", i, ours.data ? (char *)ours.data : "");
        cs_bytes_free(&ours);
        CHECK_OK(cs_session_verify(session, TXT(token), serialized, serialized_len));
        cs_session_free(session);
    }
}

static void test_session(json all) {
    json s = section(all, "session");
    for (size_t i = 0; i < json_count(s); i++, release()) {
        json v = json_at(s, i);
        const char *token = field(v, "token"), *data = field(v, "data");
        cs_session *receiver = NULL, *mirror = NULL;
        CHECK_OK(cs_session_new(BYT(field(v, "sender_pubkey")), BYT(field(v, "receiver_secret")), &receiver));
        uint8_t own[CS_PUBLIC_KEY_LEN] = {0};
        CHECK_OK(cs_session_public_key(receiver, own, sizeof own));
        CHECK(hex_equals(own, sizeof own, field(v, "receiver_pubkey")));

        cs_bytes out = {0};
        CHECK_OK(cs_session_decode(receiver, TXT(token), TXT(data), &out));
        if (!out.data) {
            cs_session_free(receiver);
            continue;
        }
        size_t len;
        const uint8_t *bytes = keep_bytes(&out, &len);
        CHECK_MSG(strcmp(revived(bytes, len), compact(json_get(v, "decoded"))) == 0, "session[%zu]: decoded", i);

        bool is_valid = false;
        CHECK_OK(cs_session_decode_unchecked(receiver, TXT(token), TXT(data), &out, &is_valid));
        CHECK(bytes_equal(out, bytes, len));
        cs_bytes_free(&out);
        json expected_valid = json_get(v, "is_valid");
        CHECK(json_is(expected_valid, 't') || json_is(expected_valid, 'f'));
        CHECK_MSG(is_valid == json_is(expected_valid, 't'), "session[%zu]: is_valid", i);

        /* The sender's mirror session encodes something the receiver decodes. */
        CHECK_OK(cs_session_new(BYT(field(v, "receiver_pubkey")), BYT(field(v, "sender_secret")), &mirror));
        cs_bytes t = {0}, d = {0};
        CHECK_OK(cs_session_encode(mirror, bytes, len, &t, &d));
        CHECK_OK(cs_session_decode(receiver, (const char *)t.data, t.len, (const char *)d.data, d.len, &out));
        CHECK(bytes_equal(out, bytes, len));
        cs_bytes_free(&out);
        cs_bytes_free(&t);
        cs_bytes_free(&d);
        cs_session_free(mirror);
        cs_session_free(receiver);
    }
}

/* The reference's outcome category of a strict decode result. */
static const char *category(cs_result code) {
    switch (code) {
    case CS_RESULT_OK: return "valid";
    case CS_RESULT_MALFORMED_INPUT: return "malformed_input";
    case CS_RESULT_DECRYPT_FAILED: return "decrypt_error";
    case CS_RESULT_INVALID_SIGNATURE:
    case CS_RESULT_WRONG_PEER: return "invalid_signature";
    default: return "unexpected";
    }
}

static void test_negative(json all) {
    json s = section(all, "negative");
    for (size_t i = 0; i < json_count(s); i++, release()) {
        json v = json_at(s, i);
        const char *name = field(v, "name"), *outcome = field(v, "reference_outcome");
        const char *token = field(v, "token"), *data = field(v, "data");
        cs_session *session = NULL;
        CHECK_OK(cs_session_new(BYT(field(v, "sender_pubkey")), BYT(field(v, "receiver_secret")), &session));

        cs_bytes out = {0};
        cs_result strict = cs_session_decode(session, TXT(token), TXT(data), &out);
        CHECK_MSG(strcmp(category(strict), outcome) == 0, "negative %s: got %s (%s), expected %s", name,
                  category(strict), last_error(), outcome);
        CHECK_MSG((strict == CS_RESULT_OK) == (out.data != NULL), "negative %s: output written only on success",
                  name);
        cs_bytes_free(&out);

        /* The reference-compatible decode agrees. */
        bool is_valid = false;
        cs_result compat = cs_session_decode_unchecked(session, TXT(token), TXT(data), &out, &is_valid);
        if (strcmp(outcome, "valid") == 0) {
            CHECK_MSG(compat == CS_RESULT_OK && is_valid, "negative %s: unchecked", name);
        } else if (strcmp(outcome, "invalid_signature") == 0) {
            CHECK_MSG(compat == CS_RESULT_OK && !is_valid, "negative %s: unchecked", name);
        } else {
            CHECK_MSG(strcmp(category(compat), outcome) == 0, "negative %s: unchecked %s", name, category(compat));
        }
        cs_bytes_free(&out);
        cs_session_free(session);
    }
}

static void test_http(json all) {
    json http = json_get(all, "http");
    const char *host = field(http, "host");
    const char *server_pubkey = field(http, "server_pubkey");
    cs_server *server = NULL;
    CHECK_OK(cs_server_new(BYT(field(http, "server_secret")), TXT(host), NULL, &server));
    uint8_t pk[CS_PUBLIC_KEY_LEN] = {0};
    CHECK_OK(cs_server_public_key(server, pk, sizeof pk));
    CHECK(hex_equals(pk, sizeof pk, server_pubkey));
    /* The http object's own fields stay until the end. */
    size_t http_scratch = scratch_len;

    json exchanges = section(http, "exchanges");
    for (size_t i = 0; i < json_count(exchanges); i++) {
        json x = json_at(exchanges, i);
        const char *client_secret = field(x, "client_secret"), *url = field(x, "url");
        const char *method = field(x, "method"), *path = field(x, "path");
        json headers = json_get(x, "request_headers");
        const char *authorization = field(headers, "authorization");
        json body_json = json_get(x, "request_body");
        const char *body = json_is_null(body_json) ? NULL : field(x, "request_body");
        CHECK_MSG(strncmp(url, host, strlen(host)) == 0, "http[%zu]: url starts with the host", i);
        const char *target = url + strlen(host);

        /* The captured request authenticates on our server. */
        cs_authenticated ok;
        memset(&ok, 0, sizeof ok);
        CHECK_OK(cs_server_authenticate(server, TXT(method), TXT(target), TXT(authorization), (const uint8_t *)body,
                                        body ? strlen(body) : 0, &ok));
        uint8_t client_pk[CS_PUBLIC_KEY_LEN] = {0};
        CHECK_OK(cs_public_key_from_secret(BYT(client_secret), client_pk, sizeof client_pk));
        CHECK_MSG(memcmp(ok.peer, client_pk, sizeof client_pk) == 0, "http[%zu]: peer", i);
        CHECK(ok.method && strcmp(ok.method, method) == 0);
        CHECK((ok.payload.data != NULL) == (strcmp(method, "POST") == 0));

        /* The captured answer opens on our client, to what the reference decoded. */
        cs_client *client = NULL;
        CHECK_OK(cs_client_new(BYT(server_pubkey), BYT(client_secret), TXT(host), &client));
        json status_json = json_get(x, "status");
        uint16_t status = status_json.at ? (uint16_t)strtoul(status_json.at, NULL, 10) : 0;
        cs_bytes answer = {0};
        CHECK_OK(cs_client_open(client, status, TXT(field(x, "response_authorization")),
                                TXT(field(x, "response_body")), &answer));
        size_t answer_len = 0;
        const uint8_t *answer_bytes = answer.data ? keep_bytes(&answer, &answer_len) : (const uint8_t *)"";
        CHECK_MSG(strcmp(revived(answer_bytes, answer_len), compact(json_get(x, "client_decoded"))) == 0,
                  "http[%zu]: client_decoded", i);

        /* Our server signs that answer with the same (deterministic) token. */
        cs_answer sealed;
        memset(&sealed, 0, sizeof sealed);
        CHECK_OK(cs_server_seal(server, ok.session, status, answer_bytes, answer_len, &sealed));
        CHECK_MSG(text_equal(sealed.authorization, field(x, "response_authorization")), "http[%zu]: sealed token", i);
        CHECK(sealed.status == status);
        CHECK(sealed.content_type && strcmp(sealed.content_type, "text/plain; charset=utf-8") == 0);
        cs_bytes_free(&sealed.authorization);
        cs_bytes_free(&sealed.body);

        /* A request prepared from the same inputs equals the captured one where the
         * bytes are deterministic: URL, method, headers; for a POST, the plaintext. */
        json options = json_get(x, "options");
        json opt_method = json_get(options, "method");
        const char *prepare_method = opt_method.at ? field(options, "method") : "GET";
        json opt_body = json_get(options, "body");
        const uint8_t *payload = NULL;
        size_t payload_len = 0;
        if (!json_is_null(opt_body)) {
            payload = (const uint8_t *)(json_is(opt_body, '"') ? field(options, "body") : compact(opt_body));
            payload_len = strlen((const char *)payload);
        }
        cs_request req;
        memset(&req, 0, sizeof req);
        CHECK_OK(cs_client_prepare(client, TXT(prepare_method), TXT(path), payload, payload_len, &req));
        CHECK_MSG(text_equal(req.url, url), "http[%zu]: url", i);
        CHECK(req.method && strcmp(req.method, method) == 0);
        CHECK_MSG(text_equal(req.authorization, authorization), "http[%zu]: authorization", i);
        json content_type = json_get(headers, "content-type");
        if (content_type.at) {
            CHECK(text_equal(req.content_type, field(headers, "content-type")));
        } else {
            CHECK(req.content_type.data == NULL);
        }
        CHECK((req.body.data != NULL) == (body != NULL));
        if (body && req.body.data) {
            cs_authenticated theirs, mine;
            memset(&theirs, 0, sizeof theirs);
            memset(&mine, 0, sizeof mine);
            CHECK_OK(cs_server_authenticate(server, TXT("POST"), TXT(target), TXT(authorization), BYT(body), &theirs));
            CHECK_OK(cs_server_authenticate(server, TXT("POST"), TXT(target), TXT(authorization), req.body.data,
                                            req.body.len, &mine));
            CHECK_MSG(theirs.payload.data && bytes_equal(mine.payload, theirs.payload.data, theirs.payload.len),
                      "http[%zu]: POST plaintext", i);
            cs_bytes_free(&theirs.payload);
            cs_bytes_free(&mine.payload);
            cs_session_free(theirs.session);
            cs_session_free(mine.session);
        }
        cs_bytes_free(&req.url);
        cs_bytes_free(&req.authorization);
        cs_bytes_free(&req.content_type);
        cs_bytes_free(&req.body);
        cs_bytes_free(&ok.payload);
        cs_session_free(ok.session);
        cs_client_free(client);
        while (scratch_len > http_scratch) free(scratch[--scratch_len]);
    }
    release();
    cs_server_free(server);
}


int main(void) {
    const char *path = getenv("CRYPTO_SESSIONS_VECTORS");
    if (!path || !*path) path = CS_DEFAULT_VECTORS;
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
    test_ecdh(all);
    test_sign(all);
    test_session(all);
    test_negative(all);
    test_http(all);
    free(text);
    return check_summary("test_vectors");
}
