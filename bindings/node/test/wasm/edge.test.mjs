// An edge runtime: the Web handler (the WebAssembly build) served by Deno, called
// with v2 by the package's SecureFetch and with v1 by the project's Python (httpx,
// requests) and Go clients (tests/interop/peers; CS_PYTHON and CS_GO_PEER name
// them: `make test-wasm` builds and passes both).
import test from 'node:test'
import assert from 'node:assert/strict'
import { spawn, execFileSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { SecureFetch, generateKeyPair } from 'crypto-sessions'

const here = p => fileURLToPath(new URL(p, import.meta.url))
const PEERS = here('../../../../tests/interop/peers/')
const server = generateKeyPair()

async function startDeno () {
  const child = spawn(here('../../node_modules/.bin/deno'),
    ['run', '--no-prompt', '--allow-net=127.0.0.1', '--allow-env=CS_SERVER_SECRET', '--allow-read', here('deno_server.mjs')],
    { env: { ...process.env, CS_SERVER_SECRET: server.secretKey, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' }, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  const [line] = await Promise.race([
    createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then(r => [r.value]),
    new Promise((_, reject) => child.once('exit', code => reject(new Error(`deno exited with ${code}`))))
  ])
  return { child, ...JSON.parse(line) }
}

const deno = await startDeno()
// Neither the child nor its pipe keeps the test process alive; it ends with it.
deno.child.stdout.destroy()
deno.child.unref()
// The npm `deno` command is a Node shim that starts the real binary as its own child:
// kill the whole process group, or the binary outlives the test holding its stderr.
const stopDeno = () => { try { process.kill(-deno.child.pid, 'SIGKILL') } catch {} }
process.on('exit', stopDeno)
test.after(stopDeno)

test('v2 from SecureFetch: GET, POST JSON, and an answer bound to another request is refused', async () => {
  assert.equal(deno.publicKey, server.publicKey)
  const client = generateKeyPair()
  const fetch = new SecureFetch(server.publicKey, client.secretKey, { protocol: 2 })
  const got = await fetch(`${deno.origin}/items/7?q=a b`)
  assert.equal(got.err, undefined, String(got.err))
  assert.deepEqual(got.data, { version: 2, method: 'GET', got: null })
  const posted = await fetch(`${deno.origin}/items`, { method: 'POST', body: { n: 1, s: 'ü' } })
  assert.deepEqual(posted.data, { version: 2, method: 'POST', got: '{"n":1,"s":"ü"}' })
  // A real answer to another request, handed back for this one.
  let stolen
  const first = new SecureFetch(server.publicKey, client.secretKey, { protocol: 2, fetcher: async (url, init) => (stolen = await globalThis.fetch(url, init)).clone() })
  await first(`${deno.origin}/a`)
  const swapped = new SecureFetch(server.publicKey, client.secretKey, { protocol: 2, fetcher: async () => stolen.clone() })
  // As createSecureFetch on Node: only a verified answer resolves.
  await assert.rejects(swapped(`${deno.origin}/a`), err => err.code === 'invalid_answer')
  // The stolen answer's own body was only cloned: drain it, or its connection keeps
  // this process alive.
  await stolen.arrayBuffer()
})

test('v1 from the Python clients (httpx, requests) and the Go client', () => {
  assert.ok(process.env.CS_PYTHON && process.env.CS_GO_PEER, 'CS_PYTHON and CS_GO_PEER name the clients (make test-wasm)')
  const clients = []
  if (process.env.CS_PYTHON) {
    for (const lib of ['httpx', 'requests']) clients.push([`python ${lib}`, process.env.CS_PYTHON, [`${PEERS}python_client.py`, lib]])
  }
  if (process.env.CS_GO_PEER) clients.push(['go', process.env.CS_GO_PEER, ['client']])
  for (const [name, cmd, argv] of clients) {
    const key = generateKeyPair().secretKey
    const common = ['--server-key', server.publicKey, '--key', key]
    const get = JSON.parse(execFileSync(cmd, [...argv, ...common, '--url', `${deno.origin}/v1/items`], { encoding: 'utf8' }))
    assert.deepEqual(get.data, { version: 1, method: 'GET', got: null }, `${name} GET: ${JSON.stringify(get)}`)
    const post = JSON.parse(execFileSync(cmd, [...argv, ...common, '--url', `${deno.origin}/v1/items`, '--json', '{"a":[1,2]}'], { encoding: 'utf8' }))
    // requests writes JSON with spaces: the payload as sent, compared as JSON.
    assert.deepEqual({ ...post.data, got: JSON.parse(post.data.got) }, { version: 1, method: 'POST', got: { a: [1, 2] } }, `${name} POST: ${JSON.stringify(post)}`)
  }
})
