'use strict'
// The browser/edge entry's v2 names, as the Node entry has them: createSecureFetch
// (resolves a verified answer or throws, as lib/v2/fetch.js) and
// CryptoSessionServer / createServer(options).web(handler) (as lib/v2/server.js),
// over the WebAssembly build's V2Client and V2Server. No Node API (Buffer,
// process.env, the libuv pool): what differs from Node is said in web/index.d.mts.

const { CryptoSessionError } = require('../errors.js')
const { keyOf, toHex, reviveTyped } = require('../bytes.js')
const { createSecureFetchV2, v2Core } = require('../v2.js')
const { describe, contentLengthOf, authenticatedView, rejectionOf, webSecure } = require('./handler.js')

function bad (name, detail) {
  return new CryptoSessionError('malformed_input', `server configuration: ${name} ${detail}`)
}

function listOf (value) {
  if (value === undefined || value === null) return []
  return Array.isArray(value) ? value : [value]
}

/**
 * A v2 fetch for one server key, as the Node entry's createSecureFetch: resolves a
 * Response holding the verified answer (`data` revived by its content type,
 * `contentType`), throws the failure (`code`: the server's code, `invalid_answer`,
 * `stale`). One retry after a signed stale answer; redirects are not followed.
 */
function createSecureFetch (serverKey, secretKey, options = {}) {
  const inner = createSecureFetchV2(serverKey, secretKey, options)
  async function secureFetch (input, init) {
    const response = await inner(input, init)
    if (response.err !== undefined) throw response.err
    const { status, contentType, payload } = response.answer
    const empty = payload.length === 0 || [204, 205, 304].includes(status)
    const out = new Response(empty ? null : payload, { status, headers: contentType ? { 'content-type': contentType } : {} })
    out.data = reviveTyped(payload, contentType)
    out.contentType = contentType
    return out
  }
  Object.defineProperties(secureFetch, {
    protocol: { value: 2, enumerable: true },
    publicKey: { get: () => toHex(inner.publicKey) },
    serverKey: { get: () => toHex(inner.serverKey) },
    clockOffset: { get: () => inner.clockOffset }
  })
  secureFetch.setNow = now => inner.setNow(now)
  return secureFetch
}

/** A v2 server (v1 as well with `acceptV1`) on the WebAssembly build: the Web handler. */
class CryptoSessionServer {
  #server
  #core
  #logger
  #denied
  #cors

