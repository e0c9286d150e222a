'use strict'
// What the two v2 servers share (lib/v2/server.js on the addon, lib/v2/web.js on
// the WebAssembly build): the authenticated request as handlers see it, an
// answer's bytes, the sealed Web Response, the rejection and its log line. No Node
// API here: the browser/edge bundle includes this file.

const { CryptoSessionError } = require('../errors.js')

const ENCODER = new TextEncoder()
// Statuses whose Response must have a null body.
const NO_BODY_STATUSES = [204, 205, 304]

function describe (method, target, err) {
  return `crypto-sessions: rejected ${JSON.stringify(String(method))} ${JSON.stringify(String(target).slice(0, 200))}: ${err && err.message ? err.message : err}`
}

function contentLengthOf (value) {
  if (value === undefined || value === null || value === '') return undefined
  const n = Number(value)
  // An unparsable Content-Length is no size the core can check: the body read
  // is still bounded, and a mismatch fails the signature.
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

/** A handler's answer as (content type, bytes). */
function answerBytes (value, contentType) {
  if (value === undefined || value === null) return { contentType: contentType ?? '', payload: new Uint8Array(0) }
  if (value instanceof Uint8Array) return { contentType: contentType ?? 'application/octet-stream', payload: value }
  if (typeof value === 'string') return { contentType: contentType ?? 'text/plain; charset=utf-8', payload: ENCODER.encode(value) }
  const text = JSON.stringify(value)
  if (text === undefined) throw new CryptoSessionError('malformed_input', `a value of type ${typeof value} has no JSON form`)
  return { contentType: contentType ?? 'application/json', payload: ENCODER.encode(text) }
}

/** What `authenticate` resolves: the request's fields and the core's request. */
function authenticatedView (request) {
  return {
    version: request.version,
    clientKey: request.clientKey,
    payload: request.payload,
    contentType: request.contentType,
    native: request
  }
}

/**
 * The status and headers of a failed authentication: the core's rejection as it
 * is, anything else a 500 that is not cached and whose headers a page can read.
 */
function rejectionOf (err, exposeHeaders) {
  if (Array.isArray(err?.headers)) return { status: err.status, headers: err.headers }
  return { status: 500, headers: [['Cache-Control', 'no-store'], exposeHeaders] }
}

/**
 * A Web handler's `secure` argument: the authenticated request's fields, its
 * revived `body`, and `send(value, init?)` / `json(value, init?)` resolving to
 * sealed Responses. `seal` is the server's; `extraHeaders(headers, sealed)` adds
 * what only one server sends (CORS).
 */
function webSecure (authenticated, body, seal, extraHeaders = () => {}) {
  const answer = (value, init, contentType) => {
    const options = typeof init === 'number' ? { status: init } : (init ?? {})
    const headers = new Headers(options.headers)
    const { contentType: type, payload } = answerBytes(value, contentType ?? headers.get('content-type') ?? undefined)
    const sealed = seal(authenticated, options.status ?? 200, type, payload)
    headers.delete('content-type')
    for (const [name, v] of sealed.headers) headers.set(name, v)
    extraHeaders(headers, sealed)
    const empty = sealed.body.length === 0 || NO_BODY_STATUSES.includes(sealed.status)
    return new Response(empty ? null : sealed.body, { status: sealed.status, headers })
  }
  return {
    version: authenticated.version,
    clientKey: authenticated.clientKey,
    payload: authenticated.payload,
    contentType: authenticated.contentType,
    body,
    send: async (value, init) => answer(value, init),
    json: async (value, init) => answer(ENCODER.encode(JSON.stringify(value ?? null)), init, 'application/json')
  }
}

module.exports = { describe, contentLengthOf, answerBytes, authenticatedView, rejectionOf, webSecure }
