'use strict'
// The Web-standard adapter (Request -> Response: Next.js route handlers, Hono, Bun,
// Deno): the body of a Request, the rejection, and the wrapper.

const native = require('../native.js')
const { REJECTION_STATUS, ANSWER_CONTENT_TYPE } = native
const { call } = require('../errors.js')
const { tooLarge, describe, jsonText } = require('./common.js')

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

function rejectWeb () {
  return new Response(null, { status: REJECTION_STATUS, headers: { 'content-length': '0' } })
}

/**
 * Wrap a Web handler: `handler(request, secure, ...rest)` runs only for a request
 * that authenticates with `auth` (a CryptoAuth; `server`: its core server).
 */
function wrapWeb (auth, server, logger, handler) {
  return async (request, ...rest) => {
    let authed
    let target = '?'
    try {
      target = native.signedUrl(null, request.url).target
      call(() => server.checkHeaders(request.method, request.headers.get('content-length') ?? undefined, request.headers.has('transfer-encoding')))
      const body = request.method === 'POST' ? await webBody(request, server.maxBody) : null
      authed = await auth.authenticate({
        method: request.method,
        target,
        authorization: request.headers.get('authorization'),
        body
      })
    } catch (err) {
      logger.warn(describe(request.method, target, err))
      return rejectWeb()
    }
    const seal = async (payload, init) => {
      const options = typeof init === 'number' ? { status: init } : (init ?? {})
      const answer = await auth.seal(authed.session, options.status ?? 200, payload)
      const headers = new Headers(options.headers)
      headers.set('authorization', answer.authorization)
      headers.set('content-type', ANSWER_CONTENT_TYPE)
      return new Response(answer.body, { ...options, status: answer.status, headers })
    }
    const secure = {
      isAuthenticated: true,
      session: authed.session,
      token: authed.token,
      data: authed.data,
      plaintext: authed.plaintext,
      send: (text, init) => seal(text, init),
      json: (value, init) => seal(jsonText(value), init)
    }
    return handler(request, secure, ...rest)
  }
}

module.exports = { webBody, wrapWeb }
