// The addon against two pure-JS implementations of protocol v1, in one process,
// same keys, same requests (issue 7, Node): the reference's own crypto stack
// (@cmdcode/crypto-utils + buff-utils) and the `secp256k1` npm package +
// node:crypto. Both live in tests/interop/js-peer and are imported, not copied.
//
//   node bench/compare.mjs [--addon NAME=FILE]... [--rounds N] [--round-ms MS] [--quick]
//
// Each --addon is a compiled crypto-sessions.node (e.g. one per core backend); the
// package's facade (index.js) is loaded once over each, so what is timed is what a
// user calls. Without --addon, the package's own crypto-sessions.node is used.
// Every addon runs three ways: `sync` (on the calling thread: threadPool: false,
// encodeSync), `pool` (napi AsyncTask on the libuv pool, the servers' default) one
// operation at a time, and `pool x8` (eight in flight, as a server under load).
// Rounds interleave the contenders so that a busy machine slows them alike; the
// figures per contender are medians over rounds of wall time and of the process's
// CPU time per operation, and the ratios (how many times faster than each JS stack)
// come from the same run. The speed targets of issue 7 are judged on `sync`, which
// runs on one thread like both JS stacks.
//
// Decode = a POST authenticated by a server (`authenticate` of the addon's
// CryptoAuth, of the JS stacks' SessionServer): token check, JSON body, base64url,
// AES-CBC, signature, revived payload. Every server has a 4096-peer session cache
// (the addon's default; the JS stacks are given the same), so a "known peer" skips
// the ECDH and a "new peer" (a client never seen) does not.

import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)
const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ADDON_PATH = path.join(PKG, 'crypto-sessions.node')
const JS_PEER = path.resolve(PKG, '..', '..', 'tests', 'interop', 'js-peer')

// ---- options ------------------------------------------------------------------

function parseArgs (argv) {
  const options = { addons: [], rounds: 15, roundMs: 60 }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--addon') {
      const spec = argv[++i] ?? ''
      const at = spec.indexOf('=')
      if (at < 1) throw new Error(`--addon wants NAME=FILE, got ${JSON.stringify(spec)}`)
      options.addons.push({ name: spec.slice(0, at), file: path.resolve(spec.slice(at + 1)) })
    } else if (arg === '--rounds') {
      options.rounds = Number(argv[++i])
    } else if (arg === '--round-ms') {
      options.roundMs = Number(argv[++i])
    } else if (arg === '--quick') {
      options.rounds = 3
      options.roundMs = 30
    } else {
      throw new Error(`unknown argument ${arg}`)
    }
  }
  if (options.addons.length === 0) options.addons.push({ name: 'addon', file: ADDON_PATH })
  return options
}

const options = parseArgs(process.argv.slice(2))

// ---- the contenders -------------------------------------------------------------

// The package's facade over one compiled addon. lib/native.js requires
// <package>/crypto-sessions.node; that module-cache entry is pointed at the given
// file, and the facade's own modules are loaded afresh, so several addons (one per
// backend) run side by side in this process.
function facadeOver (file) {
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(PKG + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key]
  }
  const addon = { exports: {} }
  process.dlopen(addon, file)
  require.cache[ADDON_PATH] = { id: ADDON_PATH, filename: ADDON_PATH, loaded: true, exports: addon.exports, children: [], paths: [] }
  try {
    return { facade: require(path.join(PKG, 'index.js')), native: addon.exports }
  } finally {
    for (const key of Object.keys(require.cache)) {
      if (key.startsWith(PKG + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key]
    }
  }
}

const reference = await import(pathToFileURL(path.join(JS_PEER, 'reference-stack.mjs')))
const nativeStack = await import(pathToFileURL(path.join(JS_PEER, 'native-stack.mjs')))

const HOST = 'http://bench.local'
const SESSION_CACHE = 4096 // the addon's default; the JS stacks get the same
const quiet = { warn () {}, error () {} }
// Operations in flight for the pool's throughput row (a server with concurrent requests).
const POOL_IN_FLIGHT = 8

const serverSecret = randomBytes(32).toString('hex')
const facades = options.addons.map(a => ({ ...a, ...facadeOver(a.file) }))
// Requests are prepared with the first addon's client (any correct client would do).
const tools = facades[0].facade
const nativeClient = facades[0].native
const serverPub = tools.getPublicKey(serverSecret).hex

