// Test support: the vector file and the two stacks under test.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

import * as reference from '../reference-stack.mjs'
import * as native from '../native-stack.mjs'

export const STACKS = [
  { name: 'reference-stack', ...reference },
  { name: 'native-stack', ...native }
]

/** The vector file: CRYPTO_SESSIONS_VECTORS, else the copy in tests/vectors. */
export const VECTORS_PATH = process.env.CRYPTO_SESSIONS_VECTORS ||
  fileURLToPath(new URL('../../../vectors/reference-1.1.10.json', import.meta.url))

let cached
function vectors () {
  // Read on first use so an unreadable file fails the tests that need it, loudly.
  cached ??= JSON.parse(readFileSync(VECTORS_PATH, 'utf8'))
  return cached
}

/** A section of the vector file; an absent or empty section fails the test. */
export function section (name) {
  const value = vectors()[name]
  if (name === 'http') {
    assert.ok(value && Array.isArray(value.exchanges) && value.exchanges.length > 0,
      `${VECTORS_PATH}: section http has no exchanges`)
  } else {
    assert.ok(Array.isArray(value) && value.length > 0, `${VECTORS_PATH}: section ${name} is missing or empty`)
  }
  return value
}

export const hex = (bytes) => Buffer.from(bytes).toString('hex')
export const fromHex = (text) => Buffer.from(text, 'hex')

/** The error kind a promise or function ends with (assert fails if it succeeds). */
export async function errorKind (fn) {
  try {
    await fn()
  } catch (err) {
    return err.kind ?? `not a CryptoSessionError: ${err.name}: ${err.message}`
  }
  assert.fail('expected an error, got a result')
}

/** Flip one base64url character (not the last, whose low bits may be unused). */
export function flipChar (text, index = Math.floor(text.length / 2)) {
  const c = text[index]
  return text.slice(0, index) + (c === 'A' ? 'B' : 'A') + text.slice(index + 1)
}
