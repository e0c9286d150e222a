/*
 * Hostile calls (issue 8): NULL for every required pointer, garbage, misaligned and
 * wrong-type handles, lengths above PTRDIFF_MAX, zero lengths, oversized inputs,
 * and many threads sharing one server, one client and one session. Every call must
 * return its documented code, leave outputs untouched, and never crash or panic.
 *
 * Not tested, because it cannot be checked without undefined behaviour: pointers to
 * freed or unmapped memory, and lengths larger than the real buffer but below
 * PTRDIFF_MAX (see the header's conventions).
 */
#include "check.h"

#include <pthread.h>
#include <stdint.h>

static const char *SERVER_SECRET = "44fe3dc3714a58c0b65b87f04c494f4f1b2709493a82a4f2baced67b3619f927";
static const char *CLIENT_SECRET = "536ff61dc4b5e7576e9ee50f2392300b6512ebd7bc5fad8e55ef6ac66fe92073";
static const char *HOST = "http://127.0.0.1:8080";

static uint8_t server_pk[CS_PUBLIC_KEY_LEN];
static cs_server *server;
static cs_client *client;
static cs_session *session; /* client -> server */

#define HUGE ((size_t)PTRDIFF_MAX + 1)

static void test_null_arguments(void) {
    uint8_t key[CS_PUBLIC_KEY_LEN], secret[CS_SECRET_KEY_LEN];
    cs_bytes a = {0}, b = {0};
    bool flag;
    cs_session *s;
    cs_server *srv;
    cs_client *cl;
    cs_request req;
    cs_authenticated auth;
    cs_answer answer;
    const cs_result N = CS_RESULT_NULL_ARGUMENT;

    CHECK_RC(cs_secret_key_generate(NULL, 32), N);
    CHECK_RC(cs_public_key_from_secret(NULL, 32, key, sizeof key), N);
    CHECK_RC(cs_public_key_from_secret(NULL, 0, key, sizeof key), CS_RESULT_INVALID_KEY); /* empty */
    CHECK_RC(cs_public_key_from_secret(BYT(SERVER_SECRET), NULL, 33), N);
    CHECK_RC(cs_secret_key_parse(NULL, 32, secret, sizeof secret), N);
    CHECK_RC(cs_secret_key_parse(BYT(SERVER_SECRET), NULL, 32), N);
    CHECK_RC(cs_secret_key_parse(BYT(SERVER_SECRET), secret, 31), CS_RESULT_BUFFER_TOO_SMALL);
    CHECK_RC(cs_public_key_parse(NULL, 33, key, sizeof key), N);
    CHECK_RC(cs_public_key_parse(server_pk, 33, NULL, 33), N);

    CHECK_RC(cs_session_new(NULL, 33, BYT(CLIENT_SECRET), &s), N);
    CHECK_RC(cs_session_new(server_pk, 33, NULL, 32, &s), N);
    CHECK_RC(cs_session_new(server_pk, 33, BYT(CLIENT_SECRET), NULL), N);
    CHECK_RC(cs_session_peer(NULL, key, sizeof key), N);
    CHECK_RC(cs_session_peer(session, NULL, 33), N);
    CHECK_RC(cs_session_public_key(NULL, key, sizeof key), N);
    CHECK_RC(cs_session_public_key(session, NULL, 33), N);
    CHECK_RC(cs_session_shared_secret(NULL, secret, sizeof secret), N);
    CHECK_RC(cs_session_shared_secret(session, NULL, 32), N);
    CHECK_RC(cs_session_sign(NULL, BYT("m"), &a), N);
    CHECK_RC(cs_session_sign(session, NULL, 1, &a), N);
    CHECK_RC(cs_session_sign(session, BYT("m"), NULL), N);
    CHECK_RC(cs_session_verify(NULL, TXT("t"), BYT("m")), N);
    CHECK_RC(cs_session_verify(session, NULL, 1, BYT("m")), N);
    CHECK_RC(cs_session_verify(session, TXT("t"), NULL, 1), N);
    CHECK_RC(cs_session_encode(NULL, BYT("m"), &a, &b), N);
    CHECK_RC(cs_session_encode(session, NULL, 1, &a, &b), N);
    CHECK_RC(cs_session_encode(session, BYT("m"), NULL, &b), N);
    CHECK_RC(cs_session_encode(session, BYT("m"), &a, NULL), N);
    CHECK_RC(cs_session_decode(NULL, TXT("t"), TXT("d"), &a), N);
    CHECK_RC(cs_session_decode(session, NULL, 1, TXT("d"), &a), N);
    CHECK_RC(cs_session_decode(session, TXT("t"), NULL, 1, &a), N);
    CHECK_RC(cs_session_decode(session, TXT("t"), TXT("d"), NULL), N);
    CHECK_RC(cs_session_decode_unchecked(NULL, TXT("t"), TXT("d"), &a, &flag), N);
    CHECK_RC(cs_session_decode_unchecked(session, TXT("t"), TXT("d"), NULL, &flag), N);
    CHECK_RC(cs_session_decode_unchecked(session, TXT("t"), TXT("d"), &a, NULL), N);
    /* Overlapping outputs are refused before anything is written. */
    CHECK_RC(cs_session_encode(session, BYT("m"), &a, &a), CS_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cs_session_decode_unchecked(session, TXT("t"), TXT("d"), &a, (bool *)&a.len),
             CS_RESULT_INVALID_ARGUMENT);
    CHECK_RC(cs_signed_url(NULL, 0, TXT("http://h/x"), &a, &a), CS_RESULT_INVALID_ARGUMENT);
    {
        cs_bytes signed_url = {0}, target = {0};
        CHECK_OK(cs_signed_url(NULL, 0, TXT("http://h:1/a b#f"), &signed_url, &target));
        CHECK(text_equal(signed_url, "http://h:1/a%20b") && text_equal(target, "/a%20b"));
        cs_bytes_free(&signed_url);
        cs_bytes_free(&target);
    }

    CHECK_RC(cs_server_new(NULL, 32, TXT(HOST), NULL, &srv), N);
    CHECK_RC(cs_server_new(BYT(SERVER_SECRET), NULL, 5, NULL, &srv), N);
    CHECK_RC(cs_server_new(BYT(SERVER_SECRET), TXT(HOST), NULL, NULL), N);
    CHECK_RC(cs_server_public_key(NULL, key, sizeof key), N);
    CHECK_RC(cs_server_public_key(server, NULL, 33), N);
    CHECK_RC(cs_server_authenticate(NULL, TXT("GET"), TXT("/"), TXT("t"), NULL, 0, &auth), N);
    CHECK_RC(cs_server_authenticate(server, NULL, 3, TXT("/"), TXT("t"), NULL, 0, &auth), N);
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), NULL, 1, TXT("t"), NULL, 0, &auth), N);
    CHECK_RC(cs_server_authenticate(server, TXT("POST"), TXT("/"), TXT("t"), NULL, 10, &auth), N);
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), TXT("/"), TXT("t"), NULL, 0, NULL), N);
    CHECK_RC(cs_server_seal(NULL, session, 200, BYT("x"), &answer), N);
    CHECK_RC(cs_server_seal(server, NULL, 200, BYT("x"), &answer), N);
    CHECK_RC(cs_server_seal(server, session, 200, NULL, 1, &answer), N);
    CHECK_RC(cs_server_seal(server, session, 200, BYT("x"), NULL), N);

    CHECK_RC(cs_client_new(NULL, 33, BYT(CLIENT_SECRET), NULL, 0, &cl), N);
    CHECK_RC(cs_client_new(server_pk, 33, NULL, 32, NULL, 0, &cl), N);
    CHECK_RC(cs_client_new(server_pk, 33, BYT(CLIENT_SECRET), NULL, 0, NULL), N);
    CHECK_RC(cs_client_prepare(NULL, TXT("GET"), TXT("/"), NULL, 0, &req), N);
    CHECK_RC(cs_client_prepare(client, NULL, 3, TXT("/"), NULL, 0, &req), N);
    CHECK_RC(cs_client_prepare(client, TXT("GET"), NULL, 1, NULL, 0, &req), N);
    CHECK_RC(cs_client_prepare(client, TXT("GET"), TXT("/"), NULL, 0, NULL), N);
    CHECK_RC(cs_client_open(NULL, 200, TXT("t"), TXT("b"), &a), N);
    CHECK_RC(cs_client_open(client, 200, TXT("t"), NULL, 1, &a), N);
    CHECK_RC(cs_client_open(client, 200, TXT("t"), TXT("b"), NULL), N);

    CHECK_RC(cs_payload_json(NULL, 1, &a), N);
    CHECK_RC(cs_payload_json(BYT("1"), NULL), N);
    CHECK_RC(cs_payload_revive(NULL, 1, &a), N);
    CHECK_RC(cs_payload_revive(BYT("1"), NULL), N);
    /* Asking for the message length with a NULL buffer is allowed at any length. */
    cs_last_error_message(NULL, 100);
    CHECK(a.data == NULL && b.data == NULL);
}

