'use strict'
// Run inside a fresh project that installed crypto-sessions: the package works
// as users load it (CommonJS here, ESM in smoke.mjs), against a real server.
const assert = require('node:assert/strict')
const http = require('node:http')
const fs = require('node:fs')
const path = require('node:path')
const { SecureFetch, CryptoSession, createCryptoAuth, generateKeyPair, CORE_BACKEND } = require('crypto-sessions')

async function main () {
  const pkgDir = path.dirname(require.resolve('crypto-sessions/package.json'))
  for (const file of ['index.d.ts', 'native.d.ts', 'crypto-sessions.node']) {
    assert.ok(fs.existsSync(path.join(pkgDir, file)), `installed package has ${file}`)
  }
  // The default build carries the libsecp256k1 backend, from a tarball too (its
  // vendored manifest must forward the feature to the core).
  assert.equal(CORE_BACKEND, 'libsecp256k1')
  const server = generateKeyPair()
  const client = generateKeyPair()
  const a = new CryptoSession(server.publicKey, client.secretKey)
  const b = new CryptoSession(client.publicKey, server.secretKey)
  const { token, data } = await a.encode({ hi: 'there' })
  assert.deepEqual((await b.decode(token, data)).data, { hi: 'there' })

  const site = http.createServer()
  await new Promise(resolve => site.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${site.address().port}`
  const auth = createCryptoAuth({ secretKey: server.secretKey, host: origin, logger: { warn () {}, error () {} } })
  site.on('request', auth.useAuthWithNext((req, res) => res.secure.json({ method: req.method, body: req.body ?? null })))
  try {
    const fetch = new SecureFetch(server.publicKey, client.secretKey, { hostname: origin })
    assert.deepEqual((await fetch('/get')).data, { method: 'GET', body: null })
    assert.deepEqual((await fetch('/post', { method: 'POST', body: [1, 2] })).data, { method: 'POST', body: [1, 2] })
    const rejected = await globalThis.fetch(`${origin}/get`)
    assert.equal(rejected.status, 401)
    assert.equal(await rejected.text(), '')
  } finally {
    site.closeAllConnections()
    site.close()
  }
  console.log('smoke (CommonJS): ok')
}

main().catch(err => {
  console.error(err)
  process.exit(1)
})
