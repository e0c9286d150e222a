'use strict'
// The Web-standard wrapper (Request -> Response, as Next.js route handlers and Hono
// use): called with real Request objects, and served for real over node:http and
// reached with SecureFetch (global fetch).

const test = require('node:test')
const assert = require('node:assert/strict')
const { SecureFetch, CryptoSession, generateKeyPair, createCryptoAuth } = require('..')
const { listen, rawRequest, tamper, comparableHeaders, serveWeb } = require('./helpers.js')

const serverKeys = generateKeyPair()
const clientKeys = generateKeyPair()
const HOST = 'https://api.example'
const logged = []
const auth = createCryptoAuth({ secretKey: serverKeys.secretKey, host: HOST, logger: { warn: m => logged.push(m), error: m => logged.push(m) } })

// app/api/items/route.js
const GET = auth.useAuthWithWeb(async (request, secure) => {
  const url = new URL(request.url)
  return secure.json({ q: url.searchParams.get('q'), peer: secure.session.peerHex })
})
const POST = auth.useAuthWithWeb(async (request, secure) => secure.send(`got ${JSON.stringify(secure.data)}`, { status: 202, headers: { 'x-route': 'items' } }))

test('real Request objects in, sealed Responses out', async () => {
  const client = new SecureFetch(serverKeys.publicKey, clientKeys.secretKey, {
    hostname: HOST,
    // The "network" is the route handler itself: a Request built from what the client sends.
    fetcher: (url, init) => (init.method === 'POST' ? POST : GET)(new Request(url, init))
  })
  const got = await client('/api/items?q=a%20b')
  assert.equal(got.status, 200)
  assert.equal(got.err, undefined)
  assert.deepEqual(got.data, { q: 'a b', peer: clientKeys.publicKey })
  const posted = await client('/api/items', { method: 'POST', body: { id: 7 } })
  assert.equal(posted.status, 202)
  assert.equal(posted.headers.get('x-route'), 'items')
  assert.equal(posted.data, 'got {"id":7}')
})

test('rejected Requests: 401, empty body, same headers', async () => {
  const session = new CryptoSession(serverKeys.publicKey, clientKeys.secretKey)
  const { token } = session.encodeSync(`${HOST}/api/items?q=1`)
  const post = session.encodeSync({ id: 1 })
  const requests = [
    new Request(`${HOST}/api/items?q=1`, { headers: { authorization: tamper(token.encoded, 50) } }),
    new Request(`${HOST}/api/items?q=2`, { headers: { authorization: token.encoded } }),
    new Request(`${HOST}/api/items?q=1`),
    new Request(`${HOST}/api/items?q=1`, { headers: { authorization: '@@@' } })
  ]
  const posts = [
    new Request(`${HOST}/api/items`, { method: 'POST', headers: { authorization: post.token.encoded }, body: JSON.stringify({ data: tamper(post.data, 10) }) }),
    new Request(`${HOST}/api/items`, { method: 'POST', headers: { authorization: post.token.encoded }, body: 'x'.repeat((1 << 20) + 1) })
  ]
  const seen = []
  for (const request of requests) seen.push(await GET(request))
  for (const request of posts) seen.push(await POST(request))
  for (const res of seen) {
    assert.equal(res.status, 401)
    assert.equal(await res.text(), '')
    assert.deepEqual([...res.headers], [...seen[0].headers])
  }
  assert.ok(logged.filter(l => l.startsWith('crypto-sessions: rejected')).length >= seen.length)
  assert.ok(logged.some(l => l.includes('too_large')))
})

test('a GET that declares a body never reaches the handler', async () => {
  const session = new CryptoSession(serverKeys.publicKey, clientKeys.secretKey)
  const { token } = session.encodeSync(`${HOST}/api/items?q=1`)
  let reached = 0
  const handler = auth.useAuthWithWeb(async (request, secure) => { reached++; return secure.send('ok') })
  const ok = await handler(new Request(`${HOST}/api/items?q=1`, { headers: { authorization: token.encoded } }))
  assert.equal(ok.status, 200)
  for (const headers of [{ 'transfer-encoding': 'chunked' }, { 'content-length': '3' }]) {
    const res = await handler(new Request(`${HOST}/api/items?q=1`, { headers: { ...headers, authorization: token.encoded } }))
    assert.equal(res.status, 401, JSON.stringify(headers))
  }
  assert.equal(reached, 1)
})

test('a body limit that does not fit is an error at construction, never a wrap', () => {
  for (const maxBodySize of [2 ** 32, Infinity, -1, 0, 1.5, NaN, 2 ** 30 + 1]) {
    assert.throws(() => createCryptoAuth({ secretKey: serverKeys.secretKey, host: HOST, maxBodySize }), /max_body/, String(maxBodySize))
  }
  assert.equal(createCryptoAuth({ secretKey: serverKeys.secretKey, host: HOST, maxBodySize: 2 ** 30 }).maxBodySize, 2 ** 30)
})

test('served over node:http and reached with fetch', async () => {
  let origin
  const routes = req => (req.method === 'POST' ? served.POST : served.GET)(req)
  const served = {}
  const site = await listen(serveWeb(request => routes(request)))
  origin = site.origin
  try {
    const local = createCryptoAuth({ secretKey: serverKeys.secretKey, host: origin, logger: { warn () {}, error () {} } })
    served.GET = local.useAuthWithWeb((request, secure) => secure.send(new URL(request.url).searchParams.get('x')))
    served.POST = local.useAuthWithWeb((request, secure) => secure.json({ sum: secure.data.a + secure.data.b }))
    const client = new SecureFetch(serverKeys.publicKey, clientKeys.secretKey, { hostname: origin })
    assert.equal((await client('/path?x=hello%2Fworld')).data, 'hello/world')
    assert.deepEqual((await client('/sum', { method: 'POST', body: { a: 2, b: 3 } })).data, { sum: 5 })
    const missing = await rawRequest(origin, { path: '/path?x=1' })
    const garbage = await rawRequest(origin, { path: '/path?x=1', headers: { authorization: 'A'.repeat(500) } })
    for (const res of [missing, garbage]) {
      assert.equal(res.status, 401)
      assert.equal(res.body, '')
    }
    assert.deepEqual(comparableHeaders(missing.headers), comparableHeaders(garbage.headers))
  } finally {
    await site.close()
  }
})
