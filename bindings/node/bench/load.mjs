// Does running the cryptography on the libuv pool (napi AsyncTask) beat running it
// inline on the event loop, for a server under load? Starts bench/server.mjs in each
// mode, drives it with concurrent keep-alive POSTs (each decrypt + verify + seal),
// and prints throughput, latency and event-loop responsiveness, with ratios.
//
//   node bench/load.mjs [seconds=5] [concurrency=32]
import http from 'node:http'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import os from 'node:os'

const require = createRequire(import.meta.url)
const native = require('../lib/native.js')
const { generateKeyPair } = require('../index.js')

const SECONDS = Number(process.argv[2] ?? 5)
const CONCURRENCY = Number(process.argv[3] ?? 32)
const CLIENTS = 50
const REQUESTS_PER_CLIENT = 40
const serverScript = fileURLToPath(new URL('./server.mjs', import.meta.url))

const serverKeys = generateKeyPair()
const payload = JSON.stringify({ user: 'bench', items: Array.from({ length: 8 }, (_, i) => ({ id: i, name: `item-${i}` })) })

// Requests are prepared up front so the load generator spends little CPU.
const prepared = []
for (let c = 0; c < CLIENTS; c++) {
  const client = new native.NativeClient(serverKeys.publicKey, generateKeyPair().secretKey, 'http://bench')
  for (let r = 0; r < REQUESTS_PER_CLIENT; r++) prepared.push(client.prepareSync('POST', `/echo?c=${c}&r=${r}`, payload))
}

function send (agent, port, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', headers, agent }, res => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', reject)
    req.end(body)
  })
}

function percentile (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

async function run (mode) {
  const child = spawn(process.execPath, [serverScript, mode, serverKeys.secretKey], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [line] = await once(child.stdout, 'data')
  const port = Number(String(line).trim())
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY + 1 })

  // warm-up: every client once (fills the server's session cache)
  for (let c = 0; c < CLIENTS; c++) {
    const p = prepared[c * REQUESTS_PER_CLIENT]
    const status = await send(agent, port, new URL(p.url).pathname + new URL(p.url).search, p.headers, p.body)
    if (status !== 200) throw new Error(`warm-up got ${status}`)
  }

  const latencies = []
  const pings = []
  let next = 0
  let failures = 0
  const deadline = performance.now() + SECONDS * 1000
  const worker = async () => {
    while (performance.now() < deadline) {
      const p = prepared[next++ % prepared.length]
      const url = new URL(p.url)
      const start = performance.now()
      const status = await send(agent, port, url.pathname + url.search, p.headers, p.body)
      latencies.push(performance.now() - start)
      if (status !== 200) failures++
    }
  }
  // A light probe of the event loop: an unauthenticated GET every 20 ms.
  const pinger = async () => {
    while (performance.now() < deadline) {
      const start = performance.now()
      await send(agent, port, '/ping')
      pings.push(performance.now() - start)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }
  const began = performance.now()
  await Promise.all([...Array.from({ length: CONCURRENCY }, worker), pinger()])
  const elapsed = (performance.now() - began) / 1000
  agent.destroy()
  child.kill('SIGTERM')
  await once(child, 'exit')

  latencies.sort((a, b) => a - b)
  pings.sort((a, b) => a - b)
  return {
    mode,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    ping50: percentile(pings, 0.5),
    ping99: percentile(pings, 0.99),
    failures
  }
}

function micro () {
  const a = generateKeyPair()
  const b = generateKeyPair()
  const s1 = new native.NativeSession(b.publicKey, a.secretKey)
  const s2 = new native.NativeSession(a.publicKey, b.secretKey)
  const enc = s1.encodeSync(payload)
  const N = 2000
  const timeSync = () => {
    const t = performance.now()
    for (let i = 0; i < N; i++) s2.decodeSync(enc.token, enc.data)
    return N / ((performance.now() - t) / 1000)
  }
  const timeAsync = async (inFlight) => {
    const t = performance.now()
    for (let i = 0; i < N; i += inFlight) {
      await Promise.all(Array.from({ length: inFlight }, () => s2.decode(enc.token, enc.data)))
    }
    return N / ((performance.now() - t) / 1000)
  }
  return { timeSync, timeAsync }
}

const fmt = (n, d = 1) => n.toFixed(d)
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(`crypto-sessions load bench: ${os.cpus().length} CPUs, ${SECONDS}s per mode, ${CONCURRENCY} connections, POST ${payload.length}-byte JSON (decrypt+verify+seal)`)
const { timeSync, timeAsync } = micro()
const syncRuns = []
const oneRuns = []
const manyRuns = []
for (let round = 0; round < 4; round++) {
  // round 0 warms the JIT and is not counted
  const sync = timeSync()
  const one = await timeAsync(1)
  const many = await timeAsync(16)
  if (round > 0) { syncRuns.push(sync); oneRuns.push(one); manyRuns.push(many) }
}
const syncOps = median(syncRuns)
console.log(`decode in-process (median of 3): sync ${fmt(syncOps, 0)}/s, async one at a time ${fmt(median(oneRuns), 0)}/s (${fmt(median(oneRuns) / syncOps, 2)}x), async 16 in flight ${fmt(median(manyRuns), 0)}/s (${fmt(median(manyRuns) / syncOps, 2)}x)`)

await run('pool') // warm-up of the load generator, not counted
const results = []
for (const mode of ['inline', 'pool', 'inline', 'pool', 'inline', 'pool']) results.push(await run(mode))
for (const r of results) {
  console.log(`${r.mode.padEnd(6)} ${fmt(r.rps, 0).padStart(6)} req/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  ping p50 ${fmt(r.ping50, 2)} ms p99 ${fmt(r.ping99, 2)} ms  failures ${r.failures}`)
}
const med = (mode, key) => median(results.filter(r => r.mode === mode).map(r => r[key]))
console.log(`ratio pool/inline (medians): throughput ${fmt(med('pool', 'rps') / med('inline', 'rps'), 2)}x, p99 latency ${fmt(med('pool', 'p99') / med('inline', 'p99'), 2)}x, event-loop ping p99 ${fmt(med('pool', 'ping99') / med('inline', 'ping99'), 2)}x`)
if (results.some(r => r.failures)) process.exitCode = 1
