// Type declarations of the browser/edge entry (export conditions `browser`, `worker`,
// `workerd`, `deno`, `bun`, and `crypto-sessions/web`): dist/web/crypto-sessions.mjs,
// the WebAssembly build under web/facade.cjs. No Node types.
//
// The same as Node's entry (index.d.ts): the client side and keys (client.d.ts:
// CryptoSession, Token, SecureFetch v1 and v2, createSecureFetch, CryptoSessionError,
// Bytes, generateKeyPair, getPublicKey, the constants), and the v2 server's Web
// handler, `createServer(options).web(handler)`. What differs from Node:
// - no Express, Next.js pages or v1-only server helpers (`CryptoAuth`, `useAuthWith*`):
//   they need Node's http objects;
// - server options are never read from the environment, `replay` is only `memory`
//   (no Redis client), there is no thread pool (`threadPool`), and `cors` adds
//   `Access-Control-Allow-Origin` for the page origins a server allows;
// - bytes are Uint8Array (Node: Buffer, a Uint8Array);
// - `CORE_BACKEND` is always `libsecp256k1` (its C compiled to WebAssembly with the core);
// - web-only extras: createHandler, V2Client, V2Server, xonlyOf, kidOf.

import type { Bytes, KeyInput } from '../client.js'
import {
  CryptoSession, Token, SecureFetch, CryptoSessionError, ERROR_CODES, generateKeyPair, getPublicKey,
  createSecureFetch, PROTOCOL_VERSION, CORE_VERSION
} from '../client.js'

export * from '../client.js'

export interface Logger {
  warn(message: string): void
  error(message: string): void
}

/** v2 server options: the Node entry's names, without the environment. */
export interface ServerOptions {
  /** Server secret keys (several for rotation; the first also serves v1). */
  keys: KeyInput | KeyInput[]
  /** Origins clients sign. */
  origins: string | string[]
  /** Oldest accepted `created`, seconds before now (default 60). */
  maxAge?: number
  /** Newest accepted `created`, seconds after now (default and minimum 5). */
  maxSkew?: number
  /** Largest body, bytes (default 1 MiB). */
  maxBody?: number
  /** Accept v1 requests too (default false). */
  acceptV1?: boolean
  /** Only `memory` in the WebAssembly build. */
  replay?: 'memory'
  /** The admission hook as data: x-only client keys (hex) answered `forbidden`. */
  deniedKeys?: Iterable<string>
  /** Entries of the memory replay store (default 2**20). */
  replayCapacity?: number
  /** Tests only: the memory store's creation time (its restart rule). */
  replayCreated?: number
  /** Tests only: a fixed clock, Unix seconds (`setNow` moves it). */
  now?: number
  logger?: Logger
  /** Web-only: `'*'` or the page origins whose requests get `Access-Control-Allow-Origin`. */
  cors?: '*' | string | string[]
}

/** What an authenticated request holds. */
export interface CryptoSessionInfo {
  /** 2, or 1 for a v1 request (`acceptV1`): none of v2's guarantees. */
  version: 1 | 2
  /** x-only (32 bytes) for v2, compressed (33 bytes) for v1. */
  clientKey: Uint8Array
  payload: Uint8Array
  contentType: string
}

/** A rejection: answer `status` with `headers` and an empty body. */
export interface Rejection extends Error {
  code: string
  status: number
  headers: [string, string][]
}

export interface V2SecureContext extends CryptoSessionInfo {
  /** The payload revived: parsed JSON, text for `text/*`, else bytes. */
  body: unknown
  send(value?: string | Uint8Array | null, init?: number | ResponseInit): Promise<Response>
  json(value: unknown, init?: number | ResponseInit): Promise<Response>
}

export declare class CryptoSessionServer {
  constructor(options: ServerOptions)
  readonly publicKeys: string[]
  readonly origins: string[]
  readonly maxBody: number
  /** CORS: the Access-Control-Expose-Headers of this server (Authorization too with acceptV1). */
  readonly exposedHeaders: string
  setDeniedKeys(keys: Iterable<string>): void
  setNow(now: number): void
  authenticate(request: { method: string, target: string, authorization: string[], contentLength?: number, body?: Uint8Array }): Promise<CryptoSessionInfo & { native: unknown }>
  seal(request: { native: unknown }, status: number, contentType: string, payload: Uint8Array): { status: number, headers: [string, string][], body: Uint8Array }
  /** Web handler (`Request -> Response`): Workers, Deno, Bun, a service worker. */
  web<A extends unknown[] = unknown[]>(handler: (request: Request, secure: V2SecureContext, ...rest: A) => Response | Promise<Response>): (request: Request, ...rest: A) => Promise<Response>
  toJSON(): { origins: string[], publicKeys: string[] }
}
export declare function createServer(options: ServerOptions): CryptoSessionServer

// ---- web-only ----------------------------------------------------------------

/** What createHandler's app gets. */
export interface HandlerRequest {
  version: 1 | 2
  clientKey: Uint8Array
  method: string
  url: string
  contentType: string
  payload: Uint8Array
  text(): string
  json(): unknown
}
export type HandlerResult =
  | { status?: number, json: unknown }
  | { status?: number, body?: string | Uint8Array | null, contentType?: string }
  | undefined
/** The Web handler with an app that returns its answer (`{ json }` or `{ body }`). */
export declare function createHandler(
  config: {
    secretKey?: KeyInput, secretKeys?: KeyInput | KeyInput[], origin?: string, origins?: string | string[],
    acceptV1?: boolean, maxAge?: number, maxSkew?: number, maxBody?: number, replayCapacity?: number,
    replayCreated?: number, now?: number, admission?: (clientXonly: Uint8Array) => boolean, cors?: '*' | string | string[]
  },
  app: (request: HandlerRequest) => HandlerResult | Promise<HandlerResult>
): (request: Request) => Promise<Response>

/** The core's v2 client and server classes as the WebAssembly build exports them. */
export declare const V2Client: new (secretKey: KeyInput, serverKey: KeyInput, now?: number) => unknown
export declare const V2Server: new (config: Record<string, unknown>) => unknown
/** The x-only key (32 bytes) of a public key (any form). */
export declare function xonlyOf(publicKey: KeyInput): Bytes
/** The key id (8 bytes) of a public key (any form). */
export declare function kidOf(publicKey: KeyInput): Bytes
/** The arithmetic of the WebAssembly build. */
export declare const CORE_BACKEND: 'libsecp256k1'

declare const cryptoSessions: {
  CryptoSession: typeof CryptoSession
  Token: typeof Token
  SecureFetch: typeof SecureFetch
  CryptoSessionError: typeof CryptoSessionError
  ERROR_CODES: typeof ERROR_CODES
  Bytes: typeof Bytes
  generateKeyPair: typeof generateKeyPair
  getPublicKey: typeof getPublicKey
  CryptoSessionServer: typeof CryptoSessionServer
  createServer: typeof createServer
  createSecureFetch: typeof createSecureFetch
  PROTOCOL_VERSION: number
  CORE_VERSION: string
  CORE_BACKEND: 'libsecp256k1'
  createHandler: typeof createHandler
  V2Client: typeof V2Client
  V2Server: typeof V2Server
  xonlyOf: typeof xonlyOf
  kidOf: typeof kidOf
}
export default cryptoSessions
