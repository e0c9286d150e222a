// Protocol v2 through the installed npm packages: createSecureFetch (v2 by default)
// against a v2 server of another implementation.
// Usage: node v2_exchange.mjs SERVER_XONLY_KEY ORIGIN; prints "ok" or exits 1.
import { randomBytes } from 'node:crypto'
import { createSecureFetch } from 'crypto-sessions'

const [serverKey, origin] = process.argv.slice(2)
const fetch = createSecureFetch(serverKey, randomBytes(32).toString('hex'), { hostname: origin })
const problems = []
const body = { order: 42, items: ['a', 'b'] }
const echoed = await fetch('/echo', { method: 'POST', body })
if (echoed.err || JSON.stringify(echoed.data) !== JSON.stringify(body)) problems.push(`POST /echo: ${echoed.err ?? JSON.stringify(echoed.data)}`)
const seen = await fetch('/inspect?q=a%20b', { method: 'DELETE' })
if (seen.err || seen.data?.version !== 2 || seen.data?.method !== 'DELETE' || seen.data?.target !== '/inspect?q=a%20b') problems.push(`DELETE /inspect: ${seen.err ?? JSON.stringify(seen.data)}`)
if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log('ok')
