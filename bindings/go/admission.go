package cryptosessions

/*
#include <stdbool.h>
#include <stdint.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// csGoForbidden is the C admission hook: context points at the cgo.Handle of the
// application's forbidden func; it admits the client when forbidden says false.
// A panic in the hook refuses the client.
//
//export csGoForbidden
func csGoForbidden(context unsafe.Pointer, client *C.uint8_t) (admit C._Bool) {
	defer func() {
		if recover() != nil {
			admit = false
		}
	}()
	forbidden := cgo.Handle(*(*C.uintptr_t)(context)).Value().(func([]byte) bool)
	key := C.GoBytes(unsafe.Pointer(client), 32)
	return C._Bool(!forbidden(key))
}
