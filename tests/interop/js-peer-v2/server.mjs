#!/usr/bin/env node
// A node:http server speaking crypto-session v2 (only), for the interop matrix.
//
//   CRYPTO_SESSION_KEY=<64 hex>[,<64 hex>...] [CRYPTO_SESSION_ORIGINS=http://127.0.0.1:N,...
//   or CRYPTO_SESSION_HOST=<one origin>, as the matrix's peer contract]
//   [CRYPTO_SESSION_MAX_AGE=60] [CRYPTO_SESSION_MAX_SKEW=5] [CRYPTO_SESSION_MAX_BODY=1048576]
//   [CRYPTO_SESSION_ALLOW_ORIGIN=*] [PORT=0] node server.mjs [--key HEX ...] [--origin URL ...]
//   [--max-age S] [--max-skew S] [--max-body BYTES] [--allow-origin ORIGIN] [--port N]
//   [--no-restart-guard]  (or CRYPTO_SESSION_RESTART_GUARD=0)
//
// The memory replay store's restart rule is on by default: for max_skew seconds after
// the start every request is refused as stale (unsigned). --no-restart-guard turns it
// off, as the spec allows for a development server that accepts that risk.
// Arguments override the environment. Listens on 127.0.0.1 and prints one JSON line
// {"port":N,"pubkey":"<64 hex x-only key of the first key>"} on stdout (as js-peer
// does). Without a key a random one is used; without origins, http://127.0.0.1:<port>.
// Rejections are logged on stderr. SIGTERM/SIGINT stop it.
//
// Routes (every method, behind v2 authentication; a preflight OPTIONS without
// Authorization is answered unauthenticated):
//   /echo         -> 200, the request's content type and payload back, unchanged
//   /inspect      -> 200 application/json {version, method, target, uri, client, content_type, payload_hex}
//   /empty        -> 204, no body
//   /status/<n>   -> status n (200-599), text/plain "status n" (no body where HTTP forbids one)
//   anything else -> 404 application/json {"error":"not found"}

import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import * as v2 from './protocol.mjs'
import { BodyTooLarge, decodeContent, readBody } from './http.mjs'

const json = (value) => ({ contentType: 'application/json', payload: new TextEncoder().encode(JSON.stringify(value)) })

/** The application: (authenticated request) -> {status, contentType, payload}. */
export function route (request) {
  const rest = request.uri.slice(request.uri.indexOf('/', request.uri.indexOf('://') + 3))
  const path = rest.split('?')[0]
  if (path === '/echo') return { status: 200, contentType: request.contentType, payload: request.payload }
  if (path === '/inspect') {
    return {
      status: 200,
      ...json({ version: 2, method: request.method, target: request.target, uri: request.uri, client: v2.hex(request.clientXonly), content_type: request.contentType, payload_hex: v2.hex(request.payload) })
    }
  }
  if (path === '/empty') return { status: 204 }
  const status = /^\/status\/([2-5][0-9][0-9])$/.exec(path)
  if (status) {
    const n = Number(status[1])
    return v2.bodyForbidden(n) ? { status: n } : { status: n, contentType: 'text/plain', payload: new TextEncoder().encode(`status ${n}`) }
  }
  return { status: 404, ...json({ error: 'not found' }) }
}

function corsHeaders (allowOrigin) {
  return {
    'access-control-allow-origin': allowOrigin,
    'access-control-expose-headers': 'Crypto-Session, WWW-Authenticate'
  }
}

/**
 * Start the server on 127.0.0.1; resolves to {server, port, pubkey, origins, v2server}.
 * Options: secretKeys, origins (default http://127.0.0.1:<port>), maxAge, maxSkew,
 * maxBody, allowOrigin ('*'), port (0), log, now/random (for tests).
 */
export function startServer ({ secretKeys, origins, maxAge, maxSkew, maxBody, allowOrigin = '*', port = 0, log = () => {}, now, random, restartGuard } = {}) {
  const server = http.createServer()
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const bound = server.address().port
      let v2server
      try {
        v2server = new v2.Server({
          secretKeys: secretKeys?.length ? secretKeys : [randomBytes(32).toString('hex')],
          origins: origins?.length ? origins : [`http://127.0.0.1:${bound}`],
          maxAge, maxSkew, maxBody, now, random, restartGuard
        })
      } catch (err) {
        server.close()
        return reject(err)
      }
      server.on('request', (req, res) => handle(v2server, allowOrigin, log, req, res))
      resolve({ server, port: bound, pubkey: v2.hex(v2server.publicKeys[0]), origins: v2server.origins, v2server })
    })
  })
}

