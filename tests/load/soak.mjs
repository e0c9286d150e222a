// Soak (issue 8): many requests, good and bad mixed, against the Express (addon),
// FastAPI (Python binding) and Go servers, each in its own process, driven by
// autocannon. Fails unless, for every server:
//   - every good request got a 200, and every 10th good answer opened (signature
//     and decryption checked by the client) to exactly what was expected;
//   - every bad request got exactly a 401 with an empty body;
//   - there was no connection error or timeout, and the server was alive at the
//     end and stopped cleanly on SIGTERM (within 10 s);
//   - (with --memory-check, the default from 100,000 requests) its resident size
//     (VmRSS, sampled from /proc/<pid>/status) grew by at most 10% from 25% of the
//     run to its end (the first quarter is warm-up: JIT, caches, pools).
//
//   node soak.mjs [--requests N] [--requests-for SERVER=N]... [--servers express-addon,fastapi,go]
//                 [--connections C] [--memory-check | --no-memory-check]
//
// --requests-for gives one server a longer run: the Go server's RSS takes about a
// million requests to settle (C allocations from many OS threads; measured flat from
// there to two million), so its 25%-to-end window must start after that.
//
// The mix, per 20 requests: 16 good (half POST /echo, half GET /hello), 2 with a
// tampered token, 1 with a tampered body, 1 garbage (no or junk authorization,
// junk body, a token replayed on another URL or with another body, ...). Each
// request's expected outcome is checked offline with the core first.

import autocannon from 'autocannon'
import { randomBytes } from 'node:crypto'

import { SERVERS, rssKiB, startServer } from './lib/servers.mjs'
import { accepted, headerValue, makeWorkload, openAnswer, referee } from './lib/workload.mjs'

function parseArgs (argv) {
  const options = { requests: 200_000, requestsFor: {}, servers: ['express-addon', 'fastapi', 'go'], connections: 16, memoryCheck: null }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--requests') options.requests = Number(argv[++i])
    else if (arg === '--servers') options.servers = argv[++i].split(',')
    else if (arg === '--requests-for') {
      const [name, count] = argv[++i].split('=')
      options.requestsFor[name] = Number(count)
    }
    else if (arg === '--connections') options.connections = Number(argv[++i])
    else if (arg === '--memory-check') options.memoryCheck = true
    else if (arg === '--no-memory-check') options.memoryCheck = false
    else throw new Error(`unknown argument ${arg}`)
  }
  options.memoryCheck ??= options.requests >= 100_000
  for (const s of options.servers) if (!SERVERS[s]) throw new Error(`unknown server ${s}`)
  return options
}

const options = parseArgs(process.argv.slice(2))
const OPEN_EVERY = 10
const RSS_EVERY_MS = 200
const MAX_GROWTH = 0.10
const SCHEDULE_LENGTH = 20_000

// ---- the schedule of requests ------------------------------------------------------

// A small deterministic generator, so a failing mix can be replayed.
function rng (seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6D2B79F5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function withChar (text, at, random) {
  let c
  do c = B64URL[Math.floor(random() * 64)]; while (c === text[at])
  return text.slice(0, at) + c + text.slice(at + 1)
}

function withHeaders (request, changes) {
  const headers = { ...request.headers }
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete headers[name]
    else headers[name] = value
  }
  return headers
}

function bad (kind, from, changes) {
  return { kind, client: from.client, method: from.method, path: from.path, headers: from.headers, body: from.body, ...changes }
}

// A token with one character of its signature changed (not the last two, whose
// low bits a decoder may ignore).
function tamperedToken (request, random) {
  const token = request.headers.authorization
  const at = 44 + Math.floor(random() * (token.length - 46))
  return bad('bad-token', request, { headers: withHeaders(request, { authorization: withChar(token, at, random) }) })
}

// A POST whose encrypted data has one character changed: a garbled block, so a
// decryption or a signature failure.
function tamperedBody (request, random) {
  const { data } = JSON.parse(request.body)
  const at = Math.floor(random() * (data.length - 2))
  return bad('bad-body', request, { body: JSON.stringify({ data: withChar(data, at, random) }) })
}

