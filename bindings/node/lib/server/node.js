'use strict'
// The Node adapter (Express, Next.js API routes, node:http): the body of a Node
// request, the rejection, and the reference's `useCryptoSession` contract.

const { REJECTION_STATUS, ANSWER_CONTENT_TYPE } = require('../native.js')
const { CryptoSessionError, call } = require('../errors.js')
const { tooLarge, headerValue, jsonText } = require('./common.js')

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

function failNode (res) {
  if (!res.headersSent) {
    res.statusCode = 500
    res.setHeader('content-length', '0')
  }
  res.end()
}

/**
 * Authenticate a Node request with `auth` (a CryptoAuth) and `server` (its core
 * server): the core's body rule on the headers first, so a GET with a body never
 * gets as far as a handler and an oversized body is not read.
 */
async function authenticateNode (auth, server, req) {
  const method = String(req.method)
  call(() => server.checkHeaders(method, headerValue(req.headers['content-length']), req.headers['transfer-encoding'] !== undefined))
  const bodyBytes = method === 'POST' ? await nodeBody(req, server.maxBody) : null
  const body = typeof bodyBytes === 'string' ? Buffer.from(bodyBytes) : bodyBytes
  return auth.authenticate({
    method,
    target: req.originalUrl ?? req.url,
    authorization: headerValue(req.headers.authorization),
    body
  })
}

/** `res.secure.send(text, status?)` / `res.secure.json(value, status?)`. */
function secureNode (auth, res, session) {
  const seal = async (payload, status) => {
    const answer = await auth.seal(session, status ?? res.statusCode ?? 200, payload)
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

/** The reference's generic middleware contract (see CryptoAuth#useCryptoSession). */
async function useCryptoSession (auth, server, req, res) {
  req.isAuthenticated = false
  const authed = await authenticateNode(auth, server, req)
  req.token = authed.token
  req.session = authed.session
  if (authed.method === 'POST') req.body = authed.data
  res.secure = secureNode(auth, res, authed.session)
  req.isAuthenticated = true
}

module.exports = { nodeBody, rejectNode, failNode, useCryptoSession }
