#!/usr/bin/env node
// Interop peer: one request with the Node package's SecureFetch (over the global fetch).
//
//   node node_client.mjs --server-key HEX --key HEX --url URL [--method GET|POST]
//                        [--json JSON | --data TEXT]
//
// Prints one JSON line {"status", "data", "err"} (contract: tests/interop/README.md).

import { parseArgs } from 'node:util'

import { SecureFetch } from './node_package.mjs'

function report (status, data, err) {
  process.stdout.write(JSON.stringify({ status: status ?? null, data: data ?? null, err: err ?? null }) + '\n')
  return err ? 1 : 0
}

function errorOf (err, status) {
  return {
    kind: err?.code ?? err?.name ?? 'error',
    message: String(err?.message ?? err),
    status: err?.status ?? status ?? null
  }
}

async function main () {
  const { values: a } = parseArgs({
    options: {
      'server-key': { type: 'string' },
      key: { type: 'string' },
      url: { type: 'string' },
      method: { type: 'string' },
      json: { type: 'string' },
      data: { type: 'string' }
    }
  })
  if (!a['server-key'] || !a.key || !a.url) {
    console.error('usage: node_client.mjs --server-key HEX --key HEX --url URL [--method M] [--json JSON | --data TEXT]')
    return 2
  }
  const hasBody = a.json !== undefined || a.data !== undefined
  const init = { method: a.method ?? (hasBody ? 'POST' : 'GET') }
  // A JS value goes as JSON.stringify writes it; a string as its UTF-8 bytes.
  if (a.json !== undefined) init.body = JSON.parse(a.json)
  else if (a.data !== undefined) init.body = a.data

  let response
  try {
    // No hostname: the URL is given whole, and that is what gets signed.
    const secureFetch = new SecureFetch(a['server-key'], a.key)
    response = await secureFetch(a.url, init)
  } catch (err) {
    return report(null, null, errorOf(err))
  }
  if (response.err) return report(response.status, null, errorOf(response.err, response.status))
  return report(response.status, response.data, null)
}

process.exitCode = await main()
