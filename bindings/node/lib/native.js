'use strict'
// Finds the compiled addon. Nothing is compiled at install time; the first of these
// that loads is used:
//   1. CRYPTO_SESSIONS_ADDON: the path of a .node file (a build of one's own);
//   2. the prebuilt platform package for this machine, an optional dependency of the
//      published package (crypto-sessions-linux-x64-gnu, ...): npm installs only the
//      one whose `os`, `cpu` and `libc` match;
//   3. a local build, <package>/crypto-sessions.node: `npm run build-from-source` in
//      the package folder (needs Rust), or `make node-build` in the repository;
//   4. the WebAssembly build (<package>/wasm/, in the published package): the same
//      core, slower, said once on the debug channel (NODE_DEBUG=crypto-sessions).
// v2 comes from the addon when it has it (V2Client), else from the WebAssembly build.

const fs = require('node:fs')
const path = require('node:path')
const debug = require('node:util').debuglog('crypto-sessions')
const { loadWasm } = require('./wasm.js')

const PACKAGE_DIR = path.join(__dirname, '..')
const LOCAL_BUILD = path.join(PACKAGE_DIR, 'crypto-sessions.node')
const { name: PACKAGE_NAME, version: PACKAGE_VERSION } = require('../package.json')

// napi-rs's names for a platform: <platform>-<arch>[-<abi>].
function platformTriple (platform = process.platform, arch = process.arch) {
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

function isMusl () {
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
  if (report?.header?.glibcVersionRuntime) return false
  if (Array.isArray(report?.sharedObjects)) return report.sharedObjects.some(f => f.includes('musl'))
  try {
    return fs.readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    return false
  }
}

function notFound (err, request) {
  return err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(request)
}

// Each candidate returns the addon, or undefined when it is not there; an addon
// that is there but fails to load (wrong libc, a stale build) is an error kept for
// the final message.
const candidates = [
  function explicitPath () {
    const file = process.env.CRYPTO_SESSIONS_ADDON
    return file ? require(path.resolve(file)) : undefined
  },
  function platformPackage () {
    const name = `${PACKAGE_NAME}-${platformTriple()}`
    let manifest
    try {
      manifest = require(`${name}/package.json`)
    } catch (err) {
      if (notFound(err, name)) return undefined
      throw err
    }
    // A platform package of another version would pair this JS with another addon.
    if (manifest.version !== PACKAGE_VERSION) {
      throw new Error(`${name} is version ${manifest.version}, ${PACKAGE_NAME} is ${PACKAGE_VERSION}: install the same versions`)
    }
    return require(name)
  },
  function localBuild () {
    return fs.existsSync(LOCAL_BUILD) ? require(LOCAL_BUILD) : undefined
  }
]

function load () {
  const failures = []
  for (const candidate of candidates) {
    try {
      const addon = candidate()
      if (addon !== undefined) return addon
    } catch (err) {
      failures.push(`${candidate.name}: ${err.message}`)
    }
  }
  if (process.env.CRYPTO_SESSIONS_NO_WASM !== '1') {
    try {
      const wasm = loadWasm()
      debug('no native addon for %s (%s): using the WebAssembly build', platformTriple(),
        failures.length ? failures.join('; ') : 'none installed')
      return wasm
    } catch (err) {
      failures.push(`webAssembly: ${err.message}`)
    }
  }
  const error = new Error(
    `crypto-sessions: no native addon for ${platformTriple()} could be loaded.\n` +
    (failures.length ? failures.map(f => `  - ${f}\n`).join('') : '') +
    `Prebuilt: reinstall without --no-optional / --omit=optional so that ${PACKAGE_NAME}-${platformTriple()} ` +
    'comes along (if it exists for this platform). From source (needs Rust/cargo 1.88+ and a C compiler): ' +
    `\`npm run build-from-source\` in ${PACKAGE_DIR}.`
  )
  error.code = 'ERR_CRYPTO_SESSIONS_NOT_BUILT'
  throw error
}

module.exports = load()
