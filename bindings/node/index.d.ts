// Type declarations of the package's public API (the JavaScript facade in lib/).
// The native addon's own declarations are generated into native.d.ts by napi-rs.
// `make test` type-checks test/types/usage.ts against this file.

import type { IncomingMessage, ServerResponse } from 'node:http'

/** A key: hex text, or bytes. */
export type KeyInput = string | Uint8Array
/** What `encode` and the secure answers accept: text, bytes, or any JSON value. */
export type Payload = string | Uint8Array | ArrayBuffer | ArrayBufferView | Json
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json } | { toJSON(): unknown }

/** The core's error codes (`CryptoSessionError.code`). */
export type ErrorCode =
  | 'malformed_input'
  | 'invalid_key'
  | 'decrypt_failed'
  | 'invalid_signature'
  | 'wrong_peer'
  | 'too_large'
  | 'unsupported_method'
  | 'http_status'

export declare const ERROR_CODES: readonly ErrorCode[]

/** The one error class of the package; `code` says what went wrong. */
export declare class CryptoSessionError extends Error {
  constructor(code: ErrorCode, message: string, extra?: { status?: number; cause?: unknown })
  readonly name: 'CryptoSessionError'
  readonly code: ErrorCode
  /** For `http_status`: the status the server answered with. */
  readonly status?: number
}

/** A Uint8Array with the `hex` accessor of the reference's byte values. */
export declare class Bytes extends Uint8Array {
  readonly hex: string
  toHex(): string
}

export interface TokenData {
  pubkey: Bytes
  signature: Bytes
}

/** `base64url(pubkey33 || signature)`. */
export declare class Token {
  /** Whether `encoded` has the shape of a token. */
  static check(encoded: string | null | undefined): Promise<boolean>
  /** The parts of a token string; malformed input throws `malformed_input`. */
  static parse(encoded: string | null | undefined): TokenData
  static import(encoded: string | null | undefined): Token
  constructor(pubkey: string | Uint8Array, signature: string | Uint8Array)
  pubkey: Bytes
  signature: Bytes
  /** The token string. */
  readonly encoded: string
  /** Whether the token was issued by `key` (hex or bytes). */
  issuedBy(key: KeyInput): boolean
  toString(): string
  toJSON(): string
}

export interface EncodedData {
  token: Token
  /** `base64url(IV || ciphertext)`. */
  data: string
}

export interface DecodedData<T = unknown> {
  /** The revived payload: JSON if the text is JSON, else the text. */
  data: T
  /** Whether the token's signer is the peer and its signature holds. */
  isValid: boolean
  /** The decrypted bytes. */
  plaintext: Bytes
}

/** A session with a peer: (peer public key, own secret key). */
export declare class CryptoSession {
  static withToken(token: string | Token, secretKey: KeyInput): CryptoSession
  constructor(peerKey: KeyInput, secretKey: KeyInput)
  readonly peerKey: Bytes
  readonly peerHex: string
  readonly pubkey: Bytes
  readonly pubKey: Bytes
  readonly pubHex: string
  /** The ECDH shared secret (the AES key). */
  readonly shared: Promise<Bytes>
  readonly sharedSecret: Promise<Bytes>
  /** SHA-256 of the shared secret. */
  readonly sharedHash: Promise<Bytes>
  readonly sharedHex: Promise<string>
  isWith(key: KeyInput): boolean
  /** DER signature over SHA-256 of the payload's bytes. */
  sign(payload: Payload): Bytes
  /** `false` for a bad signature or another signer; throws for a string that is no token. */
  verify(token: string | Token, payload: Payload): boolean
  encrypt(data: string | Uint8Array): Promise<Bytes>
  decrypt(data: Uint8Array): Promise<Bytes>
  /** Sign and encrypt on the libuv thread pool. */
  encode(payload: Payload): Promise<EncodedData>
  encodeSync(payload: Payload): EncodedData
  /** Decrypt and verify on the libuv thread pool. */
  decode<T = unknown>(token: string | Token, payload: string): Promise<DecodedData<T>>
  decodeSync<T = unknown>(token: string | Token, payload: string): DecodedData<T>
  toJSON(): { peerKey: string; pubkey: string }
}

