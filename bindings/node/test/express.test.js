'use strict'
// A real Express server on 127.0.0.1 with the environment-configured middleware
// (the reference's drop-in), driven by the package's own SecureFetch and by raw
// requests for the negative cases.

const test = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { SecureFetch, CryptoSession, generateKeyPair, useAuthWithExpress } = require('..')
const { listen, captureOutput, rawRequest, tamper, comparableHeaders } = require('./helpers.js')

const serverKeys = generateKeyPair()
const clientKeys = generateKeyPair()

// The reference's test app, plus a POST that answers what it received.
function referenceApp () {
  const app = express()
  app.use(useAuthWithExpress)
  app.get('/getSend', (req, res) => req.isAuthenticated
    ? res.status(200).secure.send(String(req.query.challenge))
    : res.status(401).end())
  app.get('/getJson', (req, res) => res.status(200).secure.json(req.query))
  app.post('/postSend', (req, res) => res.secure.send(req.body.challenge))
  app.post('/postJson', (req, res) => res.secure.json(req.body))
  app.post('/postEcho', (req, res) => res.secure.json({ received: req.body, peer: req.session.peerHex }))
  return app
}

let site
let output
test.before(async () => {
  site = await listen(referenceApp())
  // Read when the middleware is first used, so they can be set after import.
  process.env.CRYPTO_SESSION_KEY = serverKeys.secretKey
  process.env.CRYPTO_SESSION_HOST = site.origin
  output = captureOutput()
})
test.after(async () => {
  output.restore()
  await site.close()
})

function client (serverKey = serverKeys.publicKey) {
  return new SecureFetch(serverKey, clientKeys.secretKey, { hostname: site.origin })
}

test('GET send: the challenge comes back signed and encrypted', async () => {
  const res = await client()('/getSend?challenge=abc123')
  assert.equal(res.status, 200)
  assert.equal(res.err, undefined)
  assert.equal(res.data, 'abc123')
})

test('GET json: the query comes back as JSON, percent-encoding verified raw', async () => {
  const res = await client()('/getJson?x=1&y=two%20words&z=%C3%BC')
  assert.equal(res.err, undefined)
  assert.deepEqual(res.data, { x: '1', y: 'two words', z: 'ü' })
})

test('POST send: the decrypted body reaches the handler', async () => {
  const res = await client()('/postSend', { method: 'POST', body: { challenge: 'xyz' } })
  assert.equal(res.err, undefined)
  assert.equal(res.data, 'xyz')
})

test('POST json: objects round-trip, key order and non-ASCII kept', async () => {
  const body = { b: [1, 2, { c: null }], a: 'ü ✓', n: 3.5 }
  const res = await client()('/postJson', { method: 'POST', body })
  assert.equal(res.err, undefined)
  assert.deepEqual(res.data, body)
  assert.deepEqual(Object.keys(res.data), ['b', 'a', 'n'])
})

test('POST without a body: the client signs the URL and the server sees it', async () => {
  const res = await client()('/postEcho', { method: 'POST' })
  assert.equal(res.err, undefined)
  assert.deepEqual(res.data, { received: `${site.origin}/postEcho`, peer: clientKeys.publicKey })
})

// fetch sends the WHATWG-serialized URL: `'` and non-ASCII in the query
// percent-encoded, dot segments resolved, no fragment. The server verifies what
// arrives, so that (not the string as written) is what must be signed.
test('GET signs the request-target fetch sends, not the URL as written', async () => {
  const cases = [
    ['/getSend?challenge=it\'s', 'it\'s'],
    ['/getSend?challenge=caf\u00e9 au lait', 'caf\u00e9 au lait'],
    ['/x/../getSend?challenge=dots', 'dots'],
    ['/getSend?challenge=frag#not-sent', 'frag']
  ]
  for (const [path, challenge] of cases) {
    const res = await client()(path)
    assert.equal(res.err, undefined, `${path}: ${res.err && res.err.message}`)
    assert.equal(res.data, challenge, path)
  }
  // The origin stays as written (it is the server's configured host), only the
  // target is taken as fetch sends it.
  const logged = []
  const verbose = new SecureFetch(serverKeys.publicKey, clientKeys.secretKey, { hostname: site.origin, verbose: true })
  const log = console.log
  console.log = (...args) => logged.push(args.join(' '))
  try {
    assert.equal((await verbose('/getSend?challenge=it\'s')).data, 'it\'s')
  } finally {
    console.log = log
  }
  assert.match(logged.join('\n'), new RegExp(`Path: ${site.origin}/getSend\\?challenge=it%27s`))
})

