package cryptosessions

// Where the C library comes from is chosen by build tag: cgo_vendored.go (the
// default: lib/<os>_<arch>/ of a release copy) or cgo_system.go (the tag
// crypto_sessions_system: an installed library found through pkg-config).

/*
#include <crypto_sessions.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// call runs one C call and turns its result into an error. The OS thread is
// locked so that the thread-local last error read after a failure is this call's.
func call(f func() C.cs_result) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	code := f()
	if code == C.CS_RESULT_OK {
		return nil
	}
	return newError(uint32(code), lastErrorMessage())
}

func lastErrorMessage() string {
	var buf [512]C.char
	n := C.cs_last_error_message(&buf[0], C.size_t(len(buf)))
	if n >= C.size_t(len(buf)) {
		big := make([]C.char, n+1)
		C.cs_last_error_message(&big[0], C.size_t(len(big)))
		return C.GoString(&big[0])
	}
	return C.GoString(&buf[0])
}

// present is what a non-NULL pointer with length 0 points to ("present but empty").
var present [1]byte

// cBytes passes a byte slice to C without copying (NULL when empty).
func cBytes(b []byte) (*C.uint8_t, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))
}

// cOptionalBytes is cBytes where nil means absent (NULL) and empty means present.
func cOptionalBytes(b []byte) (*C.uint8_t, C.size_t) {
	if b == nil {
		return nil, 0
	}
	if len(b) == 0 {
		return (*C.uint8_t)(unsafe.Pointer(&present[0])), 0
	}
	return cBytes(b)
}

// cText passes a string to C without copying (no NUL needed: lengths are explicit).
func cText(s string) (*C.char, C.size_t) {
	if len(s) == 0 {
		return nil, 0
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

// cTextBytes passes text held in a byte slice.
func cTextBytes(b []byte) (*C.char, C.size_t) {
	if len(b) == 0 {
		return nil, 0
	}
	return (*C.char)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))
}

// cOptionalText is cText where "" means absent (NULL).
func cOptionalText(s string) (*C.char, C.size_t) {
	return cText(s)
}

// take copies library-allocated bytes into Go memory and frees them with the
// library's own function. Absent bytes give nil, empty ones a non-nil empty slice.
func take(b *C.cs_bytes) []byte {
	if b.data == nil {
		return nil
	}
	out := make([]byte, int(b.len))
	copy(out, unsafe.Slice((*byte)(unsafe.Pointer(b.data)), int(b.len)))
	C.cs_bytes_free(b)
	return out
}

// takeString is take for text.
func takeString(b *C.cs_bytes) string {
	return string(take(b))
}

// Version is the version of the linked C library.
func Version() string {
	return C.GoString(C.cs_version())
}

// ABIVersion is the ABI version of the linked C library (CS_ABI_VERSION).
func ABIVersion() uint32 {
	return uint32(C.cs_abi_version())
}
