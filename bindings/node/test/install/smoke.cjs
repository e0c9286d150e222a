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
  // A packed package (CRYPTO_SESSIONS_SMOKE_PACKED=1) carries the licences too.
  const packed = process.env.CRYPTO_SESSIONS_SMOKE_PACKED === '1'
  for (const file of ['index.d.ts', 'client.d.ts', 'native.d.ts', ...(packed ? ['LICENSE-MIT', 'LICENSE-APACHE'] : [])]) {
    assert.ok(fs.existsSync(path.join(pkgDir, file)), `installed package has ${file}`)
  }
  // Where the addon must come from (lib/native.js): `local` (a build in the package
  // folder) or `platform` (the prebuilt crypto-sessions-linux-x64-gnu, and no local one).
  const local = fs.existsSync(path.join(pkgDir, 'crypto-sessions.node'))
  const where = process.env.CRYPTO_SESSIONS_SMOKE_ADDON
  if (where === 'local') assert.ok(local, 'a local build in the package folder')
  else if (where === 'platform') {
    assert.ok(!local, 'no local build in the package folder')
    const platform = require.resolve('crypto-sessions-linux-x64-gnu', { paths: [pkgDir] })
    assert.ok(platform.endsWith('crypto-sessions.linux-x64-gnu.node'), platform)
    assert.ok(Object.keys(require.cache).includes(platform), 'the platform package\'s addon is the one loaded')
  } else assert.fail('set CRYPTO_SESSIONS_SMOKE_ADDON to local or platform')
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
