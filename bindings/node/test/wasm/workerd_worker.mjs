// The Web handler on workerd (the npm package `workerd`): one server for v1 and v2
// from the browser/edge bundle, the bundle's .wasm a `wasm` module of the worker.
// Its key and origin come from the config's bindings (workerd.test.mjs writes it).
// Every answer is { version, method, got } (the request's payload, as text) sealed
// to the client; GET /key answers the server's public key, unsigned.
import { createHandler, getPublicKey } from './crypto-sessions.mjs'

let handle
export default {
  async fetch (request, env) {
    if (new URL(request.url).pathname === '/key') return new Response(getPublicKey(env.CS_SERVER_SECRET).hex)
    // A fresh key per run: no earlier process to guard against, so the memory
    // store's restart guard (max_skew after start) is dated back.
    handle ??= createHandler({
      secretKey: env.CS_SERVER_SECRET, origin: env.CS_ORIGIN, acceptV1: true, replayCreated: Math.floor(Date.now() / 1000) - 10
    }, req => ({ json: { version: req.version, method: req.method, got: req.payload.length ? req.text() : null } }))
    return handle(request)
  }
}
