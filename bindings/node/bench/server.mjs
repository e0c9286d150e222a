// A crypto-session server for bench/load.mjs: node:http + CryptoAuth.
// Usage: node bench/server.mjs <pool|inline> <secret hex>; prints its port.
import http from 'node:http'
import { createCryptoAuth } from '../index.mjs'

const [mode, secretKey] = process.argv.slice(2)
const auth = createCryptoAuth({
  secretKey,
  host: 'http://bench',
  threadPool: mode === 'pool',
  logger: { warn () {}, error () {} }
})
const echo = auth.useAuthWithNext((req, res) => res.secure.json(req.body))

const server = http.createServer((req, res) => {
  if (req.url === '/ping') return res.end('pong')
  return echo(req, res)
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
