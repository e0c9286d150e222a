//! Received payloads as the reference revives them.

use napi::bindgen_prelude::*;

/// The core's revive rule (JSON if the text is JSON, else the text), handed to
/// JavaScript as JSON text: the facade reads it with `JSON.parse`, which builds
/// the value faster than napi property by property and treats a `"__proto__"`
/// key as data, as `JSON.parse` of the original text would.
pub(crate) fn revived_json(bytes: &[u8]) -> String {
    serde_json::to_string(&crypto_sessions::payload::revive(bytes))
        .expect("a serde_json::Value always serializes")
}

/// The revived form of received bytes, as JSON text (see the facade's `revive`).
#[napi]
pub fn revive(bytes: Uint8ArraySlice) -> String {
    revived_json(&bytes)
}
