'use strict'
// SecureFetch: a fetch that signs (and for POST encrypts) each request and opens
// the signed, encrypted answer, as the reference's SecureFetch. The request and
// the answer are made and checked by the core's Client (prepare / open).

const native = require('./native.js')
const { call, settle } = require('./errors.js')
const { keyOf, serialize, revive } = require('./bytes.js')
const { CryptoSession } = require('./session.js')

// The addon client of each SecureFetch (kept off the object, so it is never shown).
const CLIENTS = new WeakMap()

function headerRecord (headers) {
  if (headers === undefined || headers === null) return {}
  return Object.fromEntries(new Headers(headers))
}

async function fromRequest (request) {
  const init = { method: request.method, headers: headerRecord(request.headers) }
  if (request.body !== null) init.body = await request.text()
  return init
}

// The URL as fetch will request it: fetch serializes its input with the WHATWG
// URL parser (percent-encoding, dot segments resolved, fragment dropped), and the
// core's signedUrl takes that to what is signed and sent. Input that is not an
// absolute URL is left as is (fetch reports it).
function wireUrl (url) {
  let href
  try {
    href = new URL(url).href
  } catch {
    return url
  }
  return native.signedUrl(null, href).signed
}

function logRequest (url, init) {
  console.log(`Path: ${url}\nRequest:\n`, init)
}

class SecureFetch extends Function {
  /** `{ fetch, session }` for a server key and our secret key. */
  static create (peerKey, secretKey, options) {
    const fetch = new SecureFetch(peerKey, secretKey, options)
    return { fetch, session: fetch.session }
  }

  /** `create` with a fresh random secret key. */
  static generate (peerKey, options) {
    return SecureFetch.create(peerKey, native.generateKeyPair().secretKey, options)
  }

  /**
   * @param {string | Uint8Array} peerKey the server's public key
   * @param {string | Uint8Array} secretKey our secret key (signs every request)
   * @param {object} [options] `hostname` (prepended to paths), `fetcher` (default
   *   the global fetch), `verbose` (log each request), and RequestInit defaults;
   *   `protocol: 2` makes a v2 fetch (createSecureFetch): the server's key may be x-only
   */
  constructor (peerKey, secretKey, options) {
    // `{ protocol: 2 }`: createSecureFetch on the addon's v2 client (lib/v2/fetch.js),
    // or on the WebAssembly build's (lib/v2/web.js) when the addon could not be
    // loaded: the same behaviour (a verified answer, or a throw). v1 stays the default.
    if (options?.protocol === 2) {
      return typeof native.NativeV2Client === 'function'
        ? require('./v2/fetch.js').createSecureFetch(peerKey, secretKey, options)
        : require('./v2/web.js').createSecureFetch(peerKey, secretKey, options)
    }
    const { hostname, fetcher, verbose, protocol, ...defaults } = options ?? {}
    const client = call(() => new native.NativeClient(keyOf(peerKey, 'server key'), keyOf(secretKey, 'secret key'), ''))
    // A callable instance: `await fetch(path, init)`, as the reference's.
    const self = function secureFetch (input, init) {
      return self.fetch(input, init)
    }
    Object.setPrototypeOf(self, new.target.prototype)
    CLIENTS.set(self, client)
    self.session = CryptoSession.fromNative(client.session)
    self.hostname = hostname ?? ''
    self.options = defaults
    self.verbose = verbose ?? false
    self.fetcher = fetcher ?? globalThis.fetch
    return self
  }

  /** Send a signed request; the Response gets `data` (the opened answer) or `err`. */
  async fetch (input, init) {
    let path = input
    let requestInit = {}
    if (input instanceof URL) {
      path = input.toString()
    } else if (typeof Request !== 'undefined' && input instanceof Request) {
      requestInit = await fromRequest(input)
      path = input.url
    }
    const { hostname, fetcher, verbose, ...callInit } = init ?? {}
    const options = { ...this.options, ...requestInit, ...callInit }
    const headers = {
      ...headerRecord(this.options.headers),
      ...headerRecord(requestInit.headers),
      ...headerRecord(callInit.headers)
    }
    const method = options.method === undefined ? 'GET' : String(options.method)
    const body = options.body === undefined || options.body === null ? undefined : serialize(options.body)
    // The addon client has no hostname: it is put in front here, before the URL
    // is taken as fetch will send it.
    const prepared = await settle(CLIENTS.get(this).prepare(method, wireUrl(this.hostname + String(path)), body))

    const request = { ...options, method: prepared.method, headers: { ...headers, ...prepared.headers } }
    if (prepared.body === undefined || prepared.body === null) delete request.body
    else request.body = prepared.body
    if (this.verbose) logRequest(prepared.url, request)
    const response = await this.fetcher(prepared.url, request)
    return this.handleResponse(response)
  }

  /** Open a signed answer into `response.data`, or set `response.err`. */
  async handleResponse (response) {
    try {
      const text = await response.text()
      const opened = await settle(CLIENTS.get(this).open(response.status, response.headers.get('authorization'), text))
      response.data = revive(opened.plaintext, opened.isJson)
    } catch (err) {
      response.err = err
    }
    return response
  }
}

module.exports = { SecureFetch }
