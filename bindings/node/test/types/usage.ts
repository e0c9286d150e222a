// Compiled with `tsc --noEmit` by `make test`: the declarations in index.d.ts must
// accept the reference's usage and the additions, and reject misuse.
import express from 'express'
import http from 'node:http'
import {
  CryptoSession, Token, SecureFetch, CryptoSessionError, createCryptoAuth,
  useAuthWithExpress, useAuthWithNext, useAuthWithWeb, useCryptoSession, useCryptoAuth,
  generateKeyPair, getPublicKey, type SecureResponse, type ErrorCode
} from 'crypto-sessions'
import cryptoSessions from 'crypto-sessions'

async function session (): Promise<void> {
  const { secretKey, publicKey } = generateKeyPair()
  const s = new CryptoSession(publicKey, secretKey)
  const s2 = new CryptoSession(getPublicKey(secretKey), new Uint8Array(32))
  const { token, data } = await s.encode({ content: 'hello world!' })
  const encoded: string = token.encoded
  const decoded = await s2.decode<{ content: string }>(token, data)
  const ok: boolean = decoded.isValid
  const content: string = decoded.data.content
  const sync = s.decodeSync(encoded, s.encodeSync('x').data)
  const hex: string = s.peerKey.hex + s.peerHex + s.pubkey.hex + s.pubKey.hex
  const shared: Uint8Array = await s.sharedSecret
  const hash: Uint8Array = await s.sharedHash
  const valid: boolean = s.verify(token, 'payload') && s.isWith(publicKey)
  const signature: Uint8Array = s.sign('payload')
  const other = CryptoSession.withToken(encoded, secretKey)
  const parsed = Token.parse(encoded)
  const imported: Token = Token.import(encoded)
  const check: Promise<boolean> = Token.check(encoded)
  const issued: boolean = imported.issuedBy(parsed.pubkey.hex)
  void [ok, content, sync, hex, shared, hash, valid, signature, other, check, issued]
  // @ts-expect-error a session needs two keys
  void new CryptoSession(publicKey)
}

async function client (): Promise<void> {
  const fetch = new SecureFetch('02'.padEnd(66, '0'), new Uint8Array(32), { hostname: 'http://localhost:3001', verbose: true, headers: { a: 'b' } })
  const res: SecureResponse = await fetch('/api/hello?name=world', { method: 'POST', body: { content: 'x' } })
  if (res.err instanceof CryptoSessionError) {
    const code: ErrorCode = res.err.code
    void code
  }
  const ok: boolean = res.ok
  const { fetch: f2, session: s2 } = SecureFetch.generate('02'.padEnd(66, '0'))
  void [ok, f2, s2]
}

function servers (): void {
  const app = express()
  app.use(useAuthWithExpress)
  app.get('/x', (req, res) => { void (req as any).session })
  const auth = createCryptoAuth({ secretKey: 'ab'.repeat(32), host: 'http://localhost:3001', maxBodySize: 1024, logger: console })
  app.use(auth.useAuthWithExpress)
  const route = useAuthWithNext(async (req, res) => res.secure.json({ peer: req.session.peerHex }))
  http.createServer((req, res) => { void route(req, res) })
  const GET = useAuthWithWeb(async (request, secure) => secure.json({ peer: secure.session.peerHex, url: request.url }, 200))
  const POST = auth.useAuthWithWeb(async (_request, secure) => secure.send(String(secure.data), { status: 201 }))
  const generic: (req: unknown, res: unknown) => Promise<void> = useCryptoAuth
  void [GET, POST, generic, useCryptoSession, cryptoSessions.CryptoSession]
  const backend: 'libsecp256k1' | 'k256' = cryptoSessions.CORE_BACKEND
  void backend
  // @ts-expect-error host is required
  createCryptoAuth({ secretKey: 'ab'.repeat(32) })
}

void [session, client, servers]

// Protocol v2.
import { createServer as createV2Server, createSecureFetch as createV2Fetch } from 'crypto-sessions'
const v2server = createV2Server({ keys: ['00'.repeat(32)], origins: 'http://localhost:3001', acceptV1: true, replay: 'memory' })
const v2keys: string[] = v2server.publicKeys
void v2keys
const v2fetch = createV2Fetch(v2server.publicKeys[0], '00'.repeat(32), { hostname: 'http://localhost:3001' })
async function v2use (): Promise<number> {
  const r = await v2fetch<{ ok: boolean }>('/x', { method: 'PUT', body: new Uint8Array(1) })
  return r.data.ok ? r.status : v2fetch.clockOffset
}
void v2use
// SecureFetch with `protocol: 2` is the same v2 fetch; without it, v1.
const v2also = new SecureFetch(v2server.publicKeys[0], '00'.repeat(32), { protocol: 2, hostname: 'http://localhost:3001' })
const v2protocol: 2 = v2also.protocol
async function v2also2 (): Promise<string> {
  const r = await v2also<{ ok: boolean }>('/x', { method: 'POST', body: { ok: true } })
  return r.contentType
}
// @ts-expect-error a v1 fetch has no `protocol` 2 answer type: its answers may carry `err`
const notV2: V2Like = new SecureFetch(v2server.publicKeys[0], '00'.repeat(32), { protocol: 1 })
type V2Like = { readonly protocol: 2 }
void [v2protocol, v2also2, notV2]
