// The peer's own client against its own node:http server over real HTTP on 127.0.0.1.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import zlib from 'node:zlib'
import { randomBytes } from 'node:crypto'

import * as v2 from '../protocol.mjs'
import { sendPrepared } from '../http.mjs'
import { startServer } from '../server.mjs'

const SERVER_KEY = randomBytes(32).toString('hex')
const CLIENT_KEY = randomBytes(32).toString('hex')
const enc = new TextEncoder()
const dec = new TextDecoder()
let srv, base

before(async () => {
  srv = await startServer({ secretKeys: [SERVER_KEY], restartGuard: false, maxBody: 4096 })
  base = `http://127.0.0.1:${srv.port}`
})
after(() => new Promise((resolve) => srv.server.close(resolve)))

function client (opts = {}) {
  return new v2.Client({ clientSecret: CLIENT_KEY, serverXonly: srv.pubkey, ...opts })
}

/** One exchange through the Client with the real transport. */
function call (c, method, path, { contentType = '', payload = new Uint8Array(0), transport } = {}) {
  const url = new URL(path, base)
  return c.send({ method, origin: url.origin, target: url.pathname + url.search, contentType, payload }, transport ?? ((p) => sendPrepared(url, method, p)))
}

/** A raw request, to replay or alter what a client prepared. */
function raw (method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end(body && body.length ? Buffer.from(body) : undefined)
  })
}

test('GET /inspect: the server saw the signed method, target, origin and client key', async () => {
  const c = client()
  const res = await call(c, 'GET', '/inspect?q=%CE%A9mega&x=1')
  assert.equal(res.status, 200)
  assert.equal(res.contentType, 'application/json')
  const seen = JSON.parse(dec.decode(res.payload))
  assert.deepEqual(seen, { version: 2, method: 'GET', target: '/inspect?q=%CE%A9mega&x=1', uri: `${base}/inspect?q=%CE%A9mega&x=1`, client: v2.hex(c.xonly), content_type: '', payload_hex: '' })
})

test('POST/PUT/PATCH /echo: content type and payload come back byte for byte', async () => {
  const c = client()
  const cases = [
    ['POST', 'application/json', enc.encode('{"ok":true,"note":"jalapeño"}')],
    ['PUT', '', randomBytes(3000)],
    ['PATCH', 'text/plain;charset=utf-8', new Uint8Array(0)],
    ['POST', '', new Uint8Array([0])]
  ]
  for (const [method, contentType, payload] of cases) {
    const res = await call(c, method, '/echo', { contentType, payload: new Uint8Array(payload) })
    assert.equal(res.status, 200, method)
    assert.equal(res.contentType, contentType, method)
    assert.deepEqual(Buffer.from(res.payload), Buffer.from(payload), method)
  }
})

test('statuses: 204 without a body, 404, 418, 304, and HEAD without a body', async () => {
  const c = client()
  const empty = await call(c, 'DELETE', '/empty')
  assert.deepEqual([empty.status, empty.contentType, empty.payload.length], [204, '', 0])
  const missing = await call(c, 'GET', '/nowhere')
  assert.equal(missing.status, 404)
  assert.deepEqual(JSON.parse(dec.decode(missing.payload)), { error: 'not found' })
  const teapot = await call(c, 'GET', '/status/418')
  assert.deepEqual([teapot.status, dec.decode(teapot.payload)], [418, 'status 418'])
  const notModified = await call(c, 'GET', '/status/304')
  assert.deepEqual([notModified.status, notModified.payload.length], [304, 0])
  const head = await call(c, 'HEAD', '/inspect')
  assert.deepEqual([head.status, head.payload.length], [200, 0])
})

test('a captured request replayed verbatim is refused as replayed', async () => {
  const c = client()
  const url = new URL('/echo', base)
  const prepared = c.prepare({ method: 'POST', origin: url.origin, target: '/echo', contentType: 'text/plain', payload: enc.encode('pay once') })
  const first = await raw('POST', '/echo', prepared.headers, prepared.body)
  assert.equal(first.status, 200)
  const opened = c.open(prepared, { method: 'POST', status: first.status, header: first.headers['crypto-session'], body: new Uint8Array(first.body) })
  assert.equal(dec.decode(opened.payload), 'pay once')
  const again = await raw('POST', '/echo', prepared.headers, prepared.body)
  assert.equal(again.status, 401)
  assert.equal(again.headers['www-authenticate'], 'CryptoSession error="replayed"')
  assert.equal(again.headers['crypto-session'], undefined)
  assert.equal(again.body.length, 0)
})

