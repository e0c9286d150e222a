// crypto-session protocol v2, written from PROTOCOL-v2.md alone, on @noble/curves
// (BIP-340 Schnorr, secp256k1 points), @noble/ciphers (ChaCha20-Poly1305) and
// @noble/hashes (SHA-256, HKDF). No code of the Rust core: a second, independent
// reading of the text, for the tests.
//
// Byte strings are Uint8Array; hex strings are accepted where a key is expected.
// Clocks and randomness are injectable (`now()` in Unix seconds, `random(n)`), so the
// vectors' fixed nonces, aux_rand and times replay byte for byte.

import { randomBytes as nodeRandomBytes } from 'node:crypto'
import { schnorr } from '@noble/curves/secp256k1'
import { chacha20poly1305 } from '@noble/ciphers/chacha'
import { sha256 } from '@noble/hashes/sha2'
import { extract as hkdfExtract, expand as hkdfExpand } from '@noble/hashes/hkdf'

export const VERSION = 0x02
export const REQUEST_HEADER_LEN = 66
export const REQUEST_TOKEN_LEN = 130
export const ANSWER_HEADER_LEN = 26
export const ANSWER_TOKEN_LEN = 90
export const FLAGS_ANSWER = 0x00
export const FLAGS_STALE = 0x01
export const SEALED_CONTENT_TYPE = 'application/vnd.crypto-session.v2'
export const DEFAULTS = Object.freeze({
  maxAge: 60,
  maxSkew: 5,
  maxBody: 1024 * 1024,
  replayCapacity: 1 << 20,
  replayPrefix: 'cs2:replay:'
})
export const MIN_MAX_SKEW = 5
export const MAX_AUTHORIZATION_CHARS = 200
/** A client corrects its clock from a signed stale answer only within this bound. */
export const MAX_CLOCK_OFFSET = 3600
/** A client retries once only if the stale answer came within this many seconds. */
export const RETRY_WITHIN_SECONDS = 5

/** The HTTP status of each rejection code (checks 1-7). */
export const STATUS_OF = Object.freeze({
  malformed: 401,
  unknown_key: 401,
  stale: 401,
  invalid_signature: 401,
  replayed: 401,
  forbidden: 403,
  invalid_body: 401,
  too_large: 413,
  busy: 503
})

export class ProtocolError extends Error {
  /** code: a server code (malformed, ...), `invalid_answer`, or `invalid_input` for caller mistakes. */
  constructor (code, message) {
    super(message ? `${code}: ${message}` : code)
    this.name = 'ProtocolError'
    this.code = code
  }
}

const fail = (code, message) => { throw new ProtocolError(code, message) }
const utf8 = new TextEncoder()
const ascii = (s) => utf8.encode(s)

// ---- bytes ------------------------------------------------------------------------

export function hex (bytes) { return Buffer.from(bytes).toString('hex') }

export function fromHex (s, len, what = 'hex') {
  if (typeof s !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(s)) fail('invalid_input', `${what} is not hex`)
  const out = new Uint8Array(Buffer.from(s, 'hex'))
  if (len !== undefined && out.length !== len) fail('invalid_input', `${what} must be ${len} bytes`)
  return out
}