static void test_bad_handles(void) {
    /* Readable memory of a handle's size that is not a handle. */
    uint64_t garbage[32];
    memset(garbage, 0xa5, sizeof garbage);
    uint64_t copy[32];
    memcpy(copy, garbage, sizeof garbage);
    uint8_t key[CS_PUBLIC_KEY_LEN];
    cs_bytes out = {0};
    cs_request req;
    cs_answer answer;
    const cs_result H = CS_RESULT_INVALID_HANDLE;

    CHECK_RC(cs_session_peer((cs_session *)garbage, key, sizeof key), H);
    CHECK_ERROR_SAYS("not a live session handle: its tag does not match");
    CHECK_RC(cs_server_public_key((cs_server *)garbage, key, sizeof key), H);
    CHECK_RC(cs_client_prepare((cs_client *)garbage, TXT("GET"), TXT("/"), NULL, 0, &req), H);
    /* A live handle of another type. */
    CHECK_RC(cs_session_sign((cs_session *)server, BYT("m"), &out), H);
    CHECK_RC(cs_server_public_key((cs_server *)client, key, sizeof key), H);
    CHECK_RC(cs_client_open((cs_client *)session, 200, TXT("t"), TXT("b"), &out), H);
    CHECK_RC(cs_server_seal(server, (cs_session *)client, 200, BYT("x"), &answer), H);
    /* Misaligned pointers. */
    void *misaligned = (char *)garbage + 1;
    CHECK_RC(cs_session_peer(misaligned, key, sizeof key), H);
    CHECK_ERROR_SAYS("misaligned");
    /* Freeing any of these does nothing: the memory is not touched, and the live
     * handles passed with the wrong type still work. */
    cs_session_free((cs_session *)garbage);
    cs_server_free((cs_server *)garbage);
    cs_client_free((cs_client *)garbage);
    cs_session_free(misaligned);
    cs_session_free((cs_session *)server);
    cs_server_free((cs_server *)client);
    cs_client_free((cs_client *)session);
    CHECK(memcmp(garbage, copy, sizeof garbage) == 0);
    CHECK_OK(cs_server_public_key(server, key, sizeof key));
    CHECK_OK(cs_client_prepare(client, TXT("GET"), TXT("/"), NULL, 0, &req));
    cs_bytes_free(&req.url);
    cs_bytes_free(&req.authorization);
    CHECK_OK(cs_session_peer(session, key, sizeof key));
    CHECK(out.data == NULL);
}

