// An edge runtime: the Web handler (the WebAssembly build) served by workerd (the npm
// package `workerd`, Cloudflare Workers' runtime), called with v1 and v2 by the
// project's Python (httpx, requests) and Go clients (tests/interop/peers; CS_PYTHON
// and CS_GO_PEER name them: `make test-wasm` builds and passes both).
import test from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair, xonlyOf } from 'crypto-sessions'

const here = p => fileURLToPath(new URL(p, import.meta.url))
const PEERS = here('../../../../tests/interop/peers/')
const server = generateKeyPair()

/** A port free a moment ago: workerd takes its listening address from the config. */
async function freePort () {
  const probe = net.createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address()
  await new Promise(resolve => probe.close(resolve))
  return port
}

const config = (port, origin) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "crypto-sessions.mjs", esModule = embed "crypto-sessions.mjs"),
    (name = "crypto_sessions_wasm_bg.wasm", wasm = embed "crypto_sessions_wasm_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
  bindings = [
    (name = "CS_SERVER_SECRET", fromEnvironment = "CS_SERVER_SECRET"),
    (name = "CS_ORIGIN", text = "${origin}"),
  ],
);
`

async function startWorkerd () {
  const dir = mkdtempSync(join(tmpdir(), 'cs-workerd-'))
  copyFileSync(here('workerd_worker.mjs'), join(dir, 'worker.mjs'))
  for (const f of ['crypto-sessions.mjs', 'crypto_sessions_wasm_bg.wasm']) copyFileSync(here(`../../dist/web/${f}`), join(dir, f))
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  writeFileSync(join(dir, 'config.capnp'), config(port, origin))
  // The npm `workerd` command is a Node shim that starts the real binary as its own
  // child: its own process group, killed as a whole.
  const child = spawn(here('../../node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp')],
    { env: { ...process.env, CS_SERVER_SECRET: server.secretKey }, stdio: ['ignore', 'inherit', 'inherit'], detached: true })
  const stop = () => { try { process.kill(-child.pid, 'SIGKILL') } catch {} rmSync(dir, { recursive: true, force: true }) }
  process.on('exit', stop)
  for (let i = 0; ; i++) {
    try {
      const key = await (await fetch(`${origin}/key`)).text()
      return { origin, key, stop }
    } catch (err) {
      if (i === 100 || child.exitCode !== null) { stop(); throw new Error(`workerd did not serve ${origin}: ${err.message}`) }
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
}

const workerd = await startWorkerd()
test.after(workerd.stop)

function clients (v2) {
  assert.ok(process.env.CS_PYTHON && process.env.CS_GO_PEER, 'CS_PYTHON and CS_GO_PEER name the clients (make test-wasm)')
  return [
    ...['httpx', 'requests'].map(lib => [`python ${lib}`, process.env.CS_PYTHON, [`${PEERS}python_client${v2 ? '_v2' : ''}.py`, lib]]),
    ['go', process.env.CS_GO_PEER, [v2 ? 'client-v2' : 'client']]
  ]
}

test('workerd serves its key: the Web handler runs on the WebAssembly build there', () => {
  assert.equal(workerd.key, server.publicKey)
})

test('v1 from the Python clients (httpx, requests) and the Go client', () => {
  for (const [name, cmd, argv] of clients(false)) {
    const common = ['--server-key', server.publicKey, '--key', generateKeyPair().secretKey]
    const get = JSON.parse(execFileSync(cmd, [...argv, ...common, '--url', `${workerd.origin}/v1/items`], { encoding: 'utf8' }))
    assert.deepEqual(get.data, { version: 1, method: 'GET', got: null }, `${name} GET: ${JSON.stringify(get)}`)
    const post = JSON.parse(execFileSync(cmd, [...argv, ...common, '--url', `${workerd.origin}/v1/items`, '--json', '{"a":[1,2]}'], { encoding: 'utf8' }))
    // requests writes JSON with spaces: the payload as sent, compared as JSON.
    assert.deepEqual({ ...post.data, got: JSON.parse(post.data.got) }, { version: 1, method: 'POST', got: { a: [1, 2] } }, `${name} POST: ${JSON.stringify(post)}`)
  }
})

test('v2 from the Python clients (httpx, requests) and the Go client: GET, POST JSON', () => {
  const serverKey = xonlyOf(server.publicKey).hex
  const requests = [
    { server_key: serverKey, url: `${workerd.origin}/items/7?q=a`, method: 'GET', content_type: null, body_hex: '', clock_offset: 0 },
    { server_key: serverKey, url: `${workerd.origin}/items`, method: 'POST', content_type: 'application/json', body_hex: Buffer.from('{"n":1}').toString('hex'), clock_offset: 0 }
  ]
  for (const [name, cmd, argv] of clients(true)) {
    const out = execFileSync(cmd, [...argv, '--key', generateKeyPair().secretKey],
      { input: requests.map(r => JSON.stringify(r)).join('\n') + '\n', encoding: 'utf8' }).trim().split('\n').map(line => JSON.parse(line))
    assert.deepEqual(out.map(o => o.err), [null, null], `${name}: ${JSON.stringify(out)}`)
    assert.deepEqual(out.map(o => o.data), [{ version: 2, method: 'GET', got: null }, { version: 2, method: 'POST', got: '{"n":1}' }], name)
  }
})
