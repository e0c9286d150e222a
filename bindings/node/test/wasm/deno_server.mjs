// The Web handler on Deno (the npm package `deno`): one server for v1 and v2 from
// the browser/edge bundle, on 127.0.0.1 and an ephemeral port. Prints one JSON line
// { origin, publicKey } when listening. Every answer is
// { version, method, got } (the request's payload, as text) sealed to the client.
import { createHandler, getPublicKey } from '../../dist/web/crypto-sessions.mjs'

const secretKey = Deno.env.get('CS_SERVER_SECRET')
let handle
Deno.serve({
  hostname: '127.0.0.1',
  port: 0,
  onListen ({ port }) {
    const origin = `http://127.0.0.1:${port}`
    // A fresh key per run: no earlier process to guard against, so the memory
    // store's restart guard (max_skew after start) is dated back.
    const replayCreated = Math.floor(Date.now() / 1000) - 10
    handle = createHandler({ secretKey, origin, acceptV1: true, cors: '*', replayCreated }, req =>
      ({ json: { version: req.version, method: req.method, got: req.payload.length ? req.text() : null } }))
    console.log(JSON.stringify({ origin, publicKey: getPublicKey(secretKey).hex }))
  }
}, request => handle(request))
