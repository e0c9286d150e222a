// The HTTP edge of the v2 peer on node:http: reading a body within a limit, removing a
// content coding, and sending a prepared v2 request (the client's transport).

import http from 'node:http'
import https from 'node:https'
import zlib from 'node:zlib'

export class BodyTooLarge extends Error {}

const DECODERS = { gzip: zlib.gunzipSync, 'x-gzip': zlib.gunzipSync, deflate: zlib.inflateSync, br: zlib.brotliDecompressSync }

/**
 * Remove a content coding (a proxy may add one) before the body is hashed and opened.
 * Throws BodyTooLarge past `limit` decoded bytes, or an Error for an unknown coding.
 */
export function decodeContent (encoding, bytes, limit) {
  const codings = String(encoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity')
  let out = bytes
  for (const coding of codings.reverse()) {
    const decode = DECODERS[coding]
    if (!decode) throw new Error(`unsupported content coding ${coding}`)
    try {
      out = decode(out, { maxOutputLength: limit + 1 })
    } catch (err) {
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new BodyTooLarge()
      throw err
    }
    if (out.length > limit) throw new BodyTooLarge()
  }
  return new Uint8Array(out)
}

/** Read a message body (transfer coding already removed by node:http), at most `limit` bytes. */
export function readBody (stream, limit) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    stream.on('data', (chunk) => {
      size += chunk.length
      if (size > limit) {
        stream.pause()
        reject(new BodyTooLarge())
        return
      }
      chunks.push(chunk)
    })
    stream.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))))
    stream.on('error', reject)
  })
}

/**
 * The client's transport: send `prepared` (from Client.prepare) to `url` with `method`.
 * Never follows redirects. -> {status, header, wwwAuthenticate, body}.
 */
export function sendPrepared (url, method, prepared, { maxAnswer = 64 * 1024 * 1024, timeoutMs = 30000 } = {}) {
  const target = new URL(url)
  const lib = target.protocol === 'https:' ? https : http
  const headers = { ...prepared.headers, 'accept-encoding': 'identity' }
  if (prepared.body.length > 0) headers['content-length'] = String(prepared.body.length)
  return new Promise((resolve, reject) => {
    const req = lib.request({ hostname: target.hostname.replace(/^\[|\]$/g, ''), port: target.port || undefined, method, path: target.pathname + target.search, headers, timeout: timeoutMs }, async (res) => {
      try {
        const raw = await readBody(res, maxAnswer)
        resolve({
          status: res.statusCode,
          header: res.headersDistinct['crypto-session']?.length === 1 ? res.headersDistinct['crypto-session'][0] : undefined,
          cryptoSessionFields: res.headersDistinct['crypto-session']?.length ?? 0,
          wwwAuthenticate: res.headers['www-authenticate'],
          body: decodeContent(res.headers['content-encoding'], raw, maxAnswer)
        })
      } catch (err) {
        reject(err)
      }
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(prepared.body.length > 0 ? Buffer.from(prepared.body) : undefined)
  })
}
