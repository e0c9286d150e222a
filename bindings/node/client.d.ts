// Type declarations of the client side, the same in every entry of the package:
// Node's (index.d.ts re-exports them) and the browser/edge bundle's (web/index.d.mts).
// No Node types here: a web page type-checks against this file without @types/node.

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
  /** 1, the default; `{ protocol: 2 }` makes the v2 fetch instead (see SecureFetchConstructor). */
  protocol?: 1
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

/** A v1 fetch that signs, encrypts and checks every exchange with one server. */
export interface SecureFetch extends Function {
  <T = any>(input: string | URL | Request, init?: SecureRequestInit): Promise<SecureResponse<T>>
  readonly session: CryptoSession
  readonly hostname: string
  readonly fetcher: Fetcher
  readonly verbose: boolean
  options: RequestInit
  fetch<T = any>(input: string | URL | Request, init?: SecureRequestInit): Promise<SecureResponse<T>>
  handleResponse<T = any>(response: Response): Promise<SecureResponse<T>>
}
/**
 * `new SecureFetch(serverKey, secretKey, options)`: v1 (the reference's), or with
 * `{ protocol: 2 }` the v2 fetch of createSecureFetch (a verified answer, or a throw).
 */
export interface SecureFetchConstructor {
  new (serverKey: KeyInput, secretKey: KeyInput, options: SecureFetchV2Options & { protocol: 2 }): SecureFetchV2
  new (peerKey: KeyInput, secretKey: KeyInput, options?: SecureFetchOptions): SecureFetch
  readonly prototype: SecureFetch
  create(peerKey: KeyInput, secretKey: KeyInput, options?: SecureFetchOptions): SecureInstance
  generate(peerKey: KeyInput, options?: SecureFetchOptions): SecureInstance
}
export declare const SecureFetch: SecureFetchConstructor

// ---- keys and constants ----------------------------------------------------

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

// ---- protocol v2 client ----------------------------------------------------

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
  readonly protocol: 2
  readonly publicKey: string
  readonly serverKey: string
  readonly clockOffset: number
  setNow(now: number): void
}
/** A v2 fetch for one server key (verified answers, one stale retry, never follows redirects). */
export declare function createSecureFetch(serverKey: KeyInput, secretKey: KeyInput, options?: SecureFetchV2Options): SecureFetchV2
