// Express middleware over any stack's SessionServer (authenticate + seal).
// Every rejected request gets the same 401 with an empty body; the reason is logged.

import { CryptoSessionError } from './protocol.mjs'

const defaultLog = (line) => process.stderr.write(`[crypto-auth] ${line}\n`)

/**
 * The POST body as the protocol needs it: what an upstream parser left in req.body
 * (express.json / raw / text), or the raw bytes read here up to `limit`.
 */
function requestBody (req, limit) {
  if (req.body !== undefined) return Promise.resolve(req.body)
  const declared = Number(req.headers['content-length'])
  if (declared > limit) {
    return Promise.reject(new CryptoSessionError('too_large', `body is ${declared} bytes, the limit is ${limit}`))
  }
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    const onData = (chunk) => {
      size += chunk.length
      if (size > limit) {
        // Stop keeping it but let the rest drain, so the 401 can still be sent.
        req.off('data', onData)
        req.resume()
        reject(new CryptoSessionError('too_large', `body is over the limit of ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => resolve(Buffer.concat(chunks)))
    req.once('error', reject)
  })
}

/**
 * Middleware for `server` (a SessionServer of either stack).
 *
 * On success: req.isAuthenticated = true, req.session (the CryptoSession with the
 * client), req.token, req.peerKey / req.peerHex (the client's key); on POST req.body
 * is the revived payload and req.rawPayload its bytes. res.secure.send(text, status?)
 * and res.secure.json(value, status?) seal the answer (status 200 by default).
 * GETs are verified against server.host + req.originalUrl. The returned middleware
 * carries .server, .pubHex and .host.
 */
export function expressAuth (server, { log = defaultLog } = {}) {
  async function cryptoAuth (req, res, next) {
    let auth
    try {
      const body = req.method === 'POST' ? await requestBody(req, server.maxBody) : undefined
      auth = await server.authenticate(req.method, req.originalUrl, req.headers.authorization, body)
    } catch (err) {
      log(`401 ${req.method} ${req.originalUrl}: ${err.kind ?? err.name}: ${err.message}`)
      if (!res.headersSent) res.status(401).end()
      return
    }
    req.isAuthenticated = true
    req.session = auth.session
    req.token = auth.token
    req.peerKey = auth.peerKey
    req.peerHex = auth.peerHex
    if (auth.method === 'POST') {
      req.body = auth.body
      req.rawPayload = auth.payload
    }
    const reply = async (sealed) => {
      const { status, authorization, body } = await sealed
      return res.status(status).set('authorization', authorization).type('text/plain').send(body)
    }
    res.secure = {
      send: (text, status = 200) => reply(server.sealText(auth.session, text, status)),
      json: (value, status = 200) => reply(server.sealJson(auth.session, value, status))
    }
    next()
  }
  // What a caller needs to tell clients: the server's key and the origin it verifies.
  cryptoAuth.server = server
  cryptoAuth.pubHex = server.pubHex
  cryptoAuth.host = server.host
  return cryptoAuth
}
