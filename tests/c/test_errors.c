/*
 * Error paths of the C API: every failure is a documented code with a message,
 * outputs are left untouched, and freeing is safe where the header says it is.
 */
#include "check.h"

/* Fixed keys, so failures are reproducible. */
static const char *SERVER_SECRET = "44fe3dc3714a58c0b65b87f04c494f4f1b2709493a82a4f2baced67b3619f927";
static const char *CLIENT_SECRET = "536ff61dc4b5e7576e9ee50f2392300b6512ebd7bc5fad8e55ef6ac66fe92073";
static const char *OTHER_SECRET = "0000000000000000000000000000000000000000000000000000000000000003";
static const char *HOST = "http://localhost:3077";

static uint8_t server_pk[CS_PUBLIC_KEY_LEN], client_pk[CS_PUBLIC_KEY_LEN], other_pk[CS_PUBLIC_KEY_LEN];

/* A cs_bytes that a failed call must not touch. */
static const cs_bytes SENTINEL = {(uint8_t *)"sentinel", 8};

static bool untouched(cs_bytes b) { return b.data == SENTINEL.data && b.len == SENTINEL.len; }

static void test_messages_and_versions(void) {
    CHECK(strcmp(cs_result_message(CS_RESULT_OK), "ok") == 0);
    CHECK(strcmp(cs_result_message(CS_RESULT_INVALID_SIGNATURE), "invalid signature") == 0);
    CHECK(strcmp(cs_result_message(CS_RESULT_WRONG_PEER), "signed by an unexpected key") == 0);
    CHECK(strcmp(cs_result_message(CS_RESULT_PANIC), "internal error (panic) in crypto_sessions") == 0);
    CHECK(strcmp(cs_result_message(9), "unknown result code") == 0);
    CHECK(strcmp(cs_result_message(UINT32_MAX), "unknown result code") == 0);
    /* The core's kinds keep their numbers. */
    CHECK(CS_RESULT_MALFORMED_INPUT == 1 && CS_RESULT_HTTP_STATUS == 8);
    CHECK(sizeof(cs_result) == 4);
    CHECK(cs_abi_version() == CS_ABI_VERSION);
    const char *v = cs_version();
    CHECK(v != NULL && strlen(v) >= 5 && strchr(v, '.') != NULL);
}

static void test_last_error(void) {
    uint8_t out[CS_PUBLIC_KEY_LEN];
    CHECK_RC(cs_public_key_parse(BYT("02ab"), out, sizeof out), CS_RESULT_INVALID_KEY);
    size_t full = cs_last_error_message(NULL, 0);
    CHECK(full > 10);
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK(cs_last_error_message(small, sizeof small) == full);
    CHECK(strlen(small) == sizeof small - 1);
    CHECK_ERROR_SAYS("invalid key: public key must be 66 or 130 hex characters, got 4");
    /* A success clears it. */
    CHECK_OK(cs_public_key_parse(server_pk, sizeof server_pk, out, sizeof out));
    CHECK(cs_last_error_message(NULL, 0) == 0);
    CHECK(strcmp(last_error(), "") == 0);
}

