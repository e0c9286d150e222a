// What the vectors do not pin: configuration checks, secrets kept out of output, the
// readings this peer chose where the text leaves room (README.md lists them).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { randomBytes } from 'node:crypto'

import * as v2 from '../protocol.mjs'

const SECRET = 'b28267ad37f11a8c7a80a5a263d4fc19e8f0f82b7c9aeec83429a9df11351aa8'
const CLIENT = 'f4d291c8ac1cb9f2af595990b9953127b2d66df37af5c5e22e9724e027fb4031'

test('secret keys and derived keys never appear in inspect or JSON output', () => {
  const server = new v2.Server({ secretKeys: [SECRET], origins: ['https://api.example.com'], now: () => 2e9, restartGuard: false })
  const client = new v2.Client({ clientSecret: CLIENT, serverXonly: server.publicKeys[0], now: () => 2e9 })
  const prepared = client.prepare({ method: 'GET', origin: 'https://api.example.com', target: '/x' })
  const result = server.authenticate({ method: 'GET', target: '/x', authorization: prepared.authorization })
  assert.equal(result.ok, true)
  const conv = v2.hex(v2.conversationKey(SECRET, client.xonly))
  for (const value of [server, client, prepared, result]) {
    const shown = inspect(value, { depth: 10, showHidden: true }) + JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? v2.hex(v) : v))
    for (const secret of [SECRET, CLIENT, conv]) {
      assert.ok(!shown.includes(secret) && !shown.includes(inspect(Buffer.from(secret, 'hex'))), 'a secret in output')
    }
  }
})

test('configuration: bad keys, origins and limits are refused at construction', () => {
  const ok = { secretKeys: [SECRET], origins: ['https://api.example.com'] }
  for (const bad of [
    { secretKeys: [] },
    { secretKeys: ['00'.repeat(32)] },
    { secretKeys: ['ff'.repeat(32)] },
    { origins: [] },
    { origins: ['https://api.example.com/'] },
    { origins: ['api.example.com'] },
    { origins: ['https://user@api.example.com'] },
    { origins: ['https://api.example.com:0443'] },
    { maxSkew: 4 },
    { maxAge: 0 },
    { maxBody: -1 }
  ]) {
    assert.throws(() => new v2.Server({ ...ok, ...bad }), (err) => err.code === 'invalid_input', JSON.stringify(bad))
  }
  const server = new v2.Server({ ...ok, origins: ['HTTPS://API.Example.COM:443', 'http://localhost:80', 'http://[::1]:8080'] })
  assert.deepEqual(server.origins, ['https://api.example.com', 'http://localhost', 'http://[::1]:8080'])
})

test('b64url: padding, foreign characters and non-canonical trailing bits are refused', () => {
  assert.deepEqual(v2.b64urlDecode('AQI'), new Uint8Array([1, 2]))
  for (const bad of ['AQI=', 'AQ+', 'AQ/', 'AQJ', 'A', 'AQ I']) assert.equal(v2.b64urlDecode(bad), null, bad)
})

test('request targets: the forms this peer reads', () => {
  assert.deepEqual(v2.parseTarget('/a?b'), { form: 'origin', target: '/a?b' })
  assert.deepEqual(v2.parseTarget('HTTP://LOCALHOST:80?q'), { form: 'absolute', origin: 'http://localhost', rest: '/?q' })
  assert.deepEqual(v2.parseTarget('http://[::1]:8080/x'), { form: 'absolute', origin: 'http://[::1]:8080', rest: '/x' })
  // Userinfo never matches (step 4), whatever follows it.
  assert.deepEqual(v2.parseTarget('https://u@api.example.com:0443/x'), { form: 'absolute', origin: null, rest: '/x' })
  for (const bad of ['', '*', 'x', 'https://h:/x', 'https://h:+1/x', 'https://:80/x', 'http://[::1/x', '/a#b', '/a b', '/é']) {
    assert.throws(() => v2.parseTarget(bad), (err) => err.code === 'malformed', JSON.stringify(bad))
  }
})

test('an answer verifies only for its own request, and a stale answer only as one', () => {
  const now = 2e9
  const server = new v2.Server({ secretKeys: [SECRET], origins: ['https://api.example.com'], now: () => now, restartGuard: false })
  const client = new v2.Client({ clientSecret: CLIENT, serverXonly: server.publicKeys[0], now: () => now })
  const a = client.prepare({ method: 'POST', origin: 'https://api.example.com', target: '/a', contentType: 'text/plain', payload: new Uint8Array([1]) })
  const b = client.prepare({ method: 'POST', origin: 'https://api.example.com', target: '/a', contentType: 'text/plain', payload: new Uint8Array([1]) })
  const ra = server.authenticate({ method: 'POST', target: '/a', authorization: a.authorization, body: a.body })
  const ans = server.answer(ra.request, { status: 200, contentType: 'text/plain', payload: new Uint8Array([9]) })
  assert.deepEqual(client.open(a, { method: 'POST', status: 200, header: ans.header, body: ans.body }).payload, new Uint8Array([9]))
  assert.throws(() => client.open(b, { method: 'POST', status: 200, header: ans.header, body: ans.body }), (err) => err.code === 'invalid_answer')
  assert.throws(() => client.open(a, { method: 'POST', status: 200, header: ans.header, body: ans.body, expect: 'stale' }), (err) => err.code === 'invalid_answer')
  // A 204 answer to a HEAD must not carry a body; a HEAD answer with one is refused.
  assert.throws(() => server.answer(ra.request, { status: 204, contentType: 'text/plain', payload: new Uint8Array([1]) }), (err) => err.code === 'invalid_input')
})

test('memory replay store: an entry lives until its deadline, full means busy, never evicted', () => {
  const store = new v2.MemoryReplayStore({ capacity: 1, created: 0 })
  const c = randomBytes(32)
  const n1 = randomBytes(16)
  const n2 = randomBytes(16)
  assert.equal(store.insert(c, n1, 100, 10), 'recorded')
  assert.equal(store.insert(c, n1, 100, 99), 'present')
  assert.equal(store.insert(c, n2, 200, 99), 'full')
  assert.equal(store.has(c, n1, 99), true)
  assert.equal(store.has(c, n1, 100), false)
  assert.equal(store.insert(c, n2, 200, 100), 'recorded')
})

test('the clock offset: only from a verified stale answer, only within an hour, replacing the last', () => {
  const client = new v2.Client({ clientSecret: CLIENT, serverXonly: v2.xonlyOf(SECRET) })
  assert.equal(client.learnOffset({ created: 1000n }, 900), 100)
  assert.equal(client.learnOffset({ created: 1000n }, 1000 + 3601), 100)
  assert.equal(client.learnOffset({ created: 1000n }, 1000 + 3600), -3600)
})
