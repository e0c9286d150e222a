#!/usr/bin/env node
// A command-line client on the reference stack (or the native one), for the interop matrix.
//
//   node client.mjs --server-key HEX [--key HEX] --url URL
//                   [--method GET|POST] [--json '{...}' | --data TEXT] [--stack reference|native]
//
// --key defaults to CRYPTO_SESSION_KEY, else a random key. --json or --data imply POST;
// POST without either signs the URL. Prints one JSON line:
//   {"status": 200, "data": <opened answer, revived>, "err": null}
//   {"status": 418, "data": null, "err": {"kind": "http_status", "message": "...", "status": 418}}
// err.kind is an ErrorKind name, or "network" when no answer came.
// Exit status: 0 answer opened, 1 err set, 2 bad usage (message on stderr).

import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'

const USAGE = 'usage: node client.mjs --server-key HEX [--key HEX] --url URL [--method GET|POST] [--json JSON | --data TEXT] [--stack reference|native]'

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
      json: { type: 'string' },
      data: { type: 'string' },
      stack: { type: 'string', default: 'reference' },
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
if (values.json !== undefined && values.data !== undefined) usage('give --json or --data, not both')
if (values.stack !== 'reference' && values.stack !== 'native') usage('--stack is reference or native')

let body
if (values.json !== undefined) {
  try {
    body = JSON.parse(values.json)
  } catch (err) {
    usage(`--json is not JSON: ${err.message}`)
  }
} else if (values.data !== undefined) {
  body = values.data
}
const method = values.method ?? (body === undefined ? 'GET' : 'POST')
const secretKey = values.key || process.env.CRYPTO_SESSION_KEY || randomBytes(32).toString('hex')

const stack = await import(values.stack === 'native' ? './native-stack.mjs' : './reference-stack.mjs')

const describe = (err) => ({
  kind: err.kind ?? 'network',
  message: err.cause?.message ? `${err.message}: ${err.cause.message}` : err.message,
  ...(err.status ? { status: err.status } : {})
})

let outcome
try {
  const fetchSecure = stack.secureFetch(values['server-key'], secretKey)
  const res = await fetchSecure(values.url, { method, body })
  outcome = { status: res.status, data: res.data ?? null, err: res.err ? describe(res.err) : null }
} catch (err) {
  if (err instanceof stack.CryptoSessionError) usage(err.message)
  outcome = { status: null, data: null, err: describe(err) }
}
process.stdout.write(JSON.stringify(outcome) + '\n')
process.exit(outcome.err ? 1 : 0)
