// Package cryptosessions speaks crypto-session protocol v1 (public-key
// authenticated, end-to-end encrypted HTTP requests, byte-compatible with the
// JavaScript package @cmdcode/crypto-session 1.1.10) from Go.
//
// It links the static C library libcrypto_sessions.a through cgo, found with
// pkg-config (package crypto_sessions_static): install it with
// `make install PREFIX=...` at the repository root and set PKG_CONFIG_PATH to
// PREFIX/lib/pkgconfig. The protocol lives in the Rust core behind that library;
// this package translates types and errors.
//
//   - Keys: [GenerateSecretKey], [ParseSecretKey], [ParsePublicKey].
//   - [Session]: Encode, Decode, Sign, Verify with one peer.
//   - Servers: [Server.Middleware] is a func(http.Handler) http.Handler that
//     authenticates every request, puts the [Peer] in the request context, and
//     answers 401 with an empty body (logging the reason) to anything else;
//     [Send] and [JSON] answer securely.
//   - Clients: [Transport] is an http.RoundTripper that signs requests and opens
//     answers, so an http.Client with it speaks the protocol.
//
// Errors wrap one sentinel per kind of the core ([ErrMalformedInput] ...
// [ErrHTTPStatus]): test them with errors.Is, read details with errors.As and
// [*Error].
//
// Every handle type (Session, Server, Client, Transport) is safe for concurrent
// use and has an idempotent Close; a finalizer frees what is not closed.
package cryptosessions
