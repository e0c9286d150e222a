// Padding-oracle timing (issue 8): does a server take longer, or shorter, to
// reject a POST whose ciphertext does not decrypt (bad padding) than one that
// decrypts but whose signature fails? The core runs the signature check on a
// decryption failure too, so the two should cost the same. Measured through the
// addon's server authenticate (NativeServer.authenticateSync, the call the Express
// middleware makes), both kinds interleaved in random order; prints the means, the
// difference with a 95% confidence interval (Welch), and medians.
//
//   node oracle.mjs [--samples N]    (N per kind, default 20000)
//
// Both kinds are made from the same valid requests, same length, same token:
//   decrypt failure:   the last byte of the next-to-last ciphertext block XOR 0x80,
//                      so the last block's padding byte becomes > 16 (never valid);
//   signature failure: one IV byte changed, so the first plaintext block changes,
//                      the padding stays valid, and the signature no longer holds.

import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'

import { NODE_PACKAGE_DIR } from './lib/paths.mjs'

const require = createRequire(import.meta.url)
const native = require(path.join(NODE_PACKAGE_DIR, 'lib', 'native.js'))
const { CORE_BACKEND } = require(NODE_PACKAGE_DIR)

const argv = process.argv.slice(2)
const SAMPLES = argv[0] === '--samples' ? Number(argv[1]) : 20_000
const HOST = 'http://oracle.test'
const CLIENTS = 64

const serverSecret = randomBytes(32).toString('hex')
const server = new native.NativeServer(serverSecret, HOST)
const serverPub = native.publicKeyOf(serverSecret).toString('hex')

function outcome (request) {
  try {
    server.authenticateSync('POST', '/echo', request.authorization, request.body)
    return 'accepted'
  } catch (err) {
    return err.code
  }
}

function variants (payload) {
  return Array.from({ length: CLIENTS }, (_, i) => {
    const client = new native.NativeClient(serverPub, randomBytes(32).toString('hex'), HOST)
    const prepared = client.prepareSync('POST', '/echo', payload)
    const raw = Buffer.from(JSON.parse(prepared.body).data, 'base64url')
    const withRaw = bytes => ({ authorization: prepared.headers.authorization, body: Buffer.from(JSON.stringify({ data: bytes.toString('base64url') })) })
    const padding = Buffer.from(raw)
    padding[padding.length - 17] ^= 0x80
    const signature = Buffer.from(raw)
    signature[i % 16] ^= 0x01
    const valid = withRaw(raw)
    const decrypt = withRaw(padding)
    const sig = withRaw(signature)
    // Each request is what it is meant to be, by the core's own verdict.
    if (outcome(valid) !== 'accepted') throw new Error('the valid request is rejected')
    if (outcome(decrypt) !== 'decrypt_failed') throw new Error(`the padding-broken request gives ${outcome(decrypt)}`)
    if (outcome(sig) !== 'invalid_signature') throw new Error(`the IV-changed request gives ${outcome(sig)}`)
    return { valid, decrypt, sig }
  })
}

function timeOne (request) {
  const start = process.hrtime.bigint()
  try {
    server.authenticateSync('POST', '/echo', request.authorization, request.body)
  } catch {}
  return Number(process.hrtime.bigint() - start) / 1e3
}

function stats (xs) {
  const n = xs.length
  const mean = xs.reduce((a, b) => a + b, 0) / n
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)
  const sorted = [...xs].sort((a, b) => a - b)
  return { n, mean, variance, median: sorted[Math.floor(n / 2)], p99: sorted[Math.floor(n * 0.99)] }
}

// Without the slowest 10% of each kind: preemption on a shared machine adds
// outliers of up to milliseconds that say nothing about the code.
const KEEP = 0.9
function trimmed (xs) {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted.slice(0, Math.floor(sorted.length * KEEP))
}

function welch (a, b) {
  const diff = a.mean - b.mean
  const se = Math.sqrt(a.variance / a.n + b.variance / b.n)
  return { diff, low: diff - 1.96 * se, high: diff + 1.96 * se }
}

const fmt = x => x.toFixed(2)
console.log(`padding-oracle timing through the addon's server authenticate (backend ${CORE_BACKEND}), ${SAMPLES} samples per kind, interleaved at random; ${os.cpus().length} CPUs, load average ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`)
console.log('| payload | kind | mean µs | median µs | p99 µs | mean µs (fastest 90%) |')
console.log('|---|---|---:|---:|---:|---:|')
const summary = []
for (const [label, size] of [['32 B', 32], ['1 KiB', 1024]]) {
  const requests = variants(JSON.stringify({ note: 'x'.repeat(Math.max(0, size - 11)) }))
  const times = { valid: [], decrypt: [], sig: [] }
  const kinds = ['valid', 'decrypt', 'sig']
  for (let i = 0; i < 2000; i++) timeOne(requests[i % CLIENTS][kinds[i % 3]]) // warm-up
  // SAMPLES of each kind, in a random order.
  const order = kinds.flatMap(kind => Array(SAMPLES).fill(kind))
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  order.forEach((kind, i) => times[kind].push(timeOne(requests[i % CLIENTS][kind])))
  const names = { valid: 'valid (accepted)', decrypt: 'decrypt failure', sig: 'signature failure' }
  const all = {}
  for (const kind of kinds) {
    const s = stats(times[kind])
    const t = stats(trimmed(times[kind]))
    all[kind] = { s, t }
    console.log(`| ${label} | ${names[kind]} | ${fmt(s.mean)} | ${fmt(s.median)} | ${fmt(s.p99)} | ${fmt(t.mean)} |`)
  }
  summary.push({ label, raw: welch(all.decrypt.s, all.sig.s), cut: welch(all.decrypt.t, all.sig.t), median: all.decrypt.s.median - all.sig.s.median, sig: all.sig.s.mean })
}
console.log('\n| payload | decrypt - signature failure, mean (95% CI) | same, fastest 90% (95% CI) | difference of medians | relative (fastest 90%) |')
console.log('|---|---:|---:|---:|---:|')
for (const s of summary) {
  console.log(`| ${s.label} | ${fmt(s.raw.diff)} µs [${fmt(s.raw.low)}, ${fmt(s.raw.high)}] | ${fmt(s.cut.diff)} µs [${fmt(s.cut.low)}, ${fmt(s.cut.high)}] | ${fmt(s.median)} µs | ${(s.cut.diff / s.sig * 100).toFixed(1)}% |`)
}