export function concat (...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

export function equalBytes (a, b) {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}

function uBE (value, size) {
  const out = new Uint8Array(size)
  let v = BigInt(value)
  for (let i = size - 1; i >= 0; i--) { out[i] = Number(v & 0xffn); v >>= 8n }
  if (v !== 0n) fail('invalid_input', `${value} does not fit in ${size} bytes`)
  return out
}
export const u16be = (n) => uBE(n, 2)
export const u32be = (n) => uBE(n, 4)
export const u64be = (n) => uBE(n, 8)
function readU64 (bytes, at) {
  let v = 0n
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(bytes[at + i])
  return v
}

/** RFC 4648 §5 without padding. */
export function b64url (bytes) { return Buffer.from(bytes).toString('base64url') }

/** Strict: no padding, only the alphabet, canonical trailing bits (re-encoding gives the input back). */
export function b64urlDecode (text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null
  const bytes = Buffer.from(text, 'base64url')
  if (bytes.toString('base64url') !== text) return null
  return new Uint8Array(bytes)
}

export { sha256 }

/** BIP-340 tagged hash, as the spec defines it. */
export function tagged (tag, ...data) {
  const t = sha256(ascii(tag))
  return sha256(concat(t, t, ...data))
}

// ---- keys ---------------------------------------------------------------------------

/** A 32-byte secret scalar in [1, n-1]; hex or bytes. */
export function parseSecretKey (key) {
  const bytes = typeof key === 'string' ? fromHex(key, 32, 'secret key') : key
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) fail('invalid_input', 'a secret key is 32 bytes')
  try {
    schnorr.getPublicKey(bytes)
  } catch {
    fail('invalid_input', 'the secret key is not a scalar in [1, n-1]')
  }
  return Uint8Array.from(bytes)
}

/** BIP-340 lift_x: the point with x-coordinate P and even y, or null. */
export function liftX (xonly) {
  if (!(xonly instanceof Uint8Array) || xonly.length !== 32) return null
  try {
    return schnorr.utils.lift_x(schnorr.utils.bytesToNumberBE(xonly))
  } catch {
    return null
  }
}

/** An x-only public key (32 bytes) that lifts to a curve point; hex or bytes. A v1 compressed key maps to its x. */
export function parsePublicKey (key) {
  let bytes = typeof key === 'string' ? fromHex(key, undefined, 'public key') : key
  if (bytes instanceof Uint8Array && bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3)) bytes = bytes.subarray(1)
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32 || liftX(bytes) === null) {
    fail('invalid_input', 'a public key is 32 bytes, the x-coordinate of a curve point')
  }
  return Uint8Array.from(bytes)
}

export function xonlyOf (secret) { return schnorr.getPublicKey(parseSecretKey(secret)) }

/** kid(P) = sha256(P)[0..8] */
export function kid (xonly) { return sha256(xonly).slice(0, 8) }

// ---- shared keys (HKDF) -----------------------------------------------------------

export function sharedX (secret, peerXonly) {
  const q = liftX(peerXonly)
  if (q === null) fail('invalid_input', 'the peer key is not the x-coordinate of a curve point')
  const d = schnorr.utils.bytesToNumberBE(parseSecretKey(secret))
  return schnorr.utils.numberToBytesBE(q.multiply(d).toAffine().x, 32)
}

export function conversationKey (secret, peerXonly) {
  return hkdfExtract(sha256, sharedX(secret, peerXonly), ascii('crypto-session/v2'))
}

export function requestKey (convKey, requestHeader) {
  return hkdfExpand(sha256, convKey, concat(ascii('crypto-session/v2 request'), requestHeader), 32)
}

export function answerKey (convKey, requestHeader, answerHeader) {
  return hkdfExpand(sha256, convKey, concat(ascii('crypto-session/v2 answer'), requestHeader, answerHeader), 32)
}

/** Conversation keys cached per (own key, peer key), as the spec suggests. */
export class ConversationKeys {
  constructor (limit = 4096) { this.limit = limit; this.map = new Map() }
  get (secret, peerXonly) {
    const id = hex(peerXonly) + hex(sha256(secret))
    let key = this.map.get(id)
    if (key === undefined) {
      key = conversationKey(secret, peerXonly)
      if (this.map.size >= this.limit) this.map.delete(this.map.keys().next().value)
      this.map.set(id, key)
    }
    return key
  }
}

// ---- the sealed envelope ------------------------------------------------------------

function checkContentType (contentType) {
  if (typeof contentType !== 'string' || contentType.length > 255 || !/^[\x20-\x7e]*$/.test(contentType)) {
    fail('invalid_input', 'a content type is at most 255 bytes of 0x20-0x7E')
  }
}

export function encodeEnvelope (contentType, payload) {
  checkContentType(contentType)
  return concat(Uint8Array.of(contentType.length), ascii(contentType), payload)
}

