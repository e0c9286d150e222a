#!/usr/bin/env node
// Interop peer: the Node package as a server, in one of three ways.
//
//   node node_server.mjs express   Express + useAuthWithExpress (configured from the environment)
//   node node_server.mjs next      a Next.js API route (useAuthWithNext) behind Next's req/res helpers
//   node node_server.mjs web       a Web-standard handler (useAuthWithWeb of createCryptoAuth)
//
// and, for protocol v2, the package's v2 server (createServer, configured from the
// environment: CRYPTO_SESSION_KEY, _HOST, _MAX_AGE, _MAX_SKEW, ...) behind the same three:
//
//   node node_server.mjs express-v2   Express + server.express
//   node node_server.mjs next-v2      a Next.js API route (server.next, bodyParser: false)
//   node node_server.mjs web-v2       a Web-standard handler (server.web)
//
// All three listen with node:http on 127.0.0.1. Contract (environment, routes, the
// line printed on stdout): tests/interop/README.md.

import http from 'node:http'

import { createCryptoAuth, createServer, express, getPublicKey, nextApiResolver, serveWeb, useAuthWithExpress, useAuthWithNext } from './node_package.mjs'

const secretKey = process.env.CRYPTO_SESSION_KEY
const host = process.env.CRYPTO_SESSION_HOST

function expressApp () {
  const app = express()
  app.disable('x-powered-by')
  app.use(useAuthWithExpress)
  app.get('/text', (req, res) => res.secure.send(String(req.query.msg ?? '')))
  app.get('/json', (req, res) => res.secure.json({ ...req.query }))
  app.post('/echo', (req, res) => typeof req.body === 'string' ? res.secure.send(req.body) : res.secure.json(req.body))
  app.post('/nobody', (req, res) => res.secure.send(String(req.body)))
  app.get('/teapot', (req, res) => res.secure.send('teapot', 418))
  // What the router served: the edge tests compare it with what was signed.
  app.get(/^\/r\//, (req, res) => res.secure.json({ path: req.path, query: new URL(req.url, 'http://internal').search.slice(1) }))
  return app
}

// pages/api/[route].js: one API route that serves every path of the contract.
async function nextRoute (req, res) {
  const route = `${req.method} ${new URL(req.url, 'http://internal').pathname}`
  switch (route) {
    case 'GET /text': return res.secure.send(String(req.query.msg ?? ''))
    case 'GET /json': return res.secure.json(req.query)
    case 'POST /echo': return typeof req.body === 'string' ? res.secure.send(req.body) : res.secure.json(req.body)
    case 'POST /nobody': return res.secure.send(String(req.body))
    case 'GET /teapot': return res.status(418).secure.send('teapot')
    default: {
      const url = new URL(req.url, 'http://internal')
      if (req.method === 'GET' && url.pathname.startsWith('/r/')) return res.secure.json({ path: url.pathname, query: url.search.slice(1) })
      return res.status(404).send('')
    }
  }
}

// app/[...route]/route.js: a Request -> Response handler.
function webHandler () {
  const auth = createCryptoAuth({ secretKey, host })
  return auth.useAuthWithWeb(async (request, secure) => {
    const url = new URL(request.url)
    switch (`${request.method} ${url.pathname}`) {
      case 'GET /text': return secure.send(url.searchParams.get('msg') ?? '')
      case 'GET /json': return secure.json(Object.fromEntries(url.searchParams))
      case 'POST /echo': return typeof secure.data === 'string' ? secure.send(secure.data) : secure.json(secure.data)
      case 'POST /nobody': return secure.send(String(secure.data))
      case 'GET /teapot': return secure.send('teapot', { status: 418 })
      default:
        if (request.method === 'GET' && url.pathname.startsWith('/r/')) return secure.json({ path: url.pathname, query: url.search.slice(1) })
        return new Response(null, { status: 404 })
    }
  })
}

// --- protocol v2: /inspect, /empty, /missing for every method ---------------------------

const hex = (bytes) => Buffer.from(bytes).toString('hex')
const inspect = (method, session) => ({ method, content_type: session.contentType, payload_hex: hex(session.payload) })
const pathOf = (url) => new URL(url, 'http://internal').pathname

let v2server
function v2 () {
  v2server ??= createServer({ logger: { warn: (line) => console.error(line) } })
  return v2server
}

function expressV2 () {
  const app = express()
  app.disable('x-powered-by')
  app.use(v2().express)
  app.all('/inspect', (req, res) => res.json(inspect(req.method, req.cryptoSession)))
  app.all('/empty', (req, res) => res.status(204).end())
  app.all('/missing', (req, res) => res.status(404).json({ error: 'not found' }))
  return app
}

async function nextRouteV2 (req, res) {
  switch (pathOf(req.url)) {
    case '/inspect': return res.json(inspect(req.method, req.cryptoSession))
    case '/empty': return res.status(204).end()
    default: return res.status(404).json({ error: 'not found' })
  }
}

function webHandlerV2 () {
  return v2().web(async (request, secure) => {
    switch (pathOf(request.url)) {
      case '/inspect': return secure.json(inspect(request.method, secure))
      case '/empty': return secure.send(undefined, { status: 204 })
      default: return secure.json({ error: 'not found' }, { status: 404 })
    }
  })
}

const HANDLERS = {
  express: expressApp,
  next: () => nextApiResolver(useAuthWithNext(nextRoute)),
  web: () => serveWeb(webHandler()),
  'express-v2': expressV2,
  // Next's body parser off, as the package's README asks for v2 (the body is sealed bytes).
  'next-v2': () => nextApiResolver(v2().next(nextRouteV2), { bodyParser: false }),
  'web-v2': () => serveWeb(webHandlerV2())
}

const kind = process.argv[2]
if (!HANDLERS[kind]) {
  console.error(`usage: node_server.mjs ${Object.keys(HANDLERS).join('|')}`)
  process.exit(2)
}
if (!secretKey || !host) {
  console.error('node_server.mjs: set CRYPTO_SESSION_KEY and CRYPTO_SESSION_HOST')
  process.exit(2)
}

const server = http.createServer(HANDLERS[kind]())
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const pubkey = kind.endsWith('-v2') ? v2().publicKeys[0] : getPublicKey(secretKey).hex
  process.stdout.write(JSON.stringify({ port: server.address().port, pubkey }) + '\n')
})
const stop = () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
