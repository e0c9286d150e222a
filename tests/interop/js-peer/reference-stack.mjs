// Protocol v1 on the reference's own primitive libraries, at the exact versions
// @cmdcode/crypto-session 1.1.10 runs: @cmdcode/crypto-utils 1.8.4 (noble secp256k1
// ECDSA and ECDH, WebCrypto AES-CBC) and @cmdcode/buff-utils 1.7.1 (SHA-256,
// base64url, UTF-8, JSON revive). Written from docs/PROTOCOL.md, not from the
// reference's code. Async like the reference (WebCrypto is async).

import { Cipher, KeyUtil, Noble, sign as signWith, verify as verifyWith } from '@cmdcode/crypto-utils'
import { B64URL, Buff, Txt, sha256 } from '@cmdcode/buff-utils'

import {
  BoundedMap, CryptoSessionError, DEFAULT_MAX_BODY,
  assertB64url, checkAuthorization, jsonText, normalizeHost, postData, protocolMethod, splitToken
} from './protocol.mjs'
import { expressAuth } from './http-express.mjs'
import { SecureClient, bindFetch } from './http-client.mjs'

export { CryptoSessionError, ErrorKind } from './protocol.mjs'

const { secp256k1 } = Noble
const CURVE_N = secp256k1.CURVE.n
const HEX = /^(?:[0-9a-fA-F]{2})*$/

// ---- primitives -------------------------------------------------------------

function bytesOf (value, what) {
  if (value instanceof Uint8Array) return new Uint8Array(value)
  if (typeof value === 'string' && HEX.test(value)) return Buff.hex(value).raw
  throw new CryptoSessionError('invalid_key', `${what} must be hex or bytes`)
}

/** A secret key (64 hex characters or 32 bytes) checked to be in [1, n-1]. */
export function parseSecretKey (secret) {
  const bytes = bytesOf(secret, 'secret key')
  const scalar = bytes.length === 32 ? BigInt('0x' + Buff.raw(bytes).hex) : 0n
  if (scalar === 0n || scalar >= CURVE_N) {
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
    return secp256k1.ProjectivePoint.fromHex(bytes).toRawBytes(true)
  } catch {
    throw new CryptoSessionError('invalid_key', 'public key is not a point of secp256k1')
  }
}

/** The 33-byte compressed public key of a secret key. */
export function publicKeyOf (secret) {
  return secp256k1.getPublicKey(parseSecretKey(secret), true)
}

/** The AES-256 key: x-coordinate of ECDH(secret, peer), no KDF. */
export async function sharedKey (secret, peer) {
  const point = await KeyUtil.ecdh(parseSecretKey(secret), parsePublicKey(peer))
  return point.slice(1, 1 + 32)
}

/** What is signed and encrypted: UTF-8 of a string, bytes as they are, else compact JSON. */
export function serialize (payload) {
  if (typeof payload === 'string') return Buff.str(payload).raw
  if (payload instanceof Uint8Array) return payload
  return Buff.str(jsonText(payload)).raw
}

/** The reference's revive: JSON when the text parses, the text otherwise. */
export function revive (bytes) {
  return Txt.revive(bytes)
}

export const digest = (bytes) => sha256(bytes)
export const b64urlEncode = (bytes) => B64URL.encode(bytes)

/** Strict base64url decoding: the reference's alphabet check, then buff-utils. */
export function b64urlDecode (text, what = 'data') {
  assertB64url(text, what)
  return B64URL.decode(text)
}

/** RFC 6979, low-S, DER signature over a 32-byte digest. */
export function signDigest (secret, digestBytes) {
  return signWith(parseSecretKey(secret), digestBytes, 'ecdsa')
}

/** Verify a DER (then 64-byte compact) low-S signature over a digest. */
export function verifyDigest (pubkey, digestBytes, signature) {
  try {
    return verifyWith(signature, digestBytes, pubkey, 'ecdsa')
  } catch {
    return false
  }
}

async function importAesKey (key) {
  return KeyUtil.import(key)
}

