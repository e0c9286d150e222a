'use strict'
// lib/native.js and lib/wasm.js in the browser/edge bundle: the glue module,
// already instantiated by web/index.mjs, in the addon's shape.
const glue = require('../wasm/crypto_sessions_wasm.js')

const shaped = Object.freeze({ ...glue, PROTOCOL_VERSION: glue.protocolVersion(), loadWasm: () => shaped })
module.exports = shaped
