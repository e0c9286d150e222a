'use strict'
// tests/vectors/v2.json (or CRYPTO_SESSIONS_V2_VECTORS) through the package's
// public API: the server cases through CryptoSessionServer.authenticate, step by
// step on the server's fixed clock.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const native = require('../lib/native.js')
const { createServer } = require('..')

const file = process.env[native.V2_ENV_VECTORS] || path.resolve(__dirname, '..', '..', '..', 'tests', 'vectors', 'v2.json')
const vectors = JSON.parse(fs.readFileSync(file, 'utf8'))
const quiet = { warn () {}, error () {} }

for (const c of vectors.server) {
  test(`v2 vectors: server case ${c.name}`, async () => {
    const server = createServer({
      keys: c.server_secrets,
      origins: c.origins,
      maxAge: c.max_age,
      maxSkew: c.max_skew,
      maxBody: c.max_body,
      replayCapacity: c.replay_capacity,
      replayCreated: c.replay_store_created,
      deniedKeys: c.denied_clients,
      now: c.steps[0].now,
      logger: quiet,
      env: {}
    })
    assert.ok(c.steps.length > 0)
    for (const [i, step] of c.steps.entries()) {
      if (step.denied_clients !== undefined) server.setDeniedKeys(step.denied_clients)
      server.setNow(step.now)
      const authorization = step.authorization_fields ?? (step.authorization === undefined || step.authorization === null ? [] : [step.authorization])
      const body = Buffer.from(step.body_hex ?? '', 'hex')
      const where = `${c.name} step ${i} (${step.method} ${step.target})`
      if (step.expect === 'ok') {
        const ok = await server.authenticate({ method: step.method, target: step.target, authorization, contentLength: body.length, body })
        assert.equal(ok.version, 2, where)
        assert.equal(ok.clientKey.toString('hex'), step.client_xonly, where)
        assert.equal(ok.payload.toString('hex'), step.payload_hex, where)
        assert.equal(ok.contentType, step.content_type, where)
      } else {
        await assert.rejects(
          server.authenticate({ method: step.method, target: step.target, authorization, contentLength: body.length, body }),
          err => {
            assert.equal(err.code, step.expect, where)
            assert.equal(err.wwwAuthenticate, `CryptoSession error="${step.expect}"`, where)
            if (step.stale_answer !== undefined) assert.equal(typeof err.staleAnswer === 'string', step.stale_answer !== null && step.stale_answer !== false, where)
            return true
          },
          where
        )
      }
    }
  })
}