/** `base64url(IV || AES-256-CBC(plaintext))`; a random IV unless one is given. */
export async function encryptWithKey (key, plaintext, iv) {
  const cryptoKey = key instanceof Uint8Array ? await importAesKey(key) : key
  try {
    return B64URL.encode(await Cipher.encrypt(cryptoKey, plaintext, iv))
  } catch (err) {
    // Cipher.encrypt spreads the ciphertext into Uint8Array.of(...): past ~100 KiB
    // the reference stack runs out of call stack.
    if (err instanceof RangeError) {
      throw new CryptoSessionError('too_large', `the reference stack cannot encrypt ${plaintext.length} bytes: ${err.message}`)
    }
    throw err
  }
}

/** Decrypt `base64url(IV || ciphertext)`; malformed_input or decrypt_failed. */
export async function decryptWithKey (key, data) {
  const raw = b64urlDecode(data, 'encrypted data')
  return decryptRaw(key instanceof Uint8Array ? await importAesKey(key) : key, raw)
}

async function decryptRaw (cryptoKey, raw) {
  try {
    return await Cipher.decrypt(cryptoKey, raw)
  } catch (err) {
    throw new CryptoSessionError('decrypt_failed', `decryption failed: ${err.message}`)
  }
}

/** Parse a token string into { signer (33 bytes), signature }; malformed_input if unreadable. */
export function parseToken (token) {
  return splitToken(b64urlDecode(token, 'token'))
}

export function encodeToken (pubkey, signature) {
  return B64URL.encode(Buff.join([pubkey, signature]).raw)
}

const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])

// ---- identity and session ---------------------------------------------------

/** Our key pair; the secret stays inside (never printed). */
export class Identity {
  #secret

