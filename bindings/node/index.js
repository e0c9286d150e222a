'use strict'
// crypto-sessions: public-key authenticated, end-to-end encrypted HTTP requests.
// A drop-in for @cmdcode/crypto-session 1.1.10 on a native (Rust) core.

const native = require('./lib/native.js')
const { CryptoSessionError, ERROR_CODES, call } = require('./lib/errors.js')
const { Bytes, asBytes, keyOf } = require('./lib/bytes.js')
const { Token } = require('./lib/token.js')
const { CryptoSession } = require('./lib/session.js')
const { SecureFetch } = require('./lib/fetch.js')
const server = require('./lib/server.js')
const v2 = require('./lib/v2/server.js')
const { createSecureFetch } = require('./lib/v2/fetch.js')

/** A fresh secp256k1 key pair: `{ secretKey, publicKey }` as hex. */
function generateKeyPair () {
  return native.generateKeyPair()
}

/** The compressed public key (33 bytes, `.hex` for hex) of a secret key (hex or bytes). */
function getPublicKey (secretKey) {
  return asBytes(call(() => native.publicKeyOf(keyOf(secretKey, 'secret key'))))
}

module.exports = {
  CryptoSession,
  Token,
  SecureFetch,
  CryptoSessionError,
  ERROR_CODES,
  Bytes,
  CryptoAuth: server.CryptoAuth,
  createCryptoAuth: server.createCryptoAuth,
  useCryptoSession: server.useCryptoSession,
  // The README's name for the generic middleware.
  useCryptoAuth: server.useCryptoSession,
  useAuthWithExpress: server.useAuthWithExpress,
  useAuthWithNext: server.useAuthWithNext,
  useAuthWithWeb: server.useAuthWithWeb,
  generateKeyPair,
  getPublicKey,
  // Protocol v2 (v1 as well with acceptV1).
  CryptoSessionServer: v2.CryptoSessionServer,
  createServer: v2.createServer,
  createSecureFetch,
  PROTOCOL_VERSION: native.PROTOCOL_VERSION,
  CORE_VERSION: native.coreVersion(),
  // Which arithmetic the addon was built with: 'libsecp256k1' (default) or 'k256'.
  CORE_BACKEND: native.coreBackend()
}

// `require('crypto-sessions').default` is the module too, as the ESM default export
// and the declarations' `export default` say.
Object.defineProperty(module.exports, 'default', { value: module.exports })
