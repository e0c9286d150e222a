'use strict'
// Protocol v2 end to end: real servers on 127.0.0.1 (Express, the Next pages
// shim, a Web handler on node:http), the package's v2 fetch as the client.

const test = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { createServer, createSecureFetch, SecureFetch, generateKeyPair } = require('..')
const { listen, rawRequest, nextApiResolver, serveWeb, tamper } = require('./helpers.js')

const quiet = { warn () {}, error () {} }
// Both clocks fixed ahead of the memory store's creation: its restart rule
// refuses anything dated within max_skew of the process start.
const NOW = Math.floor(Date.now() / 1000) + 30

// An Express app on an ephemeral port; the server is built once the origin is known.
async function expressApp (options = {}) {
  let app = (req, res) => res.end()
  const srv = await listen((req, res) => app(req, res))
  const server = createServer({ keys: generateKeyPair().secretKey, origins: [srv.origin], now: NOW, logger: quiet, env: {}, ...options })
  app = express()
  app.use(server.express)
  app.get('/items', (req, res) => res.json({ version: req.cryptoSession.version, q: req.query.q ?? null }))
  app.post('/items', (req, res) => res.status(201).json({ got: req.body, type: req.cryptoSession.contentType }))
  app.put('/blob', (req, res) => res.set('content-type', 'application/octet-stream').send(Buffer.from(req.body).reverse()))
  app.delete('/items/1', (req, res) => res.status(204).end())
  app.get('/missing', (req, res) => res.status(404).json({ error: 'no such item' }))
  return { ...srv, server }
}

function client (server, origin, options = {}) {
  return createSecureFetch(server.publicKeys[0], generateKeyPair().secretKey, { hostname: origin, now: NOW, ...options })
}

test('v2 Express: GET, POST JSON, PUT bytes, DELETE 204, 404', async () => {
  const { server, origin, close } = await expressApp()
  try {
    const f = client(server, origin)
    let r = await f('/items?q=a%20b')
    assert.equal(r.status, 200)
    assert.deepEqual(r.data, { version: 2, q: 'a b' })
    r = await f('/items', { method: 'POST', body: { n: 1 } })
    assert.equal(r.status, 201)
    assert.deepEqual(r.data, { got: { n: 1 }, type: 'application/json' })
    r = await f('/blob', { method: 'PUT', body: new Uint8Array([1, 2, 3]), headers: { 'content-type': 'application/x-test' } })
    assert.equal(r.status, 200)
    assert.equal(r.contentType, 'application/octet-stream')
    assert.deepEqual([...r.data], [3, 2, 1])
    r = await f('/items/1', { method: 'DELETE' })
    assert.equal(r.status, 204)
    assert.equal(r.data, undefined)
    r = await f('/missing')
    assert.equal(r.status, 404)
    assert.deepEqual(r.data, { error: 'no such item' })
  } finally { await close() }
})

// Send a prepared request by hand (to replay or tamper with it).
function captureFetch () {
  const sent = []
  const fetcher = async (url, init) => {
    sent.push({ url, init: { ...init, headers: new Headers(init.headers) } })
    return fetch(url, init)
  }
  return { sent, fetcher }
}

async function resend ({ url, init }, change = {}) {
  const headers = new Headers(init.headers)
  if (change.authorization) headers.set('authorization', change.authorization)
  return fetch(change.url ?? url, { ...init, method: change.method ?? init.method, headers, body: change.body ?? init.body })
}

function rejectedWith (response, code, status) {
  assert.equal(response.status, status)
  assert.equal(response.headers.get('www-authenticate'), `CryptoSession error="${code}"`)
  assert.equal(response.headers.get('cache-control'), 'no-store')
  assert.match(response.headers.get('access-control-expose-headers'), /Crypto-Session/)
}

