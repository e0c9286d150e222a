'use strict'
// v2 server options: the core's names, each one not given read from the
// environment at construction (names from the core); a bad value throws there.

const native = require('../native.js')
const { CryptoSessionError, call } = require('../errors.js')

function bad (name, detail) {
  return new CryptoSessionError('malformed_input', `server configuration: ${name} ${detail}`)
}

function list (value) {
  return Array.isArray(value) ? value : [value]
}

/** The core's reading of the environment (a bad value throws, naming it). */
function settingsOf (env) {
  const vars = {}
  for (const [name, value] of Object.entries(env)) if (name.startsWith('CRYPTO_SESSION_') && typeof value === 'string') vars[name] = value
  return call(() => native.readServerSettings(vars))
}

/**
 * The addon's options from `options` (the core's names in camelCase: keys,
 * origins, maxAge, maxSkew, maxBody, acceptV1, replay, replayPrefix, deniedKeys,
 * now) and, for each one not given, the environment.
 */
function serverOptions (options = {}, env = process.env) {
  const settings = settingsOf(env)
  const keys = options.keys ?? options.secretKey ?? (settings.keys.length ? settings.keys : undefined)
  if (keys === undefined) throw bad('keys', `are missing: pass keys or set ${native.ENV_SECRET_KEY}`)
  let origins = options.origins ?? options.host
  if (origins === undefined) {
    origins = native.originsWithHost(settings.host ?? null, settings.origins)
    if (origins.length === 0) throw bad('origins', `are missing: pass origins or set ${native.ENV_HOST}`)
  }
  return {
    keys: list(keys).map(k => (k instanceof Uint8Array ? Buffer.from(k).toString('hex') : k)),
    origins: list(origins).map(String),
    maxAge: options.maxAge ?? settings.maxAge ?? undefined,
    maxSkew: options.maxSkew ?? settings.maxSkew ?? undefined,
    maxBody: options.maxBody ?? settings.maxBody ?? undefined,
    acceptV1: options.acceptV1 ?? settings.acceptV1 ?? undefined,
    replay: options.replay ?? settings.replay ?? undefined,
    replayPrefix: options.replayPrefix,
    replayCapacity: options.replayCapacity,
    replayCreated: options.replayCreated,
    deniedKeys: options.deniedKeys === undefined ? undefined : [...options.deniedKeys].map(String),
    now: options.now
  }
}

module.exports = { serverOptions }
