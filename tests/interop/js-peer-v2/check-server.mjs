#!/usr/bin/env node
// Conformance checks of any v2 server from the outside, route-agnostic, for the
// interop matrix (a server of another implementation, run by its own command).
//
//   node check-server.mjs --server-key HEX --url URL [--key HEX]
//
// URL is any path the server answers for an authenticated GET (any status). Each check
// prints one line, then `N passed, N failed`; exit 0 when all pass, 1 otherwise, 2 on
// bad usage. The server must be past its restart window (its max_skew after a start).

import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'

import * as v2 from './protocol.mjs'
import { sendPrepared } from './http.mjs'

let values
try {
  ({ values } = parseArgs({ options: { 'server-key': { type: 'string' }, url: { type: 'string' }, key: { type: 'string' } } }))
  if (!values['server-key'] || !values.url) throw new Error('--server-key and --url are required')
} catch (err) {
  process.stderr.write(`check-server.mjs: ${err.message}\nusage: node check-server.mjs --server-key HEX --url URL [--key HEX]\n`)
  process.exit(2)
}

const url = new URL(values.url)
const origin = url.origin
const target = url.pathname + url.search
const key = values.key || randomBytes(32).toString('hex')
const client = (opts = {}) => new v2.Client({ clientSecret: key, serverXonly: values['server-key'], ...opts })
const codeOf = (res) => v2.rejectionCode(res.wwwAuthenticate)

function rawGet (headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode, wwwAuthenticate: res.headers['www-authenticate'], header: res.headers['crypto-session'] }))
    })
    req.on('error', reject)
    req.end()
  })
}

const checks = {
  'an authenticated GET gets an answer that verifies for it': async () => {
    const c = client()
    const prepared = c.prepare({ method: 'GET', origin, target })
    const res = await sendPrepared(url, 'GET', prepared)
    const opened = c.open(prepared, { method: 'GET', status: res.status, header: res.header, body: res.body })
    return `status ${opened.status}, ${opened.payload.length} bytes of ${JSON.stringify(opened.contentType)}`
  },
  'the same request again is replayed (401, unsigned)': async () => {
    const prepared = client().prepare({ method: 'GET', origin, target })
    await sendPrepared(url, 'GET', prepared)
    const again = await sendPrepared(url, 'GET', prepared)
    if (again.status !== 401 || codeOf(again) !== 'replayed' || again.header !== undefined) throw new Error(`got ${again.status} ${again.wwwAuthenticate}`)
  },
  'signed for another method: invalid_signature': async () => {
    const prepared = client().prepare({ method: 'POST', origin, target })
    const res = await sendPrepared(url, 'GET', prepared)
    if (res.status !== 401 || codeOf(res) !== 'invalid_signature') throw new Error(`got ${res.status} ${res.wwwAuthenticate}`)
  },
  'addressed to another key: unknown_key': async () => {
    const other = new v2.Client({ clientSecret: key, serverXonly: v2.xonlyOf(randomBytes(32)) })
    const res = await sendPrepared(url, 'GET', other.prepare({ method: 'GET', origin, target }))
    if (res.status !== 401 || codeOf(res) !== 'unknown_key') throw new Error(`got ${res.status} ${res.wwwAuthenticate}`)
  },
  'no Authorization, or a v1-looking one: malformed': async () => {
    for (const headers of [{}, { authorization: 'Bearer abc' }]) {
      const res = await rawGet(headers)
      if (res.status !== 401 || codeOf({ wwwAuthenticate: res.wwwAuthenticate }) !== 'malformed') throw new Error(`got ${res.status} ${res.wwwAuthenticate}`)
    }
  },
  'a clock 2 minutes behind: a signed stale answer, the offset learnt, one retry': async () => {
    const c = client({ now: () => Math.floor(Date.now() / 1000) - 120 })
    const res = await c.send({ method: 'GET', origin, target }, (p) => sendPrepared(url, 'GET', p))
    if (!res.retried || c.offset < 115 || c.offset > 125) throw new Error(`retried ${res.retried}, offset ${c.offset}`)
    return `offset ${c.offset} s`
  },
  'a sealed POST to the same URL gets a verified answer or a verified rejection': async () => {
    const c = client()
    try {
      const res = await c.send({ method: 'POST', origin, target, contentType: 'application/json', payload: new TextEncoder().encode('{"probe":true}') }, (p) => sendPrepared(url, 'POST', p))
      return `status ${res.status}`
    } catch (err) {
      if (err.code === 'invalid_answer' || err.code === 'invalid_body' || err.code === 'invalid_signature') throw err
      return `rejected: ${err.code}`
    }
  }
}

let passed = 0
let failed = 0
for (const [name, check] of Object.entries(checks)) {
  try {
    const note = await check()
    passed++
    process.stdout.write(`ok ${name}${note ? ` (${note})` : ''}\n`)
  } catch (err) {
    failed++
    process.stdout.write(`FAIL ${name}: ${err.message}\n`)
  }
}
process.stdout.write(`${passed} passed, ${failed} failed\n`)
process.exit(failed ? 1 : 0)
