// Express with the crypto-auth middleware, for real on 127.0.0.1 (server.mjs's app),
// driven over real fetch by the reference-stack client and the native-stack client.

import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'

import { startServer } from '../server.mjs'
import * as reference from '../reference-stack.mjs'
import { STACKS, flipChar } from './support.mjs'

/** A fetcher that changes the answer on its way back: a man in the middle. */
function tamperingFetcher (change) {
  return async (url, init) => {
    const res = await fetch(url, init)
    const { body, authorization } = change({ body: await res.text(), authorization: res.headers.get('authorization') })
    return new Response(body, { status: res.status, headers: { authorization } })
  }
}

/** Send a prepared request with a change applied, as an attacker would. */
async function sendRaw (url, init) {
  const res = await fetch(url, init)
  return { status: res.status, text: await res.text(), authorization: res.headers.get('authorization') }
}

// The middleware on either stack; the reference stack is the one the matrix runs.
for (const serverStack of ['reference', 'native']) {
  describe(`${serverStack}-stack Express server on 127.0.0.1`, () => {
    const serverSecret = randomBytes(32).toString('hex')
    const rejections = []
    let running

    before(async () => {
      running = await startServer({ secretKey: serverSecret, log: (line) => rejections.push(line), stack: serverStack })
    })
    after(() => new Promise((resolve) => running.server.close(resolve)))

    const base = () => `http://127.0.0.1:${running.port}`

    for (const client of STACKS) {
      describe(`${client.name} client`, () => {
        const clientSecret = randomBytes(32).toString('hex')
        const secure = () => client.secureFetch(running.pubkey, clientSecret, { hostname: base() })

        test('GET text', async () => {
          const res = await secure()('/text?msg=hello%20w%C3%B6rld%26more')
          assert.equal(res.err, null)
          assert.equal(res.status, 200)
          assert.equal(res.data, 'hello wörld&more')
          assert.equal(Buffer.from(res.raw).toString(), 'hello wörld&more')
        })

        test('GET JSON', async () => {
          const res = await secure()('/json?x=1&y=two&z=%C3%BC')
          assert.equal(res.err, null)
          assert.deepEqual(res.data, { x: '1', y: 'two', z: 'ü' })
        })

        test('POST JSON', async () => {
          const body = { a: [1, 2.5, { c: null }], b: 'ü ✓ 🚀', d: true }
          const res = await secure()('/echo', { method: 'POST', body })
          assert.equal(res.err, null)
          assert.deepEqual(res.data, body)
          assert.equal(Buffer.from(res.raw).toString(), JSON.stringify(body))
        })

        test('POST text', async () => {
          const res = await secure()('/echo', { method: 'POST', body: 'plain text, not JSON' })
          assert.equal(res.err, null)
          assert.equal(res.data, 'plain text, not JSON')
        })

        test('POST text that is JSON arrives revived, as the reference does', async () => {
          const res = await secure()('/echo', { method: 'POST', body: '42' })
          assert.equal(res.err, null)
          assert.equal(res.data, 42)
        })

        test('POST without a body signs the URL', async () => {
          const res = await secure()('/nobody', { method: 'POST' })
          assert.equal(res.err, null)
          assert.equal(res.data, `${base()}/nobody`)
        })

        test('a non-2xx signed answer is an error for the client', async () => {
          const res = await secure()('/teapot')
          assert.equal(res.status, 418)
          assert.equal(res.err?.kind, 'http_status')
          assert.equal(res.err.status, 418)
          assert.equal(res.data, undefined)
        })

        test('a tampered answer body is rejected by the client', async () => {
          const tampered = client.secureFetch(running.pubkey, clientSecret, {
            hostname: base(),
            fetcher: tamperingFetcher(({ body, authorization }) => ({ body: flipChar(body, 2), authorization }))
          })
          const res = await tampered('/text?msg=do%20not%20change%20me')
          assert.equal(res.status, 200)
          assert.ok(['invalid_signature', 'decrypt_failed'].includes(res.err?.kind), `got ${res.err?.kind}`)
          assert.equal(res.data, undefined)
        })

        test('an answer signed by another key than the server is rejected', async () => {
          // Mallory signs the very plaintext the server sent, with her own key.
          const mallory = randomBytes(32).toString('hex')
          const forged = client.encodeToken(client.publicKeyOf(mallory), client.signDigest(mallory, client.digest(Buffer.from('x'))))
          const tampered = client.secureFetch(running.pubkey, clientSecret, {
            hostname: base(),
            fetcher: tamperingFetcher(({ body }) => ({ body, authorization: forged }))
          })
          const res = await tampered('/text?msg=x')
          assert.equal(res.err?.kind, 'wrong_peer')
          assert.equal(res.data, undefined)
        })
      })
    }

    describe('tampered requests: 401 with an empty body, reason logged', () => {
      const clientSecret = randomBytes(32).toString('hex')
      const client = () => reference.createClient(running.pubkey, clientSecret, { hostname: base() })

      async function expectRejected (request, kinds) {
        const before = rejections.length
        const { status, text, authorization } = await request
        assert.equal(status, 401)
        assert.equal(text, '')
        assert.equal(authorization, null)
        const logged = rejections.slice(before).join('\n')
        assert.ok(kinds.some((k) => logged.includes(k)), `logged: ${logged}`)
      }

      test('GET signed for one URL, sent to another', async () => {
        const { url, init } = await client().prepare('/text?msg=a')
        await expectRejected(sendRaw(url.replace('msg=a', 'msg=b'), init), ['invalid_signature'])
      })

      test('GET with one signature character changed', async () => {
        const { url, init } = await client().prepare('/text?msg=a')
        init.headers.authorization = flipChar(init.headers.authorization, 60)
        await expectRejected(sendRaw(url, init), ['invalid_signature'])
      })

      test('POST with the encrypted data changed', async () => {
        const { url, init } = await client().prepare('/echo', { method: 'POST', body: { a: 1 } })
        const { data } = JSON.parse(init.body)
        init.body = JSON.stringify({ data: flipChar(data, 3) })
        await expectRejected(sendRaw(url, init), ['invalid_signature', 'decrypt_failed'])
      })

      test('POST whose token is by another key than the one that encrypted', async () => {
        const { url, init } = await client().prepare('/echo', { method: 'POST', body: 'x' })
        const other = await reference.createClient(running.pubkey, randomBytes(32).toString('hex'), { hostname: base() })
          .prepare('/echo', { method: 'POST', body: 'x' })
        init.headers.authorization = other.init.headers.authorization
        await expectRejected(sendRaw(url, init), ['invalid_signature', 'decrypt_failed'])
      })

      test('no authorization header', async () => {
        await expectRejected(sendRaw(`${base()}/text?msg=a`, {}), ['malformed_input'])
      })

      test('authorization that is not base64url', async () => {
        await expectRejected(sendRaw(`${base()}/text?msg=a`, { headers: { authorization: 'Bearer abc' } }), ['malformed_input'])
      })

      test('a method v1 does not sign', async () => {
        const { init } = await client().prepare('/echo', { method: 'POST', body: 'x' })
        await expectRejected(sendRaw(`${base()}/echo`, { ...init, method: 'PUT' }), ['unsupported_method'])
      })

      test('a POST body that is not {"data": ...}', async () => {
        const { url, init } = await client().prepare('/echo', { method: 'POST', body: 'x' })
        await expectRejected(sendRaw(url, { ...init, body: '{"nodata":1}' }), ['malformed_input'])
      })

      test('a body over the 1 MiB limit is refused before any decryption', async () => {
        const { url, init } = await client().prepare('/echo', { method: 'POST', body: 'x' })
        const huge = JSON.stringify({ data: 'A'.repeat((1 << 20) + 16) })
        await expectRejected(sendRaw(url, { ...init, body: huge }), ['too_large'])
      })

      test('the server still answers afterwards', async () => {
        const res = await reference.secureFetch(running.pubkey, clientSecret, { hostname: base() })('/text?msg=still%20up')
        assert.equal(res.data, 'still up')
      })
    })
  })
}
