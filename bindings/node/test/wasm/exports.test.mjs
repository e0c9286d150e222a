// The declarations describe what the entries really export: the export names the
// TypeScript checker sees for `crypto-sessions` with the `browser` condition
// (web/index.d.mts) are the names of the bundle's module namespace, and the client
// side has the Node entry's names (client.d.ts is shared by both declarations).
// Run with --conditions=browser (make test-wasm).
import test from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import * as web from 'crypto-sessions'

const here = p => fileURLToPath(new URL(p, import.meta.url))

/** The value exports of `crypto-sessions` as tsc resolves it under `conditions`. */
function declaredValues (conditions) {
  const file = here('../types/web/usage.mts')
  const options = {
    strict: true, noEmit: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: conditions, types: [], lib: ['lib.es2022.d.ts', 'lib.dom.d.ts']
  }
  const program = ts.createProgram([file], options)
  const checker = program.getTypeChecker()
  const resolved = ts.resolveModuleName('crypto-sessions', file, options, ts.sys).resolvedModule
  const source = program.getSourceFile(resolved.resolvedFileName)
  const values = checker.getExportsOfModule(checker.getSymbolAtLocation(source))
    .filter(s => ((s.flags & ts.SymbolFlags.Alias) ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value)
    .map(s => s.name)
  return { file: resolved.resolvedFileName, values: values.sort() }
}

test('web/index.d.mts declares exactly what the browser bundle exports', () => {
  const { file, values } = declaredValues(['browser'])
  assert.ok(file.endsWith('web/index.d.mts'), file)
  assert.deepEqual(values, Object.keys(web).sort())
})

test('the client side, keys and the v2 server have the Node entry\'s names', () => {
  const node = createRequire(import.meta.url)(here('../../index.js'))
  for (const name of ['CryptoSession', 'Token', 'SecureFetch', 'CryptoSessionError', 'ERROR_CODES', 'Bytes', 'generateKeyPair',
    'getPublicKey', 'createSecureFetch', 'CryptoSessionServer', 'createServer', 'PROTOCOL_VERSION', 'CORE_VERSION', 'CORE_BACKEND']) {
    assert.equal(typeof web[name], typeof node[name], name)
  }
  assert.equal(typeof web.createServer({ keys: web.generateKeyPair().secretKey, origins: 'https://api.example' }).web, 'function')
})
