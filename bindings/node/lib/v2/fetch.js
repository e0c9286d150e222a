'use strict'
// The v2 client: a fetch that prepares each request with the core's v2 Client
// (any method, a body with its content type), sends it without following
// redirects, and returns only a verified answer. A signed stale answer sets the
// clock offset for this server key and the request is retried once; there is no
// fallback to v1.

const native = require('../native.js')
const { CryptoSessionError } = require('../errors.js')
const { keyOf } = require('../bytes.js')
const { revive } = require('./server.js')

const CLIENTS = new WeakMap()

function v1Only (status) {
  return Object.assign(new Error(
    `the server answered ${status} without "WWW-Authenticate: CryptoSession error=...": it may speak only protocol v1. ` +
    'Ask its operator to upgrade, or talk v1 to it with new SecureFetch(serverKey, secretKey) (protocol 1, no freshness or replay protection).'
  ), { code: 'v1_only', status })
}

// A v2 failure as an Error with `code` (and `status` for a rejection).
function clientError (err) {
  if (err instanceof Error && typeof err.code === 'string') return err
  return new CryptoSessionError('malformed_input', String(err && err.message ? err.message : err))
}

/** The body of a request as (content type, bytes). */
function requestBody (body, headers) {
  const given = headers.get('content-type')
  if (body === undefined || body === null) return { contentType: '', payload: Buffer.alloc(0) }
  if (typeof body === 'string') return { contentType: given ?? 'text/plain;charset=UTF-8', payload: Buffer.from(body) }
  if (body instanceof ArrayBuffer) return { contentType: given ?? 'application/octet-stream', payload: Buffer.from(body) }
  if (ArrayBuffer.isView(body)) return { contentType: given ?? 'application/octet-stream', payload: Buffer.from(body.buffer, body.byteOffset, body.byteLength) }
  if (body instanceof URLSearchParams) return { contentType: given ?? 'application/x-www-form-urlencoded;charset=UTF-8', payload: Buffer.from(body.toString()) }
  // A plain value: its JSON.
  return { contentType: given ?? 'application/json', payload: Buffer.from(JSON.stringify(body)) }
}

async function send (fetcher, prepared, options, headers) {
  const out = new Headers(headers)
  out.delete('content-type')
  for (const [name, value] of prepared.headers) out.set(name, value)
  const body = prepared.body
  const response = await fetcher(prepared.url, {
    ...options,
    method: prepared.method,
    headers: out,
    body: body.length ? body : undefined,
    redirect: 'manual'
  })
  return { response, bytes: Buffer.from(await response.arrayBuffer()) }
}

function open (client, prepared, { response, bytes }) {
  const cryptoSession = response.headers.get(native.V2_CRYPTO_SESSION)
  const wwwAuthenticate = response.headers.get(native.V2_WWW_AUTHENTICATE)
  if (response.status === 401 && cryptoSession === null && !/^\s*cryptosession\s+error=/i.test(wwwAuthenticate ?? '')) {
    throw v1Only(response.status)
  }
  return client.open(prepared, response.status, cryptoSession, wwwAuthenticate, bytes)
}

/**
 * A v2 fetch for one server key: `await fetch(url, init)` resolves to a Response
 * holding the verified, decrypted answer (`response.data`: JSON parsed, text, or
 * bytes by its content type) or rejects with an Error whose `code` is
 * `invalid_answer`, the server's rejection code (the outcome is then unknown),
 * `stale` (not executed, after the one retry), or `v1_only`.
 *
 * @param {string | Uint8Array} serverKey the server's key (x-only or SEC1)
 * @param {string | Uint8Array} secretKey our secret key
 * @param {object} [options] `hostname` (prepended to paths), `fetcher` (default
 *   the global fetch), `now` (tests: a fixed clock), and RequestInit defaults
 */
function createSecureFetch (serverKey, secretKey, options = {}) {
  const { hostname = '', fetcher = globalThis.fetch, now, protocol, ...defaults } = options
  let client
  try {
    client = new native.NativeV2Client(keyOf(secretKey, 'secret key'), keyOf(serverKey, 'server key'), now ?? null)
  } catch (err) {
    throw clientError(err)
  }
  const secureFetch = async function secureFetch (input, init = {}) {
    const url = input instanceof URL ? input.href : hostname + String(input)
    const options = { ...defaults, ...init }
    const headers = new Headers(defaults.headers)
    for (const [name, value] of new Headers(init.headers)) headers.set(name, value)
    const method = options.method === undefined ? 'GET' : String(options.method).toUpperCase()
    const { contentType, payload } = requestBody(options.body, headers)
    delete options.headers
    delete options.body
    let prepared
    try {
      prepared = client.prepare(method, url, contentType, payload)
    } catch (err) {
      throw clientError(err)
    }
    let answer
    try {
      answer = open(client, prepared, await send(fetcher, prepared, options, headers))
    } catch (err) {
      const retry = err && err.code === 'stale' && err.retry ? prepared.takeRetry() : null
      if (retry === null) throw clientError(err)
      try {
        answer = open(client, retry, await send(fetcher, retry, options, headers))
      } catch (err2) {
        throw clientError(err2)
      }
    }
    const body = answer.payload.length ? answer.payload : null
    const response = new Response(body, {
      status: answer.status,
      headers: answer.contentType ? { 'content-type': answer.contentType } : {}
    })
    response.data = revive(answer.payload, answer.contentType)
    response.contentType = answer.contentType
    return response
  }
  CLIENTS.set(secureFetch, client)
  Object.defineProperties(secureFetch, {
    publicKey: { get: () => client.publicKey },
    serverKey: { get: () => client.serverKey },
    clockOffset: { get: () => client.clockOffset }
  })
  secureFetch.setNow = t => client.setNow(t)
  return secureFetch
}

module.exports = { createSecureFetch }
