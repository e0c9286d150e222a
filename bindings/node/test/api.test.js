'use strict'
// The reference's API shapes (CryptoSession, Token, SecureFetch), the error class,
// the sync variants, the entry points, and that secrets never show.

const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const pkg = require('..')

const { CryptoSession, Token, SecureFetch, CryptoSessionError, ERROR_CODES, generateKeyPair, getPublicKey } = pkg

const alice = generateKeyPair()
const bob = generateKeyPair()
const aliceToBob = () => new CryptoSession(bob.publicKey, alice.secretKey)
const bobFromAlice = () => new CryptoSession(alice.publicKey, bob.secretKey)

test('error codes are the core ErrorKind codes, in order', () => {
  assert.deepEqual(ERROR_CODES, ['malformed_input', 'invalid_key', 'decrypt_failed', 'invalid_signature', 'wrong_peer', 'too_large', 'unsupported_method', 'http_status'])
})

test('the addon reports its core backend: libsecp256k1 unless built otherwise', () => {
  assert.equal(pkg.CORE_BACKEND, process.env.CRYPTO_SESSIONS_BACKEND || 'libsecp256k1')
})

// The core decides whether a payload is JSON; the text is parsed here by JSON.parse,
// as the reference does, so edge cases come out as the reference's would.
test('revive: JSON.parse of the text when the core says JSON, else the text', async () => {
  const cases = [
    ['-0', v => Object.is(v, -0)],
    ['{"a":1,"a":2,"b":[true,null]}', v => assert.deepEqual(v, { a: 2, b: [true, null] }) ?? true],
    ['"quoted"', v => v === 'quoted'],
    ['12345678901234567890', v => v === 12345678901234567890],
    ['1e400', v => v === '1e400'], // out of range for the core's parser: stays text
    ['hello', v => v === 'hello'],
    ['{"__proto__":{"x":1}}', v => Object.getPrototypeOf(v) === Object.prototype && v.__proto__.x === 1], // eslint-disable-line no-proto
    [`${'['.repeat(200)}${']'.repeat(200)}`, v => typeof v === 'string'],
    [new Uint8Array([0x7b, 0xff, 0x7d]), v => v === '{\ufffd}']
  ]
  for (const [payload, check] of cases) {
    const { token, data } = await aliceToBob().encode(payload)
    const decoded = await bobFromAlice().decode(token, data)
    assert.ok(decoded.isValid)
    assert.ok(check(decoded.data), `${String(payload).slice(0, 40)} revived as ${String(decoded.data).slice(0, 40)}`)
    assert.deepEqual(bobFromAlice().decodeSync(token, data).data, decoded.data)
  }
})

test('keys as hex or bytes, compressed or uncompressed; bad keys throw invalid_key', () => {
  const fromBytes = new CryptoSession(Buffer.from(bob.publicKey, 'hex'), new Uint8Array(Buffer.from(alice.secretKey, 'hex')))
  assert.equal(fromBytes.peerHex, bob.publicKey)
  assert.equal(getPublicKey(alice.secretKey).hex, alice.publicKey)
  for (const [peer, secret] of [['02', alice.secretKey], [bob.publicKey, '00'.repeat(32)], [bob.publicKey, 42], [null, alice.secretKey]]) {
    assert.throws(() => new CryptoSession(peer, secret), err => err instanceof CryptoSessionError && err.code === 'invalid_key')
  }
})

test('encode resolves to { token: Token, data }, decode to { data, isValid }', async () => {
  const encoded = await aliceToBob().encode({ hello: 'world' })
  assert.ok(encoded.token instanceof Token)
  assert.match(encoded.data, /^[A-Za-z0-9_-]+$/)
  const decoded = await bobFromAlice().decode(encoded.token, encoded.data)
  assert.deepEqual(decoded.data, { hello: 'world' })
  assert.equal(decoded.isValid, true)
  // a token string works too; revive turns JSON text into values
  const number = await aliceToBob().encode('42')
  assert.equal((await bobFromAlice().decode(number.token.encoded, number.data)).data, 42)
  const text = aliceToBob().encodeSync('not json')
  assert.equal(bobFromAlice().decodeSync(text.token, text.data).data, 'not json')
})

test('a token from another signer is isValid false, not an error', async () => {
  const mallory = generateKeyPair()
  const fromAlice = await aliceToBob().encode('x')
  // Alice's ciphertext with a token Mallory signed over the same plaintext.
  const forged = await new CryptoSession(bob.publicKey, mallory.secretKey).encode('x')
  const decoded = await bobFromAlice().decode(forged.token, fromAlice.data)
  assert.equal(decoded.isValid, false)
  assert.equal(decoded.data, 'x')
})

