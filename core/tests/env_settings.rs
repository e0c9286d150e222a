//! `tests/env/v2-settings.json`: the environment values every binding must accept
//! and refuse alike, replayed through the core's reading (`Settings::read`) and a
//! server built from what it read, as the C ABI's `cs_v2_server_config_apply_env`
//! builds one. Python and Node replay the same file through their servers.

use crypto_sessions::v2::env::{origins_with_host, Settings};
use crypto_sessions::v2::replay;
use crypto_sessions::v2::server::Server;
use crypto_sessions::SecretKey;
use serde_json::Value;

const HOST: &str = "https://a.example";

/// A server from `Settings` read out of these variables, or the first error.
fn build(vars: &[(&str, &str)]) -> Result<Server, String> {
    let settings = Settings::read(|name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    })
    .map_err(|e| e.to_string())?;
    let mut b = Server::builder();
    for key in &settings.keys {
        b = b.secret_key(&SecretKey::from_hex(key).map_err(|e| e.to_string())?);
    }
    for origin in origins_with_host(settings.host.as_deref(), &settings.origins) {
        b = b.origin(&origin);
    }
    if let Some(v) = settings.max_age {
        b = b.max_age(v);
    }
    if let Some(v) = settings.max_skew {
        b = b.max_skew(v);
    }
    if let Some(v) = settings.max_body {
        b = b.max_body(v);
    }
    b = b.accept_v1(settings.accept_v1.unwrap_or(false));
    let spec = settings.replay.as_deref().unwrap_or("memory");
    b = b.replay_store(replay::open(spec, 16, None).map_err(|e| e.to_string())?);
    b.build().map_err(|e| e.to_string())
}

#[test]
fn every_environment_case_is_accepted_or_refused_as_written() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/env/v2-settings.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let key = SecretKey::generate().to_hex();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 30);
    for case in cases {
        let (name, value) = (
            case["name"].as_str().unwrap(),
            case["value"].as_str().unwrap(),
        );
        let vars = [
            ("CRYPTO_SESSION_KEY", key.as_str()),
            ("CRYPTO_SESSION_HOST", HOST),
            (name, value),
        ];
        let built = build(&vars);
        let at = format!("{name}={value:?}");
        if case["ok"] != true {
            let err = built.err().unwrap_or_else(|| panic!("{at} was accepted"));
            let short = name
                .trim_start_matches("CRYPTO_SESSION_")
                .to_ascii_lowercase();
            // The error says what was wrong: the variable, the limit or the value.
            let said = [name, short.as_str(), value.trim()];
            assert!(said.iter().any(|s| err.contains(s)), "{at}: {err}");
            continue;
        }
        let server = built.unwrap_or_else(|e| panic!("{at}: {e}"));
        let (max_age, max_skew, max_body) = server.limits();
        for (field, got) in [
            ("max_age", max_age),
            ("max_skew", max_skew),
            ("max_body", max_body),
        ] {
            if let Some(want) = case[field].as_u64() {
                assert_eq!(got, want, "{at}");
            }
        }
        if let Some(want) = case["accept_v1"].as_bool() {
            assert_eq!(server.v1().is_some(), want, "{at}");
        }
        if let Some(want) = case["origins"].as_array() {
            let got: Vec<&str> = server.origins().iter().map(|o| o.as_str()).collect();
            let want: Vec<&str> = want.iter().map(|o| o.as_str().unwrap()).collect();
            assert_eq!(got, want, "{at}");
        }
    }
}
