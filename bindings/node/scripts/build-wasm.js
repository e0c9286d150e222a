'use strict'
// prepack: the WebAssembly build and the browser/edge bundle go into the tarball,
// so that installing the package needs no Rust. In the repository this is
// `make wasm` (installs the wasm32 target and wasm-bindgen-cli when missing);
// elsewhere the files must already be there.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const PACKAGE = path.resolve(__dirname, '..')
const REPOSITORY = path.resolve(PACKAGE, '..', '..')
const NEEDED = ['wasm/crypto_sessions_wasm.js', 'wasm/crypto_sessions_wasm_bg.wasm',
  'dist/web/crypto-sessions.mjs', 'dist/web/crypto_sessions_wasm_bg.wasm']

if (fs.existsSync(path.join(REPOSITORY, 'bindings', 'wasm', 'wasm.mk'))) {
  execFileSync(process.env.MAKE || 'make', ['-C', REPOSITORY, 'wasm'], { stdio: ['ignore', 2, 2] })
}
const missing = NEEDED.filter(f => !fs.existsSync(path.join(PACKAGE, f)))
if (missing.length) {
  console.error(`crypto-sessions: the WebAssembly build is missing (${missing.join(', ')}): run \`make wasm\` in the repository`)
  process.exit(1)
}
