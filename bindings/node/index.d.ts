// Type declarations of the package's public API (the JavaScript facade in lib/).
// The native addon's own declarations are generated into native.d.ts by napi-rs.
// `make test` type-checks test/types/usage.ts against this file.

import type { IncomingMessage, ServerResponse } from 'node:http'
import type {
  KeyInput, Payload, Json, ErrorCode, ERROR_CODES, CryptoSessionError, Bytes, TokenData, Token, EncodedData, DecodedData, CryptoSession, Fetcher, SecureFetchOptions, SecureRequestInit, SecureResponse, SecureInstance, SecureFetch, SecureFetchConstructor, KeyPair, generateKeyPair, getPublicKey, PROTOCOL_VERSION, CORE_VERSION, CORE_BACKEND, SecureFetchV2Options, V2Response, SecureFetchV2, createSecureFetch
} from './client'

// The client side (and keys): client.d.ts, shared with the browser/edge entry.
export * from './client'


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
  /** CORS: the Access-Control-Expose-Headers of this server (Authorization too with acceptV1). */
  readonly exposedHeaders: string
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