test('v2: replay, tampered token/target/method/body, unknown kid are rejected', async () => {
  const { server, origin, close } = await expressApp()
  try {
    const { sent, fetcher } = captureFetch()
    const f = client(server, origin, { fetcher })
    await f('/items', { method: 'POST', body: { n: 2 } })
    const first = sent[0]
    rejectedWith(await resend(first), 'replayed', 401)
    await f('/items', { method: 'POST', body: { n: 3 } })
    const second = sent[1]
    const token = second.init.headers.get('authorization')
    rejectedWith(await resend(second, { authorization: tamper(token, token.length - 10) }), 'invalid_signature', 401)
    rejectedWith(await resend(second, { url: origin + '/items?x=1' }), 'invalid_signature', 401)
    rejectedWith(await resend(second, { method: 'PUT' }), 'invalid_signature', 401)
    const body = Buffer.from(second.init.body)
    body[body.length - 1] ^= 1
    const r = await resend(second, { body })
    assert.ok([400, 401].includes(r.status))
    assert.match(r.headers.get('www-authenticate'), /^CryptoSession error="(invalid_body|invalid_signature)"$/)
    // Another server key: unknown kid.
    const other = createSecureFetch(generateKeyPair().publicKey, generateKeyPair().secretKey, { hostname: origin, now: NOW })
    await assert.rejects(other('/items'), err => err.code === 'unknown_key' && err.status === 401)
  } finally { await close() }
})

test('v2: stale then corrected once; an answer for another request is refused', async () => {
  const { server, origin, close } = await expressApp()
  try {
    const { sent, fetcher } = captureFetch()
    const f = client(server, origin, { fetcher, now: NOW - 600 })
    const r = await f('/items?q=late')
    assert.deepEqual(r.data, { version: 2, q: 'late' })
    assert.equal(sent.length, 2, 'exactly one retry')
    assert.equal(f.clockOffset, 600)
    // The answer to one request handed back for another: refused.
    let first = null
    const g = client(server, origin, {
      fetcher: async (url, init) => {
        const res = await fetch(url, init)
        const copy = new Response(await res.arrayBuffer(), { status: res.status, headers: res.headers })
        if (first === null) { first = copy.clone(); return copy }
        return first
      }
    })
    await g('/items?q=1')
    await assert.rejects(g('/items?q=2'), err => err.code === 'invalid_answer')
  } finally { await close() }
})

test('v2: CORS preflight passes unauthenticated; v1-only server hint; rejection of no token', async () => {
  const { server, origin, close } = await expressApp()
  try {
    const pre = await rawRequest(origin, { method: 'OPTIONS', path: '/items', headers: { origin: 'https://app.example', 'access-control-request-headers': 'authorization, content-type' } })
    assert.equal(pre.status, 204)
    assert.equal(pre.headers['access-control-allow-headers'], 'Authorization, Content-Type, Cache-Control')
    assert.equal(pre.headers['access-control-expose-headers'], 'Crypto-Session, WWW-Authenticate')
    const none = await rawRequest(origin, { path: '/items' })
    assert.equal(none.status, 401)
    assert.equal(none.headers['www-authenticate'], 'CryptoSession error="malformed"')
  } finally { await close() }
  const v1only = await listen((req, res) => { res.statusCode = 401; res.end() })
  try {
    const f = createSecureFetch(generateKeyPair().publicKey, generateKeyPair().secretKey, { hostname: v1only.origin })
    await assert.rejects(f('/x'), err => err.code === 'v1_only' && /protocol v1/.test(err.message))
  } finally { await v1only.close() }
})

