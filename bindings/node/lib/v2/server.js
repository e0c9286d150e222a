'use strict'
// Protocol v2 servers (the core's dual v1/v2 Server): Express middleware, Next.js
// (pages API routes and App Router route handlers) and Web handlers
// (Request -> Response). Every check and every header value comes from the core;
// this file moves bytes between the frameworks and the addon.

const native = require('../native.js')
const { CryptoSessionError, call } = require('../errors.js')
const { serverOptions } = require('./config.js')
const { describe, contentLengthOf, answerBytes, authenticatedView, rejectionOf, webSecure } = require('./handler.js')
// The payload as the handler sees it: parsed JSON, text, or bytes (also the web entry's).
const { reviveTyped } = require('../bytes.js')

// CORS on every answer, rejection and preflight (the spec's "Browsers"); what is
// exposed is the server's (Authorization too when it accepts v1): #corsExpose.
const CORS_ALLOW = ['Access-Control-Allow-Headers', native.V2_ALLOWED_HEADERS]

/**
 * The payload as the handler sees it: parsed JSON, text, or bytes by its content
 * type. A v1 payload has no content type: it revives as the v1 reference does (JSON
 * if it parses, else text; the core's rule), as the v1 middleware's req.body.
 */
function revive (payload, contentType, version = 2) {
  if (version === 1 && contentType === '') return JSON.parse(native.revive(payload))
  return reviveTyped(payload, contentType)
}

// Every Authorization field value of a Node request (two fields must be seen as
// two: the core rejects them as `malformed`).
function nodeAuthorization (req) {
  const values = []
  const raw = req.rawHeaders ?? []
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() === 'authorization') values.push(raw[i + 1])
  }
  if (values.length === 0 && req.headers && req.headers.authorization !== undefined) values.push(String(req.headers.authorization))
  return values
}

function webAuthorization (request) {
  // Headers joins repeated fields with ", ": the core then sees one value,
  // which no longer verifies.
  const value = request.headers.get('authorization')
  return value === null ? [] : [value]
}

/** A v2 server. Its framework adapters are bound and can be handed over as they are. */
class CryptoSessionServer {
  #server
  #logger
  #threadPool

  /**
   * @param {object} [options] the core's names: `keys` (secret keys; several for
   *   rotation), `origins`, `maxAge`, `maxSkew`, `maxBody`, `acceptV1`, `replay`
   *   (`memory` or a redis URL), `replayPrefix`, `deniedKeys` (x-only client keys
   *   answered `forbidden`: the admission hook as data, since the check runs off
   *   the JS thread), `now` (tests: a fixed clock); plus `logger` and
   *   `threadPool` (default true). Each core option not given is read from the
   *   environment (CRYPTO_SESSION_KEY, _HOST, _ORIGINS, _REPLAY, _MAX_AGE,
   *   _MAX_SKEW, _MAX_BODY, _ACCEPT_V1); a bad value throws here.
   */
  constructor (options = {}) {
    const { logger = console, threadPool = true, env = process.env } = options
    this.#server = call(() => new native.NativeV2Server(serverOptions(options, env)))
    this.#logger = logger
    this.#threadPool = threadPool !== false
    this.express = this.express.bind(this)
    this.next = this.next.bind(this)
    this.web = this.web.bind(this)
  }