export type Fetcher = (input: string, init?: RequestInit) => Promise<Response>

export interface SecureFetchOptions extends RequestInit {
  /** Put in front of every path (the string the client signs starts with it). */
  hostname?: string
  /** The fetch to send with (default: the global fetch). */
  fetcher?: Fetcher
  /** Log each outgoing request. */
  verbose?: boolean
}

export interface SecureRequestInit extends Omit<RequestInit, 'body'> {
  body?: Payload | null
}

/** The Response, with the opened answer in `data` or the failure in `err`. */
export interface SecureResponse<T = any> extends Response {
  data?: T
  err?: CryptoSessionError | Error
}

export interface SecureInstance {
  fetch: SecureFetch
  session: CryptoSession
}

export interface SecureFetch {
  <T = any>(input: string | URL | Request, init?: SecureRequestInit): Promise<SecureResponse<T>>
}
/** A fetch that signs, encrypts and checks every exchange with one server. */
export declare class SecureFetch extends Function {
  static create(peerKey: KeyInput, secretKey: KeyInput, options?: SecureFetchOptions): SecureInstance
  static generate(peerKey: KeyInput, options?: SecureFetchOptions): SecureInstance
  constructor(peerKey: KeyInput, secretKey: KeyInput, options?: SecureFetchOptions)
  readonly session: CryptoSession
  readonly hostname: string
  readonly fetcher: Fetcher
  readonly verbose: boolean
  options: RequestInit
  fetch<T = any>(input: string | URL | Request, init?: SecureRequestInit): Promise<SecureResponse<T>>
  handleResponse<T = any>(response: Response): Promise<SecureResponse<T>>
}

// ---- servers -------------------------------------------------------------------

export interface Logger {
  warn(message: string): void
  error(message: string): void
}

export interface CryptoAuthOptions {
  secretKey: KeyInput
  /** The origin clients sign, e.g. `http://localhost:3001`. */
  host: string
  /** Largest request body in bytes (default 1 MiB). */
  maxBodySize?: number
  /** Where rejections are reported (default console). */
  logger?: Logger
  /** Run the cryptography on the libuv thread pool (default true). */
  threadPool?: boolean
}

export interface Authenticated<T = unknown> {
  session: CryptoSession
  token: Token
  method: 'GET' | 'POST'
  /** For POST, the revived payload. */
  data: T | undefined
  plaintext: Bytes | undefined
}

export interface SealedAnswer {
  status: number
  authorization: string
  body: string
}

/** `res.secure`: answers signed and encrypted for the client. */
export interface SecureSend<R> {
  send(payload: Payload, status?: number): Promise<R>
  json(value: unknown, status?: number): Promise<R>
}

/** A Node request after the middleware. */
export type SecureRequest<Req = IncomingMessage> = Req & {
  isAuthenticated: boolean
  token: Token
  session: CryptoSession
  body: any
}
export type SecureServerResponse<Res = ServerResponse> = Res & { secure: SecureSend<Res> }

export type NodeHandler<Req = any, Res = any> = (req: SecureRequest<Req>, res: SecureServerResponse<Res>) => unknown

/** What a Web handler gets besides the Request. */
export interface SecureContext<T = any> {
  isAuthenticated: true
  session: CryptoSession
  token: Token
  /** For POST, the revived payload. */
  data: T | undefined
  plaintext: Bytes | undefined
  send(payload: Payload, init?: number | ResponseInit): Promise<Response>
  json(value: unknown, init?: number | ResponseInit): Promise<Response>
}

export type WebHandler<A extends unknown[] = unknown[]> = (request: Request, secure: SecureContext, ...rest: A) => Response | Promise<Response>

