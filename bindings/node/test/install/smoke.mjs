// ESM import of the installed package: named and default exports, same objects.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import cryptoSessions, { CryptoSession, SecureFetch, useAuthWithExpress, generateKeyPair } from 'crypto-sessions'

const require = createRequire(import.meta.url)
const cjs = require('crypto-sessions')
assert.equal(CryptoSession, cjs.CryptoSession)
assert.equal(cryptoSessions, cjs)
assert.equal(typeof SecureFetch, 'function')
assert.equal(typeof useAuthWithExpress, 'function')
const keys = generateKeyPair()
const session = new CryptoSession(keys.publicKey, keys.secretKey)
const { token, data } = session.encodeSync('esm')
assert.equal(session.decodeSync(token, data).data, 'esm')
console.log('smoke (ESM): ok')