static void test_keys(void) {
    uint8_t out[CS_PUBLIC_KEY_LEN];
    memset(out, 0x77, sizeof out);
    CHECK_RC(cs_public_key_from_secret(BYT("0000000000000000000000000000000000000000000000000000000000000000"), out,
                                       sizeof out),
             CS_RESULT_INVALID_KEY);
    CHECK_ERROR_SAYS("[1, n-1]");
    CHECK(out[0] == 0x77 && out[32] == 0x77);
    CHECK_RC(cs_public_key_from_secret(BYT("zz"), out, sizeof out), CS_RESULT_INVALID_KEY);
    uint8_t short_secret[31];
    memset(short_secret, 0xff, sizeof short_secret); /* not text: read as raw bytes */
    CHECK_RC(cs_public_key_from_secret(short_secret, sizeof short_secret, out, sizeof out), CS_RESULT_INVALID_KEY);
    CHECK_ERROR_SAYS("32 bytes, got 31");
    CHECK_RC(cs_public_key_parse(BYT("05ecb2b1a19b9e65016ec937651d2c191c7b78fca3a112559a7c871d0307172a3a"), out,
                                 sizeof out),
             CS_RESULT_INVALID_KEY);
    CHECK_ERROR_SAYS("prefix");
    CHECK_RC(cs_public_key_parse(BYT("020000000000000000000000000000000000000000000000000000000000000005"), out,
                                 sizeof out),
             CS_RESULT_INVALID_KEY);
    CHECK_ERROR_SAYS("not a point");
    CHECK(out[0] == 0x77);
    /* Small output buffers. */
    CHECK_RC(cs_public_key_from_secret(BYT(SERVER_SECRET), out, CS_PUBLIC_KEY_LEN - 1), CS_RESULT_BUFFER_TOO_SMALL);
    CHECK_ERROR_SAYS("33 are needed");
    uint8_t secret[CS_SECRET_KEY_LEN];
    CHECK_RC(cs_secret_key_generate(secret, 16), CS_RESULT_BUFFER_TOO_SMALL);
    CHECK_OK(cs_secret_key_generate(secret, sizeof secret));
    uint8_t again[CS_SECRET_KEY_LEN];
    CHECK_OK(cs_secret_key_generate(again, sizeof again));
    CHECK(memcmp(secret, again, sizeof secret) != 0);
    /* Generated keys are valid, uncompressed public keys parse to the compressed form. */
    CHECK_OK(cs_public_key_from_secret(secret, sizeof secret, out, sizeof out));
    CHECK_OK(cs_public_key_parse(BYT("0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c46"
                                     "55da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"),
                                 out, sizeof out));
    CHECK(hex_equals(out, sizeof out, "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"));
}

static void test_null_handles_and_frees(void) {
    cs_bytes token = SENTINEL, data = SENTINEL;
    CHECK_RC(cs_session_encode(NULL, BYT("x"), &token, &data), CS_RESULT_NULL_ARGUMENT);
    CHECK_ERROR_SAYS("the session handle is NULL");
    CHECK(untouched(token) && untouched(data));
    CHECK_RC(cs_session_verify(NULL, TXT("t"), BYT("m")), CS_RESULT_NULL_ARGUMENT);
    uint8_t pk[CS_PUBLIC_KEY_LEN];
    CHECK_RC(cs_server_public_key(NULL, pk, sizeof pk), CS_RESULT_NULL_ARGUMENT);
    CHECK_ERROR_SAYS("the server handle is NULL");
    cs_request req;
    CHECK_RC(cs_client_prepare(NULL, TXT("GET"), TXT("/"), NULL, 0, &req), CS_RESULT_NULL_ARGUMENT);
    CHECK_ERROR_SAYS("the client handle is NULL");
    cs_answer answer;
    CHECK_RC(cs_server_seal(NULL, NULL, 200, BYT("x"), &answer), CS_RESULT_NULL_ARGUMENT);
    /* Freeing NULL and absent bytes does nothing. */
    cs_session_free(NULL);
    cs_server_free(NULL);
    cs_client_free(NULL);
    cs_bytes_free(NULL);
    cs_bytes absent = {NULL, 0};
    cs_bytes_free(&absent);
    CHECK(absent.data == NULL && absent.len == 0);
    /* cs_bytes_free resets the struct, so a second free through it is harmless. */
    cs_bytes json = {0};
    CHECK_OK(cs_payload_json(BYT("[1, 2]"), &json));
    CHECK(text_equal(json, "[1,2]"));
    cs_bytes_free(&json);
    CHECK(json.data == NULL && json.len == 0);
    cs_bytes_free(&json);
}

