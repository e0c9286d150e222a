'use strict'
// tests/env/v2-settings.json: the environment values every binding accepts and
// refuses alike (the core replays the same file in core/tests/env_settings.rs,
// Python in tests/test_env_settings.py). Here through createServer({ env }).

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { createServer, generateKeyPair } = require('..')

const FILE = path.join(__dirname, '..', '..', '..', 'tests', 'env', 'v2-settings.json')
const { cases } = JSON.parse(fs.readFileSync(FILE, 'utf8'))
const HOST = 'https://a.example'
const quiet = { warn () {}, error () {} }

test('the environment is read as every binding reads it', () => {
  assert.ok(cases.length > 30)
  const key = generateKeyPair().secretKey
  for (const c of cases) {
    const env = { CRYPTO_SESSION_KEY: key, CRYPTO_SESSION_HOST: HOST, [c.name]: c.value }
    const at = `${c.name}=${JSON.stringify(c.value)}`
    if (!c.ok) {
      assert.throws(() => createServer({ env, logger: quiet }), err => typeof err.code === 'string', at)
      continue
    }
    const server = createServer({ env, logger: quiet })
    if ('max_body' in c) assert.equal(server.maxBody, c.max_body, at)
    if ('origins' in c) assert.deepEqual(server.origins, c.origins, at)
  }
})
