module github.com/crypto-sessions/crypto-sessions/bindings/go

go 1.22