static void test_bad_lengths_and_outputs(void) {
    uint8_t key[CS_PUBLIC_KEY_LEN];
    cs_bytes a = {0}, b = {0};
    cs_authenticated auth;
    cs_session *s = NULL;
    const cs_result L = CS_RESULT_INVALID_ARGUMENT;

    CHECK_RC(cs_public_key_parse(server_pk, HUGE, key, sizeof key), L);
    CHECK_ERROR_SAYS("above PTRDIFF_MAX");
    CHECK_RC(cs_public_key_parse(server_pk, SIZE_MAX, key, sizeof key), L);
    CHECK_RC(cs_public_key_parse(server_pk, sizeof server_pk, key, SIZE_MAX), L);
    CHECK_RC(cs_session_new(server_pk, 33, (const uint8_t *)CLIENT_SECRET, SIZE_MAX, &s), L);
    CHECK_RC(cs_session_encode(session, BYT("m"), &a, &b), CS_RESULT_OK);
    cs_bytes_free(&a);
    cs_bytes_free(&b);
    CHECK_RC(cs_session_encode(session, (const uint8_t *)"m", HUGE, &a, &b), L);
    CHECK_RC(cs_session_decode(session, "t", SIZE_MAX, TXT("d"), &a), L);
    CHECK_RC(cs_session_verify(session, TXT("t"), (const uint8_t *)"m", SIZE_MAX), L);
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), "/", HUGE, TXT("t"), NULL, 0, &auth), L);
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), TXT("/"), "t", SIZE_MAX, NULL, 0, &auth), L);
    CHECK_RC(cs_server_authenticate(server, TXT("POST"), TXT("/"), TXT("t"), (const uint8_t *)"{}", SIZE_MAX, &auth),
             L);
    CHECK_RC(cs_client_open(client, 200, TXT("t"), "b", HUGE, &a), L);
    CHECK_RC(cs_payload_json((const uint8_t *)"1", SIZE_MAX, &a), L);
    CHECK(a.data == NULL && b.data == NULL && s == NULL);

    /* Output buffers too small, including empty ones. */
    CHECK_RC(cs_session_peer(session, key, 0), CS_RESULT_BUFFER_TOO_SMALL);
    CHECK_RC(cs_session_peer(session, key, 32), CS_RESULT_BUFFER_TOO_SMALL);
    uint8_t shared[CS_SHARED_SECRET_LEN];
    CHECK_RC(cs_session_shared_secret(session, shared, 31), CS_RESULT_BUFFER_TOO_SMALL);

    /* Misaligned out-pointers. */
    uint64_t space[8] = {0};
    void *odd = (char *)space + 1;
    CHECK_RC(cs_session_sign(session, BYT("m"), odd), L);
    CHECK_ERROR_SAYS("out_token is misaligned");
    CHECK_RC(cs_session_new(server_pk, 33, BYT(CLIENT_SECRET), odd), L);
    CHECK(space[0] == 0 && space[1] == 0);
}

