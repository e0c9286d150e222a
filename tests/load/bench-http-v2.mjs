// HTTP load on loopback (issue 13): protocol v2 with the memory replay store and
// with the Redis one, against v1, on the same server (Express + the package's
// createServer with acceptV1: the core's dual server), in one run; prints a table
// and ratios.
//
//   node bench-http-v2.mjs [--amount N] [--rounds R] [--connections C] [--json FILE]
//
// Needs CRYPTO_SESSION_TEST_REDIS_URL (tests/redis/with-redis.sh; make bench-http
// runs it so). Two processes of the same app: one with replay=memory, one with
// replay=redis://...; v1 is measured on the memory one (v1 has no replay store).
//
// A v2 request is accepted once (replay store), so nothing is rotated: each run
// sends N distinct requests, signed just before it with the package's v2 client
// (64 clients, POST /echo with ~250-byte JSON payloads, GET /hello), and the run
// lasts until all N are answered (autocannon `amount`). v1 gets the same: N
// distinct requests signed just before the run. Every answer must be a 200 (a v2
// one with its Crypto-Session token; every 50th v1 one is opened and checked by its
// client), and before each run 4 fresh requests are sent apart and their answers
// opened and compared (autocannon passes bodies as utf8 text, which a sealed v2
// body does not survive). Each round runs every
// (protocol, method) in turn (order rotated per round); the figures are medians.

import autocannon from 'autocannon'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'

import { NODE_PACKAGE_DIR } from './lib/paths.mjs'
import { startServer, SERVERS } from './lib/servers.mjs'
import { HOST, jsonPayload, headerValue } from './lib/workload.mjs'

const require = createRequire(import.meta.url)
const native = require(path.join(NODE_PACKAGE_DIR, 'lib', 'native.js'))

function parseArgs (argv) {
  const options = { amount: 6000, rounds: 3, connections: 32, clients: 64, json: null }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--amount') options.amount = Number(argv[++i])
    else if (arg === '--rounds') options.rounds = Number(argv[++i])
    else if (arg === '--connections') options.connections = Number(argv[++i])
    else if (arg === '--json') options.json = argv[++i]
    else throw new Error(`unknown argument ${arg}`)
  }
  return options
}
const options = parseArgs(process.argv.slice(2))
const OPEN_EVERY = 50

const serverSecret = randomBytes(32).toString('hex')
const serverPubV1 = native.publicKeyOf(serverSecret).toString('hex')
const clients = Array.from({ length: options.clients }, () => {
  const secret = randomBytes(32).toString('hex')
  return { v1: new native.NativeClient(serverPubV1, secret, HOST), v2: new native.NativeV2Client(secret, serverPubV1) }
})

/** N distinct requests of one protocol and method, signed now. */
function sign (protocol, method, n) {
  let seq = sign.seq = (sign.seq ?? 0) + n
  seq -= n
  return Array.from({ length: n }, (_, k) => {
    const i = seq + k
    const c = clients[i % clients.length]
    const payload = method === 'POST' ? jsonPayload(i) : null
    const target = method === 'POST' ? `/echo?n=${i}` : `/hello?n=${i}`
    const expect = payload ?? 'hello'
    if (protocol === 'v1') {
      const p = c.v1.prepareSync(method, target, payload ?? undefined)
      const url = new URL(p.url)
      return { protocol, client: c, expect, method, path: url.pathname + url.search, headers: { ...p.headers }, body: p.body ?? undefined }
    }
    const p = c.v2.prepare(method, HOST + target, payload ? 'application/json' : '', payload ? Buffer.from(payload) : Buffer.alloc(0))
    const url = new URL(p.url)
    return { protocol, client: c, expect, prepared: p, method, path: url.pathname + url.search, headers: Object.fromEntries(p.headers), body: p.body.length ? p.body : undefined }
  })
}

function opened (r, status, headers, body) {
  if (r.protocol === 'v1') {
    return Buffer.from(r.client.v1.openSync(status, headerValue(headers, 'authorization') ?? null, body).plaintext).toString('utf8')
  }
  throw new Error('v2 answers are opened by spotCheck')
}

/** A few fresh requests sent with fetch, every answer opened and compared. */
async function spotCheck (port, protocol, method) {
  for (const r of sign(protocol, method, 4)) {
    const response = await fetch(`http://127.0.0.1:${port}${r.path}`, { method: r.method, headers: r.headers, body: r.body })
    const body = Buffer.from(await response.arrayBuffer())
    let got
    if (protocol === 'v1') {
      got = Buffer.from(r.client.v1.openSync(response.status, response.headers.get('authorization'), body.toString('utf8')).plaintext).toString('utf8')
    } else {
      const answer = r.client.v2.open(r.prepared, response.status, response.headers.get('crypto-session'), response.headers.get('www-authenticate'), body)
      got = Buffer.from(answer.payload).toString('utf8')
    }
    if (response.status !== 200 || got !== r.expect) throw new Error(`${protocol} ${method} ${r.path}: ${response.status}, the answer opened to ${JSON.stringify(got).slice(0, 80)}`)
  }
}

