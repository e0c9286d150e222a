'use strict'
// Server side: authenticate requests and seal answers with the core's Server,
// for Node (Express, Next.js API routes, node:http) and Web-standard handlers
// (Request -> Response: Next.js route handlers, Hono, Bun, Deno).
//
// Every rejected request gets the same answer: status 401, an empty body, no
// header of ours, whatever the reason; the reason goes to the logger.

const native = require('./native.js')
const { CryptoSessionError, call, settle } = require('./errors.js')
const { asBytes, keyOf, serialize, revive } = require('./bytes.js')
const { CryptoSession } = require('./session.js')
const { Token } = require('./token.js')

const DEFAULT_HOST = 'http://localhost:3001'
const { DEFAULT_MAX_BODY, REJECTION_STATUS, ANSWER_CONTENT_TYPE, ENV_SECRET_KEY, ENV_HOST } = native

function tooLarge (max) {
  return new CryptoSessionError('too_large', `the request body is larger than the limit of ${max} bytes`)
}

// ---- request bodies -------------------------------------------------------

// The body of a Node request: what a body parser left in req.body, or the raw
// stream read up to `max` bytes (stopping there: the rest is drained by Node).
function nodeBody (req, max) {
  const parsed = req.body
  if (parsed !== undefined && parsed !== null) {
    if (typeof parsed === 'string' || parsed instanceof Uint8Array) return parsed
    // A JSON body parser ran (Express json(), Next.js): the protocol's body is
    // {"data": "..."}; hand the core that field, in JSON.
    // (body-parser 1.x leaves `{}` without reading when it skips a request: then
    // `_body` is unset and the stream is still unread.)
    if (typeof parsed === 'object' && (typeof parsed.data === 'string' || req._body === true || req.readableEnded)) {
      return JSON.stringify(typeof parsed.data === 'string' ? { data: parsed.data } : parsed)
    }
  }
  if (req.readableEnded || typeof req.on !== 'function') return Buffer.alloc(0)
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    const onData = chunk => {
      size += chunk.length
      if (size > max) {
        cleanup()
        reject(tooLarge(max))
      } else {
        chunks.push(chunk)
      }
    }
    const onEnd = () => {
      cleanup()
      resolve(Buffer.concat(chunks, size))
    }
    const onError = err => {
      cleanup()
      reject(new CryptoSessionError('malformed_input', `the request body could not be read: ${err.message}`))
    }
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

// The body of a Web Request, read up to `max` bytes.
async function webBody (request, max) {
  if (request.body === null) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => {})
      throw tooLarge(max)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks, size)
}


// ---- answers ---------------------------------------------------------------

function rejectNode (res) {
  if (res.headersSent) {
    res.destroy()
    return res
  }
  res.statusCode = REJECTION_STATUS
  res.setHeader('content-length', '0')
  res.end()
  return res
}

function rejectWeb () {
  return new Response(null, { status: REJECTION_STATUS, headers: { 'content-length': '0' } })
}

function failNode (res) {
  if (!res.headersSent) {
    res.statusCode = 500
    res.setHeader('content-length', '0')
  }
  res.end()
}

// The method and target are quoted (JSON): a control character in them is shown
// escaped, so a request cannot write a line of its own into the log.
function describe (method, target, err) {
  const reason = err instanceof CryptoSessionError ? `${err.code}: ${err.message}` : String(err && err.message ? err.message : err)
  return `crypto-sessions: rejected ${JSON.stringify(String(method))} ${JSON.stringify(String(target).slice(0, 200))}: ${reason}`
}

// ---- the server ------------------------------------------------------------

/**
 * A crypto-session server: its secret key and the origin clients sign (`host`).
 * Its methods are bound, so they can be handed to a framework as they are.
 */
class CryptoAuth {
  #server
  #logger
  #threadPool

  /**
   * @param {object} options
   * @param {string | Uint8Array} options.secretKey the server's secret key
   * @param {string} options.host the origin clients put before the path when they sign
   * @param {number} [options.maxBodySize] largest request body in bytes (default 1 MiB)
   * @param {{ warn: Function, error: Function }} [options.logger] where rejections are reported (default console)
   * @param {boolean} [options.threadPool] run the cryptography on the libuv thread
   *   pool (default true; false runs it on the event loop's thread)
   */
  constructor ({ secretKey, host, maxBodySize = DEFAULT_MAX_BODY, logger = console, threadPool = true } = {}) {
    if (typeof host !== 'string' || host.trim() === '') {
      throw new CryptoSessionError('malformed_input', 'host is required: the origin clients sign, e.g. http://localhost:3001')
    }
    this.#server = call(() => new native.NativeServer(keyOf(secretKey, 'secret key'), host, maxBodySize))
    this.#logger = logger
    this.#threadPool = threadPool !== false
    this.useCryptoSession = this.useCryptoSession.bind(this)
    this.useAuthWithExpress = this.useAuthWithExpress.bind(this)
    this.useAuthWithNext = this.useAuthWithNext.bind(this)
    this.useAuthWithWeb = this.useAuthWithWeb.bind(this)
  }