static void test_sessions(void) {
    cs_session *to_server = NULL, *to_client = NULL, *to_other = NULL;
    CHECK_OK(cs_session_new(server_pk, sizeof server_pk, BYT(CLIENT_SECRET), &to_server));
    CHECK_OK(cs_session_new(client_pk, sizeof client_pk, BYT(SERVER_SECRET), &to_client));
    CHECK_OK(cs_session_new(other_pk, sizeof other_pk, BYT(SERVER_SECRET), &to_other));
    cs_session *not_made = (cs_session *)&SENTINEL;
    CHECK_RC(cs_session_new(BYT("02"), BYT(SERVER_SECRET), &not_made), CS_RESULT_INVALID_KEY);
    CHECK(not_made == (cs_session *)&SENTINEL);

    cs_bytes token = {0}, data = {0};
    CHECK_OK(cs_session_encode(to_server, BYT("{\"a\":1}"), &token, &data));
    const char *t = (const char *)token.data, *d = (const char *)data.data;

    /* Malformed tokens and data. */
    cs_bytes out = SENTINEL;
    CHECK_RC(cs_session_decode(to_client, TXT("!!!"), d, data.len, &out), CS_RESULT_INVALID_SIGNATURE);
    CHECK_ERROR_SAYS("token");
    CHECK_RC(cs_session_decode(to_client, t, token.len, TXT(""), &out), CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_session_decode(to_client, t, token.len, TXT("a=="), &out), CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_session_decode(to_client, t, token.len, TXT("AAAA"), &out), CS_RESULT_DECRYPT_FAILED);
    CHECK_RC(cs_session_verify(to_client, TXT("!!!"), BYT("{\"a\":1}")), CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_session_verify(to_client, t, 40, BYT("{\"a\":1}")), CS_RESULT_MALFORMED_INPUT);
    char long_token[400];
    memset(long_token, 'A', sizeof long_token);
    CHECK_RC(cs_session_verify(to_client, long_token, sizeof long_token, BYT("{\"a\":1}")), CS_RESULT_TOO_LARGE);
    CHECK(untouched(out));

    /* A good token over other bytes; a token from another key. */
    CHECK_OK(cs_session_verify(to_client, t, token.len, BYT("{\"a\":1}")));
    CHECK_RC(cs_session_verify(to_client, t, token.len, BYT("{\"a\":2}")), CS_RESULT_INVALID_SIGNATURE);
    CHECK_RC(cs_session_verify(to_other, t, token.len, BYT("{\"a\":1}")), CS_RESULT_WRONG_PEER);
    CHECK_ERROR_SAYS("expected the peer");
    /* The sender decoding its own message: right key, wrong signer. */
    CHECK_RC(cs_session_decode(to_server, t, token.len, d, data.len, &out), CS_RESULT_WRONG_PEER);
    /* A session with a third key cannot decrypt (or, 1 time in 256, the padding
     * happens to hold and the signer is wrong): a rejection either way. */
    cs_result wrong_key = cs_session_decode(to_other, t, token.len, d, data.len, &out);
    CHECK(wrong_key == CS_RESULT_DECRYPT_FAILED || wrong_key == CS_RESULT_WRONG_PEER);
    CHECK(untouched(out));

    /* The unchecked decode reports a foreign signature as not valid. */
    bool is_valid = true;
    CHECK_OK(cs_session_decode_unchecked(to_server, t, token.len, d, data.len, &out, &is_valid));
    CHECK(!is_valid && text_equal(out, "{\"a\":1}"));
    cs_bytes_free(&out);
    is_valid = true;
    CHECK_RC(cs_session_decode_unchecked(to_client, t, token.len, TXT(""), &out, &is_valid),
             CS_RESULT_MALFORMED_INPUT);
    CHECK(is_valid);

    /* A non-UTF-8 token is malformed input. */
    CHECK_RC(cs_session_decode(to_client, "\xff\xfe", 2, d, data.len, &out), CS_RESULT_MALFORMED_INPUT);
    CHECK_ERROR_SAYS("not UTF-8");

    cs_bytes_free(&token);
    cs_bytes_free(&data);
    cs_session_free(to_server);
    cs_session_free(to_client);
    cs_session_free(to_other);
}