/** -> {contentType, payload}, or null when the envelope is invalid. */
export function decodeEnvelope (envelope) {
  if (envelope.length < 1) return null
  const n = envelope[0]
  if (1 + n > envelope.length) return null
  const ct = envelope.subarray(1, 1 + n)
  for (const b of ct) if (b < 0x20 || b > 0x7e) return null
  return { contentType: Buffer.from(ct).toString('latin1'), payload: Uint8Array.from(envelope.subarray(1 + n)) }
}

const ZERO_NONCE = new Uint8Array(12)

/** The body on the wire: nothing for an empty payload with an empty content type, else the AEAD of the envelope. */
export function seal (key, headerBytes, contentType, payload) {
  const envelope = encodeEnvelope(contentType, payload)
  if (contentType === '' && payload.length === 0) return new Uint8Array(0)
  return chacha20poly1305(key, ZERO_NONCE, headerBytes).encrypt(envelope)
}

/** -> {contentType, payload}, or null when the body does not open or its envelope is invalid. */
export function unseal (key, headerBytes, body) {
  if (body.length === 0) return { contentType: '', payload: new Uint8Array(0) }
  let envelope
  try {
    envelope = chacha20poly1305(key, ZERO_NONCE, headerBytes).decrypt(body)
  } catch {
    return null
  }
  return decodeEnvelope(envelope)
}

// ---- origins and request targets --------------------------------------------------

const DEFAULT_PORT = { http: '80', https: '443' }

/**
 * Normalise an origin `scheme://host[:port]`: lower case, default port dropped.
 * -> string, or null if the port is empty, not decimal or has a leading zero, or the
 * authority is not a plain host[:port].
 */
export function normalizeOrigin (scheme, authority) {
  let host = authority
  let port = null
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']')
    if (end < 0) return null
    host = authority.slice(0, end + 1)
    const rest = authority.slice(end + 1)
    if (rest !== '') {
      if (!rest.startsWith(':')) return null
      port = rest.slice(1)
    }
  } else {
    const colon = authority.indexOf(':')
    if (colon >= 0) { host = authority.slice(0, colon); port = authority.slice(colon + 1) }
  }
  if (host === '') return null
  if (port !== null && !/^(?:0|[1-9][0-9]*)$/.test(port)) return null
  scheme = scheme.toLowerCase()
  host = host.toLowerCase()
  if (port !== null && DEFAULT_PORT[scheme] === port) port = null
  return `${scheme}://${host}${port === null ? '' : ':' + port}`
}

/** A configured origin, normalised; throws invalid_input if it is not `scheme://host[:port]`. */
export function parseOrigin (origin) {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#@\s]*)$/.exec(String(origin))
  const normal = m && normalizeOrigin(m[1], m[2])
  if (!normal) fail('invalid_input', `not an origin (scheme://host[:port], no path): ${origin}`)
  return normal
}

/**
 * Parse a request-target as on the wire. -> {form: 'origin', target} or
 * {form: 'absolute', origin (normalised) | null when it can never match, uriRest};
 * throws malformed.
 */
export function parseTarget (target) {
  if (typeof target !== 'string' || target.length === 0) fail('malformed', 'empty request-target')
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) fail('malformed', 'request-target byte outside 0x21-0x7E')
  }
  if (target.includes('#')) fail('malformed', 'request-target with a fragment')
  if (target.startsWith('/')) return { form: 'origin', target }
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(target)
  if (!m) fail('malformed', 'request-target is neither origin-form nor absolute-form')
  const afterScheme = m[0].length
  let end = target.slice(afterScheme).search(/[/?]/)
  end = end < 0 ? target.length : afterScheme + end
  const authority = target.slice(afterScheme, end)
  let rest = target.slice(end)
  if (!rest.startsWith('/')) rest = '/' + rest
  // An origin part with userinfo never matches a configured origin: step 4, not step 2.
  if (authority.includes('@')) return { form: 'absolute', origin: null, rest }
  const origin = normalizeOrigin(m[1], authority)
  if (origin === null) fail('malformed', 'absolute-form target with an invalid origin')
  return { form: 'absolute', origin, rest }
}