test('sign and verify: false for a wrong payload or signer, throws for a non-token', () => {
  const signature = aliceToBob().sign('payload')
  const token = new Token(alice.publicKey, signature)
  assert.equal(bobFromAlice().verify(token, 'payload'), true)
  assert.equal(bobFromAlice().verify(token.encoded, 'payload'), true)
  assert.equal(bobFromAlice().verify(token, 'other'), false)
  assert.equal(new CryptoSession(generateKeyPair().publicKey, bob.secretKey).verify(token, 'payload'), false)
  assert.throws(() => bobFromAlice().verify('%%%', 'payload'), { code: 'malformed_input' })
})

test('encrypt and decrypt bytes; a bad ciphertext rejects with decrypt_failed', async () => {
  const encrypted = await aliceToBob().encrypt(new TextEncoder().encode('secret text'))
  assert.ok(encrypted instanceof Uint8Array)
  assert.equal(encrypted.length, 32)
  const decrypted = await bobFromAlice().decrypt(encrypted)
  assert.equal(Buffer.from(decrypted).toString(), 'secret text')
  await assert.rejects(bobFromAlice().decrypt(encrypted.subarray(0, 20)), { code: 'decrypt_failed' })
})

test('malformed data throws CryptoSessionError with the core code', async () => {
  const { token } = await aliceToBob().encode('x')
  await assert.rejects(bobFromAlice().decode(token, ''), { name: 'CryptoSessionError', code: 'malformed_input' })
  await assert.rejects(bobFromAlice().decode(token, 'abc='), { code: 'malformed_input' })
  await assert.rejects(bobFromAlice().decode(token, 'AAAAAAAAAAAAAAAAAAAAAA'), { code: 'decrypt_failed' })
  assert.throws(() => bobFromAlice().decodeSync(token, 'a b'), { code: 'malformed_input' })
  await assert.rejects(aliceToBob().encode(10n), { code: 'malformed_input' })
  await assert.rejects(aliceToBob().encode(undefined), { code: 'malformed_input' })
})

test('payloads serialize as the protocol says: strings, bytes, JSON.stringify of the rest', async () => {
  const session = aliceToBob()
  const date = new Date(0)
  const cases = [
    ['ünï', 'ünï'],
    [new Uint8Array([0, 255, 1]), Buffer.from([0, 255, 1]).toString('latin1')],
    [{ b: 1, a: undefined, d: date }, JSON.stringify({ b: 1, d: date })],
    [[1, 'two', 3.5, 1e21], '[1,"two",3.5,1e+21]'],
    [42, '42'],
    [true, 'true']
  ]
  for (const [payload, expected] of cases) {
    const { data, token } = session.encodeSync(payload)
    const { plaintext, isValid } = bobFromAlice().decodeSync(token, data)
    assert.equal(isValid, true)
    assert.equal(Buffer.from(plaintext).toString(typeof payload === 'object' && payload instanceof Uint8Array ? 'latin1' : 'utf8'), expected)
  }
})

test('session accessors: peerKey, peerHex, pubkey/pubKey, shared, sharedSecret, sharedHash, isWith, withToken', async () => {
  const session = aliceToBob()
  assert.ok(session.peerKey instanceof Uint8Array)
  assert.equal(session.peerKey.hex, bob.publicKey)
  assert.equal(session.peerHex, bob.publicKey)
  assert.equal(session.pubkey.hex, alice.publicKey)
  assert.equal(session.pubKey.hex, alice.publicKey)
  const shared = await session.shared
  assert.equal(shared.length, 32)
  assert.deepEqual(await bobFromAlice().sharedSecret, shared)
  const hash = await session.sharedHash
  assert.equal(Buffer.from(hash).toString('hex'), require('node:crypto').createHash('sha256').update(shared).digest('hex'))
  assert.equal(session.isWith(bob.publicKey), true)
  assert.equal(session.isWith(bob.publicKey.toUpperCase()), true)
  assert.equal(session.isWith(alice.publicKey), false)
  assert.equal(session.isWith('nonsense'), false)
  const { token } = await session.encode('hi')
  const reply = CryptoSession.withToken(token, bob.secretKey)
  assert.equal(reply.peerHex, alice.publicKey)
  assert.equal(CryptoSession.withToken(token.encoded, bob.secretKey).isWith(alice.publicKey), true)
  assert.throws(() => CryptoSession.withToken('!', bob.secretKey), { code: 'malformed_input' })
})

