// Bad input gets a clear error of the right kind, on both stacks; secrets stay hidden.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { describe, test } from 'node:test'

import { ErrorKind } from '../protocol.mjs'
import { STACKS, errorKind, flipChar, hex } from './support.mjs'

const N = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'
const HOST = 'http://localhost:3001'

// The 65-byte form of a secret's public key, from node:crypto (a third implementation).
async function uncompressedOf (S, secretHex) {
  const { createECDH } = await import('node:crypto')
  const ecdh = createECDH('secp256k1')
  ecdh.setPrivateKey(Buffer.from(secretHex, 'hex'))
  return ecdh.getPublicKey('hex', 'uncompressed')
}

for (const S of STACKS) {
  describe(`${S.name}: edges`, () => {
    const secret = randomBytes(32).toString('hex')
    const peerSecret = randomBytes(32).toString('hex')
    const peer = hex(S.publicKeyOf(peerSecret))

    test('secret keys outside [1, n-1] or of the wrong shape are invalid_key', async () => {
      for (const bad of ['00'.repeat(32), N, 'ff'.repeat(32), 'abcd', 'zz'.repeat(32), '', 42]) {
        assert.equal(await errorKind(() => S.publicKeyOf(bad)), 'invalid_key', `secret ${String(bad).slice(0, 12)}`)
        assert.equal(await errorKind(() => new S.CryptoSession(peer, bad)), 'invalid_key')
      }
      // n - 1 is the largest valid scalar.
      const nMinus1 = N.slice(0, -1) + '0'
      assert.equal(S.publicKeyOf(nMinus1).length, 33)
    })

    test('public keys that are not points are invalid_key; 65-byte keys are compressed', async () => {
      const off = '02' + 'ff'.repeat(32) // x >= p
      for (const bad of [off, '05' + peer.slice(2), peer.slice(0, 64), '04' + 'ff'.repeat(64)]) {
        assert.equal(await errorKind(() => new S.CryptoSession(bad, secret)), 'invalid_key', bad.slice(0, 10))
      }
      // The same point in hybrid encoding (06/07 + x + y), which libsecp256k1 alone would take.
      const full = new S.CryptoSession(peer, secret)
      const uncompressed = await uncompressedOf(S, peerSecret)
      assert.equal(new S.CryptoSession(uncompressed, secret).peerHex, peer)
      const hybrid = (peer.startsWith('03') ? '07' : '06') + uncompressed.slice(2)
      assert.equal(await errorKind(() => new S.CryptoSession(hybrid, secret)), 'invalid_key')
      const session = full
      assert.equal(session.peerHex, peer)
      assert.equal(session.isWith(peer), true)
      assert.equal(session.isWith(hex(S.publicKeyOf(secret))), false)
    })

    test('no secret in inspect output, JSON or error messages', async () => {
      const session = new S.CryptoSession(peer, secret)
      const server = new S.SessionServer(secret, HOST)
      const shared = hex(await session.sharedSecret())
      for (const shown of [inspect(session, { depth: 5, showHidden: true }), inspect(server, { depth: 5, showHidden: true }), JSON.stringify(session), JSON.stringify(server)]) {
        assert.ok(!shown.includes(secret), 'secret key shown')
        assert.ok(!shown.includes(shared), 'shared secret shown')
      }
      try {
        S.publicKeyOf(secret.slice(0, 62))
        assert.fail('a short key must throw')
      } catch (err) {
        assert.ok(!err.message.includes(secret.slice(0, 62)))
        assert.equal(err.code, ErrorKind.invalid_key)
      }
    })

    test('strict open tells the failures apart; decode keeps the reference\'s shape', async () => {
      const alice = new S.CryptoSession(peer, secret)
      const bob = new S.CryptoSession(hex(S.publicKeyOf(secret)), peerSecret)
      const { token, data } = await alice.encode({ m: 1 })
      assert.deepEqual(S.revive(await bob.open(token, data)), { m: 1 })
      assert.equal(await errorKind(() => bob.open(token, '')), 'malformed_input')
      assert.equal(await errorKind(() => bob.open(token, data + '=')), 'malformed_input')
      assert.equal(await errorKind(() => bob.open(token, data.slice(0, 10))), 'decrypt_failed')
      assert.equal(await errorKind(() => bob.open(flipChar(token, 70), data)), 'invalid_signature')
      assert.equal(await errorKind(() => bob.open('AAAA', data)), 'invalid_signature')
      const mallory = randomBytes(32).toString('hex')
      const forged = S.encodeToken(S.publicKeyOf(mallory), S.signDigest(mallory, S.digest(Buffer.from('{"m":1}'))))
      assert.equal(await errorKind(() => bob.open(forged, data)), 'wrong_peer')
      assert.equal((await bob.decode(forged, data)).isValid, false)
      assert.equal((await bob.decode('not base64!', data)).isValid, false)
      assert.equal(await errorKind(() => bob.decode(token, 'abc$')), 'malformed_input')
    })

    test('a high-S signature is refused; a compact one is accepted', async () => {
      const session = new S.CryptoSession(hex(S.publicKeyOf(secret)), secret)
      const digestBytes = S.digest(Buffer.from('m'))
      const der = Buffer.from(S.signDigest(secret, digestBytes))
      // DER: 30 len 02 rlen r 02 slen s
      const rlen = der[3]
      const r = BigInt('0x' + der.subarray(4, 4 + rlen).toString('hex'))
      const s = BigInt('0x' + der.subarray(6 + rlen).toString('hex'))
      const n = BigInt('0x' + N)
      const to32 = (x) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex')
      const pub = S.publicKeyOf(secret)
      assert.equal(S.verifyDigest(pub, digestBytes, Buffer.concat([to32(r), to32(s)])), true, 'compact low-S')
      assert.equal(S.verifyDigest(pub, digestBytes, Buffer.concat([to32(r), to32(n - s)])), false, 'compact high-S')
      assert.equal(await session.verify(S.encodeToken(pub, Buffer.concat([to32(r), to32(n - s)])), 'm'), false)
    })

    test('server: every failure is a CryptoSessionError of the right kind', async () => {
      const server = new S.SessionServer(secret, HOST + '/', { maxBody: 1000 })
      assert.equal(server.host, HOST)
      const client = S.createClient(server.pubHex, peerSecret, { hostname: HOST })
      const post = await client.prepare('/p', { method: 'POST', body: 'hello' })
      const auth = post.init.headers.authorization
      const cases = [
        [['PUT', '/p', auth, post.init.body], 'unsupported_method'],
        [['GET', '/p', undefined], 'malformed_input'],
        [['GET', '/p', '  '], 'malformed_input'],
        [['GET', '/p', 'A'.repeat(141)], 'too_large'],
        [['GET', '/p', 'Bearer x'], 'malformed_input'],
        [['GET', '/p', 'A'.repeat(44)], 'malformed_input'], // 33 bytes: no signature
        [['GET', '/p', auth], 'invalid_signature'], // signed a POST body, not the URL
        [['POST', '/p', auth, 'not json'], 'malformed_input'],
        [['POST', '/p', auth, { data: 5 }], 'malformed_input'],
        [['POST', '/p', auth, JSON.stringify({ data: 'A'.repeat(1000) })], 'too_large'],
        [['POST', '/p', auth, JSON.stringify({ data: flipChar(JSON.parse(post.init.body).data, 5) })], 'invalid_signature']
      ]
      for (const [args, kind] of cases) {
        assert.equal(await errorKind(() => server.authenticate(...args)), kind, `${args[0]} ${String(args[2]).slice(0, 12)} ${String(args[3]).slice(0, 20)}`)
      }
      // A token from a key that is not on the curve.
      const offCurve = S.b64urlEncode(Buffer.concat([Buffer.from('02' + 'ff'.repeat(32), 'hex'), Buffer.alloc(8, 1)]))
      assert.equal(await errorKind(() => server.authenticate('GET', '/p', offCurve)), 'invalid_key')
      // And the untouched request passes, with a parsed body object too.
      assert.equal((await server.authenticate('post', '/p', auth, JSON.parse(post.init.body))).body, 'hello')
    })

    test('server: a session cache keeps returning peers, bounded', async () => {
      const server = new S.SessionServer(secret, HOST, { sessionCache: 2 })
      const keys = [1, 2, 3].map(() => randomBytes(32).toString('hex'))
      const sessions = keys.map((k) => server.sessionFor(S.publicKeyOf(k)))
      assert.equal(server.sessionFor(S.publicKeyOf(keys[2])), sessions[2])
      assert.notEqual(server.sessionFor(S.publicKeyOf(keys[0])), sessions[0]) // evicted
      const uncached = new S.SessionServer(secret, HOST)
      assert.notEqual(uncached.sessionFor(S.publicKeyOf(keys[0])), uncached.sessionFor(S.publicKeyOf(keys[0])))
    })

    test('sealJson seals JSON text; sealText the text itself', async () => {
      const server = new S.SessionServer(secret, HOST)
      const session = server.sessionFor(S.publicKeyOf(peerSecret))
      const mine = new S.CryptoSession(server.pubHex, peerSecret)
      const json = await server.sealJson(session, 'abc')
      assert.equal(Buffer.from(await mine.open(json.authorization, json.body)).toString(), '"abc"')
      const text = await server.sealText(session, 'abc', 404)
      assert.equal(text.status, 404)
      assert.equal(Buffer.from(await mine.open(text.authorization, text.body)).toString(), 'abc')
      assert.equal(await errorKind(() => server.sealJson(session, undefined)), 'malformed_input')
      assert.equal(await errorKind(() => server.sealJson(session, 1n)), 'malformed_input')
    })

    test('the client refuses methods v1 does not sign and non-2xx answers', async () => {
      const client = S.createClient(peer, secret, { hostname: HOST })
      assert.equal(await errorKind(() => client.prepare('/x', { method: 'DELETE' })), 'unsupported_method')
      const err = await errorKind(() => client.open(500, 'x', 'y'))
      assert.equal(err, 'http_status')
      assert.equal(await errorKind(() => client.open(200, null, 'y')), 'malformed_input')
    })

    test('a 256 KiB payload: native round-trips, the reference stack reports too_large', async () => {
      const alice = new S.CryptoSession(peer, secret)
      const bob = new S.CryptoSession(hex(S.publicKeyOf(secret)), peerSecret)
      const big = 'b'.repeat(256 * 1024)
      if (S.name === 'reference-stack') {
        // crypto-utils' Cipher.encrypt spreads the ciphertext into call arguments.
        assert.equal(await errorKind(() => alice.encode(big)), 'too_large')
      } else {
        const { token, data } = await alice.encode(big)
        assert.equal((await bob.decode(token, data)).data, big)
      }
    })

    test('host must be given to a server', async () => {
      assert.equal(await errorKind(() => new S.SessionServer(secret, '')), 'malformed_input')
      assert.equal(await errorKind(() => new S.SessionServer(secret)), 'malformed_input')
    })
  })
}
