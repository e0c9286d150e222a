// Replays every section of tests/vectors/v2.json against protocol.mjs: keys, shared,
// keys_derived, envelope, request and answer (byte for byte, with the fixed nonces and
// aux_rand), server scenarios (a fresh server per scenario, `now` per step, signed
// stale answers verified), answer_checks and replay_keys.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { schnorr } from '@noble/curves/secp256k1'

import * as v2 from '../protocol.mjs'
import { loadVectors, bytes } from './support.mjs'

const vectors = loadVectors()
const hex = v2.hex
const SECTIONS = ['keys', 'shared', 'keys_derived', 'envelope', 'request', 'answer', 'server', 'answer_checks', 'replay_keys']

test('the vectors have every section, none empty', () => {
  for (const s of SECTIONS) assert.ok(Array.isArray(vectors[s]) && vectors[s].length > 0, s)
})

// Every secret key the vectors name, by its x-only key, to open answers in server scenarios.
const secretOf = new Map()
const learn = (secret) => { if (secret) secretOf.set(hex(v2.xonlyOf(secret)), secret) }
for (const s of ['keys', 'shared']) for (const v of vectors[s]) learn(v.secret)
for (const v of vectors.request) learn(v.client_secret)
for (const v of vectors.answer) learn(v.server_secret)
for (const v of vectors.answer_checks) learn(v.client_secret)
for (const sc of vectors.server) for (const s of sc.server_secrets) learn(s)

test('keys: x-only key and kid', () => {
  for (const v of vectors.keys) {
    const x = v2.xonlyOf(v.secret)
    assert.equal(hex(x), v.xonly)
    assert.equal(hex(v2.kid(x)), v.kid)
    assert.notEqual(v2.liftX(x), null)
  }
})

test('shared: shared_x and conversation_key, both directions', () => {
  for (const v of vectors.shared) {
    assert.equal(hex(v2.sharedX(v.secret, bytes(v.peer_xonly))), v.shared_x)
    assert.equal(hex(v2.conversationKey(v.secret, bytes(v.peer_xonly))), v.conversation_key)
  }
})

test('keys_derived: k_req and k_ans from the headers', () => {
  for (const v of vectors.keys_derived) {
    const ck = bytes(v.conversation_key)
    const rh = bytes(v.request_header)
    const ah = bytes(v.answer_header)
    assert.equal(rh.length, 66)
    assert.equal(ah.length, 26)
    assert.equal(hex(rh.subarray(10, 26)), v.nonce_req)
    assert.equal(hex(ah.subarray(10, 26)), v.nonce_ans)
    assert.equal(hex(v2.requestKey(ck, rh)), v.k_req)
    assert.equal(hex(v2.answerKey(ck, rh, ah)), v.k_ans)
  }
})

test('envelope: encoding and decoding', () => {
  for (const v of vectors.envelope) {
    const env = v2.encodeEnvelope(v.content_type, bytes(v.payload_hex))
    assert.equal(hex(env), v.envelope_hex)
    const back = v2.decodeEnvelope(bytes(v.envelope_hex))
    assert.equal(back.contentType, v.content_type)
    assert.equal(hex(back.payload), v.payload_hex)
  }
})

test('request: tokens, m_req and bodies byte for byte', () => {
  for (const v of vectors.request) {
    const built = v2.buildRequest({
      clientSecret: v.client_secret,
      serverXonly: v.server_xonly,
      method: v.method,
      origin: v.origin,
      target: v.target,
      created: v.created,
      nonceReq: bytes(v.nonce_req),
      auxRand: bytes(v.aux_rand),
      contentType: v.content_type,
      payload: bytes(v.payload_hex)
    })
    assert.equal(hex(built.body), v.body_hex, v.name)
    assert.equal(hex(built.m), v.m_req, v.name)
    assert.equal(hex(built.token), v.token, v.name)
    assert.equal(built.authorization, v.authorization, v.name)
    assert.equal(built.authorization.length, 'CryptoSession '.length + 174)
  }
})

test('answer: tokens, m_ans and bodies byte for byte', () => {
  for (const v of vectors.answer) {
    const built = v2.buildAnswer({
      serverSecret: v.server_secret,
      requestToken: bytes(v.request_token),
      status: v.status,
      created: v.created,
      nonceAns: bytes(v.nonce_ans),
      auxRand: bytes(v.aux_rand),
      contentType: v.content_type,
      payload: bytes(v.payload_hex)
    })
    assert.equal(hex(v2.parseRequestToken(bytes(v.request_token)).clientXonly), v.client_xonly, v.name)
    assert.equal(hex(built.body), v.body_hex, v.name)
    assert.equal(hex(built.m), v.m_ans, v.name)
    assert.equal(hex(built.token), v.token, v.name)
    assert.equal(built.header, v.crypto_session_header, v.name)
    assert.equal(built.header.length, 120)
  }
})

test('answer_checks: the client opens good answers and rejects every altered one', () => {
  let ok = 0
  let rejected = 0
  for (const v of vectors.answer_checks) {
    const open = () => v2.openAnswer({
      clientSecret: v.client_secret,
      serverXonly: v.server_xonly,
      requestToken: bytes(v.request_token),
      status: v.status,
      header: v.crypto_session_header,
      body: bytes(v.body_hex),
      expect: v.kind
    })
    if (v.expect === 'ok') {
      const got = open()
      if (v.kind === 'stale') {
        assert.equal(got.flags, v2.FLAGS_STALE, v.name)
        assert.equal(Number(got.created), v.server_time, v.name)
      } else {
        assert.equal(got.contentType, v.content_type, v.name)
        assert.equal(hex(got.payload), v.payload_hex, v.name)
      }
      ok++
    } else {
      assert.equal(v.expect, 'invalid_answer', v.name)
      assert.throws(open, (err) => err instanceof v2.ProtocolError && err.code === 'invalid_answer', v.name)
      rejected++
    }
  }
  assert.equal(ok + rejected, vectors.answer_checks.length)
})

