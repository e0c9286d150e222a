/* libsecp256k1's settings for the WebAssembly build (bindings/wasm/wasm.mk passes
 * this file to clang with -include, through CFLAGS_wasm32_unknown_unknown; the
 * secp256k1-sys build script has no options for them). Measured in BENCHMARKS.md,
 * "WebAssembly".
 *
 * 10x26-bit field limbs: wasm32 has 64-bit multiplies but no 128-bit product, so
 * the 5x52 limbs clang would pick (it defines __SIZEOF_INT128__) turn every field
 * multiplication into calls to __multi3: verification ran 3x slower than with these.
 */
#define USE_FORCE_WIDEMUL_INT64 1

/* Smaller precomputed tables than the native build's (window 15: 1 MiB; 64 KiB for
 * the generator), which would not fit the size budget of the .wasm (250 KiB
 * gzipped): window 6 verified as fast as 15, within this machine's noise. The build script
 * defines both on the command line, before this file is read. */
#undef ECMULT_WINDOW_SIZE
#define ECMULT_WINDOW_SIZE 6
#undef ECMULT_GEN_PREC_BITS
#define ECMULT_GEN_PREC_BITS 2
