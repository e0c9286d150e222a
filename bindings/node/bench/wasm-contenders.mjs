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

/** Median ops/s of each contender over interleaved rounds, and the wasm ratios. */
export async function compare (api, { rounds = 7, roundMs = 150 } = {}) {
  const sender = api.generateKeyPair()
  const receiver = api.generateKeyPair()
  const payload = { id: 8018, name: 'invoice', lines: [{ sku: 'A-1', qty: 2, price: 1250 }], note: 'café' }
  const { token, data } = new api.CryptoSession(receiver.publicKey, sender.secretKey).encodeSync(payload)
  const all = await contenders(api, sender, receiver)
  for (const c of all) {
    const out = await c.decode(token.encoded, data)
    if (!out.isValid || JSON.stringify(out.data) !== JSON.stringify(payload)) throw new Error(`${c.name} does not decode the payload`)
  }
  const samples = Object.fromEntries(all.map(c => [c.name, []]))
  for (let r = 0; r < rounds; r++) {
    for (const c of all) {
      let n = 0
      const start = performance.now()
      let elapsed = 0
      while ((elapsed = performance.now() - start) < roundMs) {
        await c.decode(token.encoded, data)
        n++
      }
      samples[c.name].push(n / (elapsed / 1000))
    }
  }
  const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const opsPerSecond = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))
  return {
    opsPerSecond,
    ratios: {
      'wasm / reference': opsPerSecond.wasm / opsPerSecond.reference,
      'wasm / noble+WebCrypto': opsPerSecond.wasm / opsPerSecond['noble+WebCrypto']
    }
  }
}

export function report (where, result) {
  const lines = [`decode + verify, v1, known peer, ${where}:`]
  for (const [k, v] of Object.entries(result.opsPerSecond)) lines.push(`  ${k.padEnd(16)} ${v.toFixed(0).padStart(8)} ops/s  ${(1e6 / v).toFixed(1).padStart(8)} µs/op`)
  for (const [k, v] of Object.entries(result.ratios)) lines.push(`  ${k.padEnd(24)} ${v.toFixed(1)}x`)
  lines.push(`  target wasm >= 10x reference: ${result.ratios['wasm / reference'] >= 10 ? 'met' : 'NOT met'}`)
  return lines.join('\n')
}