test('replay_keys: the shared store key and ttl', () => {
  for (const v of vectors.replay_keys) {
    const key = v2.replayKey(bytes(v.client_xonly), bytes(v.nonce_req))
    const ttl = v2.replayTtlMs({ created: v.created, now: v.now, maxAge: v.max_age, maxSkew: v.max_skew })
    assert.equal(key, v.key)
    assert.equal(ttl, v.ttl_ms)
    assert.deepEqual(['SET', key, '1', 'NX', 'PX', String(ttl)], v.command)
  }
})

for (const scenario of vectors.server) {
  test(`server scenario ${scenario.name}`, () => {
    let now = 0
    let denied = new Set(scenario.denied_clients ?? [])
    const server = new v2.Server({
      secretKeys: scenario.server_secrets,
      origins: scenario.origins,
      maxAge: scenario.max_age,
      maxSkew: scenario.max_skew,
      maxBody: scenario.max_body,
      store: new v2.MemoryReplayStore({ capacity: scenario.replay_capacity, created: scenario.replay_store_created }),
      admit: (c) => !denied.has(hex(c)),
      now: () => now,
      random: (n) => new Uint8Array(Buffer.alloc(n, 7))
    })
    scenario.steps.forEach((step, i) => {
      const where = `${scenario.name} step ${i} (${step.method} ${JSON.stringify(step.target)})`
      now = step.now
      // A step's denied_clients replaces the admission list from that step on.
      if (step.denied_clients) denied = new Set(step.denied_clients)
      const result = server.authenticate({
        method: step.method,
        target: step.target,
        authorization: 'authorization_fields' in step ? step.authorization_fields : step.authorization,
        body: bytes(step.body_hex)
      })
      if (step.expect === 'ok') {
        assert.equal(result.ok, true, `${where}: ${result.code}`)
        const r = result.request
        assert.equal(hex(r.clientXonly), step.client_xonly, where)
        assert.equal(r.contentType, step.content_type, where)
        assert.equal(hex(r.payload), step.payload_hex, where)
        answerAndOpen(server, r, step, where)
        return
      }
      assert.equal(result.ok, false, where)
      assert.equal(result.code, step.expect, where)
      assert.equal(result.status, v2.STATUS_OF[step.expect], where)
      if (step.expect === 'stale') {
        assert.equal(typeof step.stale_answer, 'boolean', where)
        if (!step.stale_answer) {
          assert.equal(result.staleAnswer, undefined, `${where}: the restart rule gives no signed answer`)
        } else {
          checkStaleAnswer(server, result.staleAnswer, step, where)
        }
      } else {
        assert.equal(result.staleAnswer, undefined, where)
      }
    })
  })
}

/** The server's sealed answer, opened by the client that sent the request (its secret is in the vectors). */
function answerAndOpen (server, request, step, where) {
  const secret = secretOf.get(step.client_xonly)
  assert.ok(secret, `${where}: client secret known`)
  const forbidden = v2.bodyForbidden(200, step.method)
  const reply = forbidden ? {} : { contentType: step.content_type, payload: request.payload }
  const ans = server.answer(request, { status: 200, ...reply })
  const got = v2.openAnswer({ clientSecret: secret, serverXonly: request.serverXonly, requestToken: request.token, status: 200, header: ans.header, body: ans.body, method: step.method })
  assert.equal(got.contentType, forbidden ? '' : step.content_type, where)
  assert.equal(hex(got.payload), forbidden ? '' : step.payload_hex, where)
  assert.equal(Number(got.created), step.now, where)
}

/** A signed stale answer: flags 1, the server's clock, signed by the addressed key over the request, 401, no body. */
function checkStaleAnswer (server, stale, step, where) {
  assert.ok(stale && typeof stale.header === 'string', `${where}: a signed stale answer`)
  assert.equal(stale.body.length, 0, where)
  const auth = step.authorization.trim().split(/ +/)[1]
  const request = v2.parseRequestToken(v2.b64urlDecode(auth))
  const key = { xonly: server.publicKeys.find((x) => v2.equalBytes(v2.kid(x), request.kid)) }
  const token = v2.b64urlDecode(stale.header)
  assert.equal(token.length, 90, where)
  assert.equal(token[0], 2, where)
  assert.equal(token[1], v2.FLAGS_STALE, where)
  assert.equal(Buffer.from(token.subarray(2, 10)).readBigUInt64BE(), BigInt(step.now), where)
  const m = v2.mAns({ header: token.subarray(0, 26), serverXonly: key.xonly, clientXonly: request.clientXonly, requestSignature: request.signature, status: 401, body: new Uint8Array(0) })
  assert.ok(schnorr.verify(token.subarray(26), m, key.xonly), `${where}: stale answer signature`)
  assert.ok(!schnorr.verify(token.subarray(26), v2.mAns({ header: token.subarray(0, 26), serverXonly: key.xonly, clientXonly: request.clientXonly, requestSignature: request.signature, status: 200, body: new Uint8Array(0) }), key.xonly), where)
  const secret = secretOf.get(hex(request.clientXonly))
  if (secret) {
    const opened = v2.openAnswer({ clientSecret: secret, serverXonly: key.xonly, requestToken: v2.b64urlDecode(auth), status: 401, header: stale.header, body: stale.body, expect: 'stale' })
    assert.equal(Number(opened.created), step.now, where)
  }
}
