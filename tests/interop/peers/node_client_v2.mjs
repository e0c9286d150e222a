#!/usr/bin/env node
// Interop peer (protocol v2): the Node package's clients, one request per line.
//
//   node node_client_v2.mjs secure-fetch|create-secure-fetch --key HEX
//
// secure-fetch is `new SecureFetch(serverKey, key, { protocol: 2 })` (answers and
// failures on the Response: .data, .err); create-secure-fetch is
// `createSecureFetch(serverKey, key)` (rejects on failure). Requests come as JSON
// lines on stdin, one JSON line out per request, in order (contract:
// tests/interop/README.md, "The v2 peer contract"). Each request gets a fresh client
// with the same key; a non-zero clock_offset gives it a clock that reads the
// current time plus that offset (the package's `now` option).

import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'

import { SecureFetch, createSecureFetch } from './node_package.mjs'

const { values: a, positionals } = parseArgs({ options: { key: { type: 'string' } }, allowPositionals: true })
const library = positionals[0]
if (!['secure-fetch', 'create-secure-fetch'].includes(library) || !a.key) {
  console.error('usage: node_client_v2.mjs secure-fetch|create-secure-fetch --key HEX')
  process.exit(2)
}

const errorOf = (err, status) => ({ kind: err?.code ?? err?.name ?? 'error', status: err?.status ?? status ?? null, message: String(err?.message ?? err) })

function dataOf (data) {
  if (data === undefined || data === null || data === '') return null
  if (data instanceof Uint8Array) return data.length ? { hex: Buffer.from(data).toString('hex') } : null
  return data
}

async function one (req) {
  const offset = Number(req.clock_offset || 0)
  const options = offset ? { now: Math.floor(Date.now() / 1000) + offset } : {}
  const init = { method: req.method }
  if (req.body_hex) init.body = Buffer.from(req.body_hex, 'hex')
  if (req.content_type) init.headers = { 'content-type': req.content_type }
  try {
    const fetch = library === 'secure-fetch'
      ? new SecureFetch(req.server_key, a.key, { protocol: 2, ...options })
      : createSecureFetch(req.server_key, a.key, options)
    const res = await fetch(req.url, init)
    if (res.err) return { status: res.status, content_type: null, data: null, err: errorOf(res.err, res.status) }
    return { status: res.status, content_type: res.headers.get('content-type'), data: dataOf(res.data), err: null }
  } catch (err) {
    return { status: err?.status ?? null, content_type: null, data: null, err: errorOf(err) }
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim()) process.stdout.write(JSON.stringify(await one(JSON.parse(line))) + '\n')
}
