//! Gives the shared library its SONAME, so programs record the ABI version they
//! were linked against (`libcrypto_sessions.so.<ABI>`), not a file name, and keeps
//! its exported symbols to the C ABI's `cs_` functions (tests/c/run.sh checks it
//! with nm).

/// Must equal `CS_ABI_VERSION` in src/lib.rs (a unit test checks it).
const ABI_VERSION: u32 = 1;

fn main() {
    let soname = format!("libcrypto_sessions.so.{ABI_VERSION}");
    println!("cargo:rustc-env=CS_SONAME={soname}");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
        // rustc's own version script exports every `#[no_mangle]` function of every
        // crate, among them four of the secp256k1 crate (`rustsecp256k1_*`), by exact
        // name, which outranks a pattern in a second script. --exclude-libs,ALL keeps
        // what comes from an archive (every upstream rlib) unexported; exports.map then
        // says what is left: the cs_ functions of this crate, nothing else.
        let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--exclude-libs,ALL");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={dir}/exports.map");
        println!("cargo:rerun-if-changed=exports.map");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
