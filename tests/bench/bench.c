/* The C library's protocol steps on the backend it was built with (k256 or
   libsecp256k1): tests/bench/backends.py builds this once per backend and compares.
   Prints one JSON object: per step, the median ns/op of ROUNDS timed batches. */
#define _POSIX_C_SOURCE 200809L
#include <crypto_sessions.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS 5

static void ok(cs_result r, const char *what) {
    if (r != CS_RESULT_OK) {
        char buf[512];
        cs_last_error_message(buf, sizeof buf);
        fprintf(stderr, "%s: %s\n", what, buf);
        exit(1);
    }
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint8_t server_secret[CS_SECRET_KEY_LEN], client_secret[CS_SECRET_KEY_LEN];
static uint8_t server_public[CS_PUBLIC_KEY_LEN], client_public[CS_PUBLIC_KEY_LEN];
static struct cs_session *client_side, *server_side;
static const uint8_t message[] = "a message of about thirty-two b.";
static cs_bytes token, enc_token, enc_data;

static void step_sign(void) {
    cs_bytes t = {0};
    ok(cs_session_sign(client_side, message, sizeof message - 1, &t), "sign");
    cs_bytes_free(&t);
}

static void step_verify(void) {
    ok(cs_session_verify(server_side, (const char *)token.data, token.len, message, sizeof message - 1), "verify");
}

static void step_new(void) {
    struct cs_session *s = NULL;
    ok(cs_session_new(client_public, sizeof client_public, server_secret, sizeof server_secret, &s), "session");
    cs_session_free(s);
}

static void step_decode(void) {
    cs_bytes p = {0};
    ok(cs_session_decode(server_side, (const char *)enc_token.data, enc_token.len, (const char *)enc_data.data,
                         enc_data.len, &p),
       "decode");
    cs_bytes_free(&p);
}

static double time_it(void (*f)(void), int n) {
    double per[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double start = now_ns();
        for (int i = 0; i < n; i++) f();
        per[r] = (now_ns() - start) / n;
    }
    qsort(per, ROUNDS, sizeof per[0], cmp);
    return per[ROUNDS / 2];
}

int main(int argc, char **argv) {
    const char *name = argc > 1 ? argv[1] : "";
    int batch = argc > 2 ? atoi(argv[2]) : 2000;
    if (batch < 4) batch = 4;
    ok(cs_secret_key_generate(server_secret, sizeof server_secret), "key");
    ok(cs_secret_key_generate(client_secret, sizeof client_secret), "key");
    ok(cs_public_key_from_secret(server_secret, sizeof server_secret, server_public, sizeof server_public), "pub");
    ok(cs_public_key_from_secret(client_secret, sizeof client_secret, client_public, sizeof client_public), "pub");
    ok(cs_session_new(server_public, sizeof server_public, client_secret, sizeof client_secret, &client_side), "session");
    ok(cs_session_new(client_public, sizeof client_public, server_secret, sizeof server_secret, &server_side), "session");
    ok(cs_session_sign(client_side, message, sizeof message - 1, &token), "sign");
    uint8_t payload[1024];
    memset(payload, 'x', sizeof payload);
    ok(cs_session_encode(client_side, payload, sizeof payload, &enc_token, &enc_data), "encode");

    printf("{\"name\": \"%s\", \"version\": \"%s\", \"ns_per_op\": {", name, cs_version());
    printf("\"sign (cs_session_sign)\": %.0f, ", time_it(step_sign, batch));
    printf("\"verify (cs_session_verify)\": %.0f, ", time_it(step_verify, batch));
    printf("\"decode 1 KiB (cs_session_decode)\": %.0f, ", time_it(step_decode, batch));
    printf("\"new session, ECDH (cs_session_new)\": %.0f}}\n", time_it(step_new, batch / 4));
    cs_bytes_free(&token);
    cs_bytes_free(&enc_token);
    cs_bytes_free(&enc_data);
    cs_session_free(client_side);
    cs_session_free(server_side);
    return 0;
}
