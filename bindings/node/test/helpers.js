'use strict'
// Shared test helpers: the vector file, real servers on 127.0.0.1, output capture,
// and the node:http shims of a Next.js API route and of a Web-standard handler
// (also used by the interop matrix's Node server, tests/interop/peers/node_server.mjs).

const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const { once } = require('node:events')
const { Readable } = require('node:stream')

const DEFAULT_VECTORS = path.resolve(__dirname, '..', '..', '..', 'tests', 'vectors', 'reference-1.1.10.json')

/** The vector file: CRYPTO_SESSIONS_VECTORS, else the repository's copy. Missing is a failure. */
function loadVectors () {
  const file = process.env.CRYPTO_SESSIONS_VECTORS || DEFAULT_VECTORS
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

/** Listen on an ephemeral port of 127.0.0.1; resolves to { server, origin, close }. */
async function listen (handlerOrServer) {
  const server = handlerOrServer instanceof http.Server ? handlerOrServer : http.createServer(handlerOrServer)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const origin = `http://127.0.0.1:${server.address().port}`
  const close = () => new Promise(resolve => {
    server.closeAllConnections?.()
    server.close(() => resolve())
  })
  return { server, origin, close }
}

/**
 * Record everything written to console.* and process.stdout/stderr while `fn`
 * runs (and still forward nothing), for secret-leak checks and log assertions.
 */
function captureOutput () {
  const lines = []
  const originals = {}
  for (const name of ['log', 'info', 'warn', 'error', 'debug']) {
    originals[name] = console[name]
    console[name] = (...args) => {
      lines.push(args.map(a => (typeof a === 'string' ? a : require('node:util').inspect(a, { depth: 6 }))).join(' '))
    }
  }
  return {
    lines,
    text: () => lines.join('\n'),
    restore () {
      for (const [name, fn] of Object.entries(originals)) console[name] = fn
    }
  }
}

/** A raw request with node:http (no client library in between). */
function rawRequest (origin, { method = 'GET', path: target = '/', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(origin)
    const req = http.request({ host: url.hostname, port: url.port, method, path: target, headers }, res => {
      const chunks = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Flip one base64url character (a different character of the alphabet). */
function tamper (text, index = Math.floor(text.length / 2)) {
  const c = text[index]
  const replacement = c === 'A' ? 'B' : 'A'
  return text.slice(0, index) + replacement + text.slice(index + 1)
}

/** Response headers that must be the same for every rejection (all but the date). */
function comparableHeaders (headers) {
  const out = { ...headers }
  delete out.date
  return out
}

/**
 * What Next's API resolver does for a pages/api route (bodyParser on) before it
 * calls the route: req.query, a parsed JSON (or text) req.body, and
 * res.status/json/send. Next itself is not installed.
 */
function nextApiResolver (route, { bodyParser = true } = {}) {
  return async (req, res) => {
    const url = new URL(req.url, 'http://internal')
    req.query = Object.fromEntries(url.searchParams)
    res.status = code => { res.statusCode = code; return res }
    // `export const config = { api: { bodyParser: false } }`: the stream is the route's.
    if (!bodyParser) return route(req, res)
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const raw = Buffer.concat(chunks).toString('utf8')
    req.body = (req.headers['content-type'] || '').startsWith('application/json') && raw ? JSON.parse(raw) : raw || undefined
    res.status = code => { res.statusCode = code; return res }
    res.json = value => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(value)) }
    res.send = body => res.end(body)
    return route(req, res)
  }
}

/** A minimal node:http adapter for Web handlers (Request -> Response), as @hono/node-server does. */
function serveWeb (handler) {
  return async (req, res) => {
    // A Web Request carries a URL, not the request-target. An origin-form target is
    // joined to the Host; an absolute-form one is the URL itself (as @hono/node-server
    // does), if its authority is the Host (RFC 9112 3.2.2: the authority replaces the
    // Host, so a different one is a request for another server: 421). Anything else
    // (`*`, `1/a`) is not a URL: 400.
    let url
    if (req.url.startsWith('/')) {
      url = `http://${req.headers.host}${req.url}`
    } else {
      let parsed
      try {
        parsed = new URL(req.url)
      } catch {
        parsed = null
      }
      if (parsed === null || !/^https?:$/.test(parsed.protocol) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(req.url)) {
        res.writeHead(400, { 'content-length': '0' })
        return res.end()
      }
      if (parsed.host !== req.headers.host) {
        res.writeHead(421, { 'content-length': '0' })
        return res.end()
      }
      url = parsed.href
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    const request = new Request(url, {
      method: req.method,
      headers: req.headers,
      body: hasBody ? Readable.toWeb(req) : undefined,
      duplex: hasBody ? 'half' : undefined
    })
    const response = await handler(request)
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  }
}

module.exports = { loadVectors, listen, captureOutput, rawRequest, tamper, comparableHeaders, nextApiResolver, serveWeb }
