#!/usr/bin/env node
// Interop peer (protocol v2): the independent noble implementation's client
// (tests/interop/js-peer-v2: protocol.mjs's Client over http.mjs's transport), one
// request per line, as node_client_v2.mjs (contract: tests/interop/README.md, "The v2
// peer contract").
//
//   node noble_client_v2.mjs --key HEX
//
// A non-zero clock_offset gives its Client a clock (`now`) that reads the current
// time plus that offset.

import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'

import { sendPrepared } from '../js-peer-v2/http.mjs'
import * as v2 from '../js-peer-v2/protocol.mjs'

const { values: a } = parseArgs({ options: { key: { type: 'string' } } })
if (!a.key) {
  console.error('usage: noble_client_v2.mjs --key HEX')
  process.exit(2)
}

function dataOf (contentType, payload) {
  if (!payload.length) return null
  const type = contentType.split(';')[0].trim().toLowerCase()
  if (type === 'application/json' || type.endsWith('+json')) return JSON.parse(new TextDecoder().decode(payload))
  if (type.startsWith('text/')) return new TextDecoder().decode(payload)
  return { hex: v2.hex(payload) }
}

async function one (req) {
  const offset = Number(req.clock_offset || 0)
  try {
    const client = new v2.Client({
      clientSecret: a.key,
      serverXonly: req.server_key,
      ...(offset ? { now: () => Math.floor(Date.now() / 1000) + offset } : {})
    })
    const url = new URL(req.url)
    const payload = req.body_hex ? v2.fromHex(req.body_hex) : new Uint8Array(0)
    const res = await client.send(
      { method: req.method, origin: url.origin, target: url.pathname + url.search, contentType: req.content_type ?? '', payload },
      (prepared) => sendPrepared(url, req.method, prepared)
    )
    return { status: res.status, content_type: res.contentType, data: dataOf(res.contentType, res.payload), retried: res.retried, err: null }
  } catch (err) {
    const kind = err instanceof v2.ProtocolError ? err.code : 'network'
    return { status: err?.status ?? null, content_type: null, data: null, err: { kind, status: err?.status ?? null, message: String(err?.message ?? err) } }
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim()) process.stdout.write(JSON.stringify(await one(JSON.parse(line))) + '\n')
}
