// HTTP load on loopback (issue 7): requests per second and p50/p99 latency of each
// server with and without crypto-session authentication, driven by autocannon (the
// one load generator for every server), every pair in the same run; prints ratios.
//
//   node bench-http.mjs [--duration S] [--rounds R] [--connections N]
//                       [--groups express,fastapi,flask,go] [--json FILE]
//
// The servers of a group run side by side (idle when not loaded); each round loads
// each of them in turn (order rotated per round), so a machine whose load moves
// slows them alike; the figures are medians over the rounds.
//
// POST: JSON payloads of ~250 bytes to /echo, rotating through 2048 distinct
// pre-signed requests from 64 clients (known peers after the warm-up); the answer
// is the payload, sealed. GET: /hello, rotating through 8192 distinct signed URLs
// (more than the verified-GET cache holds: each costs a signature check); the
// answer is the client's key, sealed. Servers without authentication get the same
// bytes and answer them unsealed. Every answer must be a 200 (checked) and every
// 100th sealed answer is opened and compared with what was sent.

import autocannon from 'autocannon'
import fs from 'node:fs'
import os from 'node:os'

import { SERVERS, startServer } from './lib/servers.mjs'
import { makeWorkload, openAnswer } from './lib/workload.mjs'

function parseArgs (argv) {
  const options = { duration: 5, rounds: 3, warmup: 2, connections: 32, groups: ['express', 'fastapi', 'flask', 'go'], json: null }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--duration') options.duration = Number(argv[++i])
    else if (arg === '--warmup') options.warmup = Number(argv[++i])
    else if (arg === '--rounds') options.rounds = Number(argv[++i])
    else if (arg === '--connections') options.connections = Number(argv[++i])
    else if (arg === '--groups') options.groups = argv[++i].split(',')
    else if (arg === '--json') options.json = argv[++i]
    else throw new Error(`unknown argument ${arg}`)
  }
  return options
}

const options = parseArgs(process.argv.slice(2))

// Each group: the servers compared, the first is the one with authentication
// whose ratios are printed against the others.
const GROUPS = {
  express: ['express-addon', 'express-reference', 'express-reference-cached', 'express-native', 'express-plain'],
  fastapi: ['fastapi', 'fastapi-plain'],
  flask: ['flask', 'flask-plain'],
  go: ['go', 'go-plain']
}
for (const g of options.groups) if (!GROUPS[g]) throw new Error(`unknown group ${g}`)

const OPEN_EVERY = 100

const workload = makeWorkload()

// One autocannon run: `requests` rotated across all connections.
async function load (port, requests, seconds, { sealed }) {
  let next = 0
  let checked = 0
  const failures = []
  const fail = message => { if (failures.length < 5) failures.push(message) }
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: seconds,
    requests: [{
      setupRequest (req, context) {
        const r = requests[next++ % requests.length]
        context.sent = r
        return { ...req, method: r.method, path: r.path, headers: r.headers, body: r.body }
      },
      onResponse (status, body, context, headers) {
        const r = context.sent
        if (status !== 200) return fail(`${r.method} ${r.path}: status ${status}`)
        if (sealed && ++checked % OPEN_EVERY === 0) {
          try {
            const opened = openAnswer(workload, r, status, headers, body)
            if (opened !== r.expect) fail(`${r.method} ${r.path}: the answer opened to something else`)
          } catch (err) {
            fail(`${r.method} ${r.path}: the answer does not open: ${err.message}`)
          }
        }
      }
    }]
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
    failures,
    opened: Math.floor(checked / OPEN_EVERY)
  }
}

const results = {}
const started = Date.now()
console.log(`crypto-sessions HTTP load: autocannon ${options.connections} connections, ${options.rounds} rounds of ${options.duration} s per server and method (medians), after a ${options.warmup} s warm-up; loopback, ${os.cpus().length} CPUs shared by the load generator and the servers; load average ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`)

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
let broken = false
for (const group of options.groups) {
  const servers = []
  try {
    for (const name of GROUPS[group]) servers.push(await startServer(name, { secretKey: workload.serverSecret, host: workload.host }))
    // Warm-up: every client once, JITs and caches; not counted.
    for (const server of servers) await load(server.port, [...workload.posts, ...workload.gets], options.warmup, { sealed: !server.name.endsWith('-plain') })
    const runs = {}
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < servers.length; k++) {
        const server = servers[(k + round) % servers.length]
        const sealed = !server.name.endsWith('-plain')
        for (const [method, requests] of [['POST', workload.posts], ['GET', workload.gets]]) {
          const r = await load(server.port, requests, options.duration, { sealed })
          ;((runs[server.name] ??= {})[method] ??= []).push(r)
          const note = r.errors || r.failures.length ? `  FAILED: ${r.errors} errors/non-2xx; ${r.failures.join('; ')}` : ''
          if (note) broken = true
          console.log(`round ${round + 1} ${server.name.padEnd(24)} ${method.padEnd(4)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms  (${r.total} requests${sealed ? `, ${r.opened} answers opened` : ''})${note}`)
        }
      }
    }
    for (const [name, byMethod] of Object.entries(runs)) {
      results[name] = {}
      for (const [method, rs] of Object.entries(byMethod)) {
        results[name][method] = { rps: median(rs.map(r => r.rps)), p50: median(rs.map(r => r.p50)), p99: median(rs.map(r => r.p99)), runs: rs.map(r => ({ rps: r.rps, p50: r.p50, p99: r.p99 })) }
      }
    }
  } finally {
    for (const server of servers) await server.stop()
  }
}

// ---- tables and ratios -----------------------------------------------------------

const fmt = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
console.log('\n| server | method | req/s | p50 ms | p99 ms |')
console.log('|---|---|---:|---:|---:|')
for (const group of options.groups) {
  for (const name of GROUPS[group]) {
    for (const method of ['POST', 'GET']) {
      const r = results[name][method]
      console.log(`| ${SERVERS[name].label} | ${method} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} |`)
    }
  }
}

console.log('\n| comparison | method | throughput ratio | p99 ratio |')
console.log('|---|---|---:|---:|')
const ratioLines = []
for (const group of options.groups) {
  const [auth, ...others] = GROUPS[group]
  for (const other of others) {
    for (const method of ['POST', 'GET']) {
      const a = results[auth][method]
      const b = results[other][method]
      const line = { auth, other, method, throughput: a.rps / b.rps, p99: a.p99 / b.p99 }
      ratioLines.push(line)
      console.log(`| ${auth} / ${other} | ${method} | ${fmt(line.throughput, 2)}x | ${fmt(line.p99, 2)}x |`)
    }
  }
}

const target = ratioLines.find(l => l.auth === 'express-addon' && l.other === 'express-reference' && l.method === 'POST')
if (target) {
  console.log(`\ntarget: Express POST JSON throughput with the addon >= 10x the pure-JS middleware on the reference's crypto stack (a session per request, as the reference): ${fmt(target.throughput, 1)}x, ${target.throughput >= 10 ? 'met' : 'NOT met'}`)
  const cached = ratioLines.find(l => l.auth === 'express-addon' && l.other === 'express-reference-cached' && l.method === 'POST')
  if (cached) console.log(`  (against the same middleware given the addon's session cache: ${fmt(cached.throughput, 1)}x)`)
}
console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`)
if (options.json) fs.writeFileSync(options.json, JSON.stringify({ options, results, ratios: ratioLines }, null, 2))
if (broken) {
  console.error('some runs had errors or answers that did not check out: the numbers above are not valid')
  process.exitCode = 1
}
