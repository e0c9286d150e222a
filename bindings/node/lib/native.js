'use strict'
// Loads the compiled addon (built by scripts/build-native.js at install time).

const path = require('node:path')

const ADDON = path.join(__dirname, '..', 'crypto-sessions.node')

function load () {
  try {
    return require(ADDON)
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('crypto-sessions.node')) {
      const hint = new Error(
        'crypto-sessions: the native addon is not built. It is compiled from source when the ' +
        'package is installed (needs Rust/cargo 1.88+); run `npm rebuild crypto-sessions` ' +
        'or `node scripts/build-native.js` in the package folder.'
      )
      hint.code = 'ERR_CRYPTO_SESSIONS_NOT_BUILT'
      hint.cause = err
      throw hint
    }
    throw err
  }
}

module.exports = load()