static void test_server_rejections(void) {
    cs_server *server = NULL, *not_made = NULL;
    CHECK_RC(cs_server_new(BYT(SERVER_SECRET), TXT(""), NULL, &not_made), CS_RESULT_MALFORMED_INPUT);
    CHECK_ERROR_SAYS("host is empty");
    CHECK(not_made == NULL);
    cs_server_limits limits = cs_server_limits_default();
    CHECK(limits.max_body == 1 << 20);
    limits.max_body = 64;
    CHECK_OK(cs_server_new(BYT(SERVER_SECRET), TXT(HOST), &limits, &server));
    cs_client *client = NULL;
    CHECK_OK(cs_client_new(server_pk, sizeof server_pk, BYT(CLIENT_SECRET), TXT(HOST), &client));

    cs_request get;
    memset(&get, 0, sizeof get);
    CHECK_OK(cs_client_prepare(client, TXT("GET"), TXT("/a?b=1"), NULL, 0, &get));
    const char *auth = (const char *)get.authorization.data;
    cs_authenticated ok;
    memset(&ok, 0xab, sizeof ok);
    cs_authenticated before = ok;

    CHECK_RC(cs_server_authenticate(server, TXT("GET"), TXT("/a?b=1"), NULL, 0, NULL, 0, &ok),
             CS_RESULT_MALFORMED_INPUT);
    CHECK_ERROR_SAYS("no authorization header");
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), TXT("/a?b=2"), auth, strlen(auth), NULL, 0, &ok),
             CS_RESULT_INVALID_SIGNATURE);
    CHECK_RC(cs_server_authenticate(server, TXT("PUT"), TXT("/a?b=1"), auth, strlen(auth), NULL, 0, &ok),
             CS_RESULT_UNSUPPORTED_METHOD);
    CHECK_RC(cs_server_authenticate(server, TXT("POST"), TXT("/a?b=1"), auth, strlen(auth), BYT("not json"), &ok),
             CS_RESULT_MALFORMED_INPUT);
    char big[65];
    memset(big, ' ', sizeof big);
    CHECK_RC(cs_server_authenticate(server, TXT("POST"), TXT("/a?b=1"), auth, strlen(auth), (uint8_t *)big,
                                    sizeof big, &ok),
             CS_RESULT_TOO_LARGE);
    CHECK_ERROR_SAYS("the limit is 64");
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), TXT("/a?b=\xff"), auth, strlen(auth), NULL, 0, &ok),
             CS_RESULT_MALFORMED_INPUT);
    CHECK(memcmp(&ok, &before, sizeof ok) == 0);

    /* Methods are exact; a GET carries no body; a target starts with '/'. */
    CHECK_RC(cs_server_authenticate(server, TXT("get"), TXT("/a?b=1"), auth, strlen(auth), NULL, 0, &ok),
             CS_RESULT_UNSUPPORTED_METHOD);
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), TXT("/a?b=1"), auth, strlen(auth), BYT("x"), &ok),
             CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), TXT("a?b=1"), auth, strlen(auth), NULL, 0, &ok),
             CS_RESULT_MALFORMED_INPUT);
    CHECK(memcmp(&ok, &before, sizeof ok) == 0);

    /* The same request passes, and a POST encrypted for another server does not. */
    CHECK_OK(cs_server_authenticate(server, TXT("GET"), TXT("/a?b=1"), auth, strlen(auth), NULL, 0, &ok));
    CHECK(ok.payload.data == NULL && memcmp(ok.peer, client_pk, sizeof client_pk) == 0);
    cs_session_free(ok.session);
    cs_client *misdirected = NULL;
    CHECK_OK(cs_client_new(other_pk, sizeof other_pk, BYT(CLIENT_SECRET), TXT(HOST), &misdirected));
    cs_request post;
    memset(&post, 0, sizeof post);
    CHECK_OK(cs_client_prepare(misdirected, TXT("POST"), TXT("/p"), BYT("hi"), &post));
    cs_result r = cs_server_authenticate(server, TXT("POST"), TXT("/p"), (const char *)post.authorization.data,
                                         post.authorization.len, post.body.data, post.body.len, &ok);
    CHECK(r == CS_RESULT_DECRYPT_FAILED || r == CS_RESULT_INVALID_SIGNATURE);

    cs_bytes_free(&post.url);
    cs_bytes_free(&post.authorization);
    cs_bytes_free(&post.content_type);
    cs_bytes_free(&post.body);
    cs_bytes_free(&get.url);
    cs_bytes_free(&get.authorization);
    cs_client_free(misdirected);
    cs_client_free(client);
    cs_server_free(server);
}

