'use strict'
// CryptoSession: (peer public key, own secret key), as the reference's class.
// Everything runs in the core; this adapts arguments and results.

const native = require('./native.js')
const { CryptoSessionError, call, settle } = require('./errors.js')
const { asBytes, keyOf, serialize, revive, viewOf } = require('./bytes.js')
const { Token, tokenString } = require('./token.js')

const INSPECT = Symbol.for('nodejs.util.inspect.custom')
// Marks the constructor call that wraps an existing addon session.
const WRAP = Symbol('wrap')

function encoded (out) {
  return { token: Token.fromCore(out.token), data: out.data }
}

function decoded (out) {
  return { data: revive(out.plaintext, out.isJson), isValid: out.isValid, plaintext: asBytes(out.plaintext) }
}

/** `decode`'s arguments for the addon: the token's text and the encoded data. */
function decodeArguments (token, payload) {
  const tokenText = tokenString(token)
  if (typeof payload !== 'string') throw new CryptoSessionError('malformed_input', 'encoded data must be a string')
  return [tokenText, payload]
}

function bytesArgument (data, what) {
  const view = typeof data === 'string' ? data : viewOf(data)
  if (view === null) throw new CryptoSessionError('malformed_input', `${what} must be a string or a Uint8Array`)
  return view
}

class CryptoSession {
  #native
  #peerKey
  #pubkey

  /** A session with the signer of `token` (a Token or its string). */
  static withToken (token, secretKey) {
    const session = call(() => native.NativeSession.withToken(tokenString(token), keyOf(secretKey, 'secret key')))
    return CryptoSession.fromNative(session)
  }

  /** @internal wrap an addon session */
  static fromNative (session) {
    return new CryptoSession(WRAP, session)
  }

  /** @internal the addon session */
  static nativeOf (session) {
    return session.#native
  }

  /**
   * @param {string | Uint8Array} peerKey the peer's public key (66 or 130 hex, 33 or 65 bytes)
   * @param {string | Uint8Array} secretKey our secret key (64 hex or 32 bytes)
   */
  constructor (peerKey, secretKey) {
    if (peerKey === WRAP) {
      this.#native = secretKey
      return
    }
    this.#native = call(() => new native.NativeSession(keyOf(peerKey, 'peer key'), keyOf(secretKey, 'secret key')))
  }

  /** The peer's public key (33 bytes; `.hex` for its hex). */
  get peerKey () {
    return (this.#peerKey ??= asBytes(this.#native.peerKey))
  }

  get peerHex () {
    return this.peerKey.hex
  }

  /** Our public key (33 bytes). */
  get pubkey () {
    return (this.#pubkey ??= asBytes(this.#native.pubkey))
  }

  /** Alias of `pubkey` (the README's name). */
  get pubKey () {
    return this.pubkey
  }

  get pubHex () {
    return this.pubkey.hex
  }

  /** The ECDH shared secret (the AES key), as the reference: a promise. */
  get shared () {
    return Promise.resolve(asBytes(this.#native.sharedSecret()))
  }

  /** The shared secret (README name), a promise. */
  get sharedSecret () {
    return this.shared
  }

  /** SHA-256 of the shared secret, a promise. */
  get sharedHash () {
    return Promise.resolve(asBytes(this.#native.sharedHash()))
  }

  /** Hex of the shared hash, a promise. */
  get sharedHex () {
    return this.sharedHash.then(hash => hash.hex)
  }

  /** Whether the peer is `key` (hex or bytes). */
  isWith (key) {
    if (typeof key !== 'string' && viewOf(key) === null) return false
    return this.#native.isWith(typeof key === 'string' ? key : viewOf(key))
  }

  /** DER signature over SHA-256 of the payload's bytes (deterministic). */
  sign (payload) {
    return asBytes(this.#native.sign(serialize(payload)))
  }

  /**
   * Whether `token` (a Token or its string) is the peer's signature over `payload`.
   * A bad signature or another signer is `false`; a string that is no token throws.
   */
  verify (token, payload) {
    return call(() => this.#native.verify(tokenString(token), serialize(payload)))
  }

  /** `IV || ciphertext` of the bytes, as the reference: a promise of bytes. */
  async encrypt (data) {
    return asBytes(call(() => this.#native.encrypt(bytesArgument(data, 'data'))))
  }

  /** Decrypt `IV || ciphertext` bytes; a bad length or padding rejects. */
  async decrypt (data) {
    const view = viewOf(data)
    if (view === null) throw new CryptoSessionError('malformed_input', 'encrypted data must be a Uint8Array')
    return asBytes(call(() => this.#native.decrypt(view)))
  }

  // Each variant and its Sync twin read their arguments and shape their result
  // with the same code: the native call (pool or calling thread) is the only
  // difference.

  /** Sign and encrypt a payload: `{ token, data }` (token a Token). */
  async encode (payload) {
    return encoded(await settle(this.#native.encode(serialize(payload))))
  }

  /** `encode` on the calling thread. */
  encodeSync (payload) {
    return encoded(call(() => this.#native.encodeSync(serialize(payload))))
  }

  /**
   * Decrypt and verify: `{ data, isValid, plaintext }`, `data` revived (JSON if the
   * text is JSON, else the text). Malformed or undecryptable data rejects; a bad
   * signature is `isValid: false`.
   */
  async decode (token, payload) {
    return decoded(await settle(this.#native.decode(...decodeArguments(token, payload))))
  }

  /** `decode` on the calling thread. */
  decodeSync (token, payload) {
    return decoded(call(() => this.#native.decodeSync(...decodeArguments(token, payload))))
  }

  toJSON () {
    return { peerKey: this.peerHex, pubkey: this.pubHex }
  }

  // Shown without the shared secret.
  [INSPECT] () {
    return `CryptoSession { peerKey: '${this.peerHex}', pubkey: '${this.pubHex}' }`
  }
}

module.exports = { CryptoSession }
