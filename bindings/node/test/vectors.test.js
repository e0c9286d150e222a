'use strict'
// The reference vectors (tests/vectors/reference-1.1.10.json, or the file named by
// CRYPTO_SESSIONS_VECTORS) through the package's public API. A missing or
// unreadable file fails the run.

const test = require('node:test')
const assert = require('node:assert/strict')
const { CryptoSession, Token, SecureFetch, CryptoSessionError, createCryptoAuth, getPublicKey } = require('..')
const { loadVectors } = require('./helpers.js')

const vectors = loadVectors()
const hex = bytes => Buffer.from(bytes).toString('hex')

test('the vector file has every section', () => {
  for (const section of ['keys', 'ecdh', 'sign', 'session', 'negative', 'http']) {
    assert.ok(vectors[section], `section ${section}`)
  }
  assert.ok(vectors.sign.length > 0 && vectors.negative.length > 0 && vectors.http.exchanges.length > 0)
})

test('keys: secret -> compressed public key', () => {
  for (const v of vectors.keys) {
    // Any valid peer will do; pubkey is our own key.
    assert.equal(getPublicKey(v.secret).hex, v.pubkey)
    const session = new CryptoSession(v.pubkey, v.secret)
    assert.equal(session.pubkey.hex, v.pubkey)
    assert.equal(session.pubHex, v.pubkey)
  }
})

test('ecdh: the shared secret is the x-coordinate (the AES key)', async () => {
  for (const v of vectors.ecdh) {
    const session = new CryptoSession(v.peer_pubkey, v.secret)
    assert.equal((await session.shared).hex, v.aes_key)
    assert.equal(hex(await session.sharedSecret), v.aes_key)
  }
})

test('sign: serialization, deterministic DER signature and token, byte for byte', async () => {
  for (const v of vectors.sign) {
    const self = new CryptoSession(getPublicKey(v.secret), v.secret)
    const signature = self.sign(v.payload)
    assert.equal(hex(signature), v.signature_der_hex, `signature of ${JSON.stringify(v.payload).slice(0, 40)}`)
    assert.equal(new Token(self.pubkey, signature).encoded, v.token)
    // encode signs the same bytes and encrypts exactly the serialized form
    const { token, data } = await self.encode(v.payload)
    assert.ok(token instanceof Token)
    assert.equal(token.encoded, v.token)
    const decoded = self.decodeSync(token, data)
    assert.equal(hex(decoded.plaintext), v.serialized_hex)
    assert.equal(decoded.isValid, true)
  }
})

test('session: real encode outputs of the reference decode and verify', async () => {
  for (const v of vectors.session) {
    const receiver = new CryptoSession(v.sender_pubkey, v.receiver_secret)
    const got = await receiver.decode(v.token, v.data)
    assert.deepEqual(got.data, v.decoded)
    assert.equal(got.isValid, v.is_valid)
    const sync = receiver.decodeSync(Token.import(v.token), v.data)
    assert.deepEqual(sync.data, v.decoded)
    // and the mirrored session of the sender makes tokens the receiver accepts
    const sender = new CryptoSession(v.receiver_pubkey, v.sender_secret)
    const again = await sender.encode(v.payload)
    assert.equal((await receiver.decode(again.token, again.data)).isValid, true)
  }
})

test('negative: each case ends as the reference ends it', async () => {
  const codes = { decrypt_error: 'decrypt_failed', malformed_input: 'malformed_input' }
  for (const v of vectors.negative) {
    const session = new CryptoSession(v.sender_pubkey, v.receiver_secret)
    const outcome = v.reference_outcome
    if (outcome === 'valid' || outcome === 'invalid_signature') {
      const got = await session.decode(v.token, v.data)
      assert.equal(got.isValid, outcome === 'valid', v.name)
      assert.equal(session.decodeSync(v.token, v.data).isValid, outcome === 'valid', v.name)
    } else {
      await assert.rejects(session.decode(v.token, v.data), err => {
        assert.ok(err instanceof CryptoSessionError, v.name)
        assert.equal(err.code, codes[outcome], v.name)
        return true
      })
      assert.throws(() => session.decodeSync(v.token, v.data), { code: codes[outcome] })
    }
  }
})

test('http: the reference client\'s captured requests authenticate on our server', async () => {
  const { server_secret: secretKey, host, exchanges } = vectors.http
  const auth = createCryptoAuth({ secretKey, host, logger: { warn: assert.fail, error: assert.fail } })
  for (const x of exchanges) {
    const target = x.url.slice(host.length)
    const got = await auth.authenticate({
      method: x.method,
      target,
      authorization: x.request_headers.authorization,
      body: x.request_body === null ? null : Buffer.from(x.request_body)
    })
    assert.equal(got.session.peerHex, x.client_pubkey)
    assert.equal(got.token.encoded, x.request_headers.authorization)
    if (x.method === 'POST') {
      const sent = x.options.body === undefined ? x.url : x.options.body
      assert.deepEqual(got.data, sent, target)
    }
  }
})

test('http: our SecureFetch sends the reference\'s bytes and opens its captured answers', async () => {
  const { server_pubkey: serverKey, host, exchanges } = vectors.http
  for (const x of exchanges) {
    let sent
    // Replays the captured wire answer: the request is compared, not faked.
    const replay = async (url, init) => {
      sent = { url, init }
      return new Response(x.response_body, { status: x.status, headers: { authorization: x.response_authorization } })
    }
    const fetch = new SecureFetch(serverKey, x.client_secret, { hostname: host, fetcher: replay })
    const res = await fetch(x.path, x.options)
    assert.equal(sent.url, x.url)
    assert.equal(sent.init.method, x.method)
    assert.equal(sent.init.headers.authorization, x.request_headers.authorization, `${x.method} ${x.path}: token`)
    if (x.method === 'POST') {
      assert.equal(sent.init.headers['content-type'], 'application/json')
      assert.deepEqual(Object.keys(JSON.parse(sent.init.body)), ['data'])
    } else {
      assert.equal(sent.init.body, undefined)
    }
    assert.equal(res.err, undefined, `${x.path}: ${res.err}`)
    assert.deepEqual(res.data, x.client_decoded)
  }
})
