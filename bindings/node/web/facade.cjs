'use strict'
// The browser/edge surface: the client side (SecureFetch v1 and v2, CryptoSession,
// Token, keys) and the Web handler of one server for v1 and v2.

const native = require('./native.cjs')
const { CryptoSessionError, ERROR_CODES, call } = require('../lib/errors.js')
const { Bytes, asBytes, keyOf } = require('../lib/bytes.js')
const { Token } = require('../lib/token.js')
const { CryptoSession } = require('../lib/session.js')
const { SecureFetch } = require('../lib/fetch.js')
const { createHandler } = require('../lib/v2.js')

module.exports = {
  CryptoSession,
  Token,
  SecureFetch,
  CryptoSessionError,
  ERROR_CODES,
  Bytes,
  createHandler,
  // The core's v2 classes as they are (lib/v2.js builds on them).
  V2Client: native.V2Client,
  V2Server: native.V2Server,
  generateKeyPair: () => native.generateKeyPair(),
  getPublicKey: secretKey => asBytes(call(() => native.publicKeyOf(keyOf(secretKey, 'secret key')))),
  /** The x-only key (32 bytes) of a public key (any form). */
  xonlyOf: publicKey => asBytes(call(() => native.xonlyOf(keyOf(publicKey, 'public key')))),
  /** The key id (8 bytes) of a public key (any form). */
  kidOf: publicKey => asBytes(call(() => native.kidOf(keyOf(publicKey, 'public key')))),
  PROTOCOL_VERSION: native.PROTOCOL_VERSION,
  CORE_VERSION: native.coreVersion(),
  CORE_BACKEND: native.coreBackend()
}
