// Protocol v1 facts that involve no cryptography, shared by both JS stacks:
// error kinds, size limits, the base64url alphabet, the shape of a POST body.
// Everything that touches keys, hashes or ciphers lives in the stack modules.

/** Error kinds, named and numbered as the Rust core's ErrorKind. */
export const ErrorKind = Object.freeze({
  malformed_input: 1,
  invalid_key: 2,
  decrypt_failed: 3,
  invalid_signature: 4,
  wrong_peer: 5,
  too_large: 6,
  unsupported_method: 7,
  http_status: 8
})

/** An error of the protocol; `kind` is one of the keys of ErrorKind. */
export class CryptoSessionError extends Error {
  constructor (kind, message, extra = {}) {
    if (!(kind in ErrorKind)) throw new TypeError(`unknown error kind: ${kind}`)
    super(message)
    this.name = 'CryptoSessionError'
    this.kind = kind
    this.code = ErrorKind[kind]
    Object.assign(this, extra)
  }

  toJSON () {
    return { kind: this.kind, message: this.message, ...(this.status ? { status: this.status } : {}) }
  }
}

export const PUBKEY_LEN = 33
export const MAX_SIGNATURE_LEN = 72
/** base64url length of the longest token (33-byte key + 72-byte DER signature). */
export const MAX_TOKEN_CHARS = Math.ceil((PUBKEY_LEN + MAX_SIGNATURE_LEN) / 3) * 4
/** Largest request body a server decrypts (bytes). */
export const DEFAULT_MAX_BODY = 1 << 20

/** What the reference accepts as base64url: its alphabet, no `=` padding, not empty. */
export const B64URL_PATTERN = /^[A-Za-z0-9_-]+$/

/** Throw malformed_input unless `text` is non-empty unpadded base64url. */
export function assertB64url (text, what) {
  if (typeof text !== 'string' || !B64URL_PATTERN.test(text)) {
    throw new CryptoSessionError('malformed_input', `${what} is empty or not base64url`)
  }
}

/** Split decoded token bytes into the signer's key and the signature. */
export function splitToken (bytes) {
  if (bytes.length <= PUBKEY_LEN || bytes.length > PUBKEY_LEN + MAX_SIGNATURE_LEN) {
    throw new CryptoSessionError('malformed_input',
      `token is ${bytes.length} bytes: it needs a 33-byte public key and a 1 to 72-byte signature`)
  }
  return { signer: bytes.subarray(0, PUBKEY_LEN), signature: bytes.subarray(PUBKEY_LEN) }
}

/** Check the `authorization` value a server receives, before any decoding. */
export function checkAuthorization (authorization) {
  const text = typeof authorization === 'string' ? authorization.trim() : ''
  if (text === '') throw new CryptoSessionError('malformed_input', 'no authorization header')
  if (text.length > MAX_TOKEN_CHARS) {
    throw new CryptoSessionError('too_large', `token is ${text.length} characters, the limit is ${MAX_TOKEN_CHARS}`)
  }
  assertB64url(text, 'authorization')
  return text
}

/** The methods protocol v1 signs; anything else is refused. */
export function protocolMethod (method) {
  const m = String(method ?? 'GET').toUpperCase()
  if (m !== 'GET' && m !== 'POST') {
    throw new CryptoSessionError('unsupported_method', `method ${m} is not signed by protocol v1 (GET and POST only)`)
  }
  return m
}

/** The origin a server verifies GETs against: trimmed, without a trailing `/`. */
export function normalizeHost (host) {
  const h = typeof host === 'string' ? host.trim().replace(/\/$/, '') : ''
  if (h === '') {
    throw new CryptoSessionError('malformed_input', 'host is empty: set it to the origin clients sign, e.g. http://localhost:3001')
  }
  return h
}

/** JSON.stringify, with a clear error for what JSON cannot hold (undefined, BigInt, cycles). */
export function jsonText (value) {
  let json
  try {
    json = JSON.stringify(value)
  } catch (err) {
    throw new CryptoSessionError('malformed_input', `payload is not serializable as JSON: ${err.message}`)
  }
  if (json === undefined) throw new CryptoSessionError('malformed_input', 'payload is not serializable as JSON')
  return json
}

/** The encrypted data of a POST body `{"data": "..."}` (text, bytes or an already parsed object). */
export function postData (body, maxBody = DEFAULT_MAX_BODY) {
  let parsed = body
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length
    if (size > maxBody) throw new CryptoSessionError('too_large', `body is ${size} bytes, the limit is ${maxBody}`)
    try {
      parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'))
    } catch (err) {
      throw new CryptoSessionError('malformed_input', `POST body is not JSON: ${err.message}`)
    }
  }
  if (parsed === null || typeof parsed !== 'object' || typeof parsed.data !== 'string') {
    throw new CryptoSessionError('malformed_input', 'POST body is not {"data": "..."}')
  }
  return parsed.data
}

/**
 * A map that keeps at most `limit` entries, dropping the least recently used.
 * A limit of 0 keeps nothing.
 */
export class BoundedMap {
  #limit
  #map = new Map()

  constructor (limit) {
    this.#limit = Math.max(0, Math.floor(limit))
  }

  get (key) {
    const value = this.#map.get(key)
    if (value !== undefined) {
      this.#map.delete(key)
      this.#map.set(key, value)
    }
    return value
  }

  set (key, value) {
    if (this.#limit === 0) return
    this.#map.delete(key)
    this.#map.set(key, value)
    if (this.#map.size > this.#limit) this.#map.delete(this.#map.keys().next().value)
  }

  get size () {
    return this.#map.size
  }
}