test('altered body, altered method, wrong server key and no token are refused with their codes', async () => {
  const c = client()
  const url = new URL('/echo', base)
  const prepared = c.prepare({ method: 'POST', origin: url.origin, target: '/echo', contentType: 'text/plain', payload: enc.encode('hello') })
  const body = Uint8Array.from(prepared.body)
  body[body.length - 1] ^= 1
  assert.equal((await raw('POST', '/echo', prepared.headers, body)).headers['www-authenticate'], 'CryptoSession error="invalid_signature"')
  assert.equal((await raw('PUT', '/echo', prepared.headers, prepared.body)).headers['www-authenticate'], 'CryptoSession error="invalid_signature"')
  const other = new v2.Client({ clientSecret: CLIENT_KEY, serverXonly: v2.xonlyOf(randomBytes(32)) })
  await assert.rejects(call(other, 'GET', '/inspect'), (err) => err.code === 'unknown_key')
  const none = await raw('GET', '/inspect', {})
  assert.deepEqual([none.status, none.headers['www-authenticate']], [401, 'CryptoSession error="malformed"'])
  const v1ish = await raw('GET', '/inspect', { authorization: 'Bearer x' })
  assert.equal(v1ish.headers['www-authenticate'], 'CryptoSession error="malformed"')
})

test('an answer altered on the way (status, body) is invalid_answer, never data', async () => {
  const c = client()
  const url = new URL('/echo', base)
  const flipStatus = async (p) => ({ ...(await sendPrepared(url, 'POST', p)), status: 201 })
  await assert.rejects(call(c, 'POST', '/echo', { payload: enc.encode('x'), transport: flipStatus }), (err) => err.code === 'invalid_answer')
  const flipBody = async (p) => {
    const res = await sendPrepared(url, 'POST', p)
    const body = Uint8Array.from(res.body)
    body[0] ^= 0x80
    return { ...res, body }
  }
  await assert.rejects(call(c, 'POST', '/echo', { payload: enc.encode('x'), transport: flipBody }), (err) => err.code === 'invalid_answer')
})

test('a client clock 2 minutes behind gets a signed stale answer, learns the offset and retries once', async () => {
  const c = client({ now: () => Math.floor(Date.now() / 1000) - 120 })
  const res = await call(c, 'GET', '/inspect')
  assert.equal(res.status, 200)
  assert.equal(res.retried, true)
  assert.ok(c.offset >= 119 && c.offset <= 121, `offset ${c.offset}`)
  // The next request is dated right at once.
  assert.equal((await call(c, 'GET', '/inspect')).retried, false)
})

test('a clock more than an hour off is not corrected, and the retry is single', async () => {
  const c = client({ now: () => Math.floor(Date.now() / 1000) - 7200 })
  await assert.rejects(call(c, 'GET', '/inspect'), (err) => err.code === 'stale')
  assert.equal(c.offset, 0)
})

test('the restart rule is on by default: just after a start every request is stale, unsigned', async () => {
  const fresh = await startServer({ secretKeys: [SERVER_KEY] })
  try {
    const url = new URL('/inspect', `http://127.0.0.1:${fresh.port}`)
    const c = client()
    const prepared = c.prepare({ method: 'GET', origin: url.origin, target: '/inspect' })
    const res = await sendPrepared(url, 'GET', prepared)
    assert.equal(res.status, 401)
    assert.equal(res.wwwAuthenticate, 'CryptoSession error="stale"')
    assert.equal(res.header, undefined)
  } finally {
    await new Promise((resolve) => fresh.server.close(resolve))
  }
})

