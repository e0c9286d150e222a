package cryptosessions

import "testing"

// The Go package and the C library it links are released together, at one version.
func TestModuleVersionIsTheLibrarys(t *testing.T) {
	if got := Version(); got != ModuleVersion {
		t.Fatalf("the linked C library is %q, the Go package %q", got, ModuleVersion)
	}
}