  /** The server's public key (what clients need). */
  get pubkey () {
    return asBytes(this.#server.pubkey)
  }

  get host () {
    return this.#server.host
  }

  get maxBodySize () {
    return this.#server.maxBody
  }

  /**
   * Authenticate one request. Resolves to `{ session, token, method, data,
   * plaintext }` (`data`: the revived POST payload); rejects with a
   * CryptoSessionError whatever the reason.
   */
  async authenticate ({ method, target, authorization, body }) {
    const args = [String(method), String(target), authorization ?? null, body ?? null]
    const auth = this.#threadPool
      ? await settle(this.#server.authenticate(...args))
      : call(() => this.#server.authenticateSync(...args))
    return {
      session: CryptoSession.fromNative(auth.session),
      token: Token.fromCore(auth.token),
      method: auth.method,
      data: auth.payload ? revive(auth.payload, auth.isJson) : undefined,
      plaintext: auth.payload ? asBytes(auth.payload) : undefined
    }
  }

  /** Seal an answer: `{ status, authorization, body }`. */
  async seal (session, status, payload) {
    const args = [CryptoSession.nativeOf(session), status, serialize(payload)]
    return this.#threadPool ? settle(this.#server.seal(...args)) : call(() => this.#server.sealSync(...args))
  }

  async #authenticateNode (req) {
    const method = String(req.method)
    // The core's body rule on the headers first: a GET with a body never gets
    // as far as a handler, and an oversized body is not read.
    call(() => this.#server.checkHeaders(method, headerValue(req.headers['content-length']), req.headers['transfer-encoding'] !== undefined))
    const bodyBytes = method === 'POST' ? await nodeBody(req, this.#server.maxBody) : null
    const body = typeof bodyBytes === 'string' ? Buffer.from(bodyBytes) : bodyBytes
    return this.authenticate({
      method,
      target: req.originalUrl ?? req.url,
      authorization: headerValue(req.headers.authorization),
      body
    })
  }

  #secureNode (res, session) {
    const seal = async (payload, status) => {
      const answer = await this.seal(session, status ?? res.statusCode ?? 200, payload)
      res.statusCode = answer.status
      res.setHeader('authorization', answer.authorization)
      res.setHeader('content-type', ANSWER_CONTENT_TYPE)
      res.end(answer.body)
      return res
    }
    return {
      send: (text, status) => seal(text, status),
      json: (value, status) => seal(jsonText(value), status)
    }
  }

  /**
   * The reference's generic middleware: sets `req.isAuthenticated`, `req.token`,
   * `req.session`, replaces a POST body by the revived payload and adds
   * `res.secure.send(text, status?)` / `res.secure.json(value, status?)`.
   * A request that does not authenticate rejects (after `req.isAuthenticated =
   * false`) with a CryptoSessionError; answer it 401.
   */
  async useCryptoSession (req, res) {
    req.isAuthenticated = false
    const auth = await this.#authenticateNode(req)
    req.token = auth.token
    req.session = auth.session
    if (auth.method === 'POST') req.body = auth.data
    res.secure = this.#secureNode(res, auth.session)
    req.isAuthenticated = true
  }

  #reject (req, err) {
    this.#logger.warn(describe(req.method, req.originalUrl ?? req.url, err))
  }

  /** Express middleware: `app.use(auth.useAuthWithExpress)`. */
  async useAuthWithExpress (req, res, next) {
    try {
      await this.useCryptoSession(req, res)
    } catch (err) {
      this.#reject(req, err)
      return rejectNode(res)
    }
    return next()
  }

  /** Next.js API route (pages router) wrapper: `export default auth.useAuthWithNext(handler)`. */
  useAuthWithNext (handler) {
    return async (req, res) => {
      try {
        await this.useCryptoSession(req, res)
      } catch (err) {
        this.#reject(req, err)
        return rejectNode(res)
      }
      return handler(req, res)
    }
  }

  /**
   * Web-standard handler wrapper: `(request, ...rest) => Response`. The handler is
   * called as `handler(request, secure, ...rest)` where `secure` holds
   * `session`, `token`, `data` (the revived POST payload), `plaintext`, and
   * `send(text, init?)` / `json(value, init?)` that resolve to sealed Responses.
   */
  useAuthWithWeb (handler) {
    return async (request, ...rest) => {
      let auth
      let target = '?'
      try {
        target = native.signedUrl(null, request.url).target
        call(() => this.#server.checkHeaders(request.method, request.headers.get('content-length') ?? undefined, request.headers.has('transfer-encoding')))
        const body = request.method === 'POST' ? await webBody(request, this.#server.maxBody) : null
        auth = await this.authenticate({
          method: request.method,
          target,
          authorization: request.headers.get('authorization'),
          body
        })
      } catch (err) {
        this.#logger.warn(describe(request.method, target, err))
        return rejectWeb()
      }
      const seal = async (payload, init) => {
        const options = typeof init === 'number' ? { status: init } : (init ?? {})
        const answer = await this.seal(auth.session, options.status ?? 200, payload)
        const headers = new Headers(options.headers)
        headers.set('authorization', answer.authorization)
        headers.set('content-type', ANSWER_CONTENT_TYPE)
        return new Response(answer.body, { ...options, status: answer.status, headers })
      }
      const secure = {
        isAuthenticated: true,
        session: auth.session,
        token: auth.token,
        data: auth.data,
        plaintext: auth.plaintext,
        send: (text, init) => seal(text, init),
        json: (value, init) => seal(jsonText(value), init)
      }
      return handler(request, secure, ...rest)
    }
  }

  toJSON () {
    return { host: this.host, pubkey: this.pubkey.hex }
  }

  [Symbol.for('nodejs.util.inspect.custom')] () {
    return `CryptoAuth { host: '${this.host}', pubkey: '${this.pubkey.hex}' }`
  }
}

function headerValue (value) {
  return Array.isArray(value) ? value[0] : value
}

function jsonText (value) {
  const text = JSON.stringify(value)
  if (text === undefined) throw new CryptoSessionError('malformed_input', `a value of type ${typeof value} has no JSON form`)
  return text
}

/** A CryptoAuth for an explicit key and host (apps that serve several keys). */
function createCryptoAuth (options) {
  return new CryptoAuth(options)
}

// ---- configuration from the environment, as the reference -----------------

let fromEnv = null
let reportedMissingKey = false

function missingKeyError () {
  const pair = native.generateKeyPair()
  if (!reportedMissingKey) {
    reportedMissingKey = true
    // The reference's help: a fresh pair the operator may adopt. It is new, is used
    // by nothing, and is shown once.
    console.error([
      `crypto-sessions: the environment variable ${ENV_SECRET_KEY} is not set.`,
      'Here is a fresh random key pair in case you need one:',
      `  Private Key : ${pair.secretKey}`,
      `  Public Key  : ${pair.publicKey}`
    ].join('\n'))
  }
  return new CryptoSessionError('invalid_key', `${ENV_SECRET_KEY} is not set: the server has no secret key (a fresh key pair was printed to stderr)`)
}

/**
 * The CryptoAuth configured by CRYPTO_SESSION_KEY and CRYPTO_SESSION_HOST (default
 * http://localhost:3001), made when first needed. Throws a CryptoSessionError
 * when the key is missing or invalid; a later call reads the environment again.
 */
function defaultCryptoAuth () {
  if (fromEnv) return fromEnv
  const secretKey = process.env[ENV_SECRET_KEY]
  if (secretKey === undefined || secretKey.trim() === '') throw missingKeyError()
  const host = process.env[ENV_HOST] || DEFAULT_HOST
  fromEnv = new CryptoAuth({ secretKey, host })
  return fromEnv
}

function configurationFailed (err) {
  console.error(`crypto-sessions: the middleware is not configured: ${err.message}`)
}

/** The reference's generic middleware, configured from the environment. */
async function useCryptoSession (req, res) {
  if (req) req.isAuthenticated = false
  return defaultCryptoAuth().useCryptoSession(req, res)
}

/** Express middleware configured from the environment. */
async function useAuthWithExpress (req, res, next) {
  let auth
  try {
    auth = defaultCryptoAuth()
  } catch (err) {
    configurationFailed(err)
    return next(err)
  }
  return auth.useAuthWithExpress(req, res, next)
}

/** Next.js API route wrapper configured from the environment. */
function useAuthWithNext (handler) {
  return async (req, res) => {
    let auth
    try {
      auth = defaultCryptoAuth()
    } catch (err) {
      configurationFailed(err)
      return failNode(res)
    }
    return auth.useAuthWithNext(handler)(req, res)
  }
}

/** Web-standard handler wrapper configured from the environment. */
function useAuthWithWeb (handler) {
  return async (request, ...rest) => {
    let auth
    try {
      auth = defaultCryptoAuth()
    } catch (err) {
      configurationFailed(err)
      return new Response(null, { status: 500 })
    }
    return auth.useAuthWithWeb(handler)(request, ...rest)
  }
}

module.exports = {
  CryptoAuth,
  createCryptoAuth,
  defaultCryptoAuth,
  useCryptoSession,
  useAuthWithExpress,
  useAuthWithNext,
  useAuthWithWeb,
  DEFAULT_MAX_BODY,
  REJECTION_STATUS
}
