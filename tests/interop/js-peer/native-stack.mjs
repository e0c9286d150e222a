// Protocol v1 on what a Node user would pick today for speed: the `secp256k1` npm
// package (libsecp256k1 bindings: ECDSA, ECDH) and node:crypto (SHA-256, AES-256-CBC
// via OpenSSL). Written from docs/PROTOCOL.md; the benchmark baseline for the addon.
// Synchronous (awaiting its results works too).

import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'
import { createRequire } from 'node:module'

import {
  BoundedMap, CryptoSessionError, DEFAULT_MAX_BODY,
  assertB64url, checkAuthorization, jsonText, normalizeHost, postData, protocolMethod, splitToken
} from './protocol.mjs'
import { expressAuth } from './http-express.mjs'
import { SecureClient, bindFetch } from './http-client.mjs'

export { CryptoSessionError, ErrorKind } from './protocol.mjs'

// The native addon itself: the package's index.js would fall back to pure-JS
// `elliptic` without a word when the addon does not load, and this is the native baseline.
const secp256k1 = createRequire(import.meta.url)('secp256k1/bindings.js')

const HEX = /^(?:[0-9a-fA-F]{2})*$/
const IV_LEN = 16
const utf8 = new TextDecoder()

// ---- primitives -------------------------------------------------------------

function bytesOf (value, what) {
  if (value instanceof Uint8Array) return Buffer.from(value)
  if (typeof value === 'string' && HEX.test(value)) return Buffer.from(value, 'hex')
  throw new CryptoSessionError('invalid_key', `${what} must be hex or bytes`)
}

const toHex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')

/** A secret key (64 hex characters or 32 bytes) checked to be in [1, n-1]. */
export function parseSecretKey (secret) {
  const bytes = bytesOf(secret, 'secret key')
  if (bytes.length !== 32 || !secp256k1.privateKeyVerify(bytes)) {
    throw new CryptoSessionError('invalid_key', 'secret key must be 32 bytes in [1, n-1]')
  }
  return bytes
}

/** A peer key (33-byte compressed or 65-byte uncompressed) as its 33-byte compressed form. */
export function parsePublicKey (key) {
  const bytes = bytesOf(key, 'public key')
  if (bytes.length !== 33 && bytes.length !== 65) {
    throw new CryptoSessionError('invalid_key', `public key must be 33 or 65 bytes, not ${bytes.length}`)
  }
  // SEC1 compressed (02/03) or uncompressed (04) only: no hybrid (06/07) encodings.
  if ((bytes.length === 33) !== (bytes[0] === 2 || bytes[0] === 3) || (bytes.length === 65 && bytes[0] !== 4)) {
    throw new CryptoSessionError('invalid_key', 'public key must start with 02 or 03 (33 bytes) or 04 (65 bytes)')
  }
  try {
    return secp256k1.publicKeyConvert(bytes, true)
  } catch {
    throw new CryptoSessionError('invalid_key', 'public key is not a point of secp256k1')
  }
}

export function publicKeyOf (secret) {
  return secp256k1.publicKeyCreate(parseSecretKey(secret), true)
}

// libsecp256k1's ECDH hashes the point by default; v1 uses the bare x-coordinate.
const xOnly = (x) => x
function ecdhX (secret, peer) {
  return secp256k1.ecdh(peer, secret, { hashfn: xOnly, xbuf: new Uint8Array(32), ybuf: new Uint8Array(32) }, new Uint8Array(32))
}

/** The AES-256 key: x-coordinate of ECDH(secret, peer), no KDF. */
export function sharedKey (secret, peer) {
  return ecdhX(parseSecretKey(secret), parsePublicKey(peer))
}

/** What is signed and encrypted: UTF-8 of a string, bytes as they are, else compact JSON. */
export function serialize (payload) {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8')
  if (payload instanceof Uint8Array) return payload
  return Buffer.from(jsonText(payload), 'utf8')
}

