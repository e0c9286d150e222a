'use strict'
// The v1 server configured from the environment, as the reference: the names of
// the variables are the core's (native ENV_SECRET_KEY, ENV_HOST).

const native = require('../native.js')
const { CryptoSessionError } = require('../errors.js')
const { CryptoAuth } = require('./auth.js')
const { failNode } = require('./node.js')

const DEFAULT_HOST = 'http://localhost:3001'
const { ENV_SECRET_KEY, ENV_HOST } = native

// ---- configuration from the environment, as the reference -----------------

let fromEnv = null
let reportedMissingKey = false

function missingKeyError () {
  const pair = native.generateKeyPair()
  if (!reportedMissingKey) {
    reportedMissingKey = true
    // The reference's help: a fresh pair the operator may adopt. It is new, is used
    // by nothing, and is shown once.
    console.error([
      `crypto-sessions: the environment variable ${ENV_SECRET_KEY} is not set.`,
      'Here is a fresh random key pair in case you need one:',
      `  Private Key : ${pair.secretKey}`,
      `  Public Key  : ${pair.publicKey}`
    ].join('\n'))
  }
  return new CryptoSessionError('invalid_key', `${ENV_SECRET_KEY} is not set: the server has no secret key (a fresh key pair was printed to stderr)`)
}

/**
 * The CryptoAuth configured by CRYPTO_SESSION_KEY and CRYPTO_SESSION_HOST (default
 * http://localhost:3001), made when first needed. Throws a CryptoSessionError
 * when the key is missing or invalid; a later call reads the environment again.
 */
function defaultCryptoAuth () {
  if (fromEnv) return fromEnv
  const secretKey = process.env[ENV_SECRET_KEY]
  if (secretKey === undefined || secretKey.trim() === '') throw missingKeyError()
  const host = process.env[ENV_HOST] || DEFAULT_HOST
  fromEnv = new CryptoAuth({ secretKey, host })
  return fromEnv
}

function configurationFailed (err) {
  console.error(`crypto-sessions: the middleware is not configured: ${err.message}`)
}

/** The reference's generic middleware, configured from the environment. */
async function useCryptoSession (req, res) {
  if (req) req.isAuthenticated = false
  return defaultCryptoAuth().useCryptoSession(req, res)
}

/** Express middleware configured from the environment. */
async function useAuthWithExpress (req, res, next) {
  let auth
  try {
    auth = defaultCryptoAuth()
  } catch (err) {
    configurationFailed(err)
    return next(err)
  }
  return auth.useAuthWithExpress(req, res, next)
}

/** Next.js API route wrapper configured from the environment. */
function useAuthWithNext (handler) {
  return async (req, res) => {
    let auth
    try {
      auth = defaultCryptoAuth()
    } catch (err) {
      configurationFailed(err)
      return failNode(res)
    }
    return auth.useAuthWithNext(handler)(req, res)
  }
}

/** Web-standard handler wrapper configured from the environment. */
function useAuthWithWeb (handler) {
  return async (request, ...rest) => {
    let auth
    try {
      auth = defaultCryptoAuth()
    } catch (err) {
      configurationFailed(err)
      return new Response(null, { status: 500 })
    }
    return auth.useAuthWithWeb(handler)(request, ...rest)
  }
}

module.exports = { defaultCryptoAuth, useCryptoSession, useAuthWithExpress, useAuthWithNext, useAuthWithWeb }