  /**
   * @param {object} options the Node entry's names: `keys` (secret keys; several for
   *   rotation), `origins`, `maxAge`, `maxSkew`, `maxBody`, `acceptV1`,
   *   `replay` (only `memory`), `replayCapacity`, `replayCreated`, `deniedKeys`,
   *   `now`, `logger`; and `cors` (`'*'` or the page origins allowed: adds
   *   `Access-Control-Allow-Origin` to preflights, answers and rejections). Nothing
   *   is read from the environment.
   */
  constructor (options = {}) {
    const { logger = console, cors } = options
    const keys = listOf(options.keys ?? options.secretKey)
    if (keys.length === 0) throw bad('keys', 'are missing: pass keys')
    const origins = listOf(options.origins ?? options.host).map(String)
    if (origins.length === 0) throw bad('origins', 'are missing: pass origins')
    if (options.replay !== undefined && options.replay !== 'memory') {
      throw bad('replay', `${JSON.stringify(String(options.replay))} is not available in the WebAssembly build: only "memory"`)
    }
    this.#core = v2Core()
    this.#denied = new Set()
    if (options.deniedKeys !== undefined) this.setDeniedKeys(options.deniedKeys)
    const denied = this.#denied
    try {
      this.#server = new this.#core.V2Server({
        secretKeys: keys.map(k => keyOf(k, 'secret key')),
        origins,
        maxAge: options.maxAge,
        maxSkew: options.maxSkew,
        maxBody: options.maxBody,
        acceptV1: options.acceptV1 === true,
        replayCapacity: options.replayCapacity,
        replayCreated: options.replayCreated,
        now: options.now,
        admission: client => !denied.has(toHex(client))
      })
    } catch (err) {
      throw err instanceof CryptoSessionError || typeof err?.code !== 'string' ? err : new CryptoSessionError(err.code, err.message)
    }
    this.#logger = logger
    this.#cors = cors === undefined ? undefined : cors === '*' ? '*' : listOf(cors)
    this.web = this.web.bind(this)
  }

  /** The server's x-only public keys (hex), in order: what clients need. */
  get publicKeys () { return this.#server.publicKeys.map(toHex) }
  get origins () { return this.#server.origins }
  get maxBody () { return this.#server.maxBody }
  /** CORS: the core's Access-Control-Expose-Headers for this server. */
  get exposedHeaders () { return this.#server.exposedHeaders }

  /** Replace the denied client keys (x-only hex) of the admission hook. */
  setDeniedKeys (keys) {
    this.#denied.clear()
    for (const key of keys) this.#denied.add(String(key).toLowerCase())
  }

  /** Tests: move the fixed clock given as `now`. */
  setNow (now) { this.#server.setNow(now) }

  /**
   * Authenticate one request: resolves `{ version, clientKey, payload,
   * contentType, native }` or rejects with the rejection (`status`, `code`, `headers`).
   */
  async authenticate ({ method, target, authorization, contentLength, body }) {
    const request = this.#server.authenticate(String(method), String(target), authorization.map(String),
      contentLength ?? undefined, body ?? new Uint8Array(0))
    return authenticatedView(request)
  }

  /** Seal an answer: `{ status, headers: [[name, value]], body }`. */
  seal (request, status, contentType, payload) {
    return this.#server.seal(request.native, status, contentType, payload)
  }

  #corsHeaders (request) {
    const origin = request.headers.get('origin')
    if (!this.#cors || !origin) return []
    const ok = this.#cors === '*' || this.#cors.includes(origin)
    return ok ? [['Access-Control-Allow-Origin', origin], ['Vary', 'Origin']] : []
  }

  // The body, read up to one byte past maxBody (the core then answers too_large).
  async #readWeb (request) {
    if (request.body === null) return new Uint8Array(0)
    const max = this.#server.maxBody
    const chunks = []
    let size = 0
    for await (const chunk of request.body) {
      chunks.push(chunk)
      size += chunk.byteLength
      if (size > max) break
    }
    const out = new Uint8Array(size)
    let at = 0
    for (const chunk of chunks) {
      out.set(chunk, at)
      at += chunk.byteLength
    }
    return out
  }

  /**
   * Web handler (`Request -> Response`), as on Node: `server.web(handler)` calls
   * `handler(request, secure, ...rest)` where `secure` holds `version`,
   * `clientKey`, `payload`, `contentType`, `body` (the revived payload) and
   * `send(value, init?)` / `json(value, init?)` resolving to sealed Responses.
   */
  web (handler) {
    return async (request, ...rest) => {
      const method = request.method
      const cors = this.#corsHeaders(request)
      const exposed = ['Access-Control-Expose-Headers', this.#server.exposedHeaders]
      if (method === 'OPTIONS') {
        return new Response(null, {
          status: 204,
          headers: [['Access-Control-Allow-Headers', this.#core.V2_ALLOWED_HEADERS], exposed, ...cors,
            ['Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE']]
        })
      }
      let target = '?'
      let authenticated
      try {
        target = this.#core.signedUrl(undefined, request.url).target
        const authorization = request.headers.get('authorization')
        const contentLength = contentLengthOf(request.headers.get('content-length'))
        const body = await this.#readWeb(request)
        authenticated = await this.authenticate({ method, target, authorization: authorization === null ? [] : [authorization], contentLength, body })
      } catch (err) {
        this.#logger.warn(describe(method, target, err))
        const { status, headers } = rejectionOf(err, exposed)
        return new Response(null, { status, headers: [...headers, ...cors] })
      }
      const withCors = headers => {
        for (const [name, v] of cors) headers.set(name, v)
      }
      const body = reviveTyped(authenticated.payload, authenticated.contentType)
      const secure = webSecure(authenticated, body, (...args) => this.seal(...args), withCors)
      return handler(request, secure, ...rest)
    }
  }

  toJSON () {
    return { origins: this.origins, publicKeys: this.publicKeys }
  }
}

/** A v2 server (v1 as well with `acceptV1`). */
function createServer (options) {
  return new CryptoSessionServer(options)
}

module.exports = { CryptoSessionServer, createServer, createSecureFetch }
