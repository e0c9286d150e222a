//! The seed corpus, built from the reference vectors (`tests/vectors/`): every token,
//! every piece of encrypted data, every session and HTTP exchange of the file, written
//! in the byte format each target reads.
//!
//! The structured targets decode their bytes with `arbitrary` (lengths are read from
//! the end of the input, values from the front); [`ArbitraryBytes`] writes that
//! format, and every seed is decoded back and compared with the input it was written
//! from, so a change in `arbitrary`'s format fails loudly instead of seeding noise.
//! Needs `harness` as a sibling module.

use arbitrary::{Arbitrary, Unstructured};

use super::harness::{http, section, AuthenticateInput, DecodeInput, OpenInput, SMALL_BODY_LIMIT};

/// One seed: the target, a file name, the bytes, and whether the core must accept
/// it (from what the vector file says of it; `None` where it says nothing).
pub struct Seed {
    pub target: &'static str,
    pub name: String,
    pub bytes: Vec<u8>,
    pub accepted: Option<bool>,
}

/// Bytes in the layout `arbitrary` 1.x reads: values from the front, collection
/// lengths from the back (the last length read sits first).
#[derive(Default)]
struct ArbitraryBytes {
    pieces: Vec<Piece>,
}

enum Piece {
    Front(Vec<u8>),
    Len(usize),
}

impl ArbitraryBytes {
    fn byte(mut self, b: u8) -> Self {
        self.pieces.push(Piece::Front(vec![b]));
        self
    }

    fn u16(mut self, v: u16) -> Self {
        self.pieces.push(Piece::Front(v.to_le_bytes().to_vec()));
        self
    }

    /// A `&str`/`&[u8]` field that is not the last: its length, then its bytes.
    fn sized(mut self, bytes: &[u8]) -> Self {
        self.pieces.push(Piece::Len(bytes.len()));
        self.pieces.push(Piece::Front(bytes.to_vec()));
        self
    }

    fn option(self, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.byte(1).sized(v.as_bytes()),
            None => self.byte(0),
        }
    }

    /// The last field: all the remaining bytes.
    fn rest(mut self, bytes: &[u8]) -> Vec<u8> {
        self.pieces.push(Piece::Front(bytes.to_vec()));
        self.finish()
    }

    /// How many bytes a length takes when `remaining` bytes are left to read.
    fn width(remaining: usize) -> usize {
        match remaining {
            0 => 0,
            1..=256 => 1,
            257..=65_537 => 2,
            _ => 4,
        }
    }

    fn finish(self) -> Vec<u8> {
        let front_len: usize = self
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Front(b) => b.len(),
                Piece::Len(_) => 0,
            })
            .sum();
        // A length's width depends on what is left when it is read, which depends on
        // the widths: iterate to the fixed point (two rounds in practice).
        let lens = self
            .pieces
            .iter()
            .filter(|p| matches!(p, Piece::Len(_)))
            .count();
        let mut widths = vec![1usize; lens];
        loop {
            let mut remaining = front_len + widths.iter().sum::<usize>();
            let mut next = Vec::with_capacity(lens);
            for p in &self.pieces {
                match p {
                    Piece::Front(b) => remaining -= b.len(),
                    Piece::Len(_) => {
                        next.push(Self::width(remaining));
                        remaining -= widths[next.len() - 1];
                    }
                }
            }
            if next == widths {
                break;
            }
            widths = next;
        }
        let mut front = Vec::with_capacity(front_len);
        let mut back: Vec<Vec<u8>> = Vec::new();
        let mut remaining = front_len + widths.iter().sum::<usize>();
        let mut w = widths.iter();
        for p in &self.pieces {
            match p {
                Piece::Front(b) => {
                    front.extend_from_slice(b);
                    remaining -= b.len();
                }
                Piece::Len(len) => {
                    let width = *w.next().expect("a width per length");
                    remaining -= width;
                    back.push(Self::length_bytes(*len, width, remaining));
                }
            }
        }
        for chunk in back.iter().rev() {
            front.extend_from_slice(chunk);
        }
        front
    }

    /// `len` as `int_in_range(0..=max)` reads it: big-endian over as many of the
    /// `width` bytes as `max` needs, the rest unused.
    fn length_bytes(len: usize, width: usize, max: usize) -> Vec<u8> {
        assert!(len <= max, "a length larger than the input");
        let mut used = 0;
        while used < width && (max as u64) >> (8 * used) > 0 {
            used += 1;
        }
        let mut out = vec![0u8; width];
        let be = (len as u64).to_be_bytes();
        out[..used].copy_from_slice(&be[8 - used..]);
        out
    }
}

/// Decode `bytes` as the target does and check it gives back `expected`.
fn decodes_to<'a, T>(bytes: &'a [u8], expected: &T)
where
    T: Arbitrary<'a> + PartialEq + std::fmt::Debug,
{
    let got = T::arbitrary_take_rest(Unstructured::new(bytes)).expect("seed decodes");
    assert_eq!(&got, expected, "seed bytes do not decode to their input");
}

fn decode_seed(input: &DecodeInput) -> Vec<u8> {
    let bytes = ArbitraryBytes::default()
        .byte(input.pair)
        .sized(input.token.as_bytes())
        .rest(input.data.as_bytes());
    decodes_to(&bytes, input);
    bytes
}