test('v2 with acceptV1: the v1 SecureFetch still works; v1 off rejects it', async () => {
  const key = generateKeyPair()
  const { origin, close } = await expressApp({ keys: key.secretKey, acceptV1: true })
  try {
    const { fetch: v1 } = SecureFetch.generate(key.publicKey, { hostname: origin })
    const r = await v1('/items?q=v1')
    assert.equal(r.status, 200)
    assert.deepEqual(r.data, { version: 1, q: 'v1' })
    // A v1 payload has no content type: req.body is revived as the v1 middleware's
    // (JSON if it parses, else text), not left as bytes.
    const posted = await v1('/items', { method: 'POST', body: { a: [1, 'é'] } })
    assert.deepEqual(posted.data, { got: { a: [1, 'é'] }, type: '' })
    assert.deepEqual((await v1('/items', { method: 'POST', body: 'just text' })).data, { got: 'just text', type: '' })
  } finally { await close() }
  const off = await expressApp({ keys: key.secretKey })
  try {
    const { fetch: v1 } = SecureFetch.generate(key.publicKey, { hostname: off.origin })
    const r = await v1('/items')
    assert.equal(r.status, 401)
  } finally { await off.close() }
})

test('v2 Web handler and Next pages route on node:http', async () => {
  let handler = (req, res) => res.end()
  const srv = await listen((req, res) => handler(req, res))
  try {
    const server = createServer({ keys: generateKeyPair().secretKey, origins: srv.origin, now: NOW, logger: quiet, env: {} })
    const web = serveWeb(server.web(async (request, secure) => secure.json({ method: request.method, body: secure.body }, 202)))
    const next = nextApiResolver(server.next((req, res) => res.status(200).json({ next: req.body })), { bodyParser: false })
    handler = (req, res) => (req.url.startsWith('/api') ? next(req, res) : web(req, res))
    const f = client(server, srv.origin)
    let r = await f('/web', { method: 'PATCH', body: 'hello' })
    assert.equal(r.status, 202)
    assert.deepEqual(r.data, { method: 'PATCH', body: 'hello' })
    r = await f('/api/x', { method: 'POST', body: [1, 2] })
    assert.deepEqual(r.data, { next: [1, 2] })
    const pre = await rawRequest(srv.origin, { method: 'OPTIONS', path: '/web' })
    assert.equal(pre.status, 204)
    assert.equal(pre.headers['access-control-allow-headers'], 'Authorization, Content-Type, Cache-Control')
  } finally { await srv.close() }
})

// A page on another origin reads an answer's token only through
// Access-Control-Expose-Headers: a server accepting v1 names Authorization there (a
// v1 answer travels in it) on every answer and rejection; a v2-only server does not.
test('v2 CORS: cross-origin answers expose Authorization exactly with acceptV1 (Express, Next, Web)', async () => {
  const page = { origin: 'https://page.example' }
  for (const acceptV1 of [false, true]) {
    const want = acceptV1 ? 'Crypto-Session, WWW-Authenticate, Authorization' : 'Crypto-Session, WWW-Authenticate'
    const key = generateKeyPair()
    let handler = (req, res) => res.end()
    const srv = await listen((req, res) => handler(req, res))
    try {
      const server = createServer({ keys: key.secretKey, origins: srv.origin, now: NOW, logger: quiet, env: {}, acceptV1 })
      assert.equal(server.exposedHeaders, want)
      const app = express()
      app.use(server.express)
      app.get('/express', (req, res) => res.json({ version: req.cryptoSession.version }))
      const web = serveWeb(server.web(async (request, secure) => secure.json({ version: secure.version })))
      const next = nextApiResolver(server.next((req, res) => res.status(200).json({ version: req.cryptoSession.version })), { bodyParser: false })
      handler = (req, res) => req.url.startsWith('/api') ? next(req, res) : req.url.startsWith('/web') ? web(req, res) : app(req, res)
      const seen = []
      const fromPage = async (url, init) => {
        const headers = new Headers(init.headers)
        headers.set('origin', page.origin)
        const response = await fetch(url, { ...init, headers })
        seen.push(response.headers)
        return response
      }
      const v2 = client(server, srv.origin, { fetcher: fromPage })
      const { fetch: v1 } = SecureFetch.create(key.publicKey, generateKeyPair().secretKey, { hostname: srv.origin, fetcher: fromPage })
      for (const path of ['/express', '/api/x', '/web']) {
        assert.deepEqual((await v2(path)).data, { version: 2 }, path)
        assert.equal(seen.at(-1).get('access-control-expose-headers'), want, path)
        const rejected = await rawRequest(srv.origin, { path, headers: { ...page, authorization: 'CryptoSession' } })
        assert.equal(rejected.status, 401, path)
        assert.equal(rejected.headers['access-control-expose-headers'], want, path)
        const answer = await v1(path)
        if (acceptV1) {
          assert.deepEqual(answer.data, { version: 1 }, path)
          assert.equal(answer.headers.get('access-control-expose-headers'), want, path)
        } else {
          assert.equal(answer.status, 401, path)
        }
      }
    } finally { await srv.close() }
  }
})

