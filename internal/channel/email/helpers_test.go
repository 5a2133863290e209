package email

import (
	"encoding/base64"
	"fmt"
	"strings"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// qenc encodes every byte for an RFC 2047 Q word.
func qenc(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "=%02X", c)
	}
	return s.String()
}

// pct percent-encodes every byte for RFC 2231.
func pct(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		fmt.Fprintf(&s, "%%%02X", c)
	}
	return s.String()
}

// crlf converts "\n" to "\r\n" for hand-written test messages.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }
