'use strict'
// Protocol v2 in JavaScript: SecureFetch with `{ protocol: 2 }` (any method, sealed
// bodies with their content type, answers verified against the request sent, the
// one retry after a signed stale answer) and the Web handler (`Request` ->
// `Response`) of one server for v1 and v2, for edge runtimes and any Fetch-API
// server. The core does every check; this adapts Fetch types.

const native = require('./native.js')
const { loadWasm } = require('./wasm.js')
const { CryptoSessionError } = require('./errors.js')
const { keyOf, serialize, viewOf } = require('./bytes.js')

const UTF8 = new TextDecoder()
const ENCODER = new TextEncoder()

/** The module that speaks v2: the addon when it does, else the WebAssembly build. */
function core () {
  return typeof native.V2Client === 'function' ? native : loadWasm()
}

function coreError (err) {
  if (err instanceof CryptoSessionError || !err || typeof err.code !== 'string') return err
  const out = new CryptoSessionError(err.code, err.message, { status: err.status })
  for (const key of ['serverTime', 'offsetApplied', 'headers']) {
    if (err[key] !== undefined) out[key] = err[key]
  }
  return out
}

function attempt (fn) {
  try {
    return fn()
  } catch (err) {
    throw coreError(err)
  }
}

/** A payload as (content type, bytes): bytes as octets, text as text, else JSON. */
function payloadOf (body, contentType) {
  if (body === undefined || body === null) return { contentType: contentType ?? '', bytes: new Uint8Array(0) }
  const view = viewOf(body)
  if (view) return { contentType: contentType ?? 'application/octet-stream', bytes: view }
  const text = serialize(body)
  const type = contentType ?? (typeof body === 'string' ? 'text/plain;charset=utf-8' : 'application/json')
  return { contentType: type, bytes: ENCODER.encode(text) }
}

/** An opened payload by its content type: JSON revived, text as text, else bytes. */
function dataOf (contentType, payload) {
  const type = contentType.split(';')[0].trim().toLowerCase()
  if (type === 'application/json' || type.endsWith('+json')) return payload.length ? JSON.parse(UTF8.decode(payload)) : null
  if (type.startsWith('text/')) return UTF8.decode(payload)
  return payload
}

function headerValue (headers, name) {
  if (!headers) return undefined
  const value = new Headers(headers).get(name)
  return value === null ? undefined : value
}

/** The v2 SecureFetch: a callable `fetch(url, init)` bound to one server key. */
function createSecureFetchV2 (peerKey, secretKey, options = {}) {
  const { hostname, fetcher, verbose, protocol, now, ...defaults } = options
  const client = attempt(() => new (core().V2Client)(keyOf(secretKey, 'secret key'), keyOf(peerKey, 'server key'), now))
  const send = fetcher ?? ((...args) => globalThis.fetch(...args))

  async function exchange (prepared, extraHeaders) {
    const headers = new Headers(extraHeaders)
    headers.delete('content-type')
    for (const [name, value] of prepared.headers) headers.set(name, value)
    const body = prepared.body
    const init = { method: prepared.method, headers, redirect: 'manual' }
    if (body.length) init.body = body
    if (verbose) console.log(`${prepared.method} ${prepared.url}`, Object.fromEntries(headers))
    const response = await send(prepared.url, init)
    const received = new Uint8Array(await response.arrayBuffer())
    return { response, received }
  }

  async function secureFetch (input, init = {}) {
    const url = (hostname ?? '') + String(input instanceof URL ? input.href : input)
    const merged = { ...defaults, ...init }
    const method = merged.method === undefined ? 'GET' : String(merged.method)
    const { contentType, bytes } = payloadOf(merged.body, headerValue(merged.headers, 'content-type'))
    let prepared = attempt(() => client.prepare(method, url, contentType, bytes))
    for (;;) {
      const { response, received } = await exchange(prepared, merged.headers)
      try {
        const answer = client.open(prepared, response.status, response.headers.get('crypto-session') ?? undefined,
          response.headers.get('www-authenticate') ?? undefined, received)
        response.answer = answer
        response.data = dataOf(answer.contentType, answer.payload)
      } catch (err) {
        // One retry, prepared by the core, after a signed stale answer that came in time.
        if (err && err.code === 'stale' && err.retry) {
          prepared = err.retry
          continue
        }
        response.err = coreError(err)
      }
      return response
    }
  }

  Object.defineProperties(secureFetch, {
    protocol: { value: 2, enumerable: true },
    publicKey: { get: () => client.publicKey },
    serverKey: { get: () => client.serverKey },
    clockOffset: { get: () => client.clockOffset },
    fetch: { value: secureFetch },
    setNow: { value: now => attempt(() => client.setNow(now)) }
  })
  return secureFetch
}

function listOf (value) {
  if (value === undefined || value === null) return []
  return Array.isArray(value) ? value : [value]
}

/** CORS headers for `origin` when `allowed` lists it (or is `*`). */
function corsHeaders (allowed, origin) {
  if (!origin || !allowed) return []
  const ok = allowed === '*' || listOf(allowed).includes(origin)
  return ok ? [['Access-Control-Allow-Origin', origin], ['Vary', 'Origin']] : []
}

/** An application result as (status, content type, bytes). */
function resultOf (result) {
  const out = result ?? {}
  const status = out.status ?? 200
  if ('json' in out) return { status, ...payloadOf(JSON.stringify(out.json), out.contentType ?? 'application/json') }
  return { status, ...payloadOf(out.body, out.contentType) }
}

/**
 * The Web handler of one server for v1 and v2: `(Request) => Promise<Response>`.
 *
 * @param {object} config `secretKey` (or `secretKeys`), `origin` (or `origins`): the
 *   origins clients sign, `acceptV1`, `maxAge`, `maxSkew`, `maxBody`,
 *   `replayCapacity`, `admission(clientXonly)`, `cors` (`'*'` or allowed origins)
 * @param {(request: object) => any} app gets `{ version, clientKey, method, url,
 *   contentType, payload, text(), json() }`; returns `{ status?, json }` or
 *   `{ status?, body?, contentType? }`
 */
function createHandler (config, app) {
  const { cors, secretKey, secretKeys, origin, origins, ...rest } = config
  const server = attempt(() => new (core().V2Server)({
    ...rest,
    secretKeys: listOf(secretKeys ?? secretKey).map(k => keyOf(k, 'secret key')),
    origins: listOf(origins ?? origin)
  }))

  return async function handle (request) {
    const allow = corsHeaders(cors, request.headers.get('origin'))
    if (request.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: [...allow, ['Access-Control-Allow-Methods', 'GET, HEAD, POST, PUT, PATCH, DELETE'],
          // The core's list (a sealed body's `Cache-Control: no-transform` included).
          ['Access-Control-Allow-Headers', core().V2_ALLOWED_HEADERS], ['Access-Control-Max-Age', '600']]
      })
    }
    const url = new URL(request.url)
    const body = new Uint8Array(await request.arrayBuffer())
    const authorization = request.headers.get('authorization')
    const length = request.headers.get('content-length')
    let authenticated
    try {
      authenticated = server.authenticate(request.method, url.pathname + url.search,
        authorization === null ? [] : [authorization], length === null ? undefined : Number(length), body)
    } catch (err) {
      if (!Array.isArray(err?.headers)) throw err
      return new Response(null, { status: err.status, headers: [...err.headers, ...allow] })
    }
    const payload = authenticated.payload
    const contentType = authenticated.contentType
    const result = resultOf(await app({
      version: authenticated.version,
      clientKey: authenticated.clientKey,
      method: request.method,
      url: request.url,
      contentType,
      payload,
      text: () => UTF8.decode(payload),
      json: () => JSON.parse(UTF8.decode(payload))
    }))
    const sealed = attempt(() => server.seal(authenticated, result.status, result.contentType, result.bytes))
    // The core's headers: its CORS exposed list names Authorization for a v1 answer.
    const headers = [...sealed.headers, ...allow]
    const empty = sealed.body.length === 0 || [204, 205, 304].includes(sealed.status)
    return new Response(empty ? null : sealed.body, { status: sealed.status, headers })
  }
}

module.exports = { createSecureFetchV2, createHandler, v2Core: core }
