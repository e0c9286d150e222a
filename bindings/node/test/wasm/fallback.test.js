'use strict'
// The `node` condition without a loadable addon: the package falls back to the
// WebAssembly build and says so once on NODE_DEBUG=crypto-sessions. The package
// files are copied to a fresh folder with no addon and no platform package.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const PACKAGE = path.join(__dirname, '..', '..')

test('no addon: the WebAssembly build serves the same API, announced once on the debug channel', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-fallback-'))
  try {
    const copy = path.join(dir, 'node_modules', 'crypto-sessions')
    for (const entry of ['package.json', 'index.js', 'index.mjs', 'lib', 'wasm']) {
      fs.cpSync(path.join(PACKAGE, entry), path.join(copy, entry), { recursive: true })
    }
    const script = `
      const a = require('crypto-sessions'); const b = require('crypto-sessions')
      const { CryptoSession, getPublicKey, SecureFetch } = a
      const alice = a.generateKeyPair(), bob = a.generateKeyPair()
      const toBob = new CryptoSession(bob.publicKey, alice.secretKey)
      const fromAlice = new CryptoSession(alice.publicKey, bob.secretKey)
      const sent = toBob.encodeSync({ hi: 1 })
      const got = fromAlice.decodeSync(sent.token, sent.data)
      const v2 = new SecureFetch(bob.publicKey, alice.secretKey, { protocol: 2 })
      console.log(JSON.stringify({ backend: a.CORE_BACKEND, same: a === b, got: got.data, valid: got.isValid, v2: v2.protocol }))`
    const env = { ...process.env, NODE_DEBUG: 'crypto-sessions', CRYPTO_SESSIONS_ADDON: '' }
    const run = spawnSync(process.execPath, ['-e', script], { cwd: dir, env, encoding: 'utf8' })
    assert.equal(run.status, 0, run.stderr)
    const result = JSON.parse(run.stdout.trim().split('\n').pop())
    assert.deepEqual(result, { backend: 'libsecp256k1', same: true, got: { hi: 1 }, valid: true, v2: 2 })
    // Two imports, one notice; and nothing at all without NODE_DEBUG.
    assert.equal(run.stderr.split('using the WebAssembly build').length - 1, 1, run.stderr)
    const quiet = spawnSync(process.execPath, ['-e', script], { cwd: dir, env: { ...env, NODE_DEBUG: '' }, encoding: 'utf8' })
    assert.equal(quiet.stderr, '')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
