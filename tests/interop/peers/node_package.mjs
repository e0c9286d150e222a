// Where the Node peers get the package under test, and what it is tested with.
//
// The package is used from its folder, bindings/node, after `make node-build` put
// the addon there: its ESM entry (what `import 'crypto-sessions'` resolves to).
// Express and the Next/Web node:http shims come from the same folder: Express is
// the package's dev dependency (installed by `npm ci` in bindings/node, the version
// its own Express tests run), and the shims are its test helpers, so the matrix
// and the package's tests drive the middleware the same way.

import { createRequire } from 'node:module'

export * from '../../../bindings/node/index.mjs'

const requireFromPackage = createRequire(new URL('../../../bindings/node/package.json', import.meta.url))

export const express = requireFromPackage('express')
export const { nextApiResolver, serveWeb } = requireFromPackage('./test/helpers.js')