  constructor (secretKey) {
    this.#secret = parseSecretKey(secretKey)
    this.pubKey = secp256k1.getPublicKey(this.#secret, true)
    this.pubHex = Buff.raw(this.pubKey).hex
  }

  signDigest (digestBytes) {
    return signWith(this.#secret, digestBytes, 'ecdsa')
  }

  async sharedKey (peerKey) {
    return (await KeyUtil.ecdh(this.#secret, peerKey)).slice(1, 1 + 32)
  }
}

/**
 * One side of a session: (peer public key, own secret key). Every method is async.
 * The ECDH runs once per session, on first use.
 */
export class CryptoSession {
  #identity
  #aesKey

  /** `secretKey`: hex, bytes, or an Identity (to share one key pair between sessions). */
  constructor (peerKey, secretKey) {
    this.peerKey = parsePublicKey(peerKey)
    this.#identity = secretKey instanceof Identity ? secretKey : new Identity(secretKey)
  }

  get peerHex () { return Buff.raw(this.peerKey).hex }
  get pubKey () { return this.#identity.pubKey }
  get pubHex () { return this.#identity.pubHex }

  isWith (key) {
    return equalBytes(parsePublicKey(key), this.peerKey)
  }

  #cryptoKey () {
    this.#aesKey ??= this.#identity.sharedKey(this.peerKey).then(importAesKey)
    return this.#aesKey
  }

  async sharedSecret () {
    return KeyUtil.export(await this.#cryptoKey())
  }

  async sharedHash () {
    return sha256(await this.sharedSecret())
  }

  /** DER signature over SHA-256 of the serialized payload. */
  async sign (payload) {
    return this.#identity.signDigest(sha256(serialize(payload)))
  }

  /** Our token (our key and signature) for a payload. */
  async tokenFor (payload) {
    return encodeToken(this.pubKey, await this.sign(payload))
  }

  /** Whether `token` was issued by the peer over `payload`. */
  async verify (token, payload) {
    try {
      return this.#verifyParsed(parseToken(token), sha256(serialize(payload)))
    } catch {
      return false
    }
  }

  #verifyParsed ({ signer, signature }, digestBytes) {
    return equalBytes(signer, this.peerKey) && verifyDigest(this.peerKey, digestBytes, signature)
  }

  async encrypt (payload) {
    return encryptWithKey(await this.#cryptoKey(), serialize(payload))
  }

  async decrypt (data) {
    return decryptWithKey(await this.#cryptoKey(), data)
  }

  /** Sign and encrypt: { token, data }. */
  async encode (payload) {
    const raw = serialize(payload)
    const token = encodeToken(this.pubKey, this.#identity.signDigest(sha256(raw)))
    return { token, data: await encryptWithKey(await this.#cryptoKey(), raw) }
  }

  /**
   * The reference's decode: { data (revived), raw, isValid }. Malformed data and
   * decryption failures throw; a bad, foreign or unreadable token is isValid false.
   */
  async decode (token, data) {
    const raw = await this.decrypt(data)
    const isValid = await this.verify(token, raw)
    return { data: revive(raw), raw, isValid }
  }

  /**
   * Strict decode: the plaintext bytes, or a CryptoSessionError (malformed_input,
   * decrypt_failed, invalid_signature, wrong_peer). A decryption failure still
   * costs a signature check, so the two failures take the same work.
   */
  async open (token, data) {
    const encrypted = b64urlDecode(data, 'encrypted data')
    let parsed
    try {
      parsed = parseToken(token)
    } catch (err) {
      parsed = err
    }
    let raw
    try {
      raw = await decryptRaw(await this.#cryptoKey(), encrypted)
    } catch (err) {
      if (!(parsed instanceof Error)) verifyDigest(this.peerKey, sha256(encrypted), parsed.signature)
      throw err
    }
    if (parsed instanceof Error) throw new CryptoSessionError('invalid_signature', `token: ${parsed.message}`)
    if (!equalBytes(parsed.signer, this.peerKey)) {
      throw new CryptoSessionError('wrong_peer', 'the token was signed by another key than the peer')
    }
    if (!verifyDigest(this.peerKey, sha256(raw), parsed.signature)) {
      throw new CryptoSessionError('invalid_signature', 'the signature does not verify over the payload')
    }
    return raw
  }
}

// ---- server side ------------------------------------------------------------

/**
 * A server's key and origin: authenticate requests, seal answers.
 * Options: maxBody (bytes, default 1 MiB), sessionCache (peers kept, default 0 = a
 * new session and ECDH per request, as the reference does).
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
    const id = Buff.raw(signer).hex
    let session = this.#sessions.get(id)
    if (session === undefined) {
      session = new CryptoSession(signer, this.#identity)
      this.#sessions.set(id, session)
    }
    return session
  }

  /**
   * Authenticate a request: `target` is the path and query exactly as received,
   * `body` the POST body (text, bytes or parsed JSON). Resolves to
   * { session, token, peerKey, peerHex, method, payload (bytes, POST), body (revived, POST) };
   * rejects with a CryptoSessionError: answer 401 with an empty body, whatever the kind.
   */
  async authenticate (method, target, authorization, body) {
    const m = protocolMethod(method)
    const token = checkAuthorization(authorization)
    const { signer } = parseToken(token)
    const session = this.sessionFor(signer)
    const base = { session, token, peerKey: session.peerKey, peerHex: session.peerHex, method: m }
    if (m === 'GET') {
      if (!(await session.verify(token, this.host + target))) {
        throw new CryptoSessionError('invalid_signature', 'the signature does not verify over host + request-target')
      }
      return { ...base, payload: null, body: undefined }
    }
    const payload = await session.open(token, postData(body, this.maxBody))
    return { ...base, payload, body: revive(payload) }
  }

  /** Seal an answer: { status, authorization, body }. */
  async seal (session, payload, status = 200) {
    const { token, data } = await session.encode(payload)
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

/** Open an answer as a client does (see SecureClient.open), with a session whose peer is the server. */
export function openAnswer (session, status, authorization, body) {
  return new SecureClient(session, revive).open(status, authorization, body)
}

// ---- HTTP -------------------------------------------------------------------

/** Express middleware on this stack (see http-express.mjs). */
export function cryptoAuth ({ secretKey, host, maxBody, sessionCache, log } = {}) {
  return expressAuth(new SessionServer(secretKey, host, { maxBody, sessionCache }), { log })
}

/** A client session with a server (see http-client.mjs). */
export function createClient (serverPubKey, clientSecretKey, options = {}) {
  return new SecureClient(new CryptoSession(serverPubKey, clientSecretKey), revive, options)
}

/** The reference's SecureFetch: fetch(path, { method, body, headers }) -> { status, ok, data, raw, err, response }. */
export function secureFetch (serverPubKey, clientSecretKey, options = {}) {
  return bindFetch(createClient(serverPubKey, clientSecretKey, options))
}
