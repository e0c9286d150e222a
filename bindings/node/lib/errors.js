'use strict'
// One error class for the package. `code` is the core's ErrorKind code, one to one:
// malformed_input, invalid_key, decrypt_failed, invalid_signature, wrong_peer,
// too_large, unsupported_method, http_status.

const native = require('./native.js')

const ERROR_CODES = Object.freeze(native.errorCodes())
const KNOWN = new Set(ERROR_CODES)

class CryptoSessionError extends Error {
  /**
   * @param {string} code one of ERROR_CODES
   * @param {string} message
   * @param {{ status?: number, cause?: unknown }} [extra]
   */
  constructor (code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.name = 'CryptoSessionError'
    this.code = code
    if (extra.status !== undefined) this.status = extra.status
  }
}

// A thrown native error (a plain Error with a core `code`) as CryptoSessionError.
function convert (err) {
  if (err instanceof CryptoSessionError) return err
  if (err && KNOWN.has(err.code)) {
    return new CryptoSessionError(err.code, err.message, { status: err.status })
  }
  return err
}

/** Run a native call, rethrowing its errors as CryptoSessionError. */
function call (fn) {
  try {
    return fn()
  } catch (err) {
    throw convert(err)
  }
}

/** Await a native promise, rejecting with CryptoSessionError. */
async function settle (promise) {
  try {
    return await promise
  } catch (err) {
    throw convert(err)
  }
}

module.exports = { CryptoSessionError, ERROR_CODES, call, settle, convert }