test('RequestInit defaults, a URL object and a Request object work as with fetch', async () => {
  const fetch = new SecureFetch(serverKeys.publicKey, clientKeys.secretKey, {
    hostname: '',
    headers: { 'x-default': 'yes' }
  })
  const byUrl = await fetch(new URL(`${site.origin}/getSend?challenge=url`))
  assert.equal(byUrl.data, 'url')
  const request = new Request(`${site.origin}/postSend`, { method: 'POST', body: JSON.stringify({ challenge: 'req' }) })
  const byRequest = await fetch(request)
  assert.equal(byRequest.data, 'req')
})

// ---- rejections: each a 401 with an empty body and the same headers ----------

async function signedGet (path) {
  const prepared = new CryptoSession(serverKeys.publicKey, clientKeys.secretKey)
  const { token } = await prepared.encode(site.origin + path)
  return token.encoded
}

async function signedPost (body) {
  const session = new CryptoSession(serverKeys.publicKey, clientKeys.secretKey)
  const { token, data } = await session.encode(body)
  return { token: token.encoded, data }
}

const rejected = []
async function expectRejected (name, request) {
  const res = await rawRequest(site.origin, request)
  assert.equal(res.status, 401, name)
  assert.equal(res.body, '', name)
  assert.equal(res.headers.authorization, undefined, name)
  rejected.push({ name, headers: comparableHeaders(res.headers) })
  return res
}

test('a valid raw GET passes (control for the negative cases)', async () => {
  const res = await rawRequest(site.origin, { path: '/getSend?challenge=c', headers: { authorization: await signedGet('/getSend?challenge=c') } })
  assert.equal(res.status, 200)
  assert.ok(res.headers.authorization)
})

test('a GET with a body never reaches the handler, whatever the body parser', async () => {
  const auth = await signedGet('/getSend?challenge=c')
  for (const headers of [{ 'content-type': 'application/json' }, { 'content-type': 'text/plain' }]) {
    await expectRejected('GET with a body', { path: '/getSend?challenge=c', headers: { ...headers, 'content-length': '12', authorization: auth }, body: '{"data":"x"}' })
  }
  // Chunked: no content-length, a transfer-encoding.
  const res = await new Promise((resolve, reject) => {
    const url = new URL(site.origin)
    const req = require('node:http').request({ host: url.hostname, port: url.port, method: 'GET', path: '/getSend?challenge=c', headers: { authorization: auth, 'transfer-encoding': 'chunked' } }, r => { r.resume(); r.on('end', () => resolve(r)) })
    req.on('error', reject)
    req.write('x')
    req.end()
  })
  assert.equal(res.statusCode, 401)
})

test('tampered token: 401, empty body', async () => {
  const token = await signedGet('/getSend?challenge=t')
  await expectRejected('tampered token', { path: '/getSend?challenge=t', headers: { authorization: tamper(token, token.length - 5) } })
})

test('token for another URL: 401', async () => {
  await expectRejected('other url', { path: '/getSend?challenge=b', headers: { authorization: await signedGet('/getSend?challenge=a') } })
})

test('tampered body: 401, empty body', async () => {
  const { token, data } = await signedPost({ challenge: 'body' })
  await expectRejected('tampered body', {
    method: 'POST',
    path: '/postSend',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify({ data: tamper(data, 30) })
  })
})

