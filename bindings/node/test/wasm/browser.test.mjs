// A real browser: Debian's Chromium driven by playwright-core loads a page from a
// test server; the page imports the bundle, replays both vector files and calls two
// servers on other origins (CORS) with v1 and v2: GET, POST JSON, and an answer
// bound to another request that it must refuse. The servers: the package's Web
// handler (createServer(options).web, the browser/edge entry) on node:http, the
// project's Python package (V2Middleware under FastAPI/uvicorn, CS_PYTHON names the
// interpreter) and the Go package (V2Server's middleware: the interop peer's
// `server-browser` mode, CS_GO_PEER names it); `make test-wasm-browser` passes both.
// The results come back through window.results; a screenshot of the page is kept in
// $CS_ARTIFACTS (gitignored).
import test from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { once } from 'node:events'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createServer, generateKeyPair } from 'crypto-sessions'

const here = p => fileURLToPath(new URL(p, import.meta.url))
const ARTIFACTS = process.env.CS_ARTIFACTS || here('../../../../target/wasm-artifacts')
const vectorFile = (env, name) => process.env[env] || here(`../../../../tests/vectors/${name}`)
const STATIC = {
  '/': [here('page.html'), 'text/html'],
  '/replay.mjs': [here('replay.mjs'), 'text/javascript'],
  '/dist/web/crypto-sessions.mjs': [here('../../dist/web/crypto-sessions.mjs'), 'text/javascript'],
  '/dist/web/crypto_sessions_wasm_bg.wasm': [here('../../dist/web/crypto_sessions_wasm_bg.wasm'), 'application/wasm'],
  '/vectors/reference-1.1.10.json': [vectorFile('CRYPTO_SESSIONS_VECTORS', 'reference-1.1.10.json'), 'application/json'],
  '/vectors/v2.json': [vectorFile('CRYPTO_SESSIONS_V2_VECTORS', 'v2.json'), 'application/json']
}

async function listen (host, handler) {
  const server = http.createServer(handler)
  server.listen(0, host)
  await once(server, 'listening')
  return { server, origin: `http://${host === '127.0.0.1' ? '127.0.0.1' : 'localhost'}:${server.address().port}` }
}

/** A Web handler (Request -> Response) on node:http. */
function nodeAdapter (handle, origin) {
  return async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const body = chunks.length && !['GET', 'HEAD'].includes(req.method) ? Buffer.concat(chunks) : undefined
    const answer = await handle(new Request(origin + req.url, { method: req.method, headers: req.headers, body }))
    res.writeHead(answer.status, [...answer.headers].flat())
    res.end(Buffer.from(await answer.arrayBuffer()))
  }
}

