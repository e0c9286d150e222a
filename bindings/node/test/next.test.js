'use strict'
// A Next.js-style API route (pages router): `export default useAuthWithNext(handler)`,
// served by a real node:http server with the request/response helpers Next adds
// (req.query, a parsed JSON req.body, res.status/json/send). Next itself is not
// installed; the shim does what Next's API resolver does before calling the route.

const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { SecureFetch, CryptoSession, generateKeyPair, useAuthWithNext } = require('..')
const { listen, captureOutput, rawRequest, tamper, comparableHeaders, nextApiResolver } = require('./helpers.js')

const serverKeys = generateKeyPair()
const clientKeys = generateKeyPair()

// pages/api/hello.js
async function helloAPI (req, res) {
  if (req.method === 'GET') return res.secure.json({ message: `Hello ${req.query.name}!` })
  return res.status(201).secure.json({ echo: req.body, from: req.session.peerHex })
}

let site
let output
test.before(async () => {
  site = await listen(nextApiResolver(useAuthWithNext(helloAPI)))
  process.env.CRYPTO_SESSION_KEY = serverKeys.secretKey
  process.env.CRYPTO_SESSION_HOST = site.origin
  output = captureOutput()
})
test.after(async () => {
  output.restore()
  await site.close()
})

const client = () => new SecureFetch(serverKeys.publicKey, clientKeys.secretKey, { hostname: site.origin })

test('GET through useAuthWithNext', async () => {
  const res = await client()('/api/hello?name=world!')
  assert.equal(res.err, undefined)
  assert.deepEqual(res.data, { message: 'Hello world!!' })
})

test('POST through useAuthWithNext: revived body, handler status kept', async () => {
  const res = await client()('/api/hello', { method: 'POST', body: { n: [1, 2] } })
  assert.equal(res.status, 201)
  assert.equal(res.err, undefined)
  assert.deepEqual(res.data, { echo: { n: [1, 2] }, from: clientKeys.publicKey })
})

test('rejections: 401, empty body, same headers; the handler never runs', async () => {
  const session = new CryptoSession(serverKeys.publicKey, clientKeys.secretKey)
  const { token } = await session.encode(`${site.origin}/api/hello?name=a`)
  const post = await session.encode({ n: 1 })
  const cases = [
    { path: '/api/hello?name=a', headers: { authorization: tamper(token.encoded, 40) } },
    { path: '/api/hello?name=b', headers: { authorization: token.encoded } },
    { path: '/api/hello?name=a' },
    { path: '/api/hello?name=a', headers: { authorization: '***' } },
    { method: 'POST', path: '/api/hello', headers: { authorization: post.token.encoded, 'content-type': 'application/json' }, body: JSON.stringify({ data: tamper(post.data, 20) }) }
  ]
  const seen = []
  for (const request of cases) {
    const res = await rawRequest(site.origin, request)
    assert.equal(res.status, 401)
    assert.equal(res.body, '')
    seen.push(comparableHeaders(res.headers))
  }
  for (const headers of seen) assert.deepEqual(headers, seen[0])
  assert.equal(output.lines.filter(l => l.startsWith('crypto-sessions: rejected')).length, cases.length)
})

test('importing without configuration never throws; first use reports it with a fresh key pair', () => {
  const script = `
    const http = require('node:http')
    const { useAuthWithNext } = require(${JSON.stringify(path.resolve(__dirname, '..'))})
    const route = useAuthWithNext(() => { throw new Error('handler must not run') })
    const res = new http.ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1 })
    Promise.resolve(route({ method: 'GET', url: '/x', headers: {} }, res)).then(() => {
      console.log('status', res.statusCode)
    })
  `
  const env = { ...process.env }
  delete env.CRYPTO_SESSION_KEY
  delete env.CRYPTO_SESSION_HOST
  const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' })
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /status 500/)
  assert.match(run.stderr, /CRYPTO_SESSION_KEY is not set/)
  assert.match(run.stderr, /Private Key : [0-9a-f]{64}/)
  assert.match(run.stderr, /Public Key {2}: 0[23][0-9a-f]{64}/)
})
