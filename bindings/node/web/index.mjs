// crypto-sessions for browsers and edge runtimes (the `browser`, `worker`,
// `workerd`, `deno` and `bun` export conditions): the WebAssembly build of the core
// under the same JavaScript facade as the native addon. scripts/bundle-web.mjs
// makes it one ES module next to the .wasm: <script type="module"> or `import`.
import init from '../wasm/crypto_sessions_wasm.js'

await init({ module_or_path: await wasmSource() })

async function wasmSource () {
  let url
  try {
    url = new URL('./crypto_sessions_wasm_bg.wasm', import.meta.url)
  } catch {
    // workerd gives a module no URL: the .wasm is a module of the worker (a `wasm`
    // module of its config, or Wrangler's CompiledWasm rule), imported by name.
    return (await import('./crypto_sessions_wasm_bg.wasm')).default
  }
  // fetch() reads no file: URL in Node; Deno and Bun read files the same way.
  return url.protocol === 'file:' ? (await import('node:fs/promises')).readFile(url) : url
}

// The facade is CommonJS, bundled lazily: it runs only now, after instantiation.
const facade = await import('./facade.cjs')
const api = facade.default ?? facade

export const {
  CryptoSession,
  Token,
  SecureFetch,
  CryptoSessionError,
  ERROR_CODES,
  Bytes,
  generateKeyPair,
  getPublicKey,
  CryptoSessionServer,
  createServer,
  createSecureFetch,
  PROTOCOL_VERSION,
  CORE_VERSION,
  CORE_BACKEND,
  createHandler,
  V2Client,
  V2Server,
  xonlyOf,
  kidOf
} = api

export default api
