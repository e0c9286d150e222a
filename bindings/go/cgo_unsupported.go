//go:build !crypto_sessions_system && !(linux && amd64)

package cryptosessions

// No prebuilt library for this platform: build the C library (`make install` in
// the repository) and use the tag crypto_sessions_system. The name below is
// undefined on purpose, so that the build stops with this hint.
var _ = noPrebuiltLibraryForThisPlatform_buildWithTag_crypto_sessions_system
