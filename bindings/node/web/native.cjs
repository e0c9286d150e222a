'use strict'
// lib/native.js and lib/wasm.js in the browser/edge bundle: the glue module,
// already instantiated by web/index.mjs, in the addon's shape (lib/wasm.js).
const glue = require('../wasm/crypto_sessions_wasm.js')

const shaped = Object.freeze({
  ...glue,
  PROTOCOL_VERSION: glue.protocolVersion(),
  V2_ALLOWED_HEADERS: glue.v2AllowedHeaders(),
  V2_EXPOSED_HEADERS: glue.v2ExposedHeaders(),
  loadWasm: () => shaped
})
module.exports = shaped