/** JSON when the text parses, the text otherwise (as the reference revives). */
export function revive (bytes) {
  const text = utf8.decode(bytes)
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export const digest = (bytes) => createHash('sha256').update(bytes).digest()
export const b64urlEncode = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url')

/** Strict base64url: Buffer's decoder skips bad characters, so check the alphabet first. */
export function b64urlDecode (text, what = 'data') {
  assertB64url(text, what)
  return Buffer.from(text, 'base64url')
}

// RFC 6979, low-S (libsecp256k1 always normalizes), DER.
function signRaw (secret, digestBytes) {
  return secp256k1.signatureExport(secp256k1.ecdsaSign(digestBytes, secret).signature)
}

/** RFC 6979, low-S, DER signature over a 32-byte digest. */
export function signDigest (secret, digestBytes) {
  return signRaw(parseSecretKey(secret), digestBytes)
}

/** DER first, then 64-byte compact r || s; libsecp256k1 rejects high-S. */
export function verifyDigest (pubkey, digestBytes, signature) {
  let compact
  try {
    compact = secp256k1.signatureImport(signature)
  } catch {
    if (signature.length !== 64) return false
    compact = signature
  }
  try {
    return secp256k1.ecdsaVerify(compact, digestBytes, pubkey)
  } catch {
    return false
  }
}

/** `base64url(IV || AES-256-CBC(plaintext))`; a random IV unless one is given. */
export function encryptWithKey (key, plaintext, iv = cryptoRandom(IV_LEN)) {
  const cipher = createCipheriv('aes-256-cbc', key, iv)
  return Buffer.concat([iv, cipher.update(plaintext), cipher.final()]).toString('base64url')
}

function cryptoRandom (n) {
  return globalThis.crypto.getRandomValues(Buffer.allocUnsafe(n))
}

function decryptRaw (key, raw) {
  try {
    if (raw.length < IV_LEN) throw new Error(`${raw.length} bytes is shorter than an IV`)
    const decipher = createDecipheriv('aes-256-cbc', key, raw.subarray(0, IV_LEN))
    return Buffer.concat([decipher.update(raw.subarray(IV_LEN)), decipher.final()])
  } catch (err) {
    throw new CryptoSessionError('decrypt_failed', `decryption failed: ${err.message}`)
  }
}

/** Decrypt `base64url(IV || ciphertext)`; malformed_input or decrypt_failed. */
export function decryptWithKey (key, data) {
  return decryptRaw(key, b64urlDecode(data, 'encrypted data'))
}

/** Parse a token string into { signer (33 bytes), signature }; malformed_input if unreadable. */
export function parseToken (token) {
  return splitToken(b64urlDecode(token, 'token'))
}

export function encodeToken (pubkey, signature) {
  return Buffer.concat([pubkey, signature]).toString('base64url')
}

const equalBytes = (a, b) => Buffer.compare(a, b) === 0

// ---- identity and session ---------------------------------------------------

/** Our key pair; the secret stays inside (never printed). */
export class Identity {
  #secret

  constructor (secretKey) {
    this.#secret = parseSecretKey(secretKey)
    this.pubKey = Buffer.from(secp256k1.publicKeyCreate(this.#secret, true))
    this.pubHex = this.pubKey.toString('hex')
  }

  signDigest (digestBytes) {
    return signRaw(this.#secret, digestBytes)
  }

  sharedKey (peerKey) {
    return ecdhX(this.#secret, peerKey)
  }
}

/**
 * One side of a session: (peer public key, own secret key). Synchronous; the ECDH
 * runs once, when the session is built.
 */
export class CryptoSession {
  #identity
  #aesKey

  /** `secretKey`: hex, bytes, or an Identity (to share one key pair between sessions). */
  constructor (peerKey, secretKey) {
    this.peerKey = Buffer.from(parsePublicKey(peerKey))
    this.#identity = secretKey instanceof Identity ? secretKey : new Identity(secretKey)
    this.#aesKey = this.#identity.sharedKey(this.peerKey)
  }

  get peerHex () { return this.peerKey.toString('hex') }
  get pubKey () { return this.#identity.pubKey }
  get pubHex () { return this.#identity.pubHex }

  isWith (key) {
    return equalBytes(Buffer.from(parsePublicKey(key)), this.peerKey)
  }

  sharedSecret () { return new Uint8Array(this.#aesKey) }
  sharedHash () { return digest(this.#aesKey) }

  sign (payload) {
    return this.#identity.signDigest(digest(serialize(payload)))
  }

  tokenFor (payload) {
    return encodeToken(this.pubKey, this.sign(payload))
  }

  /** Whether `token` was issued by the peer over `payload`. */
  verify (token, payload) {
    let parsed
    try {
      parsed = parseToken(token)
    } catch {
      return false
    }
    return this.#verifyParsed(parsed, digest(serialize(payload)))
  }

  #verifyParsed ({ signer, signature }, digestBytes) {
    return equalBytes(signer, this.peerKey) && verifyDigest(this.peerKey, digestBytes, signature)
  }

  encrypt (payload) {
    return encryptWithKey(this.#aesKey, serialize(payload))
  }

  decrypt (data) {
    return decryptWithKey(this.#aesKey, data)
  }

  /** Sign and encrypt: { token, data }. */
  encode (payload) {
    const raw = serialize(payload)
    return { token: encodeToken(this.pubKey, this.#identity.signDigest(digest(raw))), data: encryptWithKey(this.#aesKey, raw) }
  }

  /**
   * The reference's decode: { data (revived), raw, isValid }. Malformed data and
   * decryption failures throw; a bad, foreign or unreadable token is isValid false.
   */
  decode (token, data) {
    const raw = this.decrypt(data)
    return { data: revive(raw), raw, isValid: this.verify(token, raw) }
  }

  /**
   * Strict decode: the plaintext bytes, or a CryptoSessionError (malformed_input,
   * decrypt_failed, invalid_signature, wrong_peer). A decryption failure still
   * costs a signature check, so the two failures take the same work.
   */
  open (token, data) {
    const encrypted = b64urlDecode(data, 'encrypted data')
    let parsed
    try {
      parsed = parseToken(token)
    } catch (err) {
      parsed = err
    }
    let raw
    try {
      raw = decryptRaw(this.#aesKey, encrypted)
    } catch (err) {
      if (!(parsed instanceof Error)) verifyDigest(this.peerKey, digest(encrypted), parsed.signature)
      throw err
    }
    if (parsed instanceof Error) throw new CryptoSessionError('invalid_signature', `token: ${parsed.message}`)
    if (!equalBytes(parsed.signer, this.peerKey)) {
      throw new CryptoSessionError('wrong_peer', 'the token was signed by another key than the peer')
    }
    if (!verifyDigest(this.peerKey, digest(raw), parsed.signature)) {
      throw new CryptoSessionError('invalid_signature', 'the signature does not verify over the payload')
    }
    return raw
  }
}

// ---- server side ------------------------------------------------------------

/**
 * A server's key and origin: authenticate requests, seal answers. Synchronous.
 * Options: maxBody (bytes, default 1 MiB), sessionCache (peers whose session and
 * ECDH result are kept, default 0 = a new session per request).
 */
export class SessionServer {
  #identity
  #sessions

  constructor (secretKey, host, { maxBody = DEFAULT_MAX_BODY, sessionCache = 0 } = {}) {
    this.#identity = new Identity(secretKey)
    this.host = normalizeHost(host)
    this.maxBody = maxBody
    this.#sessions = new BoundedMap(sessionCache)
  }

  get publicKey () { return this.#identity.pubKey }
  get pubHex () { return this.#identity.pubHex }

  sessionFor (signer) {
    const id = toHex(signer)
    let session = this.#sessions.get(id)
    if (session === undefined) {
      session = new CryptoSession(signer, this.#identity)
      this.#sessions.set(id, session)
    }
    return session
  }

  /**
   * Authenticate a request: `target` is the path and query exactly as received,
   * `body` the POST body (text, bytes or parsed JSON). Returns
   * { session, token, peerKey, peerHex, method, payload (bytes, POST), body (revived, POST) };
   * throws a CryptoSessionError: answer 401 with an empty body, whatever the kind.
   */
  authenticate (method, target, authorization, body) {
    const m = protocolMethod(method)
    const token = checkAuthorization(authorization)
    const { signer } = parseToken(token)
    const session = this.sessionFor(signer)
    const base = { session, token, peerKey: session.peerKey, peerHex: session.peerHex, method: m }
    if (m === 'GET') {
      if (!session.verify(token, this.host + target)) {
        throw new CryptoSessionError('invalid_signature', 'the signature does not verify over host + request-target')
      }
      return { ...base, payload: null, body: undefined }
    }
    const payload = session.open(token, postData(body, this.maxBody))
    return { ...base, payload, body: revive(payload) }
  }

  /** Seal an answer: { status, authorization, body }. */
  seal (session, payload, status = 200) {
    const { token, data } = session.encode(payload)
    return { status, authorization: token, body: data }
  }

  sealText (session, text, status = 200) {
    return this.seal(session, String(text), status)
  }

  /** `json(value)`: the compact JSON text of `value`, sealed. */
  sealJson (session, value, status = 200) {
    return this.seal(session, jsonText(value), status)
  }
}

/**
 * Open an answer as a client does, with a session whose peer is the server: the
 * plaintext bytes, or http_status (non-2xx), malformed_input, decrypt_failed,
 * invalid_signature, wrong_peer.
 */
export function openAnswer (session, status, authorization, body) {
  if (status < 200 || status > 299) {
    throw new CryptoSessionError('http_status', `the server answered ${status}`, { status })
  }
  const token = typeof authorization === 'string' ? authorization.trim() : ''
  if (token === '') throw new CryptoSessionError('malformed_input', 'the answer has no authorization header')
  return session.open(token, body)
}

// ---- HTTP -------------------------------------------------------------------

/** Express middleware on this stack (see http-express.mjs). */
export function cryptoAuth ({ secretKey, host, maxBody, sessionCache, log } = {}) {
  return expressAuth(new SessionServer(secretKey, host, { maxBody, sessionCache }), { log })
}

export function createClient (serverPubKey, clientSecretKey, options = {}) {
  return new SecureClient(new CryptoSession(serverPubKey, clientSecretKey), revive, options)
}

export function secureFetch (serverPubKey, clientSecretKey, options = {}) {
  return bindFetch(createClient(serverPubKey, clientSecretKey, options))
}
