// server.mjs and client.mjs as processes, as the interop matrix runs them.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFile } from 'node:child_process'
import http from 'node:http'
import { createInterface } from 'node:readline'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'

import * as v2 from '../protocol.mjs'
import { sendPrepared } from '../http.mjs'
import { PEER_DIR } from './support.mjs'

const SERVER_KEY = randomBytes(32).toString('hex')
let proc, port, pubkey

before(async () => {
  proc = spawn(process.execPath, [join(PEER_DIR, 'server.mjs'), '--no-restart-guard'], {
    env: { ...process.env, CRYPTO_SESSION_KEY: SERVER_KEY, CRYPTO_SESSION_MAX_BODY: '2048' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve)
    proc.once('exit', (code) => reject(new Error(`server exited ${code}`)))
  })
  ;({ port, pubkey } = JSON.parse(line))
})
after(() => { proc.kill('SIGTERM') })

function client (args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(PEER_DIR, 'client.mjs'), ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, out: stdout.trim() ? JSON.parse(stdout) : null, stderr })
    })
  })
}

test('the server prints its port and its x-only key', () => {
  assert.ok(Number.isInteger(port) && port > 0)
  assert.equal(pubkey, v2.hex(v2.xonlyOf(SERVER_KEY)))
})

test('client.mjs: an echo, an empty 204 and a 404, exit 0', async () => {
  const echo = await client(['--server-key', pubkey, '--url', `http://127.0.0.1:${port}/echo`, '--content-type', 'application/json', '--data', '{"n":1}'])
  assert.equal(echo.code, 0, echo.stderr)
  assert.deepEqual(echo.out, { status: 200, content_type: 'application/json', payload: '{"n":1}', payload_hex: Buffer.from('{"n":1}').toString('hex'), retried: false, err: null })
  const empty = await client(['--server-key', pubkey, '--url', `http://127.0.0.1:${port}/empty`, '--method', 'DELETE'])
  assert.deepEqual([empty.code, empty.out.status, empty.out.payload_hex], [0, 204, ''])
  const missing = await client(['--server-key', pubkey, '--url', `http://127.0.0.1:${port}/missing`])
  assert.deepEqual([missing.code, missing.out.status], [0, 404])
})

test('client.mjs: the key from CRYPTO_SESSION_KEY is the one the server sees', async () => {
  const key = randomBytes(32).toString('hex')
  const res = await client(['--server-key', pubkey, '--url', `http://127.0.0.1:${port}/inspect`], { CRYPTO_SESSION_KEY: key })
  assert.equal(res.code, 0, res.stderr)
  assert.equal(JSON.parse(res.out.payload).client, v2.hex(v2.xonlyOf(key)))
})

test('client.mjs: rejections are errors with the code, exit 1', async () => {
  const wrongKey = await client(['--server-key', v2.hex(v2.xonlyOf(randomBytes(32))), '--url', `http://127.0.0.1:${port}/echo`])
  assert.equal(wrongKey.code, 1)
  assert.equal(wrongKey.out.err.kind, 'unknown_key')
  const otherOrigin = await client(['--server-key', pubkey, '--url', `http://localhost:${port}/echo`])
  assert.equal(otherOrigin.out.err.kind, 'invalid_signature')
  const tooLarge = await client(['--server-key', pubkey, '--url', `http://127.0.0.1:${port}/echo`, '--data-hex', '00'.repeat(3000)])
  assert.equal(tooLarge.out.err.kind, 'too_large')
  const down = await client(['--server-key', pubkey, '--url', 'http://127.0.0.1:9/echo'])
  assert.deepEqual([down.code, down.out.err.kind], [1, 'network'])
})

test('client.mjs: bad usage exits 2 with a message', async () => {
  for (const args of [[], ['--server-key', 'zz', '--url', 'http://127.0.0.1:1/'], ['--server-key', pubkey, '--url', 'ftp://x/'], ['--server-key', pubkey, '--url', 'http://127.0.0.1:1/', '--content-type', 'bad\n']]) {
    const res = await client(args)
    assert.equal(res.code, 2, JSON.stringify(args))
    assert.match(res.stderr, /client\.mjs: /)
  }
})

function checkServer (args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(PEER_DIR, 'check-server.mjs'), ...args], (err, stdout) => resolve({ code: err ? err.code : 0, stdout }))
  })
}

test('check-server.mjs: every check passes against this server', async () => {
  const res = await checkServer(['--server-key', pubkey, '--url', `http://127.0.0.1:${port}/inspect`])
  assert.equal(res.code, 0, res.stdout)
  assert.match(res.stdout, /^7 passed, 0 failed$/m)
})

test('check-server.mjs: a server that answers without authenticating fails the checks', async () => {
  const fake = http.createServer((req, res) => { res.writeHead(200); res.end('ok') })
  await new Promise((resolve) => fake.listen(0, '127.0.0.1', resolve))
  try {
    const res = await checkServer(['--server-key', pubkey, '--url', `http://127.0.0.1:${fake.address().port}/`])
    assert.equal(res.code, 1, res.stdout)
    assert.match(res.stdout, /^0 passed, 7 failed$/m)
  } finally {
    fake.close()
  }
})

test('server.mjs reads CRYPTO_SESSION_HOST (the matrix contract) as its one origin', async () => {
  const other = spawn(process.execPath, [join(PEER_DIR, 'server.mjs'), '--no-restart-guard'], {
    env: { ...process.env, CRYPTO_SESSION_KEY: SERVER_KEY, CRYPTO_SESSION_HOST: 'http://proxy.test:8080' },
    stdio: ['ignore', 'pipe', 'ignore']
  })
  try {
    const line = await new Promise((resolve) => createInterface({ input: other.stdout }).once('line', resolve))
    const p = JSON.parse(line).port
    // Signed for the configured origin, sent to the real port: accepted (the origin is configuration, not Host).
    const c = new v2.Client({ clientSecret: randomBytes(32), serverXonly: pubkey })
    const prepared = c.prepare({ method: 'GET', origin: 'http://proxy.test:8080', target: '/inspect' })
    const res = await sendPrepared(`http://127.0.0.1:${p}/inspect`, 'GET', prepared)
    const viaProxy = JSON.parse(new TextDecoder().decode(c.open(prepared, { method: 'GET', status: res.status, header: res.header, body: res.body }).payload)).uri
    assert.equal(viaProxy, 'http://proxy.test:8080/inspect')
    const direct = await client(['--server-key', pubkey, '--url', `http://127.0.0.1:${p}/inspect`])
    assert.equal(direct.out.err.kind, 'invalid_signature')
  } finally {
    other.kill('SIGTERM')
  }
})
