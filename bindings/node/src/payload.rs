//! Received payloads as the reference revives them: they cross to JavaScript as
//! their bytes with [`revives_as_json`], and the facade parses the text itself when
//! that holds (`JSON.parse`, which treats a `"__proto__"` key as data).

/// Whether the core's revive rule gives the parsed JSON of `bytes` (`true`) or
/// their text (`false`).
pub(crate) fn revives_as_json(bytes: &[u8]) -> bool {
    crypto_sessions::payload::is_json(bytes)
}
