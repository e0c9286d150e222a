// ESM entry point: the same objects as the CommonJS one (one copy of the addon).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cjs = require('./index.js')

export const {
  CryptoSession,
  Token,
  SecureFetch,
  CryptoSessionError,
  ERROR_CODES,
  Bytes,
  CryptoAuth,
  createCryptoAuth,
  useCryptoSession,
  useCryptoAuth,
  useAuthWithExpress,
  useAuthWithNext,
  useAuthWithWeb,
  generateKeyPair,
  getPublicKey,
  CryptoSessionServer,
  createServer,
  createSecureFetch,
  PROTOCOL_VERSION,
  CORE_VERSION,
  CORE_BACKEND
} = cjs

export default cjs
