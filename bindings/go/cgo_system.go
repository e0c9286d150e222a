//go:build crypto_sessions_system

package cryptosessions

// The tag crypto_sessions_system: the static library of an installed copy
// (`make install`), found through pkg-config. The repository's own tests build so.

/*
#cgo pkg-config: crypto_sessions_static
*/
import "C"
