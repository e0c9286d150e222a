'use strict'
// The npm release tarballs, in the napi-rs layout (`make dist`, tests/dist):
//   node scripts/dist.js --out DIR
// writes into DIR
//   crypto-sessions-linux-x64-gnu-<v>.tgz  npm/linux-x64-gnu/ + the addon that
//       `napi build --platform --release --strip` made for this machine + licences;
//   crypto-sessions-<v>.tgz  the package as `npm pack` packs it (prepack vendors the
//       core and copies the licences), its package.json listing every platform
//       package of npm/ in optionalDependencies at the same version.
// Builds with cargo (CARGO_TARGET_DIR honoured): run where Rust is.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.resolve(__dirname, '..')
const REPO = path.resolve(ROOT, '..', '..')
const LICENCES = ['LICENSE-MIT', 'LICENSE-APACHE']
// The dev dependency @napi-rs/cli (npm ci in this folder).
const NAPI_CLI = path.join(ROOT, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

function sh (cmd, args, options = {}) {
  console.error(`$ ${cmd} ${args.join(' ')}`)
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options })
}

// `npm pack --json` into `out`; returns the tarball's path.
function pack (dir, out, extra = []) {
  const [info] = JSON.parse(sh(npm, ['pack', '--json', '--pack-destination', out, ...extra], { cwd: dir }))
  return path.join(out, info.filename)
}

// napi-rs's name of this machine (only linux-x64-gnu is built here): a platform
// package is built natively, never for another machine.
function hostTriple () {
  const libc = process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl'
  return process.platform === 'linux' ? `linux-${process.arch}-${libc}` : `${process.platform}-${process.arch}`
}

function platformPackage (triple, work, out) {
  if (triple !== hostTriple()) throw new Error(`npm/${triple} cannot be built on ${hostTriple()}`)
  const source = path.join(ROOT, 'npm', triple)
  const manifest = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8'))
  const addonDir = path.join(work, 'addon')
  sh(process.execPath, [NAPI_CLI, 'build', '--platform', '--release', '--strip',
    '--no-js', '--output-dir', addonDir], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] })
  const stage = path.join(work, triple)
  fs.cpSync(source, stage, { recursive: true })
  fs.copyFileSync(path.join(addonDir, manifest.main), path.join(stage, manifest.main))
  for (const file of LICENCES) fs.copyFileSync(path.join(REPO, file), path.join(stage, file))
  return { name: manifest.name, tarball: pack(stage, out) }
}

// The main package: packed from the repository (its prepack runs), then the packed
// package.json gains optionalDependencies and loses the pack hooks, and is packed again.
function mainPackage (platforms, work, out) {
  const first = pack(ROOT, work)
  const unpacked = path.join(work, 'main')
  fs.mkdirSync(unpacked)
  sh('tar', ['-xzf', first, '-C', unpacked])
  const stage = path.join(unpacked, 'package')
  const file = path.join(stage, 'package.json')
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'))
  delete manifest.scripts.prepack
  delete manifest.scripts.postpack
  manifest.optionalDependencies = Object.fromEntries(platforms.map(p => [p.name, manifest.version]))
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n')
  return pack(stage, out, ['--ignore-scripts'])
}

function main () {
  const at = process.argv.indexOf('--out')
  if (at === -1 || !process.argv[at + 1]) {
    console.error('usage: node scripts/dist.js --out DIR')
    process.exit(2)
  }
  const out = path.resolve(process.argv[at + 1])
  fs.mkdirSync(out, { recursive: true })
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crypto-sessions-dist-'))
  try {
    const triples = fs.readdirSync(path.join(ROOT, 'npm')).filter(d => fs.existsSync(path.join(ROOT, 'npm', d, 'package.json')))
    const platforms = triples.map(triple => platformPackage(triple, work, out))
    const main = mainPackage(platforms, work, out)
    for (const p of platforms) console.log(p.tarball)
    console.log(main)
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

main()
