'use strict'
// What every adapter of the v1 server shares: the rejection log line, one header
// value, JSON text of an answer, and the body-too-large error.

const { CryptoSessionError } = require('../errors.js')

function tooLarge (max) {
  return new CryptoSessionError('too_large', `the request body is larger than the limit of ${max} bytes`)
}

// The method and target are quoted (JSON): a control character in them is shown
// escaped, so a request cannot write a line of its own into the log.
function describe (method, target, err) {
  const reason = err instanceof CryptoSessionError ? `${err.code}: ${err.message}` : String(err && err.message ? err.message : err)
  return `crypto-sessions: rejected ${JSON.stringify(String(method))} ${JSON.stringify(String(target).slice(0, 200))}: ${reason}`
}

function headerValue (value) {
  return Array.isArray(value) ? value[0] : value
}

function jsonText (value) {
  const text = JSON.stringify(value)
  if (text === undefined) throw new CryptoSessionError('malformed_input', `a value of type ${typeof value} has no JSON form`)
  return text
}

module.exports = { tooLarge, describe, headerValue, jsonText }
