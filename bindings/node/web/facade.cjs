'use strict'
// The browser/edge surface, with the Node entry's names (index.js) for what runs
// without Node: the client side (SecureFetch v1 and v2, createSecureFetch,
// CryptoSession, Token, keys) and the v2 server's Web handler
// (createServer(options).web(handler)). web/index.d.mts declares it, and what
// differs from Node. Web-only: createHandler, V2Client, V2Server, xonlyOf, kidOf.

const native = require('./native.cjs')
const { CryptoSessionError, ERROR_CODES, call } = require('../lib/errors.js')
const { Bytes, asBytes, keyOf } = require('../lib/bytes.js')
const { Token } = require('../lib/token.js')
const { CryptoSession } = require('../lib/session.js')
const { SecureFetch } = require('../lib/fetch.js')
const { createHandler } = require('../lib/v2.js')
const { CryptoSessionServer, createServer, createSecureFetch } = require('../lib/v2/web.js')

module.exports = {
  CryptoSession,
  Token,
  SecureFetch,
  CryptoSessionError,
  ERROR_CODES,
  Bytes,
  generateKeyPair: () => native.generateKeyPair(),
  getPublicKey: secretKey => asBytes(call(() => native.publicKeyOf(keyOf(secretKey, 'secret key')))),
  // Protocol v2 (v1 as well with acceptV1), as on Node.
  CryptoSessionServer,
  createServer,
  createSecureFetch,
  PROTOCOL_VERSION: native.PROTOCOL_VERSION,
  CORE_VERSION: native.coreVersion(),
  CORE_BACKEND: native.coreBackend(),
  // Web-only: the handler with its own app signature, the core's v2 classes as
  // they are (lib/v2.js builds on them), and key ids.
  createHandler,
  V2Client: native.V2Client,
  V2Server: native.V2Server,
  /** The x-only key (32 bytes) of a public key (any form). */
  xonlyOf: publicKey => asBytes(call(() => native.xonlyOf(keyOf(publicKey, 'public key')))),
  /** The key id (8 bytes) of a public key (any form). */
  kidOf: publicKey => asBytes(call(() => native.kidOf(keyOf(publicKey, 'public key'))))
}
