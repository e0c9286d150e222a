// v1 decode + verify (a known peer: the ECDH is done once per session) on three
// stacks, for any runtime (Node and a Chromium page; bench/wasm-compare.mjs):
//   wasm       this package's WebAssembly build (CryptoSession.decodeSync)
//   reference  the reference's crypto stack as it runs in a browser: tests/interop/
//              js-peer/reference-stack.mjs (@cmdcode/crypto-utils 1.8.4 + buff-utils)
//   noble      @noble/curves secp256k1 (ECDH, DER verify) + WebCrypto (AES-CBC, SHA-256)
// Each decode checks the signature and revives the JSON; every contender must say
// `isValid` on the same token and data before it is timed.
import { secp256k1 } from '@noble/curves/secp256k1.js'
import * as reference from '../../../tests/interop/js-peer/reference-stack.mjs'

const unhex = text => Uint8Array.from(text.match(/../g), h => parseInt(h, 16))
const utf8 = new TextDecoder()

function b64url (text) {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - text.length % 4) % 4))
  return Uint8Array.from(bin, c => c.charCodeAt(0))
}

async function nobleSession (peerHex, secretHex) {
  const peer = unhex(peerHex)
  const shared = secp256k1.getSharedSecret(unhex(secretHex), peer, true).slice(1)
  const key = await crypto.subtle.importKey('raw', shared, 'AES-CBC', false, ['decrypt'])
  return async (token, data) => {
    const raw = b64url(data)
    const plaintext = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv: raw.subarray(0, 16) }, key, raw.subarray(16)))
    const tok = b64url(token)
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', plaintext))
    const signer = tok.subarray(0, 33)
    const isValid = signer.every((b, i) => b === peer[i]) &&
      secp256k1.verify(tok.subarray(33), digest, signer, { prehash: false, format: 'der' })
    return { data: JSON.parse(utf8.decode(plaintext)), isValid }
  }
}

/** [{ name, decode(token, data) -> Promise<{ isValid }> }] for one sender/receiver. */
export async function contenders (api, sender, receiver) {
  const wasm = new api.CryptoSession(sender.publicKey, receiver.secretKey)
  const ref = new reference.CryptoSession(sender.publicKey, receiver.secretKey)
  const noble = await nobleSession(sender.publicKey, receiver.secretKey)
  return [
    { name: 'wasm', decode: async (t, d) => wasm.decodeSync(t, d) },
    { name: 'reference', decode: (t, d) => ref.decode(t, d) },
    { name: 'noble+WebCrypto', decode: noble }
  ]
}

const PAYLOAD = { id: 8018, name: 'invoice', lines: [{ sku: 'A-1', qty: 2, price: 1250 }], note: 'café' }

/** A sender, a receiver and one message from the former to the latter. */
function exchange (api) {
  const sender = api.generateKeyPair()
  const receiver = api.generateKeyPair()
  const { token, data } = new api.CryptoSession(receiver.publicKey, sender.secretKey).encodeSync(PAYLOAD)
  return { sender, receiver, token: token.encoded, data }
}

// The process's CPU time in µs, where the runtime tells it (Node: all its threads,
// WebCrypto's included): on a loaded machine the wall clock counts other jobs' time.
const cpuMicros = globalThis.process?.cpuUsage ? () => { const u = process.cpuUsage(); return u.user + u.system } : null
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/**
 * The median µs per call of each `{ name: run }` over interleaved rounds: `wall`,
 * and `cpu` (process CPU time) where the runtime tells it, else null.
 */
async function timed (runs, { rounds, roundMs }) {
  const wall = Object.fromEntries(Object.keys(runs).map(k => [k, []]))
  const cpu = Object.fromEntries(Object.keys(runs).map(k => [k, []]))
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(runs)) {
      let n = 0
      const cpu0 = cpuMicros?.()
      const start = performance.now()
      let elapsed = 0
      while ((elapsed = performance.now() - start) < roundMs) {
        await run()
        n++
      }
      wall[name].push(elapsed * 1000 / n)
      if (cpuMicros) cpu[name].push((cpuMicros() - cpu0) / n)
    }
  }
  const medians = samples => Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))
  return { wall: medians(wall), cpu: cpuMicros ? medians(cpu) : null }
}

