// The two independent stacks against each other: sessions, server logic, HTTP.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, test } from 'node:test'

import * as reference from '../reference-stack.mjs'
import * as native from '../native-stack.mjs'
import { hex } from './support.mjs'

const PAYLOADS = [
  '',
  'hello',
  'ünïcødé ✓ 🚀',
  '42',
  { nested: { arr: [1, 2, 3], s: 'ü' }, n: -1.5e-7, t: true, z: null },
  [1, 'two', 3.5],
  'x'.repeat(64 * 1024),
  new Uint8Array([0, 1, 2, 253, 254, 255])
]

const pairs = [
  ['native-stack', native, 'reference-stack', reference],
  ['reference-stack', reference, 'native-stack', native]
]

for (const [senderName, Sender, receiverName, Receiver] of pairs) {
  describe(`${senderName} encodes, ${receiverName} decodes`, () => {
    const a = randomBytes(32).toString('hex')
    const b = randomBytes(32).toString('hex')
    const sender = new Sender.CryptoSession(Sender.publicKeyOf(b), a)
    const receiver = new Receiver.CryptoSession(Receiver.publicKeyOf(a), b)

    test('both sides derive the same shared secret', async () => {
      assert.equal(hex(await sender.sharedSecret()), hex(await receiver.sharedSecret()))
      assert.equal(hex(await sender.sharedHash()), hex(await receiver.sharedHash()))
    })

    test('every kind of payload round-trips, bytes and revived value', async () => {
      for (const payload of PAYLOADS) {
        const { token, data } = await sender.encode(payload)
        const { data: revived, raw, isValid } = await receiver.decode(token, data)
        assert.equal(isValid, true)
        assert.equal(hex(raw), hex(Sender.serialize(payload)))
        assert.equal(hex(await receiver.open(token, data)), hex(raw))
        if (!(payload instanceof Uint8Array)) {
          const expected = typeof payload === 'string' ? Receiver.revive(Buffer.from(payload)) : payload
          assert.deepEqual(revived, expected)
        }
      }
    })

    test('deterministic signatures: both stacks issue the same token', async () => {
      const mirror = new Receiver.CryptoSession(Receiver.publicKeyOf(b), a)
      for (const payload of PAYLOADS) {
        assert.equal(await mirror.tokenFor(payload), await sender.tokenFor(payload))
      }
    })

    test('a request signed by this stack authenticates on the other stack\'s server logic', async () => {
      const host = 'http://127.0.0.1:9'
      const serverSecret = randomBytes(32).toString('hex')
      const server = new Receiver.SessionServer(serverSecret, host)
      const client = Sender.createClient(server.pubHex, a, { hostname: host })

      const get = await client.prepare('/path?q=a%20b&r=1')
      const okGet = await server.authenticate('GET', '/path?q=a%20b&r=1', get.init.headers.authorization)
      assert.equal(okGet.peerHex, hex(Sender.publicKeyOf(a)))

      const post = await client.prepare('/echo', { method: 'POST', body: { hi: 'there' } })
      const okPost = await server.authenticate('POST', '/echo', post.init.headers.authorization, post.init.body)
      assert.deepEqual(okPost.body, { hi: 'there' })

      const sealed = await server.sealJson(okPost.session, { back: [1, 2] }, 201)
      assert.equal(sealed.status, 201)
      assert.deepEqual(Sender.revive(await client.open(sealed.status, sealed.authorization, sealed.body)), { back: [1, 2] })
      const text = await server.sealText(okGet.session, '"quoted"')
      assert.deepEqual(Sender.revive(await client.open(200, text.authorization, text.body)), 'quoted')
    })
  })
}