/** The `uri`s a request may have been signed over, given the configured (normalised) origins. */
export function candidateUris (parsedTarget, origins) {
  if (parsedTarget.form === 'origin') return origins.map((o) => o + parsedTarget.target)
  if (parsedTarget.origin !== null && origins.includes(parsedTarget.origin)) return [parsedTarget.origin + parsedTarget.rest]
  return []
}

// ---- request ------------------------------------------------------------------------

export function requestHeader ({ created, nonceReq, clientXonly, serverXonly }) {
  if (nonceReq.length !== 16) fail('invalid_input', 'nonce_req is 16 bytes')
  return concat(Uint8Array.of(VERSION, 0x00), u64be(created), nonceReq, clientXonly, kid(serverXonly))
}

export function mReq ({ header, serverXonly, method, uri, body }) {
  const m = ascii(method)
  const u = ascii(uri)
  return tagged('crypto-session/v2/request', header, serverXonly, u16be(m.length), m, u32be(u.length), u, sha256(body))
}

/** Parse a request token (130 bytes): -> fields, or null. */
export function parseRequestToken (token) {
  if (token.length !== REQUEST_TOKEN_LEN || token[0] !== VERSION || token[1] !== 0x00) return null
  return {
    header: token.subarray(0, REQUEST_HEADER_LEN),
    created: readU64(token, 2),
    nonceReq: token.subarray(10, 26),
    clientXonly: token.subarray(26, 58),
    kid: token.subarray(58, 66),
    signature: token.subarray(66, 130)
  }
}

/**
 * Build a request: -> {token, authorization, body, header, signature, uri, m}.
 * `created` (Unix seconds), `nonceReq` (16 bytes) and `auxRand` (32 bytes) are fresh
 * random values in production; the vectors fix them.
 */
export function buildRequest ({ clientSecret, serverXonly, method, origin, target, created, nonceReq, auxRand, contentType = '', payload = new Uint8Array(0), convKey }) {
  const secret = parseSecretKey(clientSecret)
  const server = parsePublicKey(serverXonly)
  if (typeof method !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) fail('invalid_input', 'method is not an HTTP token')
  const parsed = parseTarget(target)
  const uri = parseOrigin(origin) + (parsed.form === 'origin' ? parsed.target : parsed.rest)
  const clientXonly = schnorr.getPublicKey(secret)
  const header = requestHeader({ created, nonceReq, clientXonly, serverXonly: server })
  convKey ??= conversationKey(secret, server)
  const kReq = requestKey(convKey, header)
  const body = seal(kReq, header, contentType, payload)
  const m = mReq({ header, serverXonly: server, method, uri, body })
  const signature = schnorr.sign(m, secret, auxRand)
  const token = concat(header, signature)
  return { token, authorization: `CryptoSession ${b64url(token)}`, body, header, signature, uri, m }
}

// ---- answer -------------------------------------------------------------------------

export function answerHeader ({ flags, created, nonceAns }) {
  if (nonceAns.length !== 16) fail('invalid_input', 'nonce_ans is 16 bytes')
  return concat(Uint8Array.of(VERSION, flags), u64be(created), nonceAns)
}

export function mAns ({ header, serverXonly, clientXonly, requestSignature, status, body }) {
  return tagged('crypto-session/v2/answer', header, serverXonly, clientXonly, requestSignature, u16be(status), sha256(body))
}

/** Statuses (and a HEAD answer) that HTTP forbids to carry a body. */
export function bodyForbidden (status, method) {
  return method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304
}

/**
 * Build an answer (flags 0) or a signed stale answer (flags 1, status 401, no body):
 * -> {token, header (the Crypto-Session value), body, m}.
 */
