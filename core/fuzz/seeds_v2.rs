//! The v2 seed corpus, built from `tests/vectors/v2.json`: every request and answer
//! token (bytes and text), every server scenario step, every answer check. Needs
//! `harness_v2` as a sibling module.

use super::harness_v2::{section, AuthenticateInput, OpenInput};

/// One seed: the target, a file name, the bytes, and whether the core must accept
/// it (`None` where the vector file does not say for a fresh server).
pub struct Seed {
    pub target: &'static str,
    pub name: String,
    pub bytes: Vec<u8>,
    pub accepted: Option<bool>,
}

fn text<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("field {key}"))
}

fn unhex(v: &serde_json::Value, key: &str) -> Vec<u8> {
    hex::decode(text(v, key)).expect("hex")
}

/// Codes a step gets from a fresh server whatever came before it in its scenario.
const STATELESS_REJECTIONS: [&str; 6] = [
    "malformed",
    "unknown_key",
    "invalid_signature",
    "too_large",
    "invalid_body",
    "stale",
];

pub fn seeds() -> Vec<Seed> {
    let mut out = Vec::new();
    for section_name in ["request", "answer"] {
        for v in section(section_name) {
            let name = text(v, "name");
            let bytes = unhex(v, "token");
            let encoded = if section_name == "request" {
                text(v, "authorization")
                    .strip_prefix("CryptoSession ")
                    .unwrap()
                    .to_string()
            } else {
                text(v, "crypto_session_header").to_string()
            };
            out.push(Seed {
                target: "v2_token",
                name: format!("{section_name}-{name}-bytes"),
                bytes,
                accepted: Some(true),
            });
            out.push(Seed {
                target: "v2_token",
                name: format!("{section_name}-{name}-text"),
                bytes: encoded.into_bytes(),
                accepted: Some(true),
            });
        }
    }
    // Tokens each check refuses: wrong version, reserved flags, wrong lengths,
    // padding.
    let request = unhex(&section("request")[0], "token");
    let answer = unhex(&section("answer")[0], "token");
    let altered = |bytes: &[u8], at: usize, value: u8| {
        let mut b = bytes.to_vec();
        b[at] = value;
        b
    };
    let text_of_request = text(&section("request")[0], "authorization")
        .strip_prefix("CryptoSession ")
        .unwrap();
    for (name, bytes) in [
        ("request-version-3", altered(&request, 0, 3)),
        ("request-flags-80", altered(&request, 1, 0x80)),
        ("request-129-bytes", request[..129].to_vec()),
        ("answer-flags-2", altered(&answer, 1, 2)),
        ("answer-91-bytes", [&answer[..], &[0]].concat()),
        (
            "request-text-padded",
            format!("{text_of_request}==").into_bytes(),
        ),
    ] {
        out.push(Seed {
            target: "v2_token",
            name: name.to_string(),
            bytes,
            accepted: Some(false),
        });
    }
    for (index, sc) in section("server").iter().enumerate() {
        let scenario = text(sc, "name");
        for (i, step) in sc["steps"].as_array().unwrap().iter().enumerate() {
            let fields: Vec<&str> = match step.get("authorization_fields") {
                Some(list) => list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap())
                    .collect(),
                None => vec![text(step, "authorization")],
            };
            let body = unhex(step, "body_hex");
            let input = AuthenticateInput {
                scenario: index as u8,
                now: step["now"].as_u64().unwrap(),
                method: text(step, "method"),
                target: text(step, "target").as_bytes(),
                authorization: fields,
                body: &body,
            };
            let expect = text(step, "expect");
            // A fresh server per input: only what does not depend on earlier steps
            // (admission lists and store contents do) is pinned.
            let accepted = match expect {
                "ok" if scenario != "admission" => Some(true),
                code if STATELESS_REJECTIONS.contains(&code) => Some(false),
                _ => None,
            };
            out.push(Seed {
                target: "v2_server_authenticate",
                name: format!("{scenario}-{i}-{expect}"),
                bytes: input.write(),
                accepted,
            });
        }
    }
    for (case, v) in section("answer_checks").iter().enumerate() {
        let body = unhex(v, "body_hex");
        let input = OpenInput {
            case: case as u8,
            stale: text(v, "kind") == "stale",
            status: v["status"].as_u64().unwrap() as u16,
            header: text(v, "crypto_session_header"),
            body: &body,
        };
        out.push(Seed {
            target: "v2_answer_open",
            name: format!("{}-{}", text(v, "name"), text(v, "expect")),
            bytes: input.write(),
            accepted: Some(text(v, "expect") == "ok"),
        });
    }
    out
}