// A contender: its name, what kind it is (for the ratios) and its operations.
function addonContender (name, facade, threadPool, inFlight = 1) {
  const auth = facade.createCryptoAuth({ secretKey: serverSecret, host: HOST, logger: quiet, threadPool })
  return {
    name: `${name} ${threadPool ? 'pool' : 'sync'}${inFlight > 1 ? ` x${inFlight}` : ''}`,
    kind: 'addon',
    addon: name,
    threadPool,
    inFlight,
    authenticate: (method, target, authorization, body) => auth.authenticate({ method, target, authorization, body }),
    payloadOf: result => Buffer.from(result.plaintext),
    session: (peer, secret) => new facade.CryptoSession(peer, secret),
    encode: threadPool ? (session, payload) => session.encode(payload) : (session, payload) => session.encodeSync(payload),
    tokenOf: encoded => String(encoded.token)
  }
}

function jsContender (name, stack) {
  const server = new stack.SessionServer(serverSecret, HOST, { sessionCache: SESSION_CACHE })
  return {
    name,
    kind: name,
    inFlight: 1,
    authenticate: (method, target, authorization, body) => server.authenticate(method, target, authorization, body),
    payloadOf: result => Buffer.from(result.payload),
    session: (peer, secret) => new stack.CryptoSession(peer, secret),
    encode: (session, payload) => session.encode(payload),
    tokenOf: encoded => String(encoded.token)
  }
}

const contenders = [
  ...facades.flatMap(({ name, facade }) => [
    addonContender(name, facade, false),
    addonContender(name, facade, true),
    addonContender(name, facade, true, POOL_IN_FLIGHT)
  ]),
  jsContender('native-stack', nativeStack),
  jsContender('reference-stack', reference)
]

// ---- workloads ----------------------------------------------------------------------

const SIZES = [['32 B', 32], ['1 KiB', 1024], ['64 KiB', 64 * 1024]]

// A JSON payload of exactly `size` bytes (a realistic body: an object with text).
function jsonPayload (size) {
  const shell = JSON.stringify({ id: 7, note: '' })
  return JSON.stringify({ id: 7, note: 'x'.repeat(Math.max(0, size - shell.length)) })
}

function newClient () {
  return new nativeClient.NativeClient(serverPub, randomBytes(32).toString('hex'), HOST)
}

function toRequest (prepared) {
  const url = new URL(prepared.url)
  return {
    method: prepared.method,
    target: url.pathname + url.search,
    authorization: prepared.headers.authorization,
    body: prepared.body === undefined || prepared.body === null ? null : Buffer.from(prepared.body)
  }
}

// `count` POSTs of `payload` from `clients` known clients, each request distinct.
function knownPosts (payload, clients, count) {
  const known = Array.from({ length: clients }, newClient)
  return Array.from({ length: count }, (_, i) => toRequest(known[i % clients].prepareSync('POST', `/api/items?r=${i}`, payload)))
}

const KNOWN_CLIENTS = 16
// More distinct GETs than the addon's verified-triple cache holds (4096), visited in
// a cycle: every one is a miss, so each costs a signature check as in the JS stacks.
const DISTINCT_GETS = 8192

const gets = (() => {
  const known = Array.from({ length: KNOWN_CLIENTS }, newClient)
  return Array.from({ length: DISTINCT_GETS }, (_, i) => toRequest(known[i % KNOWN_CLIENTS].prepareSync('GET', `/api/items?page=${i}`)))
})()
const polledGet = gets[0]

async function checkAuthenticated (contender, request, expected) {
  const result = await contender.authenticate(request.method, request.target, request.authorization, request.body)
  if (expected !== undefined && !contender.payloadOf(result).equals(Buffer.from(expected))) {
    throw new Error(`${contender.name}: the decoded payload differs from what was sent`)
  }
}

// A case: a title, a group for the summary, and for each contender a function
// `prepare(n)` giving the operation `op(i)` for i < n (the inputs of a round are
// made before its clock starts).
function postCase (label, payload) {
  const pool = knownPosts(payload, KNOWN_CLIENTS, 512)
  return {
    title: `decode POST ${label}, known peer (server authenticate)`,
    group: 'decode-known',
    size: label,
    async check (c) {
      for (const r of pool.slice(0, KNOWN_CLIENTS)) await checkAuthenticated(c, r, payload)
    },
    prepare: c => {
      let next = 0 // runs on across rounds
      return () => () => {
        const r = pool[next++ % pool.length]
        return c.authenticate(r.method, r.target, r.authorization, r.body)
      }
    }
  }
}