static void test_zero_lengths(void) {
    cs_bytes token = {0}, data = {0}, out = {0};
    /* An empty payload is a payload. */
    CHECK_OK(cs_session_encode(session, NULL, 0, &token, &data));
    CHECK(token.data && data.data && data.len > 0);
    cs_session *server_side = NULL;
    uint8_t client_pk[CS_PUBLIC_KEY_LEN];
    CHECK_OK(cs_public_key_from_secret(BYT(CLIENT_SECRET), client_pk, sizeof client_pk));
    CHECK_OK(cs_session_new(client_pk, sizeof client_pk, BYT(SERVER_SECRET), &server_side));
    CHECK_OK(cs_session_decode(server_side, (const char *)token.data, token.len, (const char *)data.data, data.len,
                               &out));
    CHECK(out.data != NULL && out.len == 0 && out.data[0] == 0);
    cs_bytes_free(&out);
    CHECK_OK(cs_session_sign(session, NULL, 0, &out));
    CHECK_OK(cs_session_verify(server_side, (const char *)out.data, out.len, NULL, 0));
    cs_bytes_free(&out);
    /* Empty protocol strings are malformed; empty keys and hosts are refused. */
    CHECK_RC(cs_session_verify(server_side, NULL, 0, NULL, 0), CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_session_decode(server_side, NULL, 0, NULL, 0, &out), CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_client_open(client, 200, NULL, 0, NULL, 0, &out), CS_RESULT_INVALID_SIGNATURE);
    CHECK_RC(cs_client_open(client, 200, (const char *)token.data, token.len, NULL, 0, &out),
             CS_RESULT_MALFORMED_INPUT);
    CHECK_RC(cs_payload_json(NULL, 0, &out), CS_RESULT_MALFORMED_INPUT);
    cs_server *srv = NULL;
    CHECK_RC(cs_server_new(BYT(SERVER_SECRET), NULL, 0, NULL, &srv), CS_RESULT_MALFORMED_INPUT);
    cs_session *s = NULL;
    CHECK_RC(cs_session_new(NULL, 0, NULL, 0, &s), CS_RESULT_INVALID_KEY);
    CHECK_RC(cs_session_new(server_pk, 0, BYT(CLIENT_SECRET), &s), CS_RESULT_INVALID_KEY);
    CHECK(srv == NULL && s == NULL && out.data == NULL);
    /* Reviving nothing gives the empty string. */
    CHECK_OK(cs_payload_revive(NULL, 0, &out));
    CHECK(text_equal(out, "\"\""));
    cs_bytes_free(&out);
    /* A client's empty method is a GET, and an empty target signs the bare host;
       a server reads the wire exactly: an empty method or target is refused. */
    cs_request req;
    memset(&req, 0, sizeof req);
    CHECK_OK(cs_client_prepare(client, NULL, 0, NULL, 0, NULL, 0, &req));
    CHECK(text_equal(req.url, HOST));
    cs_authenticated auth;
    memset(&auth, 0, sizeof auth);
    CHECK_RC(cs_server_authenticate(server, NULL, 0, TXT("/"), (const char *)req.authorization.data,
                                    req.authorization.len, NULL, 0, &auth),
             CS_RESULT_UNSUPPORTED_METHOD);
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), NULL, 0, (const char *)req.authorization.data,
                                    req.authorization.len, NULL, 0, &auth),
             CS_RESULT_MALFORMED_INPUT);
    cs_bytes_free(&req.url);
    cs_bytes_free(&req.authorization);
    cs_bytes_free(&token);
    cs_bytes_free(&data);
    cs_session_free(server_side);
}

