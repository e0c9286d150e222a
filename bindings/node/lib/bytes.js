'use strict'
// Byte and payload conversions at the JS edge.

const { CryptoSessionError } = require('./errors.js')

/** A Uint8Array with the `hex` accessor the reference's byte values have. */
class Bytes extends Uint8Array {
  get hex () {
    return toHex(this)
  }

  toHex () {
    return this.hex
  }
}

/** A Bytes view of the same memory as `view` (no copy). */
function asBytes (view) {
  return new Bytes(view.buffer, view.byteOffset, view.byteLength)
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/
// No Buffer: the same code runs in browsers and edge runtimes (the WebAssembly build).
const UTF8 = new TextDecoder()

function toHex (view) {
  let out = ''
  for (const byte of view) out += byte.toString(16).padStart(2, '0')
  return out
}

function fromHex (text) {
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Hex text or bytes (Uint8Array, ArrayBuffer, any ArrayBuffer view) as bytes. */
function bytesOf (value, what) {
  if (typeof value === 'string') {
    if (!HEX.test(value)) throw new CryptoSessionError('malformed_input', `${what} is not hex`)
    return fromHex(value)
  }
  const view = viewOf(value)
  if (view) return view
  throw new CryptoSessionError('malformed_input', `${what} must be a hex string or a Uint8Array`)
}

function viewOf (value) {
  if (value instanceof Uint8Array) return value
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  return null
}

/** A key as the addon takes it: hex text, or bytes. */
function keyOf (value, what) {
  if (typeof value === 'string') return value
  const view = viewOf(value)
  if (view) return view
  throw new CryptoSessionError('invalid_key', `${what} must be a hex string or a Uint8Array`)
}

/**
 * The bytes a payload is signed and encrypted as (docs/PROTOCOL.md, "Serializing
 * a payload"): a string as UTF-8, bytes as they are, any other value as
 * `JSON.stringify(value)` — the very serializer the protocol is defined by, so
 * `toJSON`, `Date`, dropped `undefined` members and number formatting match the
 * reference exactly.
 */
function serialize (payload) {
  if (typeof payload === 'string') return payload
  const view = viewOf(payload)
  if (view) return view
  let text
  try {
    text = JSON.stringify(payload)
  } catch (err) {
    throw new CryptoSessionError('malformed_input', `the payload cannot be serialized as JSON: ${err.message}`, { cause: err })
  }
  if (text === undefined) {
    throw new CryptoSessionError('malformed_input', `a payload of type ${typeof payload} has no JSON form`)
  }
  return text
}

/**
 * A received payload as the reference revives it: `JSON.parse` of its text when
 * the core says it is JSON (`isJson`), else the text. The core decides (same rule
 * in every binding); the text is parsed here, once, with the runtime's parser.
 */
function revive (plaintext, isJson) {
  const text = UTF8.decode(plaintext)
  return isJson ? JSON.parse(text) : text
}

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i

/**
 * A v2 payload as handlers and clients see it, by its content type: parsed JSON,
 * text for `text/*`, else the bytes; nothing (`undefined`) for no payload at all.
 */
function reviveTyped (payload, contentType) {
  if (payload.length === 0 && contentType === '') return undefined
  if (JSON_TYPE.test(contentType)) return JSON.parse(UTF8.decode(payload))
  if (/^text\//i.test(contentType)) return UTF8.decode(payload)
  return payload
}

module.exports = { reviveTyped, Bytes, asBytes, bytesOf, keyOf, serialize, revive, viewOf, toHex, fromHex }