function newPeerPostCase (label, payload) {
  return {
    title: `decode POST ${label}, new peer (ECDH + decrypt + verify)`,
    group: 'decode-new',
    size: label,
    async check (c) {
      for (const r of knownPosts(payload, 2, 2)) await checkAuthenticated(c, r, payload)
    },
    prepare: c => n => {
      // Every request from a client the server has never seen.
      const fresh = Array.from({ length: n }, (_, i) => toRequest(newClient().prepareSync('POST', `/api/items?r=${i}`, payload)))
      return i => {
        const r = fresh[i]
        return c.authenticate(r.method, r.target, r.authorization, r.body)
      }
    }
  }
}

const getCase = {
  title: `verify GET, known peer, ${DISTINCT_GETS} distinct signed URLs (server authenticate)`,
  group: 'verify',
  size: '',
  async check (c) {
    for (const r of gets.slice(0, KNOWN_CLIENTS)) await checkAuthenticated(c, r)
  },
  prepare: c => {
    let next = 0 // runs on across rounds: the cycle is longer than the cache
    return () => () => {
      const r = gets[next++ % gets.length]
      return c.authenticate(r.method, r.target, r.authorization, null)
    }
  }
}

const polledGetCase = {
  title: 'verify GET, the same signed URL again (a polling client: the addon\'s verified-triple cache; the JS stacks verify each time)',
  group: 'verify-polled',
  size: '',
  async check (c) { await checkAuthenticated(c, polledGet) },
  prepare: c => () => () => c.authenticate(polledGet.method, polledGet.target, polledGet.authorization, null)
}

// Encode as a client or a server answering does: sign + encrypt.
function encodeCase (label, payload) {
  const peerSecret = randomBytes(32).toString('hex')
  const peerPub = tools.getPublicKey(peerSecret).hex
  const checker = new nativeStack.CryptoSession(tools.getPublicKey(serverSecret).hex, peerSecret)
  return {
    title: `encode ${label}, known peer (sign + encrypt)`,
    group: 'encode-known',
    size: label,
    async check (c) {
      const encoded = await c.encode(c.session(peerPub, serverSecret), payload)
      if (!checker.open(c.tokenOf(encoded), encoded.data).equals(Buffer.from(payload))) throw new Error(`${c.name}: encode does not round-trip`)
    },
    prepare: c => {
      const session = c.session(peerPub, serverSecret)
      return () => () => c.encode(session, payload)
    }
  }
}

function newPeerEncodeCase (label, payload) {
  return {
    title: `encode ${label}, new peer (session with ECDH + sign + encrypt)`,
    group: 'encode-new',
    size: label,
    async check () {},
    prepare: c => n => {
      const peers = Array.from({ length: n }, () => tools.getPublicKey(randomBytes(32).toString('hex')).hex)
      return i => c.encode(c.session(peers[i], serverSecret), payload)
    }
  }
}

const cases = [
  ...SIZES.map(([label, size]) => postCase(label, jsonPayload(size))),
  newPeerPostCase('1 KiB', jsonPayload(1024)),
  getCase,
  polledGetCase,
  ...SIZES.map(([label, size]) => encodeCase(label, jsonPayload(size))),
  newPeerEncodeCase('1 KiB', jsonPayload(1024))
]

// ---- timing ---------------------------------------------------------------------------

// Per operation over n operations, `inFlight` at a time: wall-clock µs, and CPU µs
// of this process (every thread: the event loop, the libuv pool, GC), which a
// busy machine inflates far less than wall time.
async function timeOps (makeOp, n, inFlight) {
  const op = makeOp(n)
  let next = 0
  const worker = async () => {
    while (next < n) await op(next++)
  }
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker))
  const wall = Number(process.hrtime.bigint() - start) / 1e3 / n
  const used = process.cpuUsage(cpu)
  return { wall, cpu: (used.user + used.system) / n }
}

// How many operations fill a round: grow until one batch takes 20 ms, then scale.
async function calibrate (makeOp, inFlight, roundMs) {
  let n = 1
  for (;;) {
    const { wall } = await timeOps(makeOp, n, inFlight)
    if (wall * n >= 20_000 || n >= 1 << 16) return Math.max(1, Math.min(1 << 16, Math.round((roundMs * 1000) / wall)))
    n *= 4
  }
}