/** Median ops/s of each contender over interleaved rounds, and the wasm ratios. */
export async function compare (api, { rounds = 15, roundMs = 100 } = {}) {
  const { sender, receiver, token, data } = exchange(api)
  const all = await contenders(api, sender, receiver)
  for (const c of all) {
    const out = await c.decode(token, data)
    if (!out.isValid || JSON.stringify(out.data) !== JSON.stringify(PAYLOAD)) throw new Error(`${c.name} does not decode the payload`)
  }
  const { wall, cpu } = await timed(Object.fromEntries(all.map(c => [c.name, () => c.decode(token, data)])), { rounds, roundMs })
  const perSecond = micros => Object.fromEntries(Object.entries(micros).map(([k, v]) => [k, 1e6 / v]))
  const ratios = ops => ({
    'wasm / reference': ops.wasm / ops.reference,
    'wasm / noble+WebCrypto': ops.wasm / ops['noble+WebCrypto']
  })
  const opsPerSecond = perSecond(wall)
  const cpuOpsPerSecond = cpu && perSecond(cpu)
  return { opsPerSecond, ratios: ratios(opsPerSecond), cpuOpsPerSecond, cpuRatios: cpu && ratios(cpuOpsPerSecond) }
}

/**
 * Where the time of one decode goes, in µs per call (medians of interleaved rounds):
 * the decryption and the signature check apart, for the WebAssembly build (through
 * the facade and on the glue's NativeSession directly) and for the reference stack.
 */
export async function breakdown (api, { rounds = 5, roundMs = 100 } = {}) {
  const { sender, receiver, token, data } = exchange(api)
  const wasm = new api.CryptoSession(sender.publicKey, receiver.secretKey)
  const glue = api.CryptoSession.nativeOf(wasm)
  const ref = new reference.CryptoSession(sender.publicKey, receiver.secretKey)
  const raw = b64url(data)
  const plaintext = await ref.decrypt(data)
  const parts = {
    'wasm decodeSync (facade)': () => wasm.decodeSync(token, data),
    'wasm decodeSync (glue)': () => glue.decodeSync(token, data),
    'wasm decrypt (glue)': () => glue.decrypt(raw),
    'wasm verify (glue)': () => glue.verify(token, plaintext),
    'reference decode': () => ref.decode(token, data),
    'reference decrypt': () => ref.decrypt(data),
    'reference verify': () => ref.verify(token, plaintext)
  }
  for (const [name, run] of Object.entries(parts)) {
    const out = await run()
    if (out === false || out?.isValid === false) throw new Error(`${name} does not verify`)
  }
  return (await timed(parts, { rounds, roundMs })).wall
}

export function reportBreakdown (where, micros) {
  return [`where the time goes, ${where} (µs per call):`,
    ...Object.entries(micros).map(([k, v]) => `  ${k.padEnd(26)} ${v.toFixed(1).padStart(9)}`)].join('\n')
}

export function report (where, result) {
  const lines = [`decode + verify, v1, known peer, ${where} (wall clock):`]
  for (const [k, v] of Object.entries(result.opsPerSecond)) lines.push(`  ${k.padEnd(16)} ${v.toFixed(0).padStart(8)} ops/s  ${(1e6 / v).toFixed(1).padStart(8)} µs/op`)
  for (const [k, v] of Object.entries(result.ratios)) lines.push(`  ${k.padEnd(24)} ${v.toFixed(1)}x`)
  if (result.cpuOpsPerSecond) {
    lines.push('  by process CPU time:')
    for (const [k, v] of Object.entries(result.cpuOpsPerSecond)) lines.push(`  ${k.padEnd(16)} ${v.toFixed(0).padStart(8)} ops/s  ${(1e6 / v).toFixed(1).padStart(8)} µs/op`)
    for (const [k, v] of Object.entries(result.cpuRatios)) lines.push(`  ${k.padEnd(24)} ${v.toFixed(1)}x`)
  }
  const met = ratios => ratios['wasm / reference'] >= 10 ? 'met' : 'NOT met'
  lines.push(`  target wasm >= 10x reference: ${met(result.ratios)} (wall clock)` + (result.cpuRatios ? `, ${met(result.cpuRatios)} (CPU time)` : ''))
  return lines.join('\n')
}