async function handle (v2server, allowOrigin, log, req, res) {
  const cors = corsHeaders(allowOrigin)
  const authorization = req.headersDistinct.authorization ?? []
  if (req.method === 'OPTIONS' && authorization.length === 0) {
    res.writeHead(204, {
      ...cors,
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type',
      'access-control-max-age': '600',
      'cache-control': 'no-store'
    })
    return res.end()
  }
  const reject = (result) => {
    log(`rejected ${req.method} ${req.url}: ${result.code}`)
    const headers = { ...cors, 'www-authenticate': `CryptoSession error="${result.code}"`, 'cache-control': 'no-store' }
    if (result.staleAnswer) headers['crypto-session'] = result.staleAnswer.header
    if (result.code === 'too_large') headers.connection = 'close'
    res.writeHead(result.status, headers)
    res.end()
  }
  const declared = req.headers['content-length']
  if (declared !== undefined && Number(declared) > v2server.maxBody) return reject({ code: 'too_large', status: 413 })
  let body
  try {
    body = decodeContent(req.headers['content-encoding'], await readBody(req, v2server.maxBody), v2server.maxBody)
  } catch (err) {
    if (err instanceof BodyTooLarge) return reject({ code: 'too_large', status: 413 })
    return reject({ code: 'malformed', status: 401 })
  }
  let result
  try {
    result = v2server.authenticate({ method: req.method, target: req.url, authorization, body })
  } catch (err) {
    log(`error: ${err.message}`)
    return reject({ code: 'busy', status: 503 })
  }
  if (!result.ok) return reject(result)
  const reply = route(result.request)
  const answer = v2server.answer(result.request, {
    status: reply.status,
    contentType: req.method === 'HEAD' ? '' : reply.contentType ?? '',
    payload: req.method === 'HEAD' ? new Uint8Array(0) : reply.payload ?? new Uint8Array(0)
  })
  const headers = { ...cors, 'crypto-session': answer.header, 'cache-control': 'no-store, no-transform' }
  if (answer.body.length > 0) Object.assign(headers, { 'content-type': v2.SEALED_CONTENT_TYPE, 'content-length': String(answer.body.length) })
  res.writeHead(answer.status, headers)
  res.end(answer.body.length > 0 ? Buffer.from(answer.body) : undefined)
}

const list = (s) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)
const int = (s) => (s === undefined || s === '' ? undefined : Number(s))

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolvePath(process.argv[1])
if (isMain) {
  let values
  try {
    ({ values } = parseArgs({
      options: {
        key: { type: 'string', multiple: true },
        origin: { type: 'string', multiple: true },
        'max-age': { type: 'string' },
        'max-skew': { type: 'string' },
        'max-body': { type: 'string' },
        'allow-origin': { type: 'string' },
        port: { type: 'string' },
        'no-restart-guard': { type: 'boolean' }
      }
    }))
  } catch (err) {
    process.stderr.write(`server.mjs: ${err.message}\n`)
    process.exit(2)
  }
  const env = process.env
  try {
    const { server, port, pubkey } = await startServer({
      secretKeys: values.key ?? list(env.CRYPTO_SESSION_KEY),
      // CRYPTO_SESSION_HOST: the interop matrix's peer contract (one origin).
      origins: values.origin ?? list(env.CRYPTO_SESSION_ORIGINS || env.CRYPTO_SESSION_HOST),
      maxAge: int(values['max-age'] ?? env.CRYPTO_SESSION_MAX_AGE),
      maxSkew: int(values['max-skew'] ?? env.CRYPTO_SESSION_MAX_SKEW),
      maxBody: int(values['max-body'] ?? env.CRYPTO_SESSION_MAX_BODY),
      allowOrigin: values['allow-origin'] ?? env.CRYPTO_SESSION_ALLOW_ORIGIN ?? '*',
      port: Number(values.port ?? env.PORT ?? 0),
      restartGuard: !(values['no-restart-guard'] || env.CRYPTO_SESSION_RESTART_GUARD === '0'),
      log: (line) => process.stderr.write(`js-peer-v2: ${line}\n`)
    })
    process.stdout.write(JSON.stringify({ port, pubkey }) + '\n')
    const stop = () => server.close(() => process.exit(0))
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  } catch (err) {
    process.stderr.write(`server.mjs: ${err.message}\n`)
    process.exit(2)
  }
}
