// Compiled with `tsc --noEmit` by `make test-node` with the `browser` condition, the
// DOM library and no Node types: the browser/edge entry's declarations
// (web/index.d.mts) must accept what it exports under Node's names and reject
// Node-only names.
import {
  CryptoSession, Token, SecureFetch, CryptoSessionError, createSecureFetch, createServer, CryptoSessionServer,
  generateKeyPair, getPublicKey, createHandler, xonlyOf, kidOf, CORE_BACKEND, type SecureResponse, type V2Response
} from 'crypto-sessions'
import cryptoSessions from 'crypto-sessions'
import * as web from 'crypto-sessions/web'

async function client (): Promise<void> {
  const { secretKey, publicKey } = generateKeyPair()
  const s = new CryptoSession(publicKey, secretKey)
  const { token, data } = await s.encode({ hello: 'browser' })
  const opened = await s.decode<{ hello: string }>(token, data)
  const hello: string = opened.data.hello
  const t: Token = Token.import(token.encoded)
  const v1 = new SecureFetch(publicKey, secretKey, { hostname: 'https://api.example' })
  const r1: SecureResponse<{ n: number }> = await v1('/n')
  const n: number | undefined = r1.data?.n
  const v2 = createSecureFetch(publicKey, secretKey, { fetcher: (input, init) => fetch(input, init) })
  const r2: V2Response<{ n: number }> = await v2('https://api.example/n', { method: 'POST', body: { n: 1 } })
  const m: number = r2.data.n
  // SecureFetch with `protocol: 2` is createSecureFetch's v2 fetch (it throws on a bad answer).
  const v2b = new SecureFetch(publicKey, secretKey, { protocol: 2, hostname: 'https://api.example' })
  const r3: V2Response<{ n: number }> = await v2b('/n', { method: 'PUT', body: { n: 2 } })
  const p: 2 = v2b.protocol
  const v1b = new SecureFetch(publicKey, secretKey, { protocol: 1 })
  const r4: SecureResponse<{ n: number }> = await v1b('https://api.example/n')
  void [r3, p, r4.err]
  const keys: string = v2.publicKey + v2.serverKey + getPublicKey(secretKey).hex + xonlyOf(publicKey).hex + kidOf(publicKey).hex
  const backend: 'libsecp256k1' = CORE_BACKEND
  void [hello, t, n, m, keys, backend]
  try {
    await v2('https://api.example/')
  } catch (err) {
    if (err instanceof CryptoSessionError) void err.code
  }
}

function server (): void {
  const { secretKey } = generateKeyPair()
  const server: CryptoSessionServer = createServer({ keys: secretKey, origins: 'https://api.example', acceptV1: true, cors: ['https://app.example'] })
  const keys: string[] = server.publicKeys
  const handle: (request: Request) => Promise<Response> = server.web(async (request, secure) => {
    const from: Uint8Array = secure.clientKey
    return secure.json({ version: secure.version, url: request.url, from: from.length, got: secure.body })
  })
  const other = createHandler({ secretKey, origin: 'https://api.example' }, req => ({ json: { got: req.text() } }))
  void [keys, handle, other, web.createServer, cryptoSessions.createSecureFetch]
  // @ts-expect-error no Redis client in the WebAssembly build
  createServer({ keys: secretKey, origins: 'https://api.example', replay: 'redis://127.0.0.1' })
  // @ts-expect-error Express middleware needs Node
  void server.express
  // @ts-expect-error the v1 Node server helpers are not in the browser entry
  void cryptoSessions.useAuthWithExpress
}

void client
void server
