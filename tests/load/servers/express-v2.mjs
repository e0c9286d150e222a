// An Express 5 app behind the package's v2 server (createServer of bindings/node:
// the core's dual server, v1 too with acceptV1), for bench-http-v2.mjs.
// Usage: node servers/express-v2.mjs
// Environment: LOAD_SECRET_KEY (64 hex), LOAD_HOST (the origin clients sign),
// LOAD_REPLAY (`memory` or a redis:// URL; default memory).
// Routes: POST /echo answers the JSON payload it got; GET /hello answers "hello";
// both sealed by the server (v1 or v2, as the request). Prints the port, then
// serves until SIGTERM.
import express from 'express'
import { createRequire } from 'node:module'

import { NODE_PACKAGE_DIR } from '../lib/paths.mjs'

const require = createRequire(import.meta.url)
const { createServer } = require(NODE_PACKAGE_DIR)
const secretKey = process.env.LOAD_SECRET_KEY
const host = process.env.LOAD_HOST
if (!secretKey || !host) throw new Error('LOAD_SECRET_KEY and LOAD_HOST are required')
const replay = process.env.LOAD_REPLAY || 'memory'

let rejected = 0
const logger = { warn (message) { if (rejected++ < 5) console.error(message) }, error (...args) { console.error(...args) } }
// Every option explicit (env: {}): nothing comes from the environment.
const server = createServer({ keys: [secretKey], origins: [host], acceptV1: true, replay, logger, env: {} })

const app = express()
app.disable('x-powered-by')
app.disable('etag')
app.use(server.express)
app.post('/echo', (req, res) => res.json(req.body))
app.get('/hello', (req, res) => res.type('text/plain').send('hello'))

const listener = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${listener.address().port}\n`)
})
listener.keepAliveTimeout = 60_000
process.on('SIGTERM', () => {
  process.stderr.write(`express v2 (${replay.startsWith('redis') ? 'redis' : replay}): ${rejected} requests rejected\n`)
  listener.close(() => process.exit(0))
  listener.closeAllConnections()
})