fn authenticate_seed(input: &AuthenticateInput) -> Vec<u8> {
    let bytes = ArbitraryBytes::default()
        .byte(u8::from(input.small_limit))
        .sized(input.method.as_bytes())
        .sized(input.target.as_bytes())
        .option(input.authorization)
        .rest(input.body);
    decodes_to(&bytes, input);
    bytes
}

fn open_seed(input: &OpenInput) -> Vec<u8> {
    let bytes = ArbitraryBytes::default()
        .byte(input.client)
        .u16(input.status)
        .option(input.authorization)
        .rest(input.body.as_bytes());
    decodes_to(&bytes, input);
    bytes
}

fn text<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {key} missing"))
}

/// Every seed, in a stable order with stable names.
pub fn seeds() -> Vec<Seed> {
    let mut out = Vec::new();
    let mut add = |target, name: String, bytes: Vec<u8>, accepted: Option<bool>| {
        out.push(Seed {
            target,
            name,
            bytes,
            accepted,
        })
    };

    // Decode vectors: the `session` section first, then `negative`, in the order the
    // harness fixture builds its sessions (pair = index).
    let decode_vectors = section("session").iter().chain(section("negative"));
    for (i, v) in decode_vectors.enumerate() {
        let pair = u8::try_from(i).expect("fewer than 256 decode vectors");
        let (token, data) = (text(v, "token"), text(v, "data"));
        let name = v["name"]
            .as_str()
            .map_or(format!("session-{i}"), |n| format!("negative-{n}"));
        // `session` vectors are valid; `negative` ones carry the reference's outcome.
        let outcome = v.get("reference_outcome").and_then(|o| o.as_str());
        let is_negative = outcome.is_some();
        let valid = outcome.map_or(true, |o| o == "valid");
        let decodable = outcome != Some("malformed_input");
        let input = DecodeInput { pair, token, data };
        add(
            "session_decode",
            name.clone(),
            decode_seed(&input),
            Some(valid),
        );
        let token_parses = (!is_negative).then_some(true);
        add(
            "token",
            name.clone(),
            token.as_bytes().to_vec(),
            token_parses,
        );
        add("b64url", name, data.as_bytes().to_vec(), Some(decodable));
    }
    for (i, v) in section("sign").iter().enumerate() {
        add(
            "token",
            format!("sign-{i}"),
            text(v, "token").as_bytes().to_vec(),
            Some(true),
        );
        let payload = hex::decode(text(v, "serialized_hex")).expect("hex");
        let is_json = (text(v, "payload_kind") == "json").then_some(true);
        add("payload_revive", format!("sign-{i}"), payload, is_json);
    }
    for (i, v) in section("cipher").iter().enumerate() {
        add(
            "b64url",
            format!("cipher-{i}"),
            text(v, "data").as_bytes().to_vec(),
            Some(true),
        );
    }

    let http = http();
    let host = text(http, "host");
    for (i, x) in http["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .enumerate()
    {
        let method = text(x, "method");
        let authorization = text(&x["request_headers"], "authorization");
        let target = text(x, "url")
            .strip_prefix(host)
            .expect("url starts with the host");
        let body = x["request_body"].as_str().unwrap_or("").as_bytes();
        let request = AuthenticateInput {
            small_limit: false,
            method,
            target,
            authorization: Some(authorization),
            body,
        };
        add(
            "server_authenticate",
            format!("exchange-{i}"),
            authenticate_seed(&request),
            Some(true),
        );
        if body.len() > SMALL_BODY_LIMIT {
            let limited = AuthenticateInput {
                small_limit: true,
                ..request
            };
            add(
                "server_authenticate",
                format!("exchange-{i}-over-limit"),
                authenticate_seed(&limited),
                Some(false),
            );
        }
        let status = u16::try_from(x["status"].as_u64().expect("status")).expect("u16");
        let answer = OpenInput {
            client: u8::try_from(i).expect("fewer than 256 exchanges"),
            status,
            authorization: Some(text(x, "response_authorization")),
            body: text(x, "response_body"),
        };
        add(
            "client_open",
            format!("exchange-{i}"),
            open_seed(&answer),
            Some(true),
        );
        let answer_token = answer.authorization.expect("set above");
        add(
            "token",
            format!("exchange-{i}-request"),
            authorization.as_bytes().to_vec(),
            Some(true),
        );
        add(
            "token",
            format!("exchange-{i}-answer"),
            answer_token.as_bytes().to_vec(),
            Some(true),
        );
        add(
            "b64url",
            format!("exchange-{i}-answer"),
            answer.body.as_bytes().to_vec(),
            Some(true),
        );
        if let Some(decoded) = x.get("client_decoded") {
            let json = crypto_sessions::payload::json_bytes(decoded);
            add("payload_revive", format!("exchange-{i}"), json, Some(true));
        }
        if let Some(body) = x["request_body"].as_str() {
            add(
                "payload_revive",
                format!("exchange-{i}-body"),
                body.as_bytes().to_vec(),
                Some(true),
            );
        }
    }
    out
}
