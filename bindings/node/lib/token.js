'use strict'
// Token: base64url(pubkey33 || signature), as the reference's Token class.

const native = require('./native.js')
const { CryptoSessionError, call } = require('./errors.js')
const { asBytes, bytesOf } = require('./bytes.js')

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

function asEncoded (encoded) {
  if (typeof encoded !== 'string') {
    throw new CryptoSessionError('malformed_input', `a token must be a string, got ${encoded === null ? 'null' : typeof encoded}`)
  }
  return encoded
}

class Token {
  /** Whether `encoded` has the shape of a token (a promise, as in the reference). */
  static async check (encoded) {
    return typeof encoded === 'string' && native.tokenCheck(encoded)
  }

  /** The public key and signature carried by a token string; malformed input throws. */
  static parse (encoded) {
    const parts = call(() => native.tokenParse(asEncoded(encoded)))
    return { pubkey: asBytes(parts.pubkey), signature: asBytes(parts.signature) }
  }

  /** A Token from its string form. */
  static import (encoded) {
    const { pubkey, signature } = Token.parse(encoded)
    return new Token(pubkey, signature)
  }

  /**
   * @internal A Token from a string the core itself encoded (canonical base64url of
   * a parsed token).
   */
  static fromCore (encoded) {
    const { pubkey, signature } = native.tokenParse(encoded)
    return new Token(pubkey, signature)
  }

  /**
   * @param {string | Uint8Array} pubkey the signer's public key (hex or bytes)
   * @param {string | Uint8Array} signature the signature (hex or bytes)
   */
  constructor (pubkey, signature) {
    this.pubkey = asBytes(bytesOf(pubkey, 'token public key'))
    this.signature = asBytes(bytesOf(signature, 'token signature'))
  }

  /** The token string (base64url, no padding). */
  get encoded () {
    return call(() => native.tokenEncode(this.pubkey, this.signature))
  }

  /** Whether this token was issued by `key` (hex or bytes, compressed or not). */
  issuedBy (key) {
    let normalized
    try {
      normalized = native.normalizePublicKey(typeof key === 'string' ? key : bytesOf(key, 'key'))
    } catch {
      return false
    }
    return normalized.length === this.pubkey.length && normalized.every((byte, i) => byte === this.pubkey[i])
  }

  toString () {
    return this.encoded
  }

  toJSON () {
    return this.encoded
  }

  [INSPECT] () {
    return `Token { pubkey: '${this.pubkey.hex}', signature: '${this.signature.hex}' }`
  }
}

/** A token argument (a Token or its string) as a string. */
function tokenString (token) {
  return token instanceof Token ? token.encoded : asEncoded(token)
}

module.exports = { Token, tokenString }
