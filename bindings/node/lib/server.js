'use strict'
// Server side: authenticate requests and seal answers with the core's Server,
// for Node (Express, Next.js API routes, node:http) and Web-standard handlers
// (Request -> Response: Next.js route handlers, Hono, Bun, Deno). The parts:
// server/auth.js (CryptoAuth), server/node.js and server/web.js (the adapters),
// server/env.js (the server configured from the environment).

const { DEFAULT_MAX_BODY, REJECTION_STATUS } = require('./native.js')
const { CryptoAuth, createCryptoAuth } = require('./server/auth.js')
const env = require('./server/env.js')

module.exports = {
  CryptoAuth,
  createCryptoAuth,
  defaultCryptoAuth: env.defaultCryptoAuth,
  useCryptoSession: env.useCryptoSession,
  useAuthWithExpress: env.useAuthWithExpress,
  useAuthWithNext: env.useAuthWithNext,
  useAuthWithWeb: env.useAuthWithWeb,
  DEFAULT_MAX_BODY,
  REJECTION_STATUS
}