static void test_oversized(void) {
    size_t big = (1 << 20) + 1; /* one byte over the default body limit */
    uint8_t *body = malloc(big);
    if (!body) abort();
    memset(body, '{', big);
    cs_request req;
    memset(&req, 0, sizeof req);
    CHECK_OK(cs_client_prepare(client, TXT("POST"), TXT("/big"), BYT("x"), &req));
    cs_authenticated auth;
    CHECK_RC(cs_server_authenticate(server, TXT("POST"), TXT("/big"), (const char *)req.authorization.data,
                                    req.authorization.len, body, big, &auth),
             CS_RESULT_TOO_LARGE);
    CHECK_ERROR_SAYS("the limit is 1048576");
    /* A huge token, key, target and payload: clean errors, no crash. */
    memset(body, 'A', big);
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), TXT("/"), (const char *)body, big, NULL, 0, &auth),
             CS_RESULT_TOO_LARGE);
    uint8_t key[CS_PUBLIC_KEY_LEN];
    CHECK_RC(cs_public_key_parse(body, big, key, sizeof key), CS_RESULT_INVALID_KEY);
    body[0] = '/'; /* an origin-form target of a megabyte */
    CHECK_RC(cs_server_authenticate(server, TXT("GET"), (const char *)body, big, (const char *)req.authorization.data,
                                    req.authorization.len, NULL, 0, &auth),
             CS_RESULT_INVALID_SIGNATURE);
    body[0] = 'A';
    cs_bytes out = {0};
    CHECK_RC(cs_session_decode(session, (const char *)req.authorization.data, req.authorization.len,
                               (const char *)body, big - 1, &out),
             CS_RESULT_DECRYPT_FAILED);
    memset(body, '!', big);
    CHECK_RC(cs_session_decode(session, (const char *)req.authorization.data, req.authorization.len,
                               (const char *)body, big, &out),
             CS_RESULT_MALFORMED_INPUT);
    /* Deep JSON stays text when revived (bounded recursion). */
    memset(body, '[', big);
    CHECK_OK(cs_payload_revive(body, big, &out));
    CHECK(out.len == big + 2 && out.data[0] == '"');
    cs_bytes_free(&out);
    CHECK_RC(cs_payload_json(body, big, &out), CS_RESULT_MALFORMED_INPUT);
    cs_bytes_free(&req.url);
    cs_bytes_free(&req.authorization);
    cs_bytes_free(&req.content_type);
    cs_bytes_free(&req.body);
    free(body);
}

/* Many threads share the server, the client and one session. */
enum { THREADS = 8, ROUNDS = 12 };

typedef struct worker {
    int id;
    unsigned long passed, failed;
    char first_failure[256];
} worker;

