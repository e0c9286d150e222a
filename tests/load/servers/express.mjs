// An Express 5 app behind one of the crypto-session middlewares, for the load
// benchmarks and the soak. Usage: node servers/express.mjs <stack>
//   addon      the package's useAuthWithExpress (bindings/node, the Rust core)
//   reference  the pure-JS middleware on the reference's crypto stack (tests/interop/js-peer)
//   native     the pure-JS middleware on secp256k1 + node:crypto (tests/interop/js-peer)
//   plain      no authentication: express.json() and plain answers (the baseline)
// Environment: LOAD_SECRET_KEY (64 hex), LOAD_HOST (the origin clients sign),
// LOAD_SESSION_CACHE (peers whose session the pure-JS middlewares keep; default
// 4096 as the addon's, 0 = a new session and ECDH per request as the reference),
// LOAD_THREAD_POOL=0 (the addon on the event loop's thread instead of the pool).
// Routes: POST /echo answers the JSON payload it got; GET /hello answers the
// client's public key (plain: "hello"). Prints the port, then serves until SIGTERM.
import express from 'express'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

import { JS_PEER_DIR, NODE_PACKAGE_DIR } from '../lib/paths.mjs'

const require = createRequire(import.meta.url)
const stack = process.argv[2]
const secretKey = process.env.LOAD_SECRET_KEY
const host = process.env.LOAD_HOST
if (!secretKey || !host) throw new Error('LOAD_SECRET_KEY and LOAD_HOST are required')

// Rejections are expected in bulk (the soak sends bad requests on purpose): count
// them instead of writing a line each.
let rejected = 0
const logger = { warn () { rejected++ }, error (...args) { console.error(...args) } }

// The addon's default session cache size, unless told otherwise.
const SESSION_CACHE = Number(process.env.LOAD_SESSION_CACHE ?? 4096)

async function middleware () {
  if (stack === 'addon') {
    const { createCryptoAuth } = require(NODE_PACKAGE_DIR)
    return createCryptoAuth({ secretKey, host, logger, threadPool: process.env.LOAD_THREAD_POOL !== '0' }).useAuthWithExpress
  }
  if (stack === 'reference' || stack === 'native') {
    const { cryptoAuth } = await import(pathToFileURL(`${JS_PEER_DIR}/${stack}-stack.mjs`))
    return cryptoAuth({ secretKey, host, sessionCache: SESSION_CACHE, log: () => { rejected++ } })
  }
  throw new Error(`unknown stack ${stack}: addon, reference, native or plain`)
}

const app = express()
app.disable('x-powered-by')
app.disable('etag')
if (stack === 'plain') {
  app.use(express.json({ limit: '1mb' }))
  app.post('/echo', (req, res) => res.json(req.body))
  app.get('/hello', (req, res) => res.type('text/plain').send('hello'))
} else {
  app.use(await middleware())
  app.post('/echo', (req, res) => res.secure.json(req.body))
  app.get('/hello', (req, res) => res.secure.send(req.session?.peerHex ?? req.peerHex))
}

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`)
})
server.keepAliveTimeout = 60_000
process.on('SIGTERM', () => {
  process.stderr.write(`express ${stack}: ${rejected} requests rejected\n`)
  server.close(() => process.exit(0))
  server.closeAllConnections()
})
