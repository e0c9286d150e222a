'use strict'
// The WebAssembly build in Node: the same ESM glue the browser bundle uses
// (wasm-bindgen --target web), loaded with require() (Node >= 20.19 loads an ES
// module without top-level await synchronously) and instantiated from the .wasm
// file next to it. `make wasm` (or `npm pack`) builds both into <package>/wasm/.

const fs = require('node:fs')
const path = require('node:path')

const WASM_DIR = path.join(__dirname, '..', 'wasm')
const GLUE = path.join(WASM_DIR, 'crypto_sessions_wasm.js')
const WASM = path.join(WASM_DIR, 'crypto_sessions_wasm_bg.wasm')

let loaded

/** The glue's exports with the addon's constants (a module namespace is frozen). */
function addonShape (glue) {
  return Object.freeze({
    ...glue,
    PROTOCOL_VERSION: glue.protocolVersion(),
    V2_ALLOWED_HEADERS: glue.v2AllowedHeaders(),
    V2_EXPOSED_HEADERS: glue.v2ExposedHeaders()
  })
}

/** The instantiated module (once per process); throws when it is not built. */
function loadWasm () {
  if (loaded) return loaded
  if (!fs.existsSync(WASM)) {
    const error = new Error(`the WebAssembly build is not there (${WASM}): \`make wasm\` in the repository`)
    error.code = 'MODULE_NOT_FOUND'
    throw error
  }
  const glue = require(GLUE)
  glue.initSync({ module: fs.readFileSync(WASM) })
  loaded = addonShape(glue)
  return loaded
}

module.exports = { loadWasm, addonShape, WASM_DIR }
