/*
 * A signed, encrypted exchange through the C API, without the network: a client
 * prepares a POST, the server authenticates it and seals an answer, the client
 * opens the answer. Build it as any user would:
 *
 *   cc exchange.c $(pkg-config --cflags --libs crypto_sessions) -o exchange
 *
 * (`make test-c` builds and runs it.)
 */
#include <crypto_sessions.h>

#include <stdio.h>
#include <string.h>

/* Print the failure of `what` with the thread's last error, and return 1. */
static int fail(const char *what, cs_result code) {
    char detail[256];
    cs_last_error_message(detail, sizeof detail);
    fprintf(stderr, "%s failed: %s (%s)\n", what, cs_result_message(code), detail);
    return 1;
}

int main(void) {
    const char *host = "http://localhost:3001";
    uint8_t server_secret[CS_SECRET_KEY_LEN], client_secret[CS_SECRET_KEY_LEN];
    uint8_t server_public[CS_PUBLIC_KEY_LEN];
    cs_result rc;
    if ((rc = cs_secret_key_generate(server_secret, sizeof server_secret)) ||
        (rc = cs_secret_key_generate(client_secret, sizeof client_secret)) ||
        (rc = cs_public_key_from_secret(server_secret, sizeof server_secret, server_public, sizeof server_public)))
        return fail("keys", rc);

    /* One server per key and host: share it between threads. */
    cs_server *server = NULL;
    if ((rc = cs_server_new(server_secret, sizeof server_secret, host, strlen(host), NULL, &server)))
        return fail("cs_server_new", rc);
    cs_client *client = NULL;
    if ((rc = cs_client_new(server_public, sizeof server_public, client_secret, sizeof client_secret, host,
                            strlen(host), &client)))
        return fail("cs_client_new", rc);

    /* The client signs and encrypts a JSON payload. */
    const char *payload = "{\"question\":\"ping?\"}";
    cs_request req;
    if ((rc = cs_client_prepare(client, "POST", 4, "/api", 4, (const uint8_t *)payload, strlen(payload), &req)))
        return fail("cs_client_prepare", rc);
    printf("%s %s\nauthorization: %s\ncontent-type: %s\n\n%s\n\n", req.method, (const char *)req.url.data,
           (const char *)req.authorization.data, (const char *)req.content_type.data, (const char *)req.body.data);

    /* The server checks it: on any error, answer CS_REJECTION_STATUS with an empty body. */
    cs_authenticated auth;
    rc = cs_server_authenticate(server, req.method, strlen(req.method), "/api", 4,
                                (const char *)req.authorization.data, req.authorization.len, req.body.data,
                                req.body.len, &auth);
    if (rc) return fail("cs_server_authenticate", rc);
    printf("server: %s from a peer, payload %.*s\n", auth.method, (int)auth.payload.len,
           (const char *)auth.payload.data);

    /* ... and seals its answer with the request's session. */
    const char *text = "pong!";
    cs_answer answer;
    if ((rc = cs_server_seal(server, auth.session, 200, (const uint8_t *)text, strlen(text), &answer)))
        return fail("cs_server_seal", rc);

    /* The client opens it: the plaintext is proven to come from the server's key. */
    cs_bytes opened;
    if ((rc = cs_client_open(client, answer.status, (const char *)answer.authorization.data, answer.authorization.len,
                             (const char *)answer.body.data, answer.body.len, &opened)))
        return fail("cs_client_open", rc);
    printf("client: %d %s\n", answer.status, (const char *)opened.data);
    int ok = opened.len == strlen(text) && memcmp(opened.data, text, opened.len) == 0;

    /* Every cs_bytes goes back through cs_bytes_free, every handle through its _free. */
    cs_bytes_free(&opened);
    cs_bytes_free(&answer.authorization);
    cs_bytes_free(&answer.body);
    cs_bytes_free(&auth.payload);
    cs_session_free(auth.session);
    cs_bytes_free(&req.url);
    cs_bytes_free(&req.authorization);
    cs_bytes_free(&req.content_type);
    cs_bytes_free(&req.body);
    cs_client_free(client);
    cs_server_free(server);
    return ok ? 0 : 1;
}