function garbage (workload, index, random) {
  const post = workload.posts[index % workload.posts.length]
  const get = workload.gets[index % workload.gets.length]
  const other = workload.posts[(index + 1) % workload.posts.length]
  const junkToken = Array.from({ length: 120 }, () => B64URL[Math.floor(random() * 64)]).join('')
  const variants = [
    () => bad('garbage', get, { headers: withHeaders(get, { authorization: undefined }) }),
    () => bad('garbage', post, { headers: withHeaders(post, { authorization: undefined }) }),
    () => bad('garbage', get, { headers: withHeaders(get, { authorization: junkToken }) }),
    () => bad('garbage', get, { headers: withHeaders(get, { authorization: `Bearer ${get.headers.authorization}` }) }),
    () => bad('garbage', get, { headers: withHeaders(get, { authorization: 'x'.repeat(400) }) }),
    () => bad('garbage', post, { body: 'this is not JSON' }),
    () => bad('garbage', post, { body: JSON.stringify({ data: '' }) }),
    () => bad('garbage', post, { body: JSON.stringify({ data: 'not base64url!' }) }),
    () => bad('garbage', post, { body: randomBytes(300).toString('base64') }),
    () => bad('garbage', get, { path: `${get.path}&replayed=1` }), // a signed GET replayed on another URL
    () => bad('garbage', post, { body: other.body }) // a token with another request's body
  ]
  return variants[index % variants.length]()
}

function makeSchedule (workload) {
  const random = rng(0x5eed)
  const court = referee(workload)
  const schedule = []
  // Good requests alternate POST and GET, each pool taken in turn.
  let picked = 0
  let posts = 0
  let gets = 0
  const nextGood = () => picked++ % 2 === 0
    ? workload.posts[posts++ % workload.posts.length]
    : workload.gets[gets++ % workload.gets.length]
  let bads = 0
  for (let i = 0; i < SCHEDULE_LENGTH; i++) {
    const slot = i % 20
    let item
    if (slot < 16) item = nextGood()
    else if (slot < 18) item = tamperedToken(nextGood(), random)
    else if (slot < 19) item = tamperedBody(workload.posts[bads % workload.posts.length], random)
    else item = garbage(workload, bads, random)
    if (slot >= 16) bads++
    // The expectation is the core's verdict, checked here without HTTP.
    if (accepted(court, item) !== (item.kind === 'good')) {
      throw new Error(`request ${i} (${item.kind} ${item.method} ${item.path}) is not what it should be`)
    }
    schedule.push(item)
  }
  // Shuffle within the cycle, so bad requests are not evenly spaced.
  for (let i = schedule.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[schedule[i], schedule[j]] = [schedule[j], schedule[i]]
  }
  return schedule
}

// ---- one server -----------------------------------------------------------------------

async function soak (name, workload, schedule) {
  const requests = options.requestsFor[name] ?? options.requests
  const server = await startServer(name, { secretKey: workload.serverSecret, host: workload.host })
  const counts = { good: 0, 'bad-token': 0, 'bad-body': 0, garbage: 0, opened: 0 }
  const failures = []
  const fail = message => { if (failures.push(message) > 20) failures.length = 20 }
  const rss = []
  let next = 0
  let goodSeen = 0
  const began = Date.now()
  const sample = () => {
    try {
      rss.push({ t: Date.now() - began, kib: rssKiB(server.pid) })
    } catch (err) {
      fail(`cannot read the RSS of ${name}: ${err.message}`)
    }
  }
  sample()
  const sampler = setInterval(sample, RSS_EVERY_MS)
  let result
  try {
    result = await autocannon({
      url: `http://127.0.0.1:${server.port}`,
      connections: options.connections,
      amount: requests,
      timeout: 30,
      requests: [{
        setupRequest (req, context) {
          const r = schedule[next++ % schedule.length]
          context.sent = r
          return { ...req, method: r.method, path: r.path, headers: r.headers, body: r.body }
        },
        onResponse (status, body, context, headers) {
          const r = context.sent
          counts[r.kind]++
          if (r.kind !== 'good') {
            if (status !== 401 || body !== '') fail(`${r.kind} ${r.method} ${r.path}: status ${status}, body ${JSON.stringify(body.slice(0, 60))} (expected 401, empty)`)
            return
          }
          if (status !== 200) return fail(`good ${r.method} ${r.path}: status ${status}`)
          if (++goodSeen % OPEN_EVERY !== 0) return
          try {
            const opened = openAnswer(workload, r, status, headers, body)
            if (opened !== r.expect) fail(`good ${r.method} ${r.path}: the answer opened to ${JSON.stringify(opened.slice(0, 60))}`)
            else counts.opened++
          } catch (err) {
            fail(`good ${r.method} ${r.path}: the answer does not open (${err.code ?? ''} ${err.message}); authorization ${headerValue(headers, 'authorization')}`)
          }
        }
      }]
    })
  } finally {
    clearInterval(sampler)
  }
  sample()
  const alive = server.child.exitCode === null && server.child.signalCode === null
  if (!alive) fail(`${name} died during the run:\n${server.stderr()}`)
  const exit = await server.stop()
  // Clean: exit status 0, or death by the SIGTERM itself (uvicorn re-raises it
  // after its graceful shutdown); not a crash, and not the SIGKILL of stop().
  const clean = exit.code === 0 || (exit.code === null && exit.signal === 'SIGTERM')
  if (alive && !clean) fail(`${name} did not stop cleanly on SIGTERM: ${JSON.stringify(exit)}\n${server.stderr()}`)
  const answered = counts.good + counts['bad-token'] + counts['bad-body'] + counts.garbage
  if (result.errors || result.timeouts) fail(`${result.errors} connection errors, ${result.timeouts} timeouts`)
  if (answered < requests) fail(`only ${answered} of ${requests} requests were answered`)

  const memory = rssGrowth(rss)
  if (options.memoryCheck && memory.growth > MAX_GROWTH) {
    fail(`RSS grew ${(memory.growth * 100).toFixed(1)}% from 25% of the run to its end (${memory.base} KiB -> max ${memory.max} KiB), over ${MAX_GROWTH * 100}%`)
  }
  return { name, counts, answered, seconds: result.duration, rps: answered / result.duration, p99: result.latency.p99, memory, failures }
}