const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function runCase (benchCase) {
  const entries = []
  for (const c of contenders) {
    await benchCase.check(c)
    const makeOp = benchCase.prepare(c)
    entries.push({ contender: c, makeOp, n: await calibrate(makeOp, c.inFlight, options.roundMs), samples: [] })
  }
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order each round so no contender always runs first.
    for (let k = 0; k < entries.length; k++) {
      const e = entries[(k + round) % entries.length]
      e.samples.push(await timeOps(e.makeOp, e.n, e.contender.inFlight))
    }
  }
  return entries.map(e => ({
    name: e.contender.name,
    kind: e.contender.kind,
    contender: e.contender,
    us: median(e.samples.map(x => x.wall)),
    cpu: median(e.samples.map(x => x.cpu))
  }))
}

// ---- report -------------------------------------------------------------------------------

const fmt = (x, digits = 1) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const results = []

console.log(`crypto-sessions compare: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`)
console.log(`addons: ${facades.map(f => `${f.name} (core ${f.facade.CORE_VERSION})`).join(', ')}; ${options.rounds} interleaved rounds of ~${options.roundMs} ms per contender, medians`)
console.log('sync: on the calling thread; pool: napi AsyncTask, one at a time; pool x8: eight in flight (a server\'s concurrency)')
console.log('wall: µs per operation; CPU: µs of CPU per operation (all threads); "vs" columns: how many times faster than that JS stack\n')

for (const benchCase of cases) {
  const rows = await runCase(benchCase)
  const ref = rows.find(r => r.kind === 'reference-stack')
  const nat = rows.find(r => r.kind === 'native-stack')
  console.log(`### ${benchCase.title}`)
  console.log('| contender | wall µs | CPU µs | ops/s | vs reference (wall / CPU) | vs native-stack (wall / CPU) |')
  console.log('|---|---:|---:|---:|---:|---:|')
  for (const r of rows) {
    console.log(`| ${r.name} | ${fmt(r.us)} | ${fmt(r.cpu)} | ${fmt(1e6 / r.us, 0)} | ${fmt(ref.us / r.us, 1)}x / ${fmt(ref.cpu / r.cpu, 1)}x | ${fmt(nat.us / r.us, 2)}x / ${fmt(nat.cpu / r.cpu, 2)}x |`)
  }
  console.log('')
  results.push({ ...benchCase, rows, ref, nat })
}

// Targets of issue 7: addon decode >= 30x the reference stack and >= 1.5x the
// secp256k1-npm route (decode = a POST authenticated by a server), judged on the
// like-for-like rows: the addon on the calling thread, as both JS stacks run.
console.log('### targets: decode of a POST at the server, addon on the calling thread (sync)')
console.log('| addon | case | vs reference-stack >= 30x (wall / CPU) | vs native-stack >= 1.5x (wall / CPU) | met |')
console.log('|---|---|---:|---:|---|')
const verdicts = {}
for (const r of results.filter(x => x.group === 'decode-known' || x.group === 'decode-new')) {
  for (const row of r.rows.filter(x => x.kind === 'addon' && !x.contender.threadPool)) {
    const vsRef = [r.ref.us / row.us, r.ref.cpu / row.cpu]
    const vsNat = [r.nat.us / row.us, r.nat.cpu / row.cpu]
    const met = Math.min(...vsRef) >= 30 && Math.min(...vsNat) >= 1.5
    verdicts[row.contender.addon] = (verdicts[row.contender.addon] ?? true) && met
    console.log(`| ${row.name} | ${r.group === 'decode-new' ? 'new peer' : 'known peer'} ${r.size} | ${fmt(vsRef[0], 1)}x / ${fmt(vsRef[1], 1)}x | ${fmt(vsNat[0], 2)}x / ${fmt(vsNat[1], 2)}x | ${met ? 'yes' : 'NO'} |`)
  }
}
for (const [addon, met] of Object.entries(verdicts)) console.log(`\n${addon}: decode targets ${met ? 'met in every case' : 'NOT met in every case'}`)

if (facades.length > 1) {
  const [a, b] = facades.map(f => f.name)
  console.log(`\n### backends: ${a} against ${b} (same facade, on the calling thread)`)
  console.log(`| case | ${a} wall µs | ${b} wall µs | ${a} faster by (wall / CPU) |`)
  console.log('|---|---:|---:|---:|')
  for (const r of results) {
    const ra = r.rows.find(x => x.name === `${a} sync`)
    const rb = r.rows.find(x => x.name === `${b} sync`)
    console.log(`| ${r.title.replace(/ \(.*\)$/, '')} | ${fmt(ra.us)} | ${fmt(rb.us)} | ${fmt(rb.us / ra.us, 2)}x / ${fmt(rb.cpu / ra.cpu, 2)}x |`)
  }
}
