// The size budget of the browser bundle: the .wasm at most 250 KiB after gzip, the
// JS glue (wasm-bindgen's, minified as the bundle carries it) at most 30 KiB, and
// the whole bundle's one JS file (glue + facade) at most 30 KiB after gzip.
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { transformSync } from 'esbuild'

const file = path => readFileSync(new URL(`../../${path}`, import.meta.url))
const KiB = 1024
const gz = bytes => gzipSync(bytes, { level: 9 }).length
const kib = n => `${(n / KiB).toFixed(1)} KiB`

test('the .wasm is at most 250 KiB gzipped, the JS glue at most 30 KiB', () => {
  const wasm = file('dist/web/crypto_sessions_wasm_bg.wasm')
  const bundle = file('dist/web/crypto-sessions.mjs')
  const glue = transformSync(file('wasm/crypto_sessions_wasm.js').toString(), { minify: true, format: 'esm' }).code
  console.log(`# .wasm ${kib(wasm.length)}, ${kib(gz(wasm))} gzipped; JS glue ${kib(glue.length)} minified; ` +
    `bundle JS ${kib(bundle.length)}, ${kib(gz(bundle))} gzipped`)
  assert.ok(gz(wasm) <= 250 * KiB, `.wasm gzipped is ${gz(wasm)} bytes`)
  assert.ok(glue.length <= 30 * KiB, `the glue is ${glue.length} bytes`)
  assert.ok(gz(bundle) <= 30 * KiB, `the bundle's JS gzipped is ${gz(bundle)} bytes`)
})
