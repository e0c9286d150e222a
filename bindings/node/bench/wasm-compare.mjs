// Issue 14's benchmark: v1 decode + verify of the WebAssembly build against the
// reference's crypto stack and against @noble/curves + WebCrypto, in one Node
// process and in one Chromium page; prints ops/s and the ratios of one run.
//
//   node --conditions=browser bench/wasm-compare.mjs      (make bench-wasm)
import { build } from 'esbuild'
import http from 'node:http'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import * as api from 'crypto-sessions'
import { breakdown, compare, report, reportBreakdown } from './wasm-contenders.mjs'

const here = p => fileURLToPath(new URL(p, import.meta.url))

console.log(report(`Node ${process.version}`, await compare(api)))
console.log(reportBreakdown(`Node ${process.version}`, await breakdown(api)))

// The same module in Chromium: bundled for the browser, next to the package bundle.
// @cmdcode/crypto-utils imports { webcrypto } from 'crypto': in a browser that is
// the page's WebCrypto, as in the reference's own browser bundle.
const browserCrypto = {
  name: 'browser-crypto',
  setup (b) {
    b.onResolve({ filter: /^crypto$/ }, () => ({ path: 'crypto', namespace: 'browser-crypto' }))
    b.onLoad({ filter: /.*/, namespace: 'browser-crypto' }, () => ({ contents: 'export const webcrypto = globalThis.crypto; export default globalThis.crypto' }))
  }
}
const bundled = await build({
  entryPoints: [here('wasm-contenders.mjs')], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'warning', plugins: [browserCrypto]
})
const files = {
  '/': ['text/html', `<!doctype html><script type="module">
    import * as api from './crypto-sessions.mjs'
    import { breakdown, compare, report, reportBreakdown } from './contenders.mjs'
    const where = navigator.userAgent.match(/Chrom\\S+/)[0]
    compare(api).then(async r => { window.out = report(where, r) + '\\n' + reportBreakdown(where, await breakdown(api)) }, e => { window.out = 'error: ' + e })
  </script>`],
  '/contenders.mjs': ['text/javascript', bundled.outputFiles[0].contents],
  '/crypto-sessions.mjs': ['text/javascript', readFileSync(here('../dist/web/crypto-sessions.mjs'))],
  '/crypto_sessions_wasm_bg.wasm': ['application/wasm', readFileSync(here('../dist/web/crypto_sessions_wasm_bg.wasm'))]
}
const server = http.createServer((req, res) => {
  const [type, body] = files[req.url] ?? []
  if (!body) return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': type }).end(body)
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
const profile = mkdtempSync(join(tmpdir(), 'cs-bench-'))
// A fresh profile (playwright passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync']
})
try {
  const page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  await page.waitForFunction(() => window.out !== undefined, null, { timeout: 120_000 })
  console.log(await page.evaluate(() => window.out))
} finally {
  await browser.close()
  server.close()
  rmSync(profile, { recursive: true, force: true })
}
