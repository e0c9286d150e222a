package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	cryptosessions "github.com/crypto-sessions/crypto-sessions/bindings/go"
)

// v2CodeNames are the v2 sentinels by the contract's (the spec's) names.
var v2CodeNames = map[error]string{
	cryptosessions.ErrV2Malformed:        "malformed",
	cryptosessions.ErrV2UnknownKey:       "unknown_key",
	cryptosessions.ErrV2Stale:            "stale",
	cryptosessions.ErrV2InvalidSignature: "invalid_signature",
	cryptosessions.ErrV2Replayed:         "replayed",
	cryptosessions.ErrV2Forbidden:        "forbidden",
	cryptosessions.ErrV2InvalidBody:      "invalid_body",
	cryptosessions.ErrV2TooLarge:         "too_large",
	cryptosessions.ErrV2Busy:             "busy",
	cryptosessions.ErrV2InvalidAnswer:    "invalid_answer",
	cryptosessions.ErrV2Rejected:         "rejected",
	cryptosessions.ErrV1OnlyServer:       "v1_only_server",
}

type v2In struct {
	ServerKey   string `json:"server_key"`
	URL         string `json:"url"`
	Method      string `json:"method"`
	ContentType string `json:"content_type"`
	BodyHex     string `json:"body_hex"`
	ClockOffset int64  `json:"clock_offset"`
}

type v2Out struct {
	Status      *int            `json:"status"`
	ContentType *string         `json:"content_type"`
	Data        json.RawMessage `json:"data"`
	Err         *failure        `json:"err"`
	Retried     bool            `json:"retried"`
}

// clientV2 is the v2 contract's client: `go-peer client-v2 --key HEX`, one JSON
// request per stdin line, one JSON result per stdout line, a fresh Transport per
// request (NewTransport; NewTransportSkewedForTest for a clock_offset).
func clientV2(args []string) int {
	flags := flag.NewFlagSet("go-peer client-v2", flag.ContinueOnError)
	secret := flags.String("key", "", "our secret key (hex)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	key, err := cryptosessions.ParseSecretKey(*secret)
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-peer client-v2: --key:", err)
		return 2
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		if strings.TrimSpace(in.Text()) == "" {
			continue
		}
		var req v2In
		var res v2Out
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			res = v2Failed(err, nil)
		} else {
			res = sendV2(key, req)
		}
		if res.Data == nil {
			res.Data = json.RawMessage("null")
		}
		line, _ := json.Marshal(res)
		out.Write(line)
		out.WriteByte('\n')
		out.Flush()
	}
	return 0
}

func v2Failed(err error, status *int) v2Out {
	kind := "error"
	for sentinel, name := range v2CodeNames {
		if errors.Is(err, sentinel) {
			kind = name
		}
	}
	var e *cryptosessions.Error
	if status == nil && errors.As(err, &e) && e.Status != 0 {
		s := e.Status
		status = &s
	}
	return v2Out{Status: status, Err: &failure{Kind: kind, Message: err.Error(), Status: status}}
}

// counting counts the requests sent, to tell a retry.
type counting struct{ n int }

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n++
	return http.DefaultTransport.RoundTrip(r)
}

func sendV2(key *cryptosessions.SecretKey, req v2In) v2Out {
	server, err := cryptosessions.ParseXOnlyKey(req.ServerKey)
	if err != nil {
		return v2Failed(err, nil)
	}
	var transport *cryptosessions.Transport
	if req.ClockOffset != 0 {
		transport, err = cryptosessions.NewTransportSkewedForTest(server, key, time.Duration(req.ClockOffset)*time.Second)
	} else {
		transport, err = cryptosessions.NewTransport(server, key)
	}
	if err != nil {
		return v2Failed(err, nil)
	}
	defer transport.Close()
	sent := &counting{}
	transport.Base = sent
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body, err := hex.DecodeString(req.BodyHex)
	if err != nil {
		return v2Failed(err, nil)
	}
	var reader io.Reader
	if len(body) > 0 {
		reader = bytes.NewReader(body)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	r, err := http.NewRequest(method, req.URL, reader)
	if err != nil {
		return v2Failed(err, nil)
	}
	if req.ContentType != "" {
		r.Header.Set("Content-Type", req.ContentType)
	}
	resp, err := client.Do(r)
	if err != nil {
		out := v2Failed(err, nil)
		out.Retried = sent.n > 1
		return out
	}
	defer resp.Body.Close()
	payload, err := io.ReadAll(resp.Body)
	if err != nil {
		return v2Failed(err, nil)
	}
	status := resp.StatusCode
	out := v2Out{Status: &status, Retried: sent.n > 1}
	if ct, ok := resp.Header["Content-Type"]; ok {
		out.ContentType = &ct[0]
	}
	switch {
	case len(payload) == 0:
		out.Data = json.RawMessage("null")
	case out.ContentType != nil && isJSON(*out.ContentType) && json.Valid(payload):
		out.Data = payload
	case out.ContentType != nil && strings.HasPrefix(*out.ContentType, "text/"):
		out.Data, _ = json.Marshal(string(payload))
	default:
		out.Data, _ = json.Marshal(map[string]string{"hex": hex.EncodeToString(payload)})
	}
	return out
}

func isJSON(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	return err == nil && (media == "application/json" || strings.HasSuffix(media, "+json"))
}