static void test_client_errors(void) {
    cs_client *client = NULL;
    CHECK_OK(cs_client_new(server_pk, sizeof server_pk, BYT(CLIENT_SECRET), NULL, 0, &client));
    cs_request req;
    memset(&req, 0x5a, sizeof req);
    cs_request before = req;
    CHECK_RC(cs_client_prepare(client, TXT("DELETE"), TXT("/x"), NULL, 0, &req), CS_RESULT_UNSUPPORTED_METHOD);
    CHECK_ERROR_SAYS("v1 signs GET and POST only");
    CHECK_RC(cs_client_prepare(client, TXT("GET"), TXT("/x"), BYT("body"), &req), CS_RESULT_MALFORMED_INPUT);
    CHECK(memcmp(&req, &before, sizeof req) == 0);
    /* No hostname: the URL is the path. */
    CHECK_OK(cs_client_prepare(client, TXT(""), TXT("/x"), NULL, 0, &req));
    CHECK(strcmp(req.method, "GET") == 0 && text_equal(req.url, "/x") && req.body.data == NULL &&
          req.content_type.data == NULL);
    cs_bytes_free(&req.url);
    cs_bytes_free(&req.authorization);

    /* Answers: a non-2xx status, no signature, a signature from another key. */
    cs_session *client_side = NULL;
    CHECK_OK(cs_session_new(server_pk, sizeof server_pk, BYT(CLIENT_SECRET), &client_side));
    cs_bytes token = {0}, data = {0};
    CHECK_OK(cs_session_encode(client_side, BYT("answer"), &token, &data));
    cs_bytes out = SENTINEL;
    const char *t = (const char *)token.data, *d = (const char *)data.data;
    CHECK_RC(cs_client_open(client, 404, t, token.len, d, data.len, &out), CS_RESULT_HTTP_STATUS);
    CHECK_ERROR_SAYS("status 404");
    CHECK_RC(cs_client_open(client, 200, NULL, 0, d, data.len, &out), CS_RESULT_INVALID_SIGNATURE);
    CHECK_ERROR_SAYS("no authorization header");
    /* Encrypted under the client-server key, but signed by the client itself. */
    CHECK_RC(cs_client_open(client, 200, t, token.len, d, data.len, &out), CS_RESULT_WRONG_PEER);
    CHECK(untouched(out));

    cs_bytes_free(&token);
    cs_bytes_free(&data);
    cs_session_free(client_side);
    cs_client_free(client);
}

static void test_payload_errors(void) {
    cs_bytes out = SENTINEL;
    CHECK_RC(cs_payload_json(BYT("{\"a\":"), &out), CS_RESULT_MALFORMED_INPUT);
    CHECK_ERROR_SAYS("not JSON");
    CHECK(untouched(out));
    CHECK_OK(cs_payload_revive((const uint8_t *)"\xff" "a", 2, &out));
    CHECK(text_equal(out, "\"\xef\xbf\xbd" "a\""));
    cs_bytes_free(&out);
}

int main(void) {
    CHECK_OK(cs_public_key_from_secret(BYT(SERVER_SECRET), server_pk, sizeof server_pk));
    CHECK_OK(cs_public_key_from_secret(BYT(CLIENT_SECRET), client_pk, sizeof client_pk));
    CHECK_OK(cs_public_key_from_secret(BYT(OTHER_SECRET), other_pk, sizeof other_pk));
    test_messages_and_versions();
    test_last_error();
    test_keys();
    test_null_handles_and_frees();
    test_sessions();
    test_server_rejections();
    test_client_errors();
    test_payload_errors();
    return check_summary("test_errors");
}
