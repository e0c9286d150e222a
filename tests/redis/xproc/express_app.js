'use strict'
// The Node side of the cross-process test: an Express app behind the package's v2
// server (createServer, every option from the environment: CRYPTO_SESSION_KEY,
// _HOST, _REPLAY...). Listens on 127.0.0.1, an ephemeral port, and prints
// `listening <port>`. Every answer, rejections included, names the process
// (`x-served-by: node:<pid>`).
//
//   CRYPTO_SESSIONS_NODE_PACKAGE  the package folder (bindings/node), whose dev
//                                 dependencies provide Express

const path = require('node:path')
const { createRequire } = require('node:module')

const pkg = path.resolve(process.env.CRYPTO_SESSIONS_NODE_PACKAGE || path.join(__dirname, '../../../bindings/node'))
const fromPackage = createRequire(path.join(pkg, 'package.json'))
const express = fromPackage('express')
const { createServer } = fromPackage(pkg)

// Rejections are expected in bulk here: counted, not logged one by one.
let rejected = 0
const server = createServer({ logger: { warn () { rejected++ }, error (...args) { console.error(...args) } } })
const name = `node:${process.pid}`
const app = express()
app.use((req, res, next) => { res.setHeader('x-served-by', name); next() })
app.use(server.express)
app.post('/note', (req, res) => res.json({ n: req.body.n, version: req.cryptoSession.version, server: name }))
app.get('/who', (req, res) => res.json({ server: name }))

const listener = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${listener.address().port}\n`)
})
process.on('SIGTERM', () => {
  process.stderr.write(`express (${name}): ${rejected} requests rejected\n`)
  listener.close(() => process.exit(0))
  listener.closeAllConnections()
})