export function buildAnswer ({ serverSecret, requestToken, status, created, nonceAns, auxRand, contentType = '', payload = new Uint8Array(0), stale = false, method, convKey }) {
  const secret = parseSecretKey(serverSecret)
  const request = parseRequestToken(requestToken)
  if (request === null) fail('invalid_input', 'not a v2 request token')
  if (!Number.isInteger(status) || status < 100 || status > 599) fail('invalid_input', 'status is 100-599')
  if (stale && (status !== 401 || contentType !== '' || payload.length !== 0)) fail('invalid_input', 'a stale answer is 401 without a body')
  if (bodyForbidden(status, method) && (contentType !== '' || payload.length !== 0)) {
    fail('invalid_input', `status ${status}${method === 'HEAD' ? ' to a HEAD' : ''} carries no body`)
  }
  const serverXonly = schnorr.getPublicKey(secret)
  const header = answerHeader({ flags: stale ? FLAGS_STALE : FLAGS_ANSWER, created, nonceAns })
  convKey ??= conversationKey(secret, request.clientXonly)
  const body = seal(answerKey(convKey, request.header, header), header, contentType, payload)
  const m = mAns({ header, serverXonly, clientXonly: request.clientXonly, requestSignature: request.signature, status, body })
  const token = concat(header, schnorr.sign(m, secret, auxRand))
  return { token, header: b64url(token), body, m }
}

/**
 * The client's checks on an answer, in order: parse, signature by the server key it
 * addressed, then decrypt. `expect` is 'answer' (flags 0) or 'stale' (flags 1, 401, no
 * body). -> {status, flags, created, contentType, payload}; throws invalid_answer.
 */
export function openAnswer ({ clientSecret, serverXonly, requestToken, status, header, body = new Uint8Array(0), expect = 'answer', method, convKey }) {
  const bad = (why) => fail('invalid_answer', why)
  const request = parseRequestToken(requestToken)
  if (request === null) fail('invalid_input', 'not a v2 request token')
  const token = typeof header === 'string' ? b64urlDecode(header) : null
  if (token === null || token.length !== ANSWER_TOKEN_LEN) bad('the Crypto-Session header is not b64url of 90 bytes')
  if (token[0] !== VERSION) bad('answer version is not 2')
  const flags = token[1]
  if (flags !== FLAGS_ANSWER && flags !== FLAGS_STALE) bad(`answer flags ${flags}`)
  if (flags !== (expect === 'stale' ? FLAGS_STALE : FLAGS_ANSWER)) bad(expect === 'stale' ? 'a stale rejection without a stale answer' : 'a stale answer where an answer was expected')
  if (!Number.isInteger(status) || status < 100 || status > 599) bad(`status ${status}`)
  if (flags === FLAGS_STALE && (status !== 401 || body.length !== 0)) bad('a stale answer is 401 without a body')
  if (bodyForbidden(status, method) && body.length !== 0) bad(`a body with status ${status}`)
  const ansHeader = token.subarray(0, ANSWER_HEADER_LEN)
  const secret = parseSecretKey(clientSecret)
  const server = parsePublicKey(serverXonly)
  const m = mAns({ header: ansHeader, serverXonly: server, clientXonly: schnorr.getPublicKey(secret), requestSignature: request.signature, status, body })
  let valid = false
  try { valid = schnorr.verify(token.subarray(ANSWER_HEADER_LEN), m, server) } catch { valid = false }
  if (!valid) bad('the answer signature does not verify for this request')
  convKey ??= conversationKey(secret, server)
  const opened = unseal(answerKey(convKey, request.header, ansHeader), ansHeader, body)
  if (opened === null) bad('the answer body does not open')
  return { status, flags, created: readU64(token, 2), ...opened }
}

// ---- the replay store (memory) and its key (shared stores) --------------------------

/** The shared store's key: prefix + hex(sha256("crypto-session/v2 replay" || C || nonce_req)[0..16]). */
export function replayKey (clientXonly, nonceReq, prefix = DEFAULTS.replayPrefix) {
  return prefix + hex(sha256(concat(ascii('crypto-session/v2 replay'), clientXonly, nonceReq)).subarray(0, 16))
}

export function replayDeadline (created, maxAge, maxSkew) { return created + maxAge + maxSkew + 1 }

