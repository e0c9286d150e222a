// The client side over any stack's CryptoSession: sign (and encrypt) a request the way
// the reference's SecureFetch does, send it with fetch, open the answer.

import { CryptoSessionError, jsonText, protocolMethod } from './protocol.mjs'

function plainHeaders (headers) {
  if (headers === undefined) return {}
  if (headers instanceof Headers) return Object.fromEntries(headers.entries())
  return { ...headers }
}

export class SecureClient {
  /**
   * `session`: a CryptoSession with the server (peer = server key); `revive`: the
   * stack's revive. Options: hostname (prefixed to every path, default ''), fetcher
   * (default globalThis.fetch), headers (sent with every request).
   */
  constructor (session, revive, { hostname = '', fetcher, headers } = {}) {
    this.session = session
    this.revive = revive
    this.hostname = hostname
    this.fetcher = fetcher ?? ((url, init) => globalThis.fetch(url, init))
    this.headers = plainHeaders(headers)
  }

  /**
   * The signed request: { url, init: { method, headers, body } }. GET signs the URL
   * string; POST signs and encrypts the body (string as is, bytes as they are, other
   * values as JSON) or the URL string when there is no body. Other methods throw
   * unsupported_method (the reference would send them unsigned).
   */
  async prepare (path, { method, body, headers } = {}) {
    const m = protocolMethod(method)
    const url = this.hostname + String(path)
    const all = { ...this.headers, ...plainHeaders(headers) }
    if (m === 'GET') {
      return { url, init: { method: m, headers: { ...all, authorization: await this.session.tokenFor(url) } } }
    }
    let content = body
    if (body === undefined || body === null) content = url
    else if (typeof body !== 'string' && !(body instanceof Uint8Array)) content = jsonText(body)
    const { token, data } = await this.session.encode(content)
    return {
      url,
      init: {
        method: m,
        headers: { ...all, authorization: token, 'content-type': 'application/json' },
        body: JSON.stringify({ data })
      }
    }
  }

  /**
   * Open an answer: the plaintext bytes, or a CryptoSessionError: http_status for a
   * non-2xx status, malformed_input, decrypt_failed, invalid_signature, wrong_peer
   * (the answer is not signed by the server).
   */
  async open (status, authorization, body) {
    if (status < 200 || status > 299) {
      throw new CryptoSessionError('http_status', `the server answered ${status}`, { status })
    }
    const token = typeof authorization === 'string' ? authorization.trim() : ''
    if (token === '') throw new CryptoSessionError('malformed_input', 'the answer has no authorization header')
    return this.session.open(token, body)
  }

  /**
   * Send a request and open its answer:
   * { status, ok, data (revived), raw (bytes), err (CryptoSessionError or null), response }.
   * Building the request (unsupported method, unserializable body) and network
   * failures throw; answer failures are reported in `err`, as the reference does.
   */
  async fetch (path, options = {}) {
    const { url, init } = await this.prepare(path, options)
    const response = await this.fetcher(url, init)
    const text = await response.text()
    const result = { status: response.status, ok: false, data: undefined, raw: null, err: null, response }
    try {
      result.raw = await this.open(response.status, response.headers.get('authorization'), text)
      result.data = this.revive(result.raw)
      result.ok = true
    } catch (err) {
      result.err = err
    }
    return result
  }
}

/** A fetch-like function bound to `client`, with `.client` and `.session` attached. */
export function bindFetch (client) {
  const secure = (path, options) => client.fetch(path, options)
  secure.client = client
  secure.session = client.session
  return secure
}
