// Both stacks against every vector the real reference package produced.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { STACKS, errorKind, fromHex, hex, section } from './support.mjs'

// The reference's outcome names for what decode does.
function outcomeOf (kind) {
  return { decrypt_failed: 'decrypt_error', malformed_input: 'malformed_input' }[kind] ?? kind
}

for (const S of STACKS) {
  describe(`${S.name}: reference vectors`, () => {
    test('keys: secret -> compressed public key', () => {
      for (const [i, v] of section('keys').entries()) {
        assert.equal(hex(S.publicKeyOf(v.secret)), v.pubkey, `keys[${i}]`)
        assert.equal(new S.Identity(v.secret).pubHex, v.pubkey, `keys[${i}] identity`)
      }
    })

    test('ecdh: x-coordinate shared key, same from both sides', async () => {
      for (const [i, v] of section('ecdh').entries()) {
        assert.equal(hex(await S.sharedKey(v.secret, v.peer_pubkey)), v.aes_key, `ecdh[${i}]`)
        const session = new S.CryptoSession(v.peer_pubkey, v.secret)
        assert.equal(hex(await session.sharedSecret()), v.aes_key, `ecdh[${i}] session`)
      }
    })

    test('sign: serialized bytes, digest, DER signature and token byte for byte', async () => {
      for (const [i, v] of section('sign').entries()) {
        const serialized = S.serialize(v.payload)
        assert.equal(hex(serialized), v.serialized_hex, `sign[${i}] serialized`)
        assert.equal(hex(S.digest(serialized)), v.digest_hex, `sign[${i}] digest`)
        assert.equal(hex(S.signDigest(v.secret, fromHex(v.digest_hex))), v.signature_der_hex, `sign[${i}] signature`)
        const pub = S.publicKeyOf(v.secret)
        const session = new S.CryptoSession(pub, v.secret)
        assert.equal(hex(await session.sign(v.payload)), v.signature_der_hex, `sign[${i}] session.sign`)
        assert.equal(await session.tokenFor(v.payload), v.token, `sign[${i}] token`)
        assert.equal((await session.encode(v.payload)).token, v.token, `sign[${i}] encode token`)
        assert.equal(S.verifyDigest(pub, fromHex(v.digest_hex), fromHex(v.signature_der_hex)), true, `sign[${i}] verify`)
        assert.equal(await session.verify(v.token, v.payload), true, `sign[${i}] session.verify`)
        assert.equal(await session.verify(v.token, v.serialized_hex + 'x'), false, `sign[${i}] other payload`)
      }
    })

    test('cipher: AES-256-CBC with the given IV, and back', async () => {
      for (const [i, v] of section('cipher').entries()) {
        const key = fromHex(v.aes_key)
        assert.equal(await S.encryptWithKey(key, fromHex(v.plaintext_hex), fromHex(v.iv)), v.data, `cipher[${i}]`)
        assert.equal(hex(await S.decryptWithKey(key, v.data)), v.plaintext_hex, `cipher[${i}] decrypt`)
      }
    })

    test('session: real encode outputs decode, revived, valid', async () => {
      for (const [i, v] of section('session').entries()) {
        const receiver = new S.CryptoSession(v.sender_pubkey, v.receiver_secret)
        const { data, raw, isValid } = await receiver.decode(v.token, v.data)
        assert.equal(isValid, v.is_valid, `session[${i}] isValid`)
        assert.deepEqual(data, v.decoded, `session[${i}] revived`)
        assert.deepEqual(await receiver.open(v.token, v.data), raw, `session[${i}] strict open`)
        // The mirror session derives the same key and its encode round-trips.
        const sender = new S.CryptoSession(v.receiver_pubkey, v.sender_secret)
        const again = await sender.encode(v.payload)
        assert.deepEqual((await receiver.decode(again.token, again.data)).data, v.decoded, `session[${i}] re-encode`)
      }
    })

    test('negative: each case lands in the reference outcome', async () => {
      const seen = new Set()
      for (const v of section('negative')) {
        const session = new S.CryptoSession(v.sender_pubkey, v.receiver_secret)
        let outcome
        try {
          outcome = (await session.decode(v.token, v.data)).isValid ? 'valid' : 'invalid_signature'
        } catch (err) {
          outcome = outcomeOf(err.kind)
        }
        assert.equal(outcome, v.reference_outcome, `negative ${v.name}: ${v.note}`)
        // The strict open agrees: valid opens, everything else is an error of the same family.
        if (v.reference_outcome === 'valid') {
          await session.open(v.token, v.data)
        } else {
          const kind = outcomeOf(await errorKind(() => session.open(v.token, v.data)))
          const expected = v.reference_outcome === 'invalid_signature' ? ['invalid_signature', 'wrong_peer'] : [v.reference_outcome]
          assert.ok(expected.includes(kind), `negative ${v.name}: strict open gave ${kind}`)
        }
        seen.add(v.reference_outcome)
      }
      assert.deepEqual([...seen].sort(), ['decrypt_error', 'invalid_signature', 'malformed_input', 'valid'])
    })

    test('http: captured requests authenticate on this server logic', async () => {
      const http = section('http')
      const server = new S.SessionServer(http.server_secret, http.host)
      assert.equal(server.pubHex, http.server_pubkey)
      for (const [i, ex] of http.exchanges.entries()) {
        assert.ok(ex.url.startsWith(http.host), `exchange[${i}] url is under host`)
        const target = ex.url.slice(http.host.length)
        const auth = await server.authenticate(ex.method, target, ex.request_headers.authorization, ex.request_body)
        assert.equal(auth.peerHex, ex.client_pubkey, `exchange[${i}] peer`)
        assert.equal(auth.method, ex.method)
        if (ex.method === 'POST') {
          // What the reference client sent: its body, or the URL when there was none.
          assert.deepEqual(auth.body, ex.options.body ?? ex.url, `exchange[${i}] revived body`)
        } else {
          assert.equal(auth.payload, null)
          // A GET token is bound to the URL: another target fails.
          assert.equal(await errorKind(() => server.authenticate('GET', target + 'x', ex.request_headers.authorization)),
            'invalid_signature', `exchange[${i}] other target`)
        }
      }
    })

    test('http: this client signs as the reference client did and opens the captured answers', async () => {
      const http = section('http')
      for (const [i, ex] of http.exchanges.entries()) {
        const client = S.createClient(http.server_pubkey, ex.client_secret, { hostname: http.host })
        const { url, init } = await client.prepare(ex.path, ex.options)
        assert.equal(url, ex.url, `exchange[${i}] url`)
        assert.equal(init.method, ex.method)
        // Signatures are deterministic: the same token the reference client sent.
        assert.equal(init.headers.authorization, ex.request_headers.authorization, `exchange[${i}] token`)
        assert.equal(init.headers['content-type'], ex.request_headers['content-type'], `exchange[${i}] content-type`)
        assert.equal(init.body === undefined, ex.request_body === null, `exchange[${i}] body presence`)
        const raw = await client.open(ex.status, ex.response_authorization, ex.response_body)
        assert.equal(ex.client_err, null)
        assert.deepEqual(S.revive(raw), ex.client_decoded, `exchange[${i}] answer`)
        // The answer's signer must be the server: a client expecting another key refuses it.
        const other = S.createClient(S.publicKeyOf('11'.repeat(32)), ex.client_secret, { hostname: http.host })
        const kind = await errorKind(() => other.open(ex.status, ex.response_authorization, ex.response_body))
        assert.ok(['decrypt_failed', 'wrong_peer'].includes(kind), `exchange[${i}] foreign server: ${kind}`)
      }
    })
  })
}