/** ttl_ms = (deadline - now) * 1000, on the server's clock. */
export function replayTtlMs ({ created, now, maxAge, maxSkew }) {
  return (replayDeadline(created, maxAge, maxSkew) - now) * 1000
}

/** In-memory store: entries expire at their deadline; full of live entries -> busy, never evict. */
export class MemoryReplayStore {
  constructor ({ capacity = DEFAULTS.replayCapacity, created }) {
    if (!Number.isInteger(capacity) || capacity < 1) fail('invalid_input', 'replay capacity must be a positive integer')
    this.capacity = capacity
    this.created = created // T_store, Unix seconds (may be fractional)
    this.entries = new Map() // id -> deadline
  }

  #id (clientXonly, nonceReq) { return hex(clientXonly) + hex(nonceReq) }

  has (clientXonly, nonceReq, now) {
    const deadline = this.entries.get(this.#id(clientXonly, nonceReq))
    return deadline !== undefined && now < deadline
  }

  /** -> 'recorded' | 'present' | 'full' */
  insert (clientXonly, nonceReq, deadline, now) {
    const id = this.#id(clientXonly, nonceReq)
    const existing = this.entries.get(id)
    if (existing !== undefined && now < existing) return 'present'
    if (existing !== undefined) this.entries.delete(id)
    if (this.entries.size >= this.capacity) {
      for (const [k, d] of this.entries) if (now >= d) this.entries.delete(k)
      if (this.entries.size >= this.capacity) return 'full'
    }
    this.entries.set(id, deadline)
    return 'recorded'
  }
}

// ---- the server's checks ------------------------------------------------------------

const defaultNow = () => Math.floor(Date.now() / 1000)
const defaultRandom = (n) => new Uint8Array(nodeRandomBytes(n))

/**
 * A v2 server (v2 only: any other Authorization is malformed). Options: secretKeys
 * (one or more, for rotation), origins, maxAge, maxSkew (>= 5), maxBody,
 * replayCapacity, store (default a MemoryReplayStore created at now()), restartGuard
 * (default true), admit(clientXonly) -> boolean (step 5a), now(), random(n).
 */
export class Server {
  constructor ({ secretKeys, origins, maxAge = DEFAULTS.maxAge, maxSkew = DEFAULTS.maxSkew, maxBody = DEFAULTS.maxBody, replayCapacity = DEFAULTS.replayCapacity, store, restartGuard = true, admit, now = defaultNow, random = defaultRandom }) {
    if (!Array.isArray(secretKeys) || secretKeys.length === 0) fail('invalid_input', 'a server needs at least one secret key')
    if (!Array.isArray(origins) || origins.length === 0) fail('invalid_input', 'a server needs at least one origin')
    for (const [name, v, min] of [['max_age', maxAge, 1], ['max_skew', maxSkew, MIN_MAX_SKEW], ['max_body', maxBody, 0]]) {
      if (!Number.isSafeInteger(v) || v < min) fail('invalid_input', `${name} must be an integer >= ${min}`)
    }
    this.#keys = secretKeys.map((k) => {
      const secret = parseSecretKey(k)
      const xonly = schnorr.getPublicKey(secret)
      return { secret, xonly, kid: kid(xonly) }
    })
    this.origins = [...new Set(origins.map(parseOrigin))]
    Object.assign(this, { maxAge, maxSkew, maxBody, restartGuard, admit, now, random })
    this.store = store ?? new MemoryReplayStore({ capacity: replayCapacity, created: now() })
  }

  // Secret keys and derived keys stay in private fields: never in inspect/JSON output.
  #keys
  #convKeys = new ConversationKeys()

  get publicKeys () { return this.#keys.map((k) => Uint8Array.from(k.xonly)) }

  /**
   * Checks 1-7 in order. authorization: the list of Authorization field values (a
   * string is one field); body: the bytes after transfer/content decoding;
   * contentLength: the declared length, if any. -> {ok: true, request} or
   * {ok: false, code, status, staleAnswer?: {header}}. `request` is what `answer` needs.
   */
  authenticate ({ method, target, authorization, body = new Uint8Array(0), contentLength }) {
    const reject = (code, extra = {}) => ({ ok: false, code, status: STATUS_OF[code], ...extra })
    // 1. size
    if (contentLength !== undefined && contentLength !== null && Number(contentLength) > this.maxBody) return reject('too_large')
    if (body.length > this.maxBody) return reject('too_large')
    const fields = authorization === undefined || authorization === null ? [] : Array.isArray(authorization) ? authorization : [authorization]
    const trimmed = fields.map((v) => String(v).replace(/^[ \t]+|[ \t]+$/g, ''))
    if (trimmed.some((v) => v.length > MAX_AUTHORIZATION_CHARS)) return reject('malformed')
    // 2. parse
    if (trimmed.length !== 1) return reject('malformed')
    const m = /^cryptosession( +)(.*)$/is.exec(trimmed[0])
    if (!m) return reject('malformed')
    const raw = b64urlDecode(m[2])
    const request = raw && parseRequestToken(raw)
    if (!request) return reject('malformed')
    let parsedTarget
    try { parsedTarget = parseTarget(target) } catch (err) { if (err.code === 'malformed') return reject('malformed'); throw err }
    // 3. key
    const key = this.#keys.find((k) => equalBytes(k.kid, request.kid))
    if (!key) return reject('unknown_key')
    // 4. signature (C a valid x-only key; for an origin-form target, one of the origins)
    if (liftX(request.clientXonly) === null) return reject('invalid_signature')
    const verified = candidateUris(parsedTarget, this.origins).find((uri) => {
      const msg = mReq({ header: request.header, serverXonly: key.xonly, method, uri, body })
      try { return schnorr.verify(request.signature, msg, request.clientXonly) } catch { return false }
    })
    if (verified === undefined) return reject('invalid_signature')
    // 5. freshness
    const now = this.now()
    const created = Number(request.created)
    const inWindow = request.created >= BigInt(now - this.maxAge) && request.created <= BigInt(now + this.maxSkew)
    if (!inWindow) {
      if (this.store.has(request.clientXonly, request.nonceReq, now)) return reject('replayed')
      return reject('stale', { staleAnswer: this.#staleAnswer(key, raw, now) })
    }
    if (this.restartGuard && this.store.created !== undefined && created < Math.ceil(this.store.created) + this.maxSkew) {
      return reject('stale') // the memory store's restart rule: no signed answer
    }
    // 5a. admission
    if (this.admit && !this.admit(Uint8Array.from(request.clientXonly))) return reject('forbidden')
    // 6. replay
    const recorded = this.store.insert(request.clientXonly, request.nonceReq, replayDeadline(created, this.maxAge, this.maxSkew), now)
    if (recorded === 'present') return reject('replayed')
    if (recorded !== 'recorded') return reject('busy')
    // 7. body
    const convKey = this.#convKeys.get(key.secret, request.clientXonly)
    const opened = unseal(requestKey(convKey, request.header), request.header, body)
    if (opened === null) return reject('invalid_body')
    return {
      ok: true,
      request: {
        method,
        target,
        uri: verified,
        clientXonly: Uint8Array.from(request.clientXonly),
        created,
        contentType: opened.contentType,
        payload: opened.payload,
        token: Uint8Array.from(raw),
        serverXonly: key.xonly,
        keyIndex: this.#keys.indexOf(key)
      }
    }
  }

  #staleAnswer (key, requestToken, now) {
    return buildAnswer({ serverSecret: key.secret, requestToken, status: 401, created: now, nonceAns: this.random(16), auxRand: this.random(32), stale: true, convKey: this.#convKeys.get(key.secret, parseRequestToken(requestToken).clientXonly) })
  }

  /** Seal the application's answer to an authenticated request: -> {status, header, body}. */
  answer (request, { status = 200, contentType = '', payload = new Uint8Array(0) } = {}) {
    const key = this.#keys[request.keyIndex]
    const built = buildAnswer({ serverSecret: key.secret, requestToken: request.token, status, created: this.now(), nonceAns: this.random(16), auxRand: this.random(32), contentType, payload, method: request.method, convKey: this.#convKeys.get(key.secret, request.clientXonly) })
    return { status, header: built.header, body: built.body }
  }
}

// ---- the client ---------------------------------------------------------------------

/**
 * A v2 client for one server key. Options: now() (Unix seconds), monotonic() (ms),
 * random(n). Keeps the clock offset learnt from signed stale answers of this server.
 */
export class Client {
  #secret
  #convKey

  constructor ({ clientSecret, serverXonly, now = defaultNow, monotonic = () => performance.now(), random = defaultRandom }) {
    this.#secret = parseSecretKey(clientSecret)
    this.server = parsePublicKey(serverXonly)
    this.xonly = schnorr.getPublicKey(this.#secret)
    this.#convKey = conversationKey(this.#secret, this.server)
    Object.assign(this, { now, monotonic, random })
    this.offset = 0
  }

  /** A request to send: -> {token, authorization, body, headers}. */
  prepare ({ method, origin, target, contentType = '', payload = new Uint8Array(0) }) {
    const built = buildRequest({ clientSecret: this.#secret, serverXonly: this.server, method, origin, target, created: this.now() + this.offset, nonceReq: this.random(16), auxRand: this.random(32), contentType, payload, convKey: this.#convKey })
    const headers = { authorization: built.authorization }
    if (built.body.length > 0) Object.assign(headers, { 'content-type': SEALED_CONTENT_TYPE, 'cache-control': 'no-transform' })
    return { ...built, headers }
  }

  /** Open an answer to `prepared`; expect 'answer' or 'stale'. */
  open (prepared, { method, status, header, body, expect = 'answer' }) {
    return openAnswer({ clientSecret: this.#secret, serverXonly: this.server, requestToken: prepared.token, status, header, body, expect, method, convKey: this.#convKey })
  }

  /** Learn the server's time from a verified stale answer that arrived at local time `arrivedAt`. */
  learnOffset (staleAnswer, arrivedAt) {
    const offset = Number(staleAnswer.created) - arrivedAt
    if (Math.abs(offset) <= MAX_CLOCK_OFFSET) this.offset = offset
    return this.offset
  }

  /**
   * Send with `transport(prepared) -> Promise<{status, header (Crypto-Session or
   * undefined), wwwAuthenticate, body}>`: verify the answer bound to the request; on a
   * signed stale answer correct the offset and retry once (new nonce) if it came
   * within 5 s. -> {status, contentType, payload, retried} or throws ProtocolError
   * (invalid_answer, or the server's rejection code).
   */
  async send ({ method, origin, target, contentType = '', payload = new Uint8Array(0) }, transport) {
    let retried = false
    for (;;) {
      const prepared = this.prepare({ method, origin, target, contentType, payload })
      const sentAt = this.monotonic()
      const res = await transport(prepared)
      const arrivedAt = this.now()
      const code = rejectionCode(res.wwwAuthenticate)
      if (code === 'stale' && res.header !== undefined) {
        const stale = this.open(prepared, { method, status: res.status, header: res.header, body: res.body, expect: 'stale' })
        this.learnOffset(stale, arrivedAt)
        if (!retried && this.monotonic() - sentAt <= RETRY_WITHIN_SECONDS * 1000) { retried = true; continue }
        fail('stale', 'the server found the request stale (clock offset learnt)')
      }
      if (res.header === undefined) {
        fail(code ?? 'invalid_answer', code ? `the server rejected the request (status ${res.status}, unsigned)` : `no Crypto-Session header (status ${res.status})`)
      }
      const opened = this.open(prepared, { method, status: res.status, header: res.header, body: res.body })
      return { status: opened.status, contentType: opened.contentType, payload: opened.payload, retried }
    }
  }
}

/** The error code of `WWW-Authenticate: CryptoSession error="<code>"`, or undefined. */
export function rejectionCode (wwwAuthenticate) {
  const m = /^\s*cryptosession\s+error="([a-z_]+)"/i.exec(wwwAuthenticate ?? '')
  return m ? m[1] : undefined
}