test('too large: 413 on Content-Length before reading, and on the bytes read', async () => {
  const c = client()
  const url = new URL('/echo', base)
  const prepared = c.prepare({ method: 'POST', origin: url.origin, target: '/echo', payload: randomBytes(5000) })
  const declared = await raw('POST', '/echo', { ...prepared.headers, 'content-length': String(prepared.body.length) }, prepared.body)
  assert.deepEqual([declared.status, declared.headers['www-authenticate']], [413, 'CryptoSession error="too_large"'])
  const chunked = await raw('POST', '/echo', { ...prepared.headers, 'transfer-encoding': 'chunked' }, prepared.body)
  assert.equal(chunked.status, 413)
})

test('a content coding added on the way (gzip) is removed before the body is hashed', async () => {
  const c = client()
  const url = new URL('/echo', base)
  const prepared = c.prepare({ method: 'POST', origin: url.origin, target: '/echo', contentType: 'text/plain', payload: enc.encode('zipped by a proxy') })
  const res = await raw('POST', '/echo', { ...prepared.headers, 'content-encoding': 'gzip' }, zlib.gzipSync(prepared.body))
  assert.equal(res.status, 200)
  const opened = c.open(prepared, { method: 'POST', status: 200, header: res.headers['crypto-session'], body: new Uint8Array(res.body) })
  assert.equal(dec.decode(opened.payload), 'zipped by a proxy')
})

test('CORS: preflight unauthenticated with Authorization and Content-Type named; answers and rejections expose the headers', async () => {
  const pre = await raw('OPTIONS', '/echo', { origin: 'https://app.example', 'access-control-request-headers': 'authorization, content-type' })
  assert.equal(pre.status, 204)
  assert.match(pre.headers['access-control-allow-headers'], /\bAuthorization\b/)
  assert.match(pre.headers['access-control-allow-headers'], /\bContent-Type\b/)
  const rejected = await raw('GET', '/inspect', {})
  assert.equal(rejected.headers['access-control-expose-headers'], 'Crypto-Session, WWW-Authenticate')
  assert.equal(rejected.headers['cache-control'], 'no-store')
  const c = client()
  const url = new URL('/inspect', base)
  const prepared = c.prepare({ method: 'GET', origin: url.origin, target: '/inspect' })
  const ok = await raw('GET', '/inspect', prepared.headers)
  assert.equal(ok.headers['access-control-expose-headers'], 'Crypto-Session, WWW-Authenticate')
  assert.match(ok.headers['cache-control'], /no-store/)
  assert.equal(ok.headers['content-type'], v2.SEALED_CONTENT_TYPE)
})

/** Raw bytes on a socket: the status line and the WWW-Authenticate value. */
function rawSocket (text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(srv.port, '127.0.0.1', () => socket.end(text))
    let out = ''
    socket.on('data', (d) => { out += d })
    socket.on('error', reject)
    socket.on('close', () => resolve({ status: Number(out.split(' ')[1]), www: (/^www-authenticate: (.*)$/im.exec(out) ?? [])[1]?.trim() }))
  })
}

test('on the wire: an absolute-form target is verified with its own origin; two Authorization fields are malformed', async () => {
  const c = client()
  const absolute = c.prepare({ method: 'GET', origin: base, target: `${base}/inspect?x` })
  const ok = await rawSocket(`GET ${base}/inspect?x HTTP/1.1\r\nHost: x\r\nAuthorization: ${absolute.authorization}\r\nConnection: close\r\n\r\n`)
  assert.equal(ok.status, 200)
  const elsewhere = c.prepare({ method: 'GET', origin: 'http://localhost:1', target: 'http://localhost:1/inspect' })
  const foreign = await rawSocket(`GET http://localhost:1/inspect HTTP/1.1\r\nHost: x\r\nAuthorization: ${elsewhere.authorization}\r\nConnection: close\r\n\r\n`)
  assert.deepEqual(foreign, { status: 401, www: 'CryptoSession error="invalid_signature"' })
  const p = c.prepare({ method: 'GET', origin: base, target: '/inspect' })
  const two = await rawSocket(`GET /inspect HTTP/1.1\r\nHost: x\r\nAuthorization: ${p.authorization}\r\nAuthorization: ${p.authorization}\r\nConnection: close\r\n\r\n`)
  assert.deepEqual(two, { status: 401, www: 'CryptoSession error="malformed"' })
})