// RSS at 25% of the run (the first sample from then on), the largest after it and
// the last; growth = largest / at-25% - 1.
function rssGrowth (samples) {
  const end = samples[samples.length - 1].t
  const from = samples.filter(s => s.t >= end * 0.25)
  const base = from[0].kib
  const max = Math.max(...from.map(s => s.kib))
  const at = q => samples.find(s => s.t >= end * q).kib
  return { start: samples[0].kib, base, max, end: samples[samples.length - 1].kib, growth: max / base - 1, samples: samples.length, quartiles: [0.25, 0.5, 0.75, 1].map(at) }
}

// ---- run ------------------------------------------------------------------------------

const started = Date.now()
const workload = makeWorkload()
const schedule = makeSchedule(workload)
const share = kind => (schedule.filter(r => r.kind === kind).length / schedule.length * 100).toFixed(0)
console.log(`soak: ${options.servers.map(s => `${s} ${options.requestsFor[s] ?? options.requests}`).join(', ')} requests, ${options.connections} connections; mix ${share('good')}% good, ${share('bad-token')}% tampered token, ${share('bad-body')}% tampered body, ${share('garbage')}% garbage (${schedule.length} distinct, each checked offline); memory check ${options.memoryCheck ? 'on' : 'off'}`)

const reports = []
for (const name of options.servers) {
  const report = await soak(name, workload, schedule)
  reports.push(report)
  const m = report.memory
  console.log(`${name}: ${report.answered} answered in ${report.seconds.toFixed(1)} s (${report.rps.toFixed(0)} req/s, p99 ${report.p99} ms); good 200: ${report.counts.good} (${report.counts.opened} opened and checked); 401 empty: ${report.answered - report.counts.good}; RSS ${m.start} at start, ${m.quartiles.join(' / ')} KiB at 25/50/75/100%, max after 25% ${m.max} KiB, growth after 25%: ${(m.growth * 100).toFixed(1)}%${report.failures.length ? '  FAILED' : '  ok'}`)
  for (const f of report.failures) console.log(`    ${f}`)
}

console.log('\n| server | requests | req/s | p99 ms | good -> 200 (opened) | bad -> 401 empty | RSS at 25% | RSS max after | RSS end | growth |')
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const r of reports) {
  const m = r.memory
  console.log(`| ${SERVERS[r.name].label} | ${r.answered} | ${r.rps.toFixed(0)} | ${r.p99} | ${r.counts.good} (${r.counts.opened}) | ${r.answered - r.counts.good} | ${(m.base / 1024).toFixed(1)} MiB | ${(m.max / 1024).toFixed(1)} MiB | ${(m.end / 1024).toFixed(1)} MiB | ${(m.growth * 100).toFixed(1)}% |`)
}
const failed = reports.some(r => r.failures.length)
console.log(`\nsoak ${failed ? 'FAILED' : 'passed'} (${((Date.now() - started) / 1000).toFixed(0)} s)`)
if (failed) process.exitCode = 1