/** A crypto-session server with an explicit key and host. */
export declare class CryptoAuth {
  constructor(options: CryptoAuthOptions)
  readonly pubkey: Bytes
  readonly host: string
  readonly maxBodySize: number
  authenticate<T = unknown>(request: { method: string; target: string; authorization?: string | null; body?: Uint8Array | null }): Promise<Authenticated<T>>
  seal(session: CryptoSession, status: number, payload: Payload): Promise<SealedAnswer>
  useCryptoSession(req: any, res: any): Promise<void>
  useAuthWithExpress(req: any, res: any, next: (err?: unknown) => void): Promise<unknown>
  useAuthWithNext<Req = any, Res = any>(handler: NodeHandler<Req, Res>): (req: Req, res: Res) => Promise<unknown>
  useAuthWithWeb<A extends unknown[] = unknown[]>(handler: WebHandler<A>): (request: Request, ...rest: A) => Promise<Response>
  toJSON(): { host: string; pubkey: string }
}

export declare function createCryptoAuth(options: CryptoAuthOptions): CryptoAuth

/** The generic middleware, configured from CRYPTO_SESSION_KEY / CRYPTO_SESSION_HOST. */
export declare function useCryptoSession(req: any, res: any): Promise<void>
/** The README's name for `useCryptoSession`. */
export declare const useCryptoAuth: typeof useCryptoSession
export declare function useAuthWithExpress(req: any, res: any, next: (err?: unknown) => void): Promise<unknown>
export declare function useAuthWithNext<Req = any, Res = any>(handler: NodeHandler<Req, Res>): (req: Req, res: Res) => Promise<unknown>
export declare function useAuthWithWeb<A extends unknown[] = unknown[]>(handler: WebHandler<A>): (request: Request, ...rest: A) => Promise<Response>

export interface KeyPair {
  secretKey: string
  publicKey: string
}
export declare function generateKeyPair(): KeyPair
export declare function getPublicKey(secretKey: KeyInput): Bytes

export declare const PROTOCOL_VERSION: number
export declare const CORE_VERSION: string
/** The core's elliptic-curve arithmetic this addon was built with. */
export declare const CORE_BACKEND: 'libsecp256k1' | 'k256'

// ---- protocol v2 ----------------------------------------------------------

/** v2 server options: the core's names; each one not given is read from the environment. */
export interface ServerOptions {
  /** Server secret keys (several for rotation; the first also serves v1). Env CRYPTO_SESSION_KEY. */
  keys?: KeyInput | KeyInput[]
  /** Origins clients sign. Env CRYPTO_SESSION_HOST plus CRYPTO_SESSION_ORIGINS (comma-separated). */
  origins?: string | string[]
  /** Oldest accepted `created`, seconds before now (default 60). Env CRYPTO_SESSION_MAX_AGE. */
  maxAge?: number
  /** Newest accepted `created`, seconds after now (default and minimum 5). Env CRYPTO_SESSION_MAX_SKEW. */
  maxSkew?: number
  /** Largest body, bytes (default 1 MiB). Env CRYPTO_SESSION_MAX_BODY. */
  maxBody?: number
  /** Accept v1 requests too (default false). Env CRYPTO_SESSION_ACCEPT_V1. */
  acceptV1?: boolean
  /** `memory` (default) or a `redis://` URL. Env CRYPTO_SESSION_REPLAY. */
  replay?: string
  /** Key prefix in Redis (default `cs2:replay:`). */
  replayPrefix?: string
  /** The admission hook as data: x-only client keys (hex) answered `forbidden`. */
  deniedKeys?: Iterable<string>
  /** Entries of the memory replay store (default 2**20). */
  replayCapacity?: number
  /** Tests only: the memory store's creation time (its restart rule). */
  replayCreated?: number
  /** Tests only: a fixed clock, Unix seconds (`setNow` moves it). */
  now?: number
  logger?: Logger
  threadPool?: boolean
  /** Where unset options are read (default `process.env`). */
  env?: Record<string, string | undefined>
}

