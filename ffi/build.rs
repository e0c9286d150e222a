//! Gives the shared library its SONAME, so programs record the ABI version they
//! were linked against (`libcrypto_sessions.so.<ABI>`), not a file name.

/// Must equal `CS_ABI_VERSION` in src/lib.rs (a unit test checks it).
const ABI_VERSION: u32 = 1;

fn main() {
    let soname = format!("libcrypto_sessions.so.{ABI_VERSION}");
    println!("cargo:rustc-env=CS_SONAME={soname}");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