  /** The server's x-only public keys (hex), in order: what clients need. */
  get publicKeys () { return this.#server.publicKeys }
  get origins () { return this.#server.origins }
  get maxBody () { return this.#server.maxBody }
  /** CORS: the core's Access-Control-Expose-Headers for this server. */
  get exposedHeaders () { return this.#server.exposedHeaders }
  get #corsExpose () { return ['Access-Control-Expose-Headers', this.#server.exposedHeaders] }

  /** Replace the denied client keys (x-only hex) of the admission hook. */
  setDeniedKeys (keys) { call(() => this.#server.setDeniedKeys([...keys].map(String))) }

  /** Tests: move the fixed clock given as `now`. */
  setNow (now) { call(() => this.#server.setNow(now)) }

  /**
   * Authenticate one request: resolves `{ version, clientKey, payload,
   * contentType, native }` or rejects with the rejection (`status`, `code`,
   * `headers`, `wwwAuthenticate`, `staleAnswer`).
   */
  async authenticate ({ method, target, authorization, contentLength, body }) {
    const args = [String(method), String(target), authorization.map(String), contentLength ?? null, body ?? null]
    const request = this.#threadPool
      ? await settleRejection(this.#server.authenticate(...args))
      : callRejection(() => this.#server.authenticateSync(...args))
    return authenticatedView(request)
  }

  /** Seal an answer: `{ status, headers: [[name, value]], body }`. */
  seal (request, status, contentType, payload) {
    return call(() => this.#server.seal(request.native, status, contentType, payload))
  }

  checkContentLength (authorization, contentLength) {
    callRejection(() => this.#server.checkContentLength(authorization, contentLength ?? null))
  }

  async #readNode (req, authorization) {
    if (Buffer.isBuffer(req.body)) return req.body
    if (req.readableEnded || typeof req.on !== 'function') return Buffer.alloc(0)
    const max = this.#server.maxBody
    const chunks = []
    let size = 0
    for await (const chunk of req) {
      size += chunk.length
      if (size > max) this.checkContentLength(authorization, size)
      chunks.push(chunk)
    }
    return Buffer.concat(chunks, size)
  }

  async #authenticateNode (req) {
    // The method on the wire: method-override headers (and middleware that
    // rewrites req.method from them) are ignored.
    const method = req.originalMethod ?? req.method
    const target = req.originalUrl ?? req.url
    const authorization = nodeAuthorization(req)
    const contentLength = contentLengthOf(req.headers['content-length'])
    this.checkContentLength(authorization, contentLength)
    const body = await this.#readNode(req, authorization)
    return this.authenticate({ method, target, authorization, contentLength, body })
  }

  #rejectNode (req, res, err) {
    this.#logger.warn(describe(req.method, req.originalUrl ?? req.url, err))
    if (res.headersSent) return res.destroy()
    const rejection = rejectionOf(err, this.#corsExpose)
    res.statusCode = rejection.status
    for (const [name, value] of rejection.headers) res.setHeader(name, value)
    res.setHeader('Content-Length', '0')
    res.end()
  }

  // Node's res.send/res.json seal their answer (Express and Next pages).
  // res.end too, so no answer leaves unsealed (Express's own 404 included).
  #secureNode (res, request) {
    const rawEnd = res.end.bind(res)
    let sealed = false
    const end = (status, value, contentType) => {
      if (sealed) throw new CryptoSessionError('malformed_input', 'the answer was already sent')
      sealed = true
      const { contentType: type, payload } = answerBytes(value, contentType)
      const answer = this.seal(request, status, type, payload)
      res.statusCode = answer.status
      res.removeHeader('content-type')
      for (const [name, v] of answer.headers) res.setHeader(name, v)
      res.setHeader('Content-Length', String(answer.body.length))
      rawEnd(answer.body)
      return res
    }
    res.end = (chunk) => end(res.statusCode, typeof chunk === 'function' ? undefined : chunk ?? undefined, typeOf())
    const typeOf = () => {
      const t = res.getHeader('content-type')
      return t === undefined ? undefined : String(t)
    }
    res.status = code => { res.statusCode = code; return res }
    res.json = value => end(res.statusCode, value === undefined ? null : Buffer.from(JSON.stringify(value)), 'application/json')
    res.send = value => end(res.statusCode, value, typeOf())
    res.sendStatus = code => end(code, undefined)
  }

  #preflight (method, res) {
    if (method !== 'OPTIONS') return false
    res.statusCode = 204
    res.setHeader(...CORS_ALLOW)
    res.setHeader(...this.#corsExpose)
    res.setHeader('Content-Length', '0')
    res.end()
    return true
  }

  async #useNode (req, res) {
    const request = await this.#authenticateNode(req)
    req.cryptoSession = {
      version: request.version,
      clientKey: request.clientKey,
      payload: request.payload,
      contentType: request.contentType
    }
    req.body = revive(request.payload, request.contentType, request.version)
    this.#secureNode(res, request)
  }

  /** Express middleware: `app.use(server.express)`. Preflights pass unauthenticated. */
  async express (req, res, next) {
    if (this.#preflight(req.originalMethod ?? req.method, res)) return
    try {
      await this.#useNode(req, res)
    } catch (err) {
      return this.#rejectNode(req, res, err)
    }
    return next()
  }

  /** Next.js pages API route: `export default server.next(handler)`. */
  next (handler) {
    return async (req, res) => {
      if (this.#preflight(req.method, res)) return
      try {
        await this.#useNode(req, res)
      } catch (err) {
        return this.#rejectNode(req, res, err)
      }
      return handler(req, res)
    }
  }

  /**
   * Web handler (`Request -> Response`; Next.js App Router route handlers):
   * `server.web(handler)` calls `handler(request, secure, ...rest)` where
   * `secure` holds `version`, `clientKey`, `payload`, `contentType`, `body` (the
   * revived payload) and `send(value, init?)` / `json(value, init?)` resolving to
   * sealed Responses.
   */
  web (handler) {
    return async (request, ...rest) => {
      const method = request.method
      if (method === 'OPTIONS') {
        return new Response(null, { status: 204, headers: [CORS_ALLOW, this.#corsExpose] })
      }
      let target = '?'
      let request2
      try {
        target = native.signedUrl(null, request.url).target
        const authorization = webAuthorization(request)
        const contentLength = contentLengthOf(request.headers.get('content-length'))
        this.checkContentLength(authorization, contentLength)
        const body = await this.#readWeb(request, authorization)
        request2 = await this.authenticate({ method, target, authorization, contentLength, body })
      } catch (err) {
        this.#logger.warn(describe(method, target, err))
        return new Response(null, rejectionOf(err, this.#corsExpose))
      }
      const body = revive(request2.payload, request2.contentType, request2.version)
      const secure = webSecure(request2, body, (...args) => this.seal(...args))
      return handler(request, secure, ...rest)
    }
  }

  async #readWeb (request, authorization) {
    if (request.body === null) return Buffer.alloc(0)
    const max = this.#server.maxBody
    const chunks = []
    let size = 0
    for await (const chunk of request.body) {
      size += chunk.byteLength
      if (size > max) this.checkContentLength(authorization, size)
      chunks.push(Buffer.from(chunk))
    }
    return Buffer.concat(chunks, size)
  }

  toJSON () {
    return { origins: this.origins, publicKeys: this.publicKeys }
  }
}

// A rejection keeps its own fields (status, headers): not a CryptoSessionError.
function callRejection (fn) {
  try {
    return fn()
  } catch (err) {
    throw err && err.headers ? err : convertOther(err)
  }
}

async function settleRejection (promise) {
  try {
    return await promise
  } catch (err) {
    throw err && err.headers ? err : convertOther(err)
  }
}

function convertOther (err) {
  try {
    return call(() => { throw err })
  } catch (converted) {
    return converted
  }
}

/** A v2 server (v1 as well with `acceptV1`). */
function createServer (options) {
  return new CryptoSessionServer(options)
}

module.exports = { CryptoSessionServer, createServer, revive }
