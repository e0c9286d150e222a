// The WebAssembly build replays both vector files under Node with the `browser`
// condition: `node --conditions=browser --test test/wasm/vectors.test.mjs`
// (CRYPTO_SESSIONS_VECTORS / CRYPTO_SESSIONS_V2_VECTORS name other files).
import test from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import * as api from 'crypto-sessions'
import { replay } from './replay.mjs'

const vectors = (env, name) => JSON.parse(readFileSync(process.env[env] ||
  new URL(`../../../../tests/vectors/${name}`, import.meta.url), 'utf8'))

test('the browser condition loads the WebAssembly build', () => {
  assert.equal(api.CORE_BACKEND, 'libsecp256k1')
  assert.equal(typeof api.V2Client, 'function')
})

test('reference-1.1.10.json and v2.json replay on the WebAssembly build', async () => {
  const v1 = vectors('CRYPTO_SESSIONS_VECTORS', 'reference-1.1.10.json')
  const v2 = vectors('CRYPTO_SESSIONS_V2_VECTORS', 'v2.json')
  const { passed, failures } = await replay(api, v1, v2)
  assert.deepEqual(failures, [])
  const expected = v1.keys.length + v1.ecdh.length + 3 * v1.sign.length + v1.session.length +
    v1.negative.length + 3 * v1.http.exchanges.length + v2.keys.length + v2.answer_checks.length
  assert.ok(passed >= expected, `${passed} checks passed, at least ${expected} expected`)
  console.log(`# ${passed} vector checks passed`)
})
