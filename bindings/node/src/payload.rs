//! Received payloads as the reference revives them.

use napi::bindgen_prelude::*;

/// The core's revive rule (JSON if the text is JSON, else the text), handed to
/// JavaScript as JSON text: the facade reads it with `JSON.parse`, which builds
/// the value faster than napi property by property and treats a `"__proto__"`
/// key as data, as `JSON.parse` of the original text would.
///
/// Received payloads do not take this route: they cross as their bytes with
/// [`revives_as_json`], and the facade parses the text itself when that holds,
/// so a large payload is not re-serialized only to be parsed again.
pub(crate) fn revived_json(bytes: &[u8]) -> String {
    serde_json::to_string(&crypto_sessions::payload::revive(bytes))
        .expect("a serde_json::Value always serializes")
}

/// Whether the core's revive rule gives the parsed JSON of `bytes` (`true`) or
/// their text (`false`).
pub(crate) fn revives_as_json(bytes: &[u8]) -> bool {
    crypto_sessions::payload::is_json(bytes)
}

/// The revived form of received bytes, as JSON text (a v1 payload through the dual v2 server, `lib/v2/server.js`).
#[napi]
pub fn revive(bytes: Uint8ArraySlice) -> String {
    revived_json(&bytes)
}
