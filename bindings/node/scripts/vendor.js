'use strict'
// prepack: make the package buildable outside the repository.
//
// The repository's Cargo.toml takes the core crate and versions from the
// workspace, which a tarball does not carry. This writes vendor/:
//   vendor/crypto-sessions-core/  the core crate as `cargo package` packs it
//                                 (a normalized, self-contained Cargo.toml)
//   vendor/Cargo.toml             this addon's manifest, pointing at ../src and
//                                 the vendored core, a workspace of its own
//   vendor/Cargo.lock             the workspace's lock, trimmed to this build
// scripts/build-native.js builds from vendor/ when it exists. It also copies the
// repository's licence files (LICENSE-MIT, LICENSE-APACHE) next to package.json.
// `node scripts/vendor.js --clean` (postpack) removes both again.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const VENDOR = path.join(ROOT, 'vendor')
const CORE_DIR = 'crypto-sessions-core'
const LICENCES = ['LICENSE-MIT', 'LICENSE-APACHE']
const cargo = process.env.CARGO || 'cargo'

function run (args, options = {}) {
  return execFileSync(cargo, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options })
}

function clean () {
  fs.rmSync(VENDOR, { recursive: true, force: true })
  for (const file of LICENCES) fs.rmSync(path.join(ROOT, file), { force: true })
}

function tomlString (value) {
  return JSON.stringify(value)
}

function dependencyLine (dep) {
  if (dep.name === 'crypto-sessions') return `crypto-sessions = { path = ${tomlString(CORE_DIR)} }`
  if (dep.path) throw new Error(`path dependency ${dep.name} cannot be vendored`)
  const fields = [`version = ${tomlString(dep.req)}`]
  if (!dep.uses_default_features) fields.push('default-features = false')
  if (dep.features.length) fields.push(`features = [${dep.features.map(tomlString).join(', ')}]`)
  if (dep.optional) fields.push('optional = true')
  return `${dep.name} = { ${fields.join(', ')} }`
}

// `[profile.*]` tables only apply at a workspace root: carry the repository's.
function profileSections (workspaceToml) {
  const out = []
  let keep = false
  for (const line of workspaceToml.split('\n')) {
    const header = line.match(/^\s*\[([^\]]+)\]/)
    if (header) keep = header[1].startsWith('profile.')
    if (keep) out.push(line)
  }
  return out.join('\n').trim()
}

function manifest (pkg, workspaceToml) {
  const deps = pkg.dependencies.filter(d => d.kind === null).map(dependencyLine)
  const buildDeps = pkg.dependencies.filter(d => d.kind === 'build').map(dependencyLine)
  const lib = pkg.targets.find(t => t.kind.includes('cdylib'))
  // The addon's features (the backend choice) forward to the vendored core's.
  const features = Object.entries(pkg.features).map(([name, enables]) => `${name} = [${enables.map(tomlString).join(', ')}]`)
  return [
    '# Written by scripts/vendor.js when the npm package is packed: builds the addon',
    '# from ../src against the vendored core, outside the repository workspace.',
    '[package]',
    `name = ${tomlString(pkg.name)}`,
    `version = ${tomlString(pkg.version)}`,
    `edition = ${tomlString(pkg.edition)}`,
    pkg.rust_version ? `rust-version = ${tomlString(pkg.rust_version)}` : '',
    pkg.license ? `license = ${tomlString(pkg.license)}` : '',
    'publish = false',
    'build = "../build.rs"',
    '',
    '[lib]',
    `name = ${tomlString(lib.name)}`,
    'crate-type = ["cdylib"]',
    'path = "../src/lib.rs"',
    'test = false',
    'doctest = false',
    '',
    '[features]',
    ...features,
    '',
    '[dependencies]',
    ...deps,
    '',
    '[build-dependencies]',
    ...buildDeps,
    '',
    profileSections(workspaceToml),
    '',
    '# A workspace of its own, whatever folder the package is installed in.',
    '[workspace]',
    ''
  ].filter((line, i, all) => line !== '' || all[i - 1] !== '').join('\n')
}

function vendor () {
  const metadata = JSON.parse(run(['metadata', '--no-deps', '--format-version', '1', '--offline']))
  const pkg = metadata.packages.find(p => p.name === 'crypto-sessions-node')
  const core = metadata.packages.find(p => p.name === 'crypto-sessions')
  if (!pkg || !core) throw new Error('run this inside the crypto-sessions repository (workspace not found)')

  clean()
  fs.mkdirSync(VENDOR, { recursive: true })

  // The core as cargo would publish it: workspace fields resolved into its manifest.
  run(['package', '-p', 'crypto-sessions', '--no-verify', '--allow-dirty'], { stdio: ['ignore', 'ignore', 'inherit'] })
  const crate = path.join(metadata.target_directory, 'package', `crypto-sessions-${core.version}.crate`)
  const unpack = fs.mkdtempSync(path.join(os.tmpdir(), 'crypto-sessions-vendor-'))
  try {
    execFileSync('tar', ['-xzf', crate, '-C', unpack])
    fs.renameSync(path.join(unpack, `crypto-sessions-${core.version}`), path.join(VENDOR, CORE_DIR))
  } finally {
    fs.rmSync(unpack, { recursive: true, force: true })
  }

  const workspaceToml = fs.readFileSync(path.join(metadata.workspace_root, 'Cargo.toml'), 'utf8')
  fs.writeFileSync(path.join(VENDOR, 'Cargo.toml'), manifest(pkg, workspaceToml))
  // Same dependency versions as the repository; cargo drops the unused entries.
  fs.copyFileSync(path.join(metadata.workspace_root, 'Cargo.lock'), path.join(VENDOR, 'Cargo.lock'))
  run(['metadata', '--format-version', '1', '--offline', '--manifest-path', path.join(VENDOR, 'Cargo.toml')], { stdio: ['ignore', 'ignore', 'inherit'] })
  for (const file of LICENCES) fs.copyFileSync(path.join(metadata.workspace_root, file), path.join(ROOT, file))
  console.error(`crypto-sessions: vendored core ${core.version} into ${path.relative(ROOT, VENDOR)}/`)
}

if (process.argv.includes('--clean')) clean()
else vendor()
