//go:build !crypto_sessions_system

package cryptosessions

// The default: the static library and its header inside the module, in
// lib/<os>_<arch>/, as `make dist` puts them in the release copy (the repository
// itself carries no binary: build there with -tags crypto_sessions_system).
// The libraries after it are what the Rust standard library inside it needs
// (rustc --print native-static-libs).

/*
#cgo linux,amd64 CFLAGS: -I${SRCDIR}/lib/linux_amd64
#cgo linux,amd64 LDFLAGS: ${SRCDIR}/lib/linux_amd64/libcrypto_sessions.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
*/
import "C"