test('Token: check, parse, import, encoded, pubkey, signature, issuedBy', async () => {
  const { token } = await aliceToBob().encode('x')
  const encoded = token.encoded
  assert.equal(await Token.check(encoded), true)
  assert.equal(await Token.check('A+B'), false)
  assert.equal(await Token.check(undefined), false)
  const parts = Token.parse(encoded)
  assert.equal(parts.pubkey.hex, alice.publicKey)
  assert.ok(parts.signature.length >= 8 && parts.signature.length <= 72)
  const imported = Token.import(encoded)
  assert.equal(imported.pubkey.hex, alice.publicKey)
  assert.deepEqual(imported.signature, parts.signature)
  assert.equal(imported.encoded, encoded)
  assert.equal(new Token(alice.publicKey, parts.signature.hex).encoded, encoded)
  assert.equal(imported.issuedBy(alice.publicKey), true)
  assert.equal(imported.issuedBy(bob.publicKey), false)
  assert.equal(imported.issuedBy('zz'), false)
  assert.throws(() => Token.import('***'), { code: 'malformed_input' })
  assert.throws(() => Token.parse(null), { code: 'malformed_input' })
  assert.equal(String(imported), encoded)
  assert.equal(JSON.stringify({ imported }), JSON.stringify({ imported: encoded }))
})

test('SecureFetch: callable, static create and generate, options kept', () => {
  const fetch = new SecureFetch(bob.publicKey, alice.secretKey, { hostname: 'http://h', verbose: false, headers: { a: 'b' } })
  assert.equal(typeof fetch, 'function')
  assert.ok(fetch instanceof SecureFetch)
  assert.equal(fetch.hostname, 'http://h')
  assert.deepEqual(fetch.options, { headers: { a: 'b' } })
  assert.equal(fetch.session.pubkey.hex, alice.publicKey)
  const created = SecureFetch.create(bob.publicKey, alice.secretKey)
  assert.ok(created.fetch instanceof SecureFetch)
  assert.equal(created.session.peerHex, bob.publicKey)
  const generated = SecureFetch.generate(bob.publicKey, { hostname: 'http://h' })
  assert.notEqual(generated.session.pubkey.hex, alice.publicKey)
  assert.equal(generated.fetch.hostname, 'http://h')
})

test('SecureFetch refuses methods v1 cannot sign (the reference sent them unsigned)', async () => {
  let called = false
  const fetch = new SecureFetch(bob.publicKey, alice.secretKey, { fetcher: async () => { called = true } })
  await assert.rejects(fetch('http://h/x', { method: 'DELETE' }), { code: 'unsupported_method' })
  assert.equal(called, false)
})

test('no secret in util.inspect, JSON, errors or SecureFetch', async () => {
  const session = aliceToBob()
  const shared = (await session.shared).hex
  const fetch = new SecureFetch(bob.publicKey, alice.secretKey, { hostname: 'http://h' })
  const auth = pkg.createCryptoAuth({ secretKey: bob.secretKey, host: 'http://h' })
  const shown = [
    util.inspect(session, { depth: 10, showHidden: true }),
    util.inspect(fetch, { depth: 10, showHidden: true }),
    util.inspect(auth, { depth: 10, showHidden: true }),
    JSON.stringify(session),
    JSON.stringify(auth),
    String(session)
  ]
  try { new CryptoSession(bob.publicKey, alice.secretKey.slice(2)) } catch (err) { shown.push(util.inspect(err), err.stack) }
  const text = shown.join('\n')
  assert.match(text, new RegExp(alice.publicKey))
  for (const secret of [alice.secretKey, bob.secretKey, shared]) assert.ok(!text.includes(secret))
})

test('ESM and CommonJS entry points give the same objects', async () => {
  const esm = await import('../index.mjs')
  assert.equal(esm.CryptoSession, CryptoSession)
  assert.equal(esm.default, pkg)
  for (const name of Object.keys(pkg)) assert.equal(esm[name], pkg[name], name)
})

test('the vector tests fail, not skip, when the vector file is missing', () => {
  const env = { ...process.env, CRYPTO_SESSIONS_VECTORS: path.join(__dirname, 'no-such-vectors.json') }
  delete env.NODE_TEST_CONTEXT // run as a top-level test run, not as our child
  const run = spawnSync(process.execPath, ['--test', path.join(__dirname, 'vectors.test.js')], {
    env,
    encoding: 'utf8'
  })
  assert.notEqual(run.status, 0)
  assert.match(run.stdout + run.stderr, /ENOENT/)
})