async function load (port, requests) {
  let next = 0
  let checked = 0
  let opens = 0
  const failures = []
  const fail = message => { if (failures.length < 5) failures.push(message) }
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    amount: requests.length,
    requests: [{
      setupRequest (req, context) {
        const r = requests[next++ % requests.length]
        context.sent = r
        return { ...req, method: r.method, path: r.path, headers: r.headers, body: r.body }
      },
      onResponse (status, body, context, headers) {
        const r = context.sent
        if (status !== 200) return fail(`${r.protocol} ${r.method} ${r.path}: status ${status} ${headerValue(headers, 'www-authenticate') ?? ''}`)
        // autocannon hands bodies over as utf8 strings, which a sealed v2 body (bytes)
        // does not survive: under load a v2 answer must carry its Crypto-Session
        // token; spotCheck (before each run) opens whole v2 answers.
        if (r.protocol === 'v2') {
          if (!headerValue(headers, 'crypto-session')) fail(`v2 ${r.method} ${r.path}: no Crypto-Session header`)
          return
        }
        if (++checked % OPEN_EVERY === 0) {
          try {
            if (opened(r, status, headers, body) !== r.expect) fail(`${r.protocol} ${r.method} ${r.path}: the answer opened to something else`)
            opens++
          } catch (err) {
            fail(`${r.protocol} ${r.method} ${r.path}: the answer does not open: ${err.message}`)
          }
        }
      }
    }]
  })
  const seconds = result.duration
  return {
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
    failures,
    opens
  }
}

const CASES = [
  { name: 'v1', server: 'express-v2-memory', protocol: 'v1' },
  { name: 'v2-memory', server: 'express-v2-memory', protocol: 'v2' },
  { name: 'v2-redis', server: 'express-v2-redis', protocol: 'v2' }
]
const METHODS = ['POST', 'GET']
const started = Date.now()
console.log(`crypto-sessions v2 HTTP load: autocannon ${options.connections} connections, ${options.amount} distinct requests per run, ${options.rounds} rounds (medians); ${options.clients} clients; loopback, ${os.cpus().length} CPUs shared by the load generator and the servers; load average ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`)

const servers = {}
const runs = {}
let broken = false
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
try {
  for (const name of ['express-v2-memory', 'express-v2-redis']) servers[name] = await startServer(name, { secretKey: serverSecret, host: HOST })
  // The memory store refuses requests dated within max_skew (5 s) of its start.
  await new Promise(resolve => setTimeout(resolve, 6500))
  // Warm-up, not counted.
  for (const c of CASES) for (const method of METHODS) await load(servers[c.server].port, sign(c.protocol, method, Math.min(1000, options.amount)))
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < CASES.length; k++) {
      const c = CASES[(k + round) % CASES.length]
      for (const method of METHODS) {
        await spotCheck(servers[c.server].port, c.protocol, method)
        const requests = sign(c.protocol, method, options.amount)
        const r = await load(servers[c.server].port, requests)
        ;((runs[c.name] ??= {})[method] ??= []).push(r)
        const note = r.errors || r.failures.length ? `  FAILED: ${r.errors} errors/non-2xx; ${r.failures.join('; ')}` : ''
        if (note) broken = true
        console.log(`round ${round + 1} ${c.name.padEnd(10)} ${method.padEnd(4)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms  (${r.total} requests, ${r.opens} answers opened)${note}`)
      }
    }
  }
} finally {
  for (const server of Object.values(servers)) await server.stop()
}

const results = {}
for (const [name, byMethod] of Object.entries(runs)) {
  results[name] = {}
  for (const [method, rs] of Object.entries(byMethod)) {
    results[name][method] = { rps: median(rs.map(r => r.rps)), p50: median(rs.map(r => r.p50)), p99: median(rs.map(r => r.p99)), runs: rs.map(r => ({ rps: r.rps, p50: r.p50, p99: r.p99 })) }
  }
}
const fmt = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
console.log('\n| protocol | server | method | req/s | p50 ms | p99 ms |')
console.log('|---|---|---|---:|---:|---:|')
for (const c of CASES) {
  for (const method of METHODS) {
    const r = results[c.name][method]
    console.log(`| ${c.name} | ${SERVERS[c.server].label} | ${method} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} |`)
  }
}
console.log('\n| comparison | method | throughput ratio | p99 ratio |')
console.log('|---|---|---:|---:|')
const ratios = []
for (const [a, b] of [['v2-memory', 'v1'], ['v2-redis', 'v1'], ['v2-redis', 'v2-memory']]) {
  for (const method of METHODS) {
    const line = { a, b, method, throughput: results[a][method].rps / results[b][method].rps, p99: results[a][method].p99 / results[b][method].p99 }
    ratios.push(line)
    console.log(`| ${a} / ${b} | ${method} | ${fmt(line.throughput, 2)}x | ${fmt(line.p99, 2)}x |`)
  }
}
console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`)
if (options.json) fs.writeFileSync(options.json, JSON.stringify({ options, results, ratios }, null, 2))
if (broken) {
  console.error('some runs had errors or answers that did not check out: the numbers above are not valid')
  process.exitCode = 1
}
