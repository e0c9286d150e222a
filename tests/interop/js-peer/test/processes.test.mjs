// server.mjs and client.mjs as the interop matrix runs them: separate processes.

import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'

import * as reference from '../reference-stack.mjs'
import { hex } from './support.mjs'

const here = fileURLToPath(new URL('..', import.meta.url))
const serverSecret = randomBytes(32).toString('hex')
let server
let announced
let stderr = ''

before(async () => {
  server = spawn(process.execPath, ['server.mjs'], {
    cwd: here,
    env: { ...process.env, CRYPTO_SESSION_KEY: serverSecret, CRYPTO_SESSION_HOST: '', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  server.stderr.on('data', (chunk) => { stderr += chunk })
  const [line] = await once(createInterface({ input: server.stdout }), 'line')
  announced = JSON.parse(line)
})

after(async () => {
  if (server.exitCode === null) {
    server.kill('SIGTERM')
    await once(server, 'exit')
  }
})

/** Run client.mjs; resolves to { code, out (parsed JSON line or null), stderr }. */
function runClient (args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, ['client.mjs', ...args], { cwd: here, env: { ...process.env, ...env } }, (err, stdout, stderrText) => {
      const lines = stdout.trim().split('\n').filter(Boolean)
      assert.ok(lines.length <= 1, `one JSON line at most, got: ${stdout}`)
      resolve({ code: err ? err.code : 0, out: lines.length ? JSON.parse(lines[0]) : null, stderr: stderrText })
    })
  })
}

describe('server.mjs + client.mjs', () => {
  const clientSecret = randomBytes(32).toString('hex')
  const url = (path) => `http://127.0.0.1:${announced.port}${path}`
  const client = (path, ...rest) => runClient(['--server-key', announced.pubkey, '--key', clientSecret, '--url', url(path), ...rest])

  test('the server announces its port and its public key', () => {
    assert.ok(Number.isInteger(announced.port) && announced.port > 0)
    assert.equal(announced.pubkey, hex(reference.publicKeyOf(serverSecret)))
  })

  test('GET text and GET JSON', async () => {
    assert.deepEqual(await client('/text?msg=hi%20there'), { code: 0, out: { status: 200, data: 'hi there', err: null }, stderr: '' })
    assert.deepEqual((await client('/json?a=1&b=x')).out, { status: 200, data: { a: '1', b: 'x' }, err: null })
  })

  test('POST JSON, POST text, POST without a body', async () => {
    assert.deepEqual((await client('/echo', '--json', '{"k":[1,{"u":"ü"}]}')).out, { status: 200, data: { k: [1, { u: 'ü' }] }, err: null })
    assert.deepEqual((await client('/echo', '--data', 'some text')).out, { status: 200, data: 'some text', err: null })
    assert.deepEqual((await client('/nobody', '--method', 'POST')).out, { status: 200, data: url('/nobody'), err: null })
  })

  test('the native stack as the client', async () => {
    const res = await client('/echo', '--json', '{"via":"native"}', '--stack', 'native')
    assert.deepEqual(res.out, { status: 200, data: { via: 'native' }, err: null })
  })

  test('a 418 answer: err http_status, exit 1', async () => {
    const res = await client('/teapot')
    assert.equal(res.code, 1)
    assert.equal(res.out.status, 418)
    assert.equal(res.out.err.kind, 'http_status')
    assert.equal(res.out.data, null)
  })

  test('a client that expects another server key rejects the answer', async () => {
    const res = await runClient(['--server-key', hex(reference.publicKeyOf('22'.repeat(32))),
      '--key', clientSecret, '--url', url('/text?msg=x')])
    assert.equal(res.code, 1)
    assert.ok(['decrypt_failed', 'wrong_peer'].includes(res.out.err.kind), res.out.err.kind)
  })

  test('a request the server rejects: 401, logged on the server\'s stderr', async () => {
    const res = await fetch(url('/text?msg=x'), { headers: { authorization: 'AAAA' } })
    assert.equal(res.status, 401)
    assert.equal(await res.text(), '')
    assert.match(stderr, /401 GET \/text\?msg=x: malformed_input/)
    assert.ok(!stderr.includes(serverSecret), 'the secret key is never logged')
  })

  test('the client key can come from CRYPTO_SESSION_KEY; bad usage exits 2', async () => {
    const res = await runClient(['--server-key', announced.pubkey, '--url', url('/text?msg=env')], { CRYPTO_SESSION_KEY: clientSecret })
    assert.equal(res.out.data, 'env')
    const bad = await runClient(['--url', url('/text')])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /--server-key is required/)
    const put = await runClient(['--server-key', announced.pubkey, '--url', url('/text'), '--method', 'PUT'])
    assert.equal(put.code, 2)
    assert.match(put.stderr, /PUT is not signed/)
  })

  test('SIGTERM stops the server cleanly', async () => {
    server.kill('SIGTERM')
    const [code] = await once(server, 'exit')
    assert.equal(code, 0)
  })
})
