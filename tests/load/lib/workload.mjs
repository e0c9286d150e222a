// Pre-signed requests for the load runs: many clients, many distinct requests, so
// that no server sees one cached request over and over. Signed with the addon's
// client (any correct client would do; what is measured is the server).
//
// Every request carries what its answer must be: a good one a 200 that opens to
// `expect` with its client's session; a bad one exactly 401 with an empty body.

import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import path from 'node:path'

import { NODE_PACKAGE_DIR } from './paths.mjs'

const require = createRequire(import.meta.url)
const native = require(path.join(NODE_PACKAGE_DIR, 'lib', 'native.js'))

export const HOST = 'http://load.test'

/** A JSON object of about 250 bytes, different for each request. */
export function jsonPayload (i) {
  return JSON.stringify({
    request: i,
    user: `user-${i % 97}`,
    items: Array.from({ length: 6 }, (_, k) => ({ id: k, name: `item-${k}`, qty: (i + k) % 5 }))
  })
}

function autocannonRequest (prepared) {
  const url = new URL(prepared.url)
  const headers = { ...prepared.headers }
  return { method: prepared.method, path: url.pathname + url.search, headers, body: prepared.body ?? undefined }
}

/**
 * A server key and `clients` client sessions. `posts` POST /echo and `gets`
 * GET /hello requests, each distinct, spread over the clients.
 */
export function makeWorkload ({ clients = 64, posts = 2048, gets = 8192 } = {}) {
  const serverSecret = randomBytes(32).toString('hex')
  const serverPub = native.publicKeyOf(serverSecret).toString('hex')
  const sessions = Array.from({ length: clients }, () => {
    const secret = randomBytes(32).toString('hex')
    return { client: new native.NativeClient(serverPub, secret, HOST), pubHex: native.publicKeyOf(secret).toString('hex') }
  })
  const postRequests = Array.from({ length: posts }, (_, i) => {
    const c = i % clients
    const payload = jsonPayload(i)
    return { kind: 'good', client: c, expect: payload, ...autocannonRequest(sessions[c].client.prepareSync('POST', `/echo?n=${i}`, payload)) }
  })
  const getRequests = Array.from({ length: gets }, (_, i) => {
    const c = i % clients
    return { kind: 'good', client: c, expect: sessions[c].pubHex, ...autocannonRequest(sessions[c].client.prepareSync('GET', `/hello?n=${i}`)) }
  })
  return { serverSecret, serverPub, host: HOST, sessions, posts: postRequests, gets: getRequests }
}

/** The plaintext of a good answer, opened with the session of the client that asked. */
export function openAnswer (workload, request, status, headers, body) {
  const authorization = headerValue(headers, 'authorization')
  return Buffer.from(workload.sessions[request.client].client.openSync(status, authorization ?? null, body).plaintext).toString('utf8')
}

/** A header of autocannon's onResponse headers (names as the server wrote them). */
export function headerValue (headers, name) {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value
  }
  return undefined
}

/** A server of the same key and host, to check offline what each request must get. */
export function referee (workload) {
  return new native.NativeServer(workload.serverSecret, workload.host)
}

/** Whether the core accepts `request` (offline, no HTTP). */
export function accepted (server, request) {
  try {
    const body = request.body === undefined ? null : Buffer.from(request.body)
    server.authenticateSync(request.method, request.path, headerValue(request.headers, 'authorization') ?? null, body)
    return true
  } catch {
    return false
  }
}