/** What `req.cryptoSession` holds. */
export interface CryptoSessionInfo {
  /** 2, or 1 for a v1 request (`acceptV1`): none of v2's guarantees. */
  version: 1 | 2
  /** x-only (32 bytes) for v2, compressed (33 bytes) for v1. */
  clientKey: Buffer
  payload: Buffer
  contentType: string
}

/** A v2 rejection: answer `status` with `headers` and an empty body. */
export interface Rejection extends Error {
  code: string
  status: number
  wwwAuthenticate: string
  staleAnswer: string | null
  headers: [string, string][]
}

export interface V2SecureContext extends CryptoSessionInfo {
  /** The payload revived: parsed JSON, text for `text/*`, else bytes. */
  body: unknown
  send(value?: string | Uint8Array | null, init?: number | ResponseInit): Promise<Response>
  json(value: unknown, init?: number | ResponseInit): Promise<Response>
}

export declare class CryptoSessionServer {
  constructor(options?: ServerOptions)
  readonly publicKeys: string[]
  readonly origins: string[]
  readonly maxBody: number
  setDeniedKeys(keys: Iterable<string>): void
  setNow(now: number): void
  authenticate(request: { method: string, target: string, authorization: string[], contentLength?: number, body?: Uint8Array }): Promise<CryptoSessionInfo & { native: unknown }>
  seal(request: { native: unknown }, status: number, contentType: string, payload: Uint8Array): { status: number, headers: [string, string][], body: Buffer }
  /** Express middleware: `req.cryptoSession`, `req.body` revived, sealed `res.json/send/end`. */
  express(req: any, res: any, next: (err?: unknown) => void): Promise<unknown>
  /** Next.js pages API route (`bodyParser: false`). */
  next<Req = any, Res = any>(handler: (req: Req & { cryptoSession: CryptoSessionInfo }, res: Res) => unknown): (req: Req, res: Res) => Promise<unknown>
  /** Web handler (Next.js App Router route handlers, Hono, Bun, Deno). */
  web<A extends unknown[] = unknown[]>(handler: (request: Request, secure: V2SecureContext, ...rest: A) => Response | Promise<Response>): (request: Request, ...rest: A) => Promise<Response>
}
export declare function createServer(options?: ServerOptions): CryptoSessionServer

export interface SecureFetchV2Options extends RequestInit {
  hostname?: string
  fetcher?: Fetcher
  /** Tests only: a fixed clock, Unix seconds. */
  now?: number
  protocol?: 2
}
export interface V2Response<T = any> extends Response {
  data: T
  contentType: string
}
export interface SecureFetchV2 {
  <T = any>(input: string | URL, init?: Omit<RequestInit, 'body'> & { body?: unknown }): Promise<V2Response<T>>
  readonly publicKey: string
  readonly serverKey: string
  readonly clockOffset: number
  setNow(now: number): void
}
/** A v2 fetch for one server key (verified answers, one stale retry, never follows redirects). */
export declare function createSecureFetch(serverKey: KeyInput, secretKey: KeyInput, options?: SecureFetchV2Options): SecureFetchV2

declare const cryptoSessions: {
  CryptoSession: typeof CryptoSession
  Token: typeof Token
  SecureFetch: typeof SecureFetch
  CryptoSessionError: typeof CryptoSessionError
  ERROR_CODES: typeof ERROR_CODES
  Bytes: typeof Bytes
  CryptoAuth: typeof CryptoAuth
  createCryptoAuth: typeof createCryptoAuth
  useCryptoSession: typeof useCryptoSession
  useCryptoAuth: typeof useCryptoAuth
  useAuthWithExpress: typeof useAuthWithExpress
  useAuthWithNext: typeof useAuthWithNext
  useAuthWithWeb: typeof useAuthWithWeb
  generateKeyPair: typeof generateKeyPair
  getPublicKey: typeof getPublicKey
  CryptoSessionServer: typeof CryptoSessionServer
  createServer: typeof createServer
  createSecureFetch: typeof createSecureFetch
  PROTOCOL_VERSION: number
  CORE_VERSION: string
  CORE_BACKEND: typeof CORE_BACKEND
}
export default cryptoSessions
