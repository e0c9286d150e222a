'use strict'
// The package as users install it, in fresh temporary projects:
//   1. `npm install <bindings/node>` (a folder): no install script; the local build
//      that `make node-build` put in the folder is what loads;
//   2. `npm pack`, then `npm install <tarball>` in another project: no install script
//      and no addon, so loading fails with a clear error; then the explicit
//      `npm run build-from-source` builds from the vendored core, outside the
//      repository.
// Each project then runs smoke.cjs and smoke.mjs. Run by `make test-node`. The
// prebuilt platform package is proven by tests/dist (make test-dist).
//
// The tarball build uses its own scratch target dir inside the package (as on a
// user's machine) unless CRYPTO_SESSIONS_INSTALL_SHARED_TARGET=1.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const PKG = path.resolve(__dirname, '..', '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function sh (cmd, args, options = {}) {
  console.log(`$ ${cmd} ${args.join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`)
  return execFileSync(cmd, args, { stdio: 'inherit', ...options })
}

// A project that depends on nothing yet and approves the install script of the
// package it is about to install from `source` (npm 11 reviews dependency install
// scripts; a non-registry source is approved by its `file:` spec as
// `npm install-scripts approve` writes it: relative for a folder, absolute for a
// tarball — both forms are listed).
function freshProject (root, name, source) {
  const dir = path.join(root, name)
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name,
    version: '1.0.0',
    private: true,
    allowScripts: { [`file:${path.relative(dir, source)}`]: true, [`file:${source}`]: true }
  }, null, 2))
  for (const file of ['smoke.cjs', 'smoke.mjs']) fs.copyFileSync(path.join(__dirname, file), path.join(dir, file))
  return dir
}

function smoke (dir, packed) {
  const env = { ...process.env, CRYPTO_SESSIONS_SMOKE_ADDON: 'local', CRYPTO_SESSIONS_SMOKE_PACKED: packed ? '1' : '0' }
  sh(process.execPath, ['smoke.cjs'], { cwd: dir, env })
  sh(process.execPath, ['smoke.mjs'], { cwd: dir, env })
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall']

// Loading without an addon (and the WebAssembly fallback turned off) must fail with
// the loader's error, naming the way out.
function expectNotBuilt (dir) {
  let out
  try {
    out = execFileSync(process.execPath, ['-e', 'require("crypto-sessions")'],
      { cwd: dir, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, CRYPTO_SESSIONS_NO_WASM: '1' } })
  } catch (err) {
    if (!err.stderr.includes('ERR_CRYPTO_SESSIONS_NOT_BUILT') || !err.stderr.includes('npm run build-from-source')) {
      throw new Error(`loading without an addon failed in another way:\n${err.stderr}`)
    }
    return
  }
  throw new Error(`crypto-sessions loaded with no addon installed: ${out}`)
}

function tarballEntries (tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean)
}

function checkTarball (tarball) {
  const entries = new Set(tarballEntries(tarball))
  for (const needed of ['package/vendor/Cargo.toml', 'package/vendor/Cargo.lock', 'package/vendor/crypto-sessions-core/Cargo.toml',
    'package/vendor/crypto-sessions-core/src/lib.rs', 'package/src/lib.rs', 'package/build.rs', 'package/scripts/build-native.js',
    'package/index.js', 'package/index.mjs', 'package/index.d.ts', 'package/client.d.ts', 'package/web/index.d.mts', 'package/native.d.ts', 'package/LICENSE-MIT', 'package/LICENSE-APACHE',
    'package/wasm/crypto_sessions_wasm.js', 'package/wasm/crypto_sessions_wasm_bg.wasm',
    'package/dist/web/crypto-sessions.mjs', 'package/dist/web/crypto_sessions_wasm_bg.wasm']) {
    if (!entries.has(needed)) throw new Error(`the tarball lacks ${needed}`)
  }
  for (const entry of entries) {
    if (/^package\/(test|bench|node_modules|target|vendor\/target)\//.test(entry) || entry.endsWith('.node')) {
      throw new Error(`the tarball should not carry ${entry}`)
    }
  }
  const manifest = execFileSync('tar', ['-xzOf', tarball, 'package/vendor/Cargo.toml'], { encoding: 'utf8' })
  if (manifest.includes('workspace = true') || manifest.includes('../../')) {
    throw new Error('vendor/Cargo.toml still refers to the repository workspace')
  }
}

function main () {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'crypto-sessions-install-'))
  try {
    const scripts = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8')).scripts || {}
    for (const name of INSTALL_SCRIPTS) {
      if (scripts[name]) throw new Error(`package.json has a ${name} script: nothing may build at install time`)
    }
    // 1. from the folder, with the local build made by `make node-build`
    if (!fs.existsSync(path.join(PKG, 'crypto-sessions.node'))) throw new Error('build the addon first (make node-build)')
    const fromFolder = freshProject(root, 'from-folder', PKG)
    sh(npm, ['install', '--no-audit', '--no-fund', PKG], { cwd: fromFolder })
    smoke(fromFolder, false)

    // 2. from the packed tarball (prepack vendors the core; postpack removes it)
    sh(npm, ['pack', '--pack-destination', root], { cwd: PKG })
    const tarball = fs.readdirSync(root).find(f => f.endsWith('.tgz'))
    if (!tarball) throw new Error('npm pack made no tarball')
    checkTarball(path.join(root, tarball))
    if (fs.existsSync(path.join(PKG, 'vendor'))) throw new Error('postpack left vendor/ in the repository')

    const fromTarball = freshProject(root, 'from-tarball', path.join(root, tarball))
    const env = { ...process.env }
    if (env.CRYPTO_SESSIONS_INSTALL_SHARED_TARGET !== '1') delete env.CARGO_TARGET_DIR
    sh(npm, ['install', '--no-audit', '--no-fund', path.join(root, tarball)], { cwd: fromTarball, env })
    const installed = path.join(fromTarball, 'node_modules', 'crypto-sessions')
    if (fs.lstatSync(installed).isSymbolicLink()) throw new Error('the tarball install should be a copy')
    expectNotBuilt(fromTarball)
    sh(npm, ['run', 'build-from-source'], { cwd: installed, env })
    if (fs.existsSync(path.join(installed, 'vendor', 'target'))) throw new Error('the scratch build dir was left behind')
    smoke(fromTarball, true)
    console.log('install checks: the folder install loads the local build; the tarball builds from source on request')
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}

main()
