'use strict'
// The v1 server: CryptoAuth holds the core's Server (key, origin, limits, caches)
// and hands each adapter what it needs; the adapters are ./node.js (Express,
// Next.js API routes, node:http) and ./web.js (Request -> Response).
//
// Every rejected request gets the same answer: status 401, an empty body, no
// header of ours, whatever the reason; the reason goes to the logger.

const native = require('../native.js')
const { CryptoSessionError, call, settle } = require('../errors.js')
const { asBytes, keyOf, serialize, revive } = require('../bytes.js')
const { CryptoSession } = require('../session.js')
const { Token } = require('../token.js')
const { describe } = require('./common.js')
const node = require('./node.js')
const web = require('./web.js')

const { DEFAULT_MAX_BODY } = native

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

  /**
   * The reference's generic middleware: sets `req.isAuthenticated`, `req.token`,
   * `req.session`, replaces a POST body by the revived payload and adds
   * `res.secure.send(text, status?)` / `res.secure.json(value, status?)`.
   * A request that does not authenticate rejects (after `req.isAuthenticated =
   * false`) with a CryptoSessionError; answer it 401.
   */
  async useCryptoSession (req, res) {
    return node.useCryptoSession(this, this.#server, req, res)
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
      return node.rejectNode(res)
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
        return node.rejectNode(res)
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
    return web.wrapWeb(this, this.#server, this.#logger, handler)
  }

  toJSON () {
    return { host: this.host, pubkey: this.pubkey.hex }
  }

  [Symbol.for('nodejs.util.inspect.custom')] () {
    return `CryptoAuth { host: '${this.host}', pubkey: '${this.pubkey.hex}' }`
  }
}

/** A CryptoAuth for an explicit key and host (apps that serve several keys). */
function createCryptoAuth (options) {
  return new CryptoAuth(options)
}

module.exports = { CryptoAuth, createCryptoAuth }
