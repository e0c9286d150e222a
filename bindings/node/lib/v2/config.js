'use strict'
// v2 server options: the core's names, each one not given read from the
// environment at construction (names from the core); a bad value throws there.

const native = require('../native.js')
const { CryptoSessionError } = require('../errors.js')

function bad (name, detail) {
  return new CryptoSessionError('malformed_input', `server configuration: ${name} ${detail}`)
}

function fromEnv (env, name) {
  const value = env[name]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function number (env, name) {
  const text = fromEnv(env, name)
  if (text === undefined) return undefined
  if (!/^[0-9]+$/.test(text)) throw bad(name, `is ${JSON.stringify(text)}: not a whole number`)
  return Number(text)
}

function boolean (env, name) {
  const text = fromEnv(env, name)
  if (text === undefined) return undefined
  const lower = text.toLowerCase()
  if (lower === 'true' || lower === '1') return true
  if (lower === 'false' || lower === '0') return false
  throw bad(name, `is ${JSON.stringify(text)}: expected true, false, 1 or 0`)
}

function list (value) {
  return Array.isArray(value) ? value : [value]
}

/**
 * The addon's options from `options` (the core's names in camelCase: keys,
 * origins, maxAge, maxSkew, maxBody, acceptV1, replay, replayPrefix, deniedKeys,
 * now) and, for each one not given, the environment.
 */
function serverOptions (options = {}, env = process.env) {
  const keys = options.keys ?? options.secretKey ?? fromEnv(env, native.ENV_SECRET_KEY)
  if (keys === undefined) throw bad('keys', `are missing: pass keys or set ${native.ENV_SECRET_KEY}`)
  let origins = options.origins ?? options.host
  if (origins === undefined) {
    const host = fromEnv(env, native.ENV_HOST)
    const more = (fromEnv(env, native.ENV_ORIGINS) ?? '').split(',').map(s => s.trim()).filter(Boolean)
    if (host === undefined && more.length === 0) throw bad('origins', `are missing: pass origins or set ${native.ENV_HOST}`)
    origins = [...new Set([host, ...more].filter(Boolean))]
  }
  return {
    keys: list(keys).map(k => (k instanceof Uint8Array ? Buffer.from(k).toString('hex') : k)),
    origins: list(origins).map(String),
    maxAge: options.maxAge ?? number(env, native.ENV_MAX_AGE),
    maxSkew: options.maxSkew ?? number(env, native.ENV_MAX_SKEW),
    maxBody: options.maxBody ?? number(env, native.ENV_MAX_BODY),
    acceptV1: options.acceptV1 ?? boolean(env, native.ENV_ACCEPT_V1),
    replay: options.replay ?? fromEnv(env, native.ENV_REPLAY),
    replayPrefix: options.replayPrefix,
    replayCapacity: options.replayCapacity,
    replayCreated: options.replayCreated,
    deniedKeys: options.deniedKeys === undefined ? undefined : [...options.deniedKeys].map(String),
    now: options.now
  }
}

module.exports = { serverOptions }
