// The vector replay of the WebAssembly build, for any runtime: Node with the
// `browser` condition (vectors.test.mjs) and Chromium (the browser test's page).
// `api` is the package as imported; `v1` and `v2` the parsed vector files.
// Returns { passed, failures }: each check compares with the vector's bytes.

const hex = bytes => Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
const unhex = text => Uint8Array.from(text.match(/../g) ?? [], h => parseInt(h, 16))
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

export async function replay (api, v1, v2) {
  const { CryptoSession, Token, SecureFetch, createHandler, getPublicKey, xonlyOf, kidOf } = api
  let passed = 0
  const failures = []
  const check = (ok, what) => { if (ok) passed++; else failures.push(what) }
  const rejects = async (fn, code, what) => {
    try { await fn(); failures.push(`${what}: accepted`) } catch (err) { check(err.code === code, `${what}: ${err.code} ${err.message}`) }
  }

  // v1: the reference 1.1.10
  for (const v of v1.keys) check(getPublicKey(v.secret).hex === v.pubkey, `keys ${v.secret}`)
  for (const v of v1.ecdh) check((await new CryptoSession(v.peer_pubkey, v.secret).shared).hex === v.aes_key, `ecdh ${v.peer_pubkey}`)
  for (const v of v1.sign) {
    const self = new CryptoSession(getPublicKey(v.secret), v.secret)
    const signature = self.sign(v.payload)
    check(hex(signature) === v.signature_der_hex, `sign ${v.digest_hex}`)
    check(new Token(self.pubkey, signature).encoded === v.token, `sign token ${v.digest_hex}`)
    const { token, data } = await self.encode(v.payload)
    const decoded = self.decodeSync(token, data)
    check(token.encoded === v.token && hex(decoded.plaintext) === v.serialized_hex && decoded.isValid, `encode ${v.digest_hex}`)
  }
  for (const v of v1.session) {
    const got = await new CryptoSession(v.sender_pubkey, v.receiver_secret).decode(v.token, v.data)
    check(same(got.data, v.decoded) && got.isValid === v.is_valid, `session ${v.token.slice(0, 12)}`)
  }
  const codes = { decrypt_error: 'decrypt_failed', malformed_input: 'malformed_input' }
  for (const v of v1.negative) {
    const session = new CryptoSession(v.sender_pubkey, v.receiver_secret)
    const outcome = v.reference_outcome
    if (outcome === 'valid' || outcome === 'invalid_signature') {
      check((await session.decode(v.token, v.data)).isValid === (outcome === 'valid'), `negative ${v.name}`)
    } else {
      await rejects(() => session.decode(v.token, v.data), codes[outcome], `negative ${v.name}`)
    }
  }
  const http = v1.http
  for (const x of http.exchanges) {
    let sent
    const replayed = async (url, init) => {
      sent = { url, init }
      return new Response(x.response_body, { status: x.status, headers: { authorization: x.response_authorization } })
    }
    const fetch = new SecureFetch(http.server_pubkey, x.client_secret, { hostname: http.host, fetcher: replayed })
    const res = await fetch(x.path, x.options)
    check(sent.url === x.url && sent.init.headers.authorization === x.request_headers.authorization, `http request ${x.method} ${x.path}`)
    check(res.err === undefined && same(res.data, x.client_decoded), `http answer ${x.method} ${x.path}: ${res.err}`)
  }
  // The reference client's captured requests through the Web handler (v1 on).
  const handler = createHandler({ secretKey: http.server_secret, origin: http.host, acceptV1: true }, req => ({ json: { version: req.version, got: req.text() } }))
  for (const x of http.exchanges) {
    const init = { method: x.method, headers: x.request_headers }
    if (x.request_body !== null) init.body = x.request_body
    const res = await handler(new Request(x.url, init))
    check(res.status === 200 && res.headers.get('authorization'), `handler v1 ${x.method} ${x.path}: ${res.status}`)
    // The core's v1 answer content type (http::ANSWER_CONTENT_TYPE), as the addon's
    // and the wheel's dual servers send it.
    check(res.headers.get('content-type') === 'text/plain; charset=utf-8', `handler v1 ${x.method} ${x.path}: content-type ${res.headers.get('content-type')}`)
  }

  // v2
  for (const v of v2.keys) {
    const xonly = xonlyOf(getPublicKey(v.secret))
    check(hex(xonly) === v.xonly && hex(kidOf(xonly)) === v.kid, `v2 keys ${v.secret}`)
  }
  for (const sc of v2.server) {
    let denied = new Set(sc.denied_clients ?? [])
    const server = new api.V2Server({
      secretKeys: sc.server_secrets,
      origins: sc.origins,
      maxAge: sc.max_age,
      maxSkew: sc.max_skew,
      maxBody: sc.max_body,
      replayCapacity: sc.replay_capacity,
      replayCreated: sc.replay_store_created,
      now: 0,
      admission: client => !denied.has(hex(client))
    })
    sc.steps.forEach((step, i) => {
      const at = `v2 server ${sc.name}[${i}]`
      server.setNow(step.now)
      if (step.denied_clients) denied = new Set(step.denied_clients)
      const fields = step.authorization_fields ?? [step.authorization]
      const body = unhex(step.body_hex)
      try {
        const got = server.authenticate(step.method, step.target, fields, body.length, body)
        check(step.expect === 'ok' && got.version === 2 && hex(got.clientKey) === step.client_xonly &&
          hex(got.payload) === step.payload_hex && got.contentType === step.content_type, `${at}: accepted`)
      } catch (err) {
        const status = { too_large: 413, forbidden: 403, busy: 503 }[step.expect] ?? 401
        const www = err.headers?.find(([name]) => name === 'WWW-Authenticate')?.[1]
        check(err.code === step.expect && err.status === status && www === `CryptoSession error="${step.expect}"`, `${at}: ${err.code} (want ${step.expect})`)
        const stale = err.headers?.some(([name]) => name === 'Crypto-Session')
        if (step.expect === 'stale') check(stale === step.stale_answer, `${at}: stale answer ${stale}`)
      }
    })
  }
  for (const v of v2.answer_checks) {
    const client = new api.V2Client(v.client_secret, v.server_xonly, 0)
    try {
      const got = client.openFor(unhex(v.request_token), 'POST', v.status, v.crypto_session_header, unhex(v.body_hex), v.kind === 'stale')
      const ok = v.kind === 'stale'
        ? got.serverTime === v.server_time
        : hex(got.payload) === v.payload_hex && got.contentType === v.content_type
      check(v.expect === 'ok' && ok, `v2 answer ${v.name}`)
    } catch (err) {
      check(v.expect === 'invalid_answer' && err.code === 'invalid_answer', `v2 answer ${v.name}: ${err.code}`)
    }
  }
  return { passed, failures }
}