#define WCHECK(w, cond)                                                                               \
    do {                                                                                              \
        if (cond) {                                                                                   \
            (w)->passed++;                                                                            \
        } else if ((w)->failed++ == 0) {                                                              \
            snprintf((w)->first_failure, sizeof (w)->first_failure, "line %d: %s", __LINE__, #cond); \
        }                                                                                             \
    } while (0)

static void *work(void *arg) {
    worker *w = arg;
    char msg[256], path[64], payload[64], method[16];
    /* Half the threads use the shared client, half their own. */
    uint8_t secret[CS_SECRET_KEY_LEN];
    cs_client *own = NULL;
    WCHECK(w, cs_secret_key_generate(secret, sizeof secret) == CS_RESULT_OK);
    WCHECK(w, cs_client_new(server_pk, sizeof server_pk, secret, sizeof secret, TXT(HOST), &own) == CS_RESULT_OK);
    cs_client *c = w->id % 2 ? own : client;

    for (int round = 0; round < ROUNDS; round++) {
        snprintf(path, sizeof path, "/t/%d?round=%d", w->id, round);
        snprintf(payload, sizeof payload, "{\"thread\":%d,\"round\":%d}", w->id, round);
        const char *verb = round % 2 ? "GET" : "POST";
        cs_request req;
        memset(&req, 0, sizeof req);
        WCHECK(w, cs_client_prepare(c, TXT(verb), TXT(path), round % 2 ? NULL : (const uint8_t *)payload,
                                    round % 2 ? 0 : strlen(payload), &req) == CS_RESULT_OK);
        cs_authenticated auth;
        memset(&auth, 0, sizeof auth);
        WCHECK(w, cs_server_authenticate(server, TXT(verb), TXT(path), (const char *)req.authorization.data,
                                         req.authorization.len, req.body.data, req.body.len,
                                         &auth) == CS_RESULT_OK);
        if (round % 2 == 0) WCHECK(w, bytes_equal(auth.payload, payload, strlen(payload)));

        /* Seal with the request's session, and with the shared one. */
        cs_answer answer;
        memset(&answer, 0, sizeof answer);
        WCHECK(w, cs_server_seal(server, auth.session, 200, BYT(path), &answer) == CS_RESULT_OK);
        cs_bytes opened = {0};
        WCHECK(w, cs_client_open(c, 200, (const char *)answer.authorization.data, answer.authorization.len,
                                 (const char *)answer.body.data, answer.body.len, &opened) == CS_RESULT_OK);
        WCHECK(w, text_equal(opened, path));
        cs_bytes_free(&opened);
        cs_bytes token = {0}, data = {0};
        WCHECK(w, cs_session_encode(session, BYT(payload), &token, &data) == CS_RESULT_OK);
        WCHECK(w, cs_session_verify(auth.session, (const char *)token.data, token.len, BYT(payload)) ==
                      (c == client ? CS_RESULT_OK : CS_RESULT_WRONG_PEER));

        /* This thread's last error is its own. */
        snprintf(method, sizeof method, "X%d-%d", w->id, round);
        WCHECK(w, cs_server_authenticate(server, TXT(method), TXT(path), NULL, 0, NULL, 0, &auth) ==
                      CS_RESULT_UNSUPPORTED_METHOD);
        cs_last_error_message(msg, sizeof msg);
        WCHECK(w, strstr(msg, method) != NULL);

        cs_bytes_free(&token);
        cs_bytes_free(&data);
        cs_bytes_free(&answer.authorization);
        cs_bytes_free(&answer.body);
        cs_bytes_free(&auth.payload);
        cs_session_free(auth.session);
        cs_bytes_free(&req.url);
        cs_bytes_free(&req.authorization);
        cs_bytes_free(&req.content_type);
        cs_bytes_free(&req.body);
    }
    cs_client_free(own);
    return NULL;
}

static void test_threads(void) {
    uint8_t key[CS_PUBLIC_KEY_LEN];
    CHECK_RC(cs_public_key_parse(BYT("main"), key, sizeof key), CS_RESULT_INVALID_KEY);
    size_t main_error = cs_last_error_message(NULL, 0);

    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&workers[i], 0, sizeof workers[i]);
        workers[i].id = i;
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK_MSG(workers[i].failed == 0, "thread %d: %lu failed, first at %s", i, workers[i].failed,
                  workers[i].first_failure);
        CHECK(workers[i].passed > 0);
        checks_passed += workers[i].passed;
    }
    CHECK(cs_last_error_message(NULL, 0) == main_error);
    CHECK_ERROR_SAYS("66 or 130 hex characters, got 4");
}

int main(void) {
    CHECK_OK(cs_public_key_from_secret(BYT(SERVER_SECRET), server_pk, sizeof server_pk));
    CHECK_OK(cs_server_new(BYT(SERVER_SECRET), TXT(HOST), NULL, &server));
    CHECK_OK(cs_client_new(server_pk, sizeof server_pk, BYT(CLIENT_SECRET), TXT(HOST), &client));
    CHECK_OK(cs_session_new(server_pk, sizeof server_pk, BYT(CLIENT_SECRET), &session));
    test_null_arguments();
    test_bad_handles();
    test_bad_lengths_and_outputs();
    test_zero_lengths();
    test_oversized();
    test_threads();
    cs_session_free(session);
    cs_client_free(client);
    cs_server_free(server);
    return check_summary("test_hostile");
}
