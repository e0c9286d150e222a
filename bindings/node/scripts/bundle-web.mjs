// The browser/edge bundle: web/index.mjs and the facade as one ES module,
// dist/web/crypto-sessions.mjs, next to the .wasm (made by `make wasm`).
import { build } from 'esbuild'
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'web')
mkdirSync(out, { recursive: true })

// lib/native.js (addon loader) and lib/wasm.js (Node loader) become the glue.
const webNative = {
  name: 'web-native',
  setup (b) {
    b.onResolve({ filter: /^\.\.?\/(native|wasm)\.js$/ }, () => ({ path: join(root, 'web', 'native.cjs') }))
  }
}

await build({
  entryPoints: [join(root, 'web', 'index.mjs')],
  outfile: join(out, 'crypto-sessions.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  // The .wasm stays a file beside the bundle (workerd imports it as a module).
  external: ['node:*', './crypto_sessions_wasm_bg.wasm'],
  minify: true,
  legalComments: 'none',
  plugins: [webNative],
  logLevel: 'warning'
})
copyFileSync(join(root, 'wasm', 'crypto_sessions_wasm_bg.wasm'), join(out, 'crypto_sessions_wasm_bg.wasm'))
console.log(`bundle: ${join(out, 'crypto-sessions.mjs')} + crypto_sessions_wasm_bg.wasm`)