test('wrong server key: a POST is 401; a GET answer does not open', async () => {
  const other = generateKeyPair()
  const res = await client(other.publicKey)('/postSend', { method: 'POST', body: { challenge: 'x' } })
  assert.equal(res.status, 401)
  assert.equal(res.data, undefined)
  assert.equal(res.err.code, 'http_status')
  assert.equal(res.err.status, 401)
  // GET signs the URL only, so the server accepts it, but its answer is sealed for
  // the real server key: the client refuses it.
  const get = await client(other.publicKey)('/getSend?challenge=x')
  assert.equal(get.status, 200)
  assert.equal(get.data, undefined)
  assert.ok(get.err, 'the answer must not open')
})

test('missing authorization header: 401', async () => {
  await expectRejected('missing header', { path: '/getSend?challenge=m' })
})

test('garbage base64 in the header: 401', async () => {
  await expectRejected('garbage base64', { path: '/getSend?challenge=g', headers: { authorization: '!!not*base64url==' } })
  await expectRejected('garbage POST data', {
    method: 'POST',
    path: '/postSend',
    headers: { authorization: (await signedPost('x')).token, 'content-type': 'application/json' },
    body: '{"data":"%%%"}'
  })
})

test('a body over the limit: 401 before any decryption', async () => {
  const { token } = await signedPost('x')
  await expectRejected('too large', {
    method: 'POST',
    path: '/postSend',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify({ data: 'A'.repeat((1 << 20) + 10) })
  })
})

test('other methods: 401', async () => {
  await expectRejected('PUT', { method: 'PUT', path: '/postSend', headers: { authorization: (await signedPost('x')).token } })
})

test('every rejection has the same headers and its reason is logged', () => {
  assert.ok(rejected.length >= 7)
  for (const r of rejected) assert.deepEqual(r.headers, rejected[0].headers, r.name)
  const logged = output.lines.filter(l => l.startsWith('crypto-sessions: rejected'))
  assert.ok(logged.length >= rejected.length, 'one log line per rejection')
  assert.ok(logged.some(l => l.includes('invalid_signature')))
  assert.ok(logged.some(l => l.includes('too_large')))
  assert.ok(logged.some(l => l.includes('malformed_input')))
})

test('no secret reaches the output', async () => {
  const session = new CryptoSession(clientKeys.publicKey, serverKeys.secretKey)
  const shared = (await session.shared).hex
  const text = output.text()
  assert.ok(text.length > 0)
  for (const secret of [serverKeys.secretKey, clientKeys.secretKey, shared]) {
    assert.ok(!text.includes(secret), 'a secret was printed')
  }
})

test('behind express.json(), with a factory-made CryptoAuth (explicit key and host)', async () => {
  const { createCryptoAuth } = require('..')
  const keys = generateKeyPair()
  const app = express()
  app.use(express.json())
  const other = await listen(app)
  try {
    const auth = createCryptoAuth({ secretKey: keys.secretKey, host: other.origin, logger: { warn () {}, error () {} } })
    app.use(auth.useAuthWithExpress)
    app.post('/json', (req, res) => res.secure.json({ got: req.body }))
    app.get('/hello', (req, res) => res.secure.send(`hello ${req.session.peerHex}`))
    const fetch = new SecureFetch(auth.pubkey, clientKeys.secretKey, { hostname: other.origin })
    const posted = await fetch('/json', { method: 'POST', body: { a: 1 } })
    assert.deepEqual(posted.data, { got: { a: 1 } })
    const got = await fetch('/hello')
    assert.equal(got.data, `hello ${clientKeys.publicKey}`)
    const { token, data } = await new CryptoSession(auth.pubkey, clientKeys.secretKey).encode('x')
    const bad = await rawRequest(other.origin, {
      method: 'POST',
      path: '/json',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({ data: tamper(data, 25) })
    })
    assert.equal(bad.status, 401)
    assert.equal(bad.body, '')
  } finally {
    await other.close()
  }
})
