package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	cryptosessions "github.com/crypto-sessions/crypto-sessions/bindings/go"
)

// kindNames are the contract's names of the core's error kinds.
var kindNames = map[error]string{
	cryptosessions.ErrMalformedInput:    "malformed_input",
	cryptosessions.ErrInvalidKey:        "invalid_key",
	cryptosessions.ErrDecryptFailed:     "decrypt_failed",
	cryptosessions.ErrInvalidSignature:  "invalid_signature",
	cryptosessions.ErrWrongPeer:         "wrong_peer",
	cryptosessions.ErrTooLarge:          "too_large",
	cryptosessions.ErrUnsupportedMethod: "unsupported_method",
	cryptosessions.ErrHTTPStatus:        "http_status",
}

type failure struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Status  *int   `json:"status"`
}

type result struct {
	Status *int            `json:"status"`
	Data   json.RawMessage `json:"data"`
	Err    *failure        `json:"err"`
}

func report(r result) int {
	if r.Data == nil {
		r.Data = json.RawMessage("null")
	}
	line, _ := json.Marshal(r)
	fmt.Println(string(line))
	if r.Err != nil {
		return 1
	}
	return 0
}

func failed(err error, status *int) int {
	kind := "error"
	for sentinel, name := range kindNames {
		if errors.Is(err, sentinel) {
			kind = name
		}
	}
	return report(result{Status: status, Err: &failure{Kind: kind, Message: err.Error(), Status: status}})
}

// request sends one request through the package's RoundTripper and prints the
// opened answer, revived as the reference does.
func request(args []string) int {
	flags := flag.NewFlagSet("go-peer client", flag.ContinueOnError)
	serverKey := flags.String("server-key", "", "the server's public key (hex)")
	secret := flags.String("key", "", "our secret key (hex)")
	url := flags.String("url", "", "the URL to request")
	method := flags.String("method", "", "GET or POST (POST when a body is given)")
	jsonBody := flags.String("json", "", "a JSON body")
	textBody := flags.String("data", "", "a text body")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	given := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { given[f.Name] = true })

	server, err := cryptosessions.ParsePublicKey(*serverKey)
	if err != nil {
		return failed(err, nil)
	}
	key, err := cryptosessions.ParseSecretKey(*secret)
	if err != nil {
		return failed(err, nil)
	}
	transport, err := cryptosessions.NewTransportV1(server, key)
	if err != nil {
		return failed(err, nil)
	}
	defer transport.Close()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	var body io.Reader
	switch {
	case given["json"]:
		// Sent as JSON.stringify would write it, as the reference client does.
		compact, err := cryptosessions.CompactJSON([]byte(*jsonBody))
		if err != nil {
			return failed(err, nil)
		}
		body = strings.NewReader(string(compact))
	case given["data"]:
		body = strings.NewReader(*textBody)
	}
	m := *method
	if m == "" {
		m = http.MethodGet
		if body != nil {
			m = http.MethodPost
		}
	}
	req, err := http.NewRequest(m, *url, body)
	if err != nil {
		return failed(err, nil)
	}
	resp, err := client.Do(req)
	if err != nil {
		return failed(err, nil)
	}
	defer resp.Body.Close()
	status := resp.StatusCode
	if status < 200 || status > 299 {
		// The transport hands non-2xx answers back unopened, with an empty body.
		return report(result{Status: &status, Err: &failure{Kind: "http_status",
			Message: fmt.Sprintf("the server answered %d", status), Status: &status}})
	}
	plaintext, err := io.ReadAll(resp.Body)
	if err != nil {
		return failed(err, &status)
	}
	data, err := cryptosessions.Revive(plaintext)
	if err != nil {
		return failed(err, &status)
	}
	return report(result{Status: &status, Data: data})
}
