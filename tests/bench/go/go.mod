module github.com/crypto-sessions/crypto-sessions/tests/bench/go

go 1.22

require github.com/crypto-sessions/crypto-sessions/bindings/go v0.0.0

replace github.com/crypto-sessions/crypto-sessions/bindings/go => ../../../bindings/go