/** The Python server (python_v2_server.py, its own fresh key) allowing the page at `pageOrigin`. */
async function startPython (pageOrigin) {
  assert.ok(process.env.CS_PYTHON, 'CS_PYTHON names the Python with the package installed (make test-wasm-browser)')
  const key = generateKeyPair()
  const child = spawn(process.env.CS_PYTHON, [here('python_v2_server.py'), pageOrigin],
    { env: { ...process.env, CS_SERVER_SECRET: key.secretKey }, stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = await Promise.race([
    createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then(r => [r.value]),
    new Promise((_, reject) => child.once('exit', code => reject(new Error(`the Python server exited with ${code}`))))
  ])
  return { ...JSON.parse(line), publicKey: key.publicKey, stop: () => child.kill('SIGKILL') }
}

// The Go server's memory replay store refuses every v2 request dated within
// max_skew of its start (its restart guard, which Go cannot date back): the page
// calls it once that has passed.
const GO_MAX_SKEW_S = 5

/** The Go server (go-peer server-browser, its own fresh key) allowing the page at `pageOrigin`. */
async function startGo (pageOrigin) {
  assert.ok(process.env.CS_GO_PEER, 'CS_GO_PEER names the Go interop peer (make test-wasm-browser)')
  const key = generateKeyPair()
  const child = spawn(process.env.CS_GO_PEER, ['server-browser', pageOrigin],
    { env: { ...process.env, CRYPTO_SESSION_KEY: key.secretKey, CRYPTO_SESSION_MAX_SKEW: String(GO_MAX_SKEW_S) }, stdio: ['pipe', 'pipe', 'inherit'] })
  const [line] = await Promise.race([
    createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then(r => [r.value]),
    new Promise((_, reject) => child.once('exit', code => reject(new Error(`the Go server exited with ${code}`))))
  ])
  const { origin, pubkey } = JSON.parse(line)
  assert.equal(pubkey, key.publicKey)
  return { origin, publicKey: key.publicKey, ready: Date.now() + GO_MAX_SKEW_S * 1000 + 1500, stop: () => child.kill('SIGKILL') }
}

test('Chromium: the bundle replays the vectors and talks v1 and v2 cross-origin with CORS to the Node, Python and Go servers', async () => {
  const site = await listen('127.0.0.1', (req, res) => {
    const [file, type] = STATIC[new URL(req.url, 'http://x').pathname] ?? []
    if (!file) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': type }).end(readFileSync(file))
  })
  const key = generateKeyPair()
  const apiServer = await listen('localhost', null)
  // A key that never served before: no request of an earlier process to guard
  // against, so the memory store's restart guard (max_skew after start) is dated back.
  const replayCreated = Math.floor(Date.now() / 1000) - 10
  const server = createServer({ keys: key.secretKey, origins: apiServer.origin, acceptV1: true, cors: site.origin, replayCreated, logger: { warn () {}, error () {} } })
  const handle = server.web(async (request, secure) =>
    secure.json({ version: secure.version, method: request.method, got: secure.payload.length ? JSON.parse(new TextDecoder().decode(secure.payload)) : null }))
  apiServer.server.on('request', nodeAdapter(handle, apiServer.origin))
  const go = await startGo(site.origin)
  const python = await startPython(site.origin)
  const servers = [
    { name: 'Node Web handler', origin: apiServer.origin, publicKey: key.publicKey, protocols: [1, 2] },
    { name: 'Python ASGI', origin: python.origin, publicKey: python.publicKey, protocols: [1, 2] },
    { name: 'Go net/http', origin: go.origin, publicKey: go.publicKey, protocols: [1, 2] }
  ]

  const profile = mkdtempSync(join(tmpdir(), 'cs-chromium-'))
  // A fresh profile (playwright passes it as --user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 900 }
  })
  try {
    const page = await browser.newPage()
    const errors = []
    page.on('pageerror', err => errors.push(String(err)))
    await new Promise(resolve => setTimeout(resolve, Math.max(0, go.ready - Date.now())))
    await page.goto(`${site.origin}/?servers=${encodeURIComponent(JSON.stringify(servers))}`)
    await page.waitForFunction(() => window.results !== undefined, null, { timeout: 60_000 })
    const results = await page.evaluate(() => window.results)
    mkdirSync(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'browser-demo.png'), fullPage: true })
    assert.deepEqual(errors, [])
    assert.equal(results.error, undefined, results.error)
    assert.deepEqual(results.vectors.failures, [])
    assert.ok(results.vectors.passed > 100, `${results.vectors.passed} vector checks`)
    const byName = Object.fromEntries(results.exchanges.map(e => [e.name, e]))
    for (const { name } of servers) {
      for (const v of [1, 2]) {
        assert.deepEqual(byName[`${name} v${v} GET`]?.data, { version: v, method: 'GET', got: null }, JSON.stringify(byName))
        assert.deepEqual(byName[`${name} v${v} POST`]?.data, { version: v, method: 'POST', got: { name: 'from the browser', n: 1 } })
      }
      assert.equal(byName[`${name} v2 answer of another request`]?.refused, true)
      assert.equal(byName[`${name} v2 answer of another request`].code, 'invalid_answer')
    }
    assert.equal(results.exchanges.length, servers.length * 5)
    assert.ok(results.exchanges.every(e => e.ok), JSON.stringify(results.exchanges))
    console.log(`# Chromium: ${results.vectors.passed} vector checks, ${results.exchanges.length} exchanges; screenshot ${join(ARTIFACTS, 'browser-demo.png')}`)
  } finally {
    await browser.close()
    rmSync(profile, { recursive: true, force: true })
    python.stop()
    go.stop()
    site.server.close()
    apiServer.server.closeAllConnections()
    apiServer.server.close()
  }
})
