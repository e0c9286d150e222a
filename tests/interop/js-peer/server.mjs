#!/usr/bin/env node
// An Express server with the reference-stack middleware, for the interop matrix.
//
//   CRYPTO_SESSION_KEY=<64 hex> [CRYPTO_SESSION_HOST=http://127.0.0.1:N] [PORT=0]
//   [JS_PEER_STACK=reference|native] node server.mjs
//
// Listens on 127.0.0.1 (PORT, default 0 = ephemeral), then prints one JSON line
// {"port":N,"pubkey":"<66 hex>"} on stdout. Without CRYPTO_SESSION_KEY a random key
// is used. GETs are verified against CRYPTO_SESSION_HOST, by default
// http://127.0.0.1:<port>. Rejections are logged on stderr. SIGTERM/SIGINT stop it.
// JS_PEER_STACK picks the middleware's crypto stack (default reference).
//
// Routes (all behind the middleware):
//   GET  /text?msg=...  -> secure.send(msg)
//   GET  /json?...      -> secure.json(query object)
//   POST /echo          -> the revived payload back: send(text) for a string, json(value) otherwise
//   POST /nobody        -> secure.send(req.body) (the client signed the URL: no body)
//   GET  /teapot        -> secure.send('teapot', 418)

import { randomBytes } from 'node:crypto'
import { resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import express from 'express'

import * as referenceStack from './reference-stack.mjs'
import * as nativeStack from './native-stack.mjs'

const STACKS = { reference: referenceStack, native: nativeStack }

export function mountRoutes (app) {
  app.get('/text', (req, res) => res.secure.send(String(req.query.msg ?? '')))
  app.get('/json', (req, res) => res.secure.json({ ...req.query }))
  app.post('/echo', (req, res) => typeof req.body === 'string' ? res.secure.send(req.body) : res.secure.json(req.body))
  app.post('/nobody', (req, res) => res.secure.send(String(req.body)))
  app.get('/teapot', (req, res) => res.secure.send('teapot', 418))
}

/**
 * Start the app on 127.0.0.1; resolves to { server, port, pubkey, host }.
 * `log` receives the middleware's rejection lines; `stack` is 'reference' or 'native'.
 */
export function startServer ({ secretKey, host, port = 0, log, stack = 'reference' } = {}) {
  const { cryptoAuth } = STACKS[stack] ?? {}
  if (cryptoAuth === undefined) return Promise.reject(new Error(`unknown stack: ${stack}`))
  const app = express()
  app.disable('x-powered-by')
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1', (err) => {
      if (err) return reject(err)
      const bound = server.address().port
      // The origin clients sign is only known once the port is.
      const origin = host || `http://127.0.0.1:${bound}`
      const auth = cryptoAuth({ secretKey, host: origin, log })
      app.use(auth)
      mountRoutes(app)
      resolve({ server, port: bound, host: origin, pubkey: auth.pubHex })
    })
    server.once('error', reject)
  })
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolvePath(process.argv[1])
if (isMain) {
  const secretKey = process.env.CRYPTO_SESSION_KEY || randomBytes(32).toString('hex')
  const { server, port, pubkey } = await startServer({
    secretKey,
    host: process.env.CRYPTO_SESSION_HOST,
    port: Number(process.env.PORT || 0),
    stack: process.env.JS_PEER_STACK || 'reference'
  })
  process.stdout.write(JSON.stringify({ port, pubkey }) + '\n')
  const stop = () => server.close(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}
