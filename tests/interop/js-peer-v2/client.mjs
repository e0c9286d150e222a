#!/usr/bin/env node
// A command-line crypto-session v2 client, for the interop matrix.
//
//   node client.mjs --server-key HEX [--key HEX] --url URL [--method M]
//                   [--content-type TYPE] [--data TEXT | --data-hex HEX]
//
// --server-key: the server's x-only key (64 hex; a v1 compressed key, 66 hex, maps to
// its x). --key defaults to CRYPTO_SESSION_KEY, else a random key. --method defaults to
// POST with a payload, else GET. The URL's origin and target are what is signed.
// Prints one JSON line:
//   {"status":200,"content_type":"application/json","payload":"<UTF-8 text or null>","payload_hex":"...","retried":false,"err":null}
//   {"status":null,"content_type":null,"payload":null,"payload_hex":null,"retried":false,"err":{"kind":"replayed","message":"..."}}
// err.kind: a server rejection code (unsigned: the outcome is unknown), invalid_answer,
// stale (after the single retry), or network.
// Exit status: 0 answer verified and opened, 1 err set, 2 bad usage (message on stderr).

import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'

import * as v2 from './protocol.mjs'
import { sendPrepared } from './http.mjs'

const USAGE = 'usage: node client.mjs --server-key HEX [--key HEX] --url URL [--method M] [--content-type TYPE] [--data TEXT | --data-hex HEX]'

function usage (message) {
  process.stderr.write(`client.mjs: ${message}\n${USAGE}\n`)
  process.exit(2)
}

let values
try {
  ({ values } = parseArgs({
    options: {
      'server-key': { type: 'string' },
      key: { type: 'string' },
      url: { type: 'string' },
      method: { type: 'string' },
      'content-type': { type: 'string', default: '' },
      data: { type: 'string' },
      'data-hex': { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  }))
} catch (err) {
  usage(err.message)
}
if (values.help) {
  process.stdout.write(USAGE + '\n')
  process.exit(0)
}
if (!values['server-key']) usage('--server-key is required')
if (!values.url) usage('--url is required')
if (values.data !== undefined && values['data-hex'] !== undefined) usage('give --data or --data-hex, not both')

let client, url, payload, target
try {
  url = new URL(values.url)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') usage('--url must be http or https')
  target = url.pathname + url.search
  v2.parseTarget(target)
  payload = values['data-hex'] !== undefined ? v2.fromHex(values['data-hex'], undefined, '--data-hex') : new TextEncoder().encode(values.data ?? '')
  client = new v2.Client({ clientSecret: values.key || process.env.CRYPTO_SESSION_KEY || randomBytes(32).toString('hex'), serverXonly: values['server-key'] })
} catch (err) {
  usage(err.message)
}
const method = values.method ?? (payload.length > 0 || values['content-type'] !== '' ? 'POST' : 'GET')

const text = (bytes) => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

let outcome
try {
  const res = await client.send(
    { method, origin: url.origin, target, contentType: values['content-type'], payload },
    (prepared) => sendPrepared(url, method, prepared)
  )
  outcome = { status: res.status, content_type: res.contentType, payload: text(res.payload), payload_hex: v2.hex(res.payload), retried: res.retried, err: null }
} catch (err) {
  if (err instanceof v2.ProtocolError && err.code === 'invalid_input') usage(err.message)
  const kind = err instanceof v2.ProtocolError ? err.code : 'network'
  outcome = { status: null, content_type: null, payload: null, payload_hex: null, retried: false, err: { kind, message: err.message } }
}
process.stdout.write(JSON.stringify(outcome) + '\n')
process.exit(outcome.err ? 1 : 0)
