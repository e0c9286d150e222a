'use strict'
// Builds the native addon from source with cargo and puts it at
// <package>/crypto-sessions.node. It runs as the package's `install` script, so
// `npm install crypto-sessions` (a folder or a tarball) compiles on the spot.
//
// - In the repository the crate is a workspace member: `cargo build -p`.
// - In a packed tarball, `vendor/Cargo.toml` (written by scripts/vendor.js)
//   builds the same sources against the vendored core, outside any workspace.
//
// Environment: CARGO (the cargo binary), CARGO_TARGET_DIR (kept when set; else a
// packed build uses a scratch dir inside the package and removes it),
// CRYPTO_SESSIONS_PROFILE (`release`, the default, or `dev`),
// CRYPTO_SESSIONS_BACKEND (the core's elliptic-curve arithmetic: `libsecp256k1`
// or `k256`; unset: the crate's default feature set).
// `--output FILE` writes the addon elsewhere than <package>/crypto-sessions.node
// (the benchmarks build both backends side by side).

const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const OUTPUT = path.join(ROOT, 'crypto-sessions.node')
const CRATE_LIB = 'crypto_sessions_node'

function fail (message) {
  console.error(`crypto-sessions: ${message}`)
  process.exit(1)
}

// Cargo arguments for CRYPTO_SESSIONS_BACKEND.
const BACKENDS = {
  libsecp256k1: ['--features', 'libsecp256k1'],
  k256: ['--no-default-features']
}

function backendArgs (backend) {
  if (backend === undefined || backend === '') return []
  const args = BACKENDS[backend]
  if (!args) fail(`CRYPTO_SESSIONS_BACKEND must be one of ${Object.keys(BACKENDS).join(', ')}, not ${JSON.stringify(backend)}`)
  return args
}

function outputPath (argv) {
  const at = argv.indexOf('--output')
  if (at === -1) return OUTPUT
  if (!argv[at + 1]) fail('--output needs a file name')
  return path.resolve(argv[at + 1])
}

function main () {
  const cargo = process.env.CARGO || 'cargo'
  const profile = process.env.CRYPTO_SESSIONS_PROFILE || 'release'
  const output = outputPath(process.argv.slice(2))
  const vendored = path.join(ROOT, 'vendor', 'Cargo.toml')
  const packed = fs.existsSync(vendored)

  const args = ['build', '--locked', '--message-format=json-render-diagnostics', '--profile', profile,
    ...backendArgs(process.env.CRYPTO_SESSIONS_BACKEND)]
  const env = { ...process.env }
  let scratch = null
  if (packed) {
    args.push('--manifest-path', vendored)
    if (!env.CARGO_TARGET_DIR) {
      scratch = path.join(ROOT, 'vendor', 'target')
      env.CARGO_TARGET_DIR = scratch
    }
  } else {
    args.push('--manifest-path', path.join(ROOT, 'Cargo.toml'), '-p', 'crypto-sessions-node')
  }

  const build = spawnSync(cargo, args, {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  if (build.error && build.error.code === 'ENOENT') {
    fail('building the native addon needs Rust (cargo, 1.88 or newer) on PATH: see https://rustup.rs')
  }
  if (build.error) fail(`could not run cargo: ${build.error.message}`)
  if (build.status !== 0) fail(`cargo build failed (exit ${build.status}); see the messages above`)

  const library = builtLibrary(build.stdout)
  if (!library) fail('cargo finished but reported no cdylib for the addon')
  // Copy then rename, so a process that already loaded the old file keeps it.
  fs.mkdirSync(path.dirname(output), { recursive: true })
  const staging = `${output}.${process.pid}.tmp`
  fs.copyFileSync(library, staging)
  fs.renameSync(staging, output)
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true })
  const backend = process.env.CRYPTO_SESSIONS_BACKEND || 'default backend'
  console.error(`crypto-sessions: built ${path.relative(process.cwd(), output) || output} (${profile}, ${backend})`)
}

// The cdylib's path, from cargo's JSON messages (it knows the target dir and
// the platform's file name).
function builtLibrary (stdout) {
  let found = null
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const message = JSON.parse(line)
    if (message.reason !== 'compiler-artifact' || message.target.name !== CRATE_LIB) continue
    found = message.filenames.find(f => /\.(so|dylib|dll)$/.test(f)) || found
  }
  return found
}

main()
