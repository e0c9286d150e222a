module github.com/crypto-sessions/crypto-sessions/tests/interop/peers/go

go 1.22

require github.com/crypto-sessions/crypto-sessions/bindings/go v0.0.0

// The package under test, from this checkout.
replace github.com/crypto-sessions/crypto-sessions/bindings/go => ../../../../bindings/go
