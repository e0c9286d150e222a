package cryptosessions

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
)

type peerKey struct{}

// PeerFrom returns the peer the middleware authenticated for this request.
func PeerFrom(ctx context.Context) (*Peer, bool) {
	p, ok := ctx.Value(peerKey{}).(*Peer)
	return p, ok
}

// Middleware authenticates every request before next sees it.
//
// A request that passes reaches next with its Peer in the context (PeerFrom) and
// its body replaced by the decrypted payload (empty for a GET). Every other
// request gets RejectionStatus (401) with an empty body, whatever the reason, and
// the reason is logged; next never sees it.
//
// Its type is func(http.Handler) http.Handler, as routers expect.
func (s *Server) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := s.CheckHeaders(r.Method, r.Header.Get("Content-Length"), len(r.TransferEncoding) > 0)
		if err != nil {
			s.reject(w, r, err)
			return
		}
		body, err := s.readBody(r)
		if err != nil {
			s.reject(w, r, err)
			return
		}
		target := r.RequestURI
		if target == "" { // a request built in a program rather than read from the wire
			target = r.URL.RequestURI()
		}
		peer, err := s.Authenticate(r.Method, target, r.Header.Get("Authorization"), body)
		if err != nil {
			s.reject(w, r, err)
			return
		}
		defer peer.Close()
		r = r.WithContext(context.WithValue(r.Context(), peerKey{}, peer))
		r.Body = io.NopCloser(bytes.NewReader(peer.Payload))
		r.ContentLength = int64(len(peer.Payload))
		r.Header.Set("Content-Length", strconv.Itoa(len(peer.Payload)))
		next.ServeHTTP(w, r)
	})
}

// readBody reads at most one byte more than the limit, so the core can tell a
// body that is too large without the server reading all of it.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	limit := int64(s.limits.MaxBody)
	if limit < 0 {
		limit = 0
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	return body, nil
}

func (s *Server) reject(w http.ResponseWriter, r *http.Request, reason error) {
	s.logger.LogAttrs(r.Context(), slog.LevelWarn, "crypto-sessions: request rejected",
		slog.String("method", r.Method),
		slog.String("target", r.RequestURI),
		slog.String("remote", r.RemoteAddr),
		slog.String("reason", reason.Error()),
	)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(RejectionStatus)
}

// Write sends the answer on w.
func (a *Answer) Write(w http.ResponseWriter) error {
	h := w.Header()
	h.Set("Authorization", a.Authorization)
	h.Set("Content-Type", a.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(a.Body)))
	w.WriteHeader(a.Status)
	_, err := io.WriteString(w, a.Body)
	return err
}

// SendBytes seals payload for the request's peer and writes it with status.
// Without an authenticated peer it answers 401 with an empty body and returns ErrNoPeer.
// Under a V2Server's middleware it writes the payload for the middleware to seal.
func SendBytes(w http.ResponseWriter, r *http.Request, status int, payload []byte) error {
	return sendTyped(w, r, status, "", payload)
}

func sendTyped(w http.ResponseWriter, r *http.Request, status int, contentType string, payload []byte) error {
	if _, ok := V2RequestFrom(r.Context()); ok {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		} else {
			w.Header().Del("Content-Type")
		}
		w.WriteHeader(status)
		_, err := w.Write(payload)
		return err
	}
	peer, ok := PeerFrom(r.Context())
	if !ok {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(RejectionStatus)
		return ErrNoPeer
	}
	answer, err := peer.Seal(status, payload)
	if err != nil {
		return err
	}
	return answer.Write(w)
}

// Send seals a text answer: the reference's res.secure.send(text, status).
func Send(w http.ResponseWriter, r *http.Request, status int, text string) error {
	return sendTyped(w, r, status, "text/plain;charset=utf-8", []byte(text))
}

// JSON seals the JSON of v, serialized as JSON.stringify does (compact, keys in
// order, no HTML escaping): the reference's res.secure.json(value, status).
func JSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	payload, err := marshalJSON(v)
	if err != nil {
		return err
	}
	return sendTyped(w, r, status, "application/json", payload)
}

// marshalJSON serializes v with encoding/json, then gives the bytes the protocol's
// JSON form (the core's serialization) so the signature covers what the reference
// would send for the same value.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return CompactJSON(buf.Bytes())
}
