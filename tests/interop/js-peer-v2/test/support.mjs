// Shared by the tests: the vectors (CRYPTO_SESSIONS_V2_VECTORS, else the repository's
// tests/vectors/v2.json; a missing file fails, never skips) and small helpers.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, resolve } from 'node:path'

const here = dirname(fileURLToPath(import.meta.url))
export const PEER_DIR = resolve(here, '..')
export const VECTORS_PATH = process.env.CRYPTO_SESSIONS_V2_VECTORS || resolve(here, '../../../vectors/v2.json')

/** Throws (so the test fails) when the vectors are missing or not v2. */
export function loadVectors () {
  const vectors = JSON.parse(readFileSync(VECTORS_PATH, 'utf8'))
  if (vectors.spec !== 'crypto-session v2') throw new Error(`${VECTORS_PATH} is not the v2 vectors`)
  return vectors
}

export const bytes = (h) => new Uint8Array(Buffer.from(h, 'hex'))