test('v2 configuration from the environment; bad values throw at construction', () => {
  const key = generateKeyPair().secretKey
  const s = createServer({ env: { CRYPTO_SESSION_KEY: key, CRYPTO_SESSION_HOST: 'https://a.example', CRYPTO_SESSION_ORIGINS: 'https://b.example, https://a.example', CRYPTO_SESSION_MAX_BODY: '1024' }, logger: quiet })
  assert.deepEqual(s.origins, ['https://a.example', 'https://b.example'])
  assert.equal(s.maxBody, 1024)
  for (const [name, value] of [['CRYPTO_SESSION_MAX_AGE', 'soon'], ['CRYPTO_SESSION_MAX_SKEW', '1'], ['CRYPTO_SESSION_ACCEPT_V1', 'maybe'], ['CRYPTO_SESSION_REPLAY', 'disk'], ['CRYPTO_SESSION_MAX_BODY', '-1']]) {
    assert.throws(() => createServer({ env: { CRYPTO_SESSION_KEY: key, CRYPTO_SESSION_HOST: 'https://a.example', [name]: value } }), err => err.code === 'malformed_input', name)
  }
  assert.throws(() => createServer({ env: {} }), /CRYPTO_SESSION_KEY/)
})

// make test-node runs the suite under tests/redis/with-redis.sh: a real redis-server.
// Without it this test fails (it never skips): run the suite as make test-node does.
const REDIS = process.env.CRYPTO_SESSION_TEST_REDIS_URL
test('v2 replay store on a real redis-server, shared by two servers', async () => {
  assert.ok(REDIS, 'CRYPTO_SESSION_TEST_REDIS_URL is not set: run under tests/redis/with-redis.sh (make test-node)')
  const key = generateKeyPair().secretKey
  const prefix = `node-test:${process.pid}:${Date.now()}:`
  const a = await expressApp({ keys: key, replay: REDIS, replayPrefix: prefix })
  // B: another server on another port, same key, the same public origin (A's).
  const b = await expressApp({ keys: key, replay: REDIS, replayPrefix: prefix, origins: [a.origin] })
  try {
    const { sent, fetcher } = captureFetch()
    const f = client(a.server, a.origin, { fetcher })
    assert.deepEqual((await f('/items?q=once')).data, { version: 2, q: 'once' })
    rejectedWith(await resend(sent[0], { url: b.origin + '/items?q=once' }), 'replayed', 401)
    // Concurrent duplicates of a fresh request at both: exactly one accepted.
    // (prepared, never delivered: the fake fetcher answers 599)
    const sent2 = []
    const hold = async (url, init) => { sent2.push({ url, init: { ...init, headers: new Headers(init.headers) } }); return new Response(null, { status: 599 }) }
    await assert.rejects(client(a.server, a.origin, { fetcher: hold })('/items?q=race'))
    const req = sent2[0]
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => resend(req, { url: (i % 2 ? b.origin : a.origin) + '/items?q=race' })))
    const statuses = results.map(r => r.status).sort()
    assert.deepEqual(statuses, [200, 401, 401, 401, 401, 401, 401, 401])
  } finally { await a.close(); await b.close() }
})
