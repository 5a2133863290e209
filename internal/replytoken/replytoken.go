// Package replytoken signs and verifies the token Steward puts in the
// Message-ID (and footer) of every mail it sends, so that a reply can prove
// which ticket it belongs to. A forged In-Reply-To cannot carry a valid token.
package replytoken

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"regexp"
	"strconv"
	"strings"
)

var enc = base32.StdEncoding.WithPadding(base32.NoPadding)

// New returns a fresh token for a ticket: "t<ticket>.<nonce>.<signature>",
// lower-case and safe in a Message-ID local part.
func New(secret []byte, ticketID int64) string {
	n := make([]byte, 5)
	rand.Read(n)
	body := "t" + strconv.FormatInt(ticketID, 10) + "." + strings.ToLower(enc.EncodeToString(n))
	return body + "." + sign(secret, body)
}

func sign(secret []byte, body string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(body))
	return strings.ToLower(enc.EncodeToString(m.Sum(nil)[:10]))
}

// Verify returns the ticket a token was made for, if the signature is right.
func Verify(secret []byte, token string) (int64, bool) {
	token = strings.ToLower(token)
	i := strings.LastIndexByte(token, '.')
	if i < 0 || !strings.HasPrefix(token, "t") {
		return 0, false
	}
	body, sig := token[:i], token[i+1:]
	if !hmac.Equal([]byte(sig), []byte(sign(secret, body))) {
		return 0, false
	}
	num, _, _ := strings.Cut(body[1:], ".")
	id, err := strconv.ParseInt(num, 10, 64)
	return id, err == nil && id > 0
}

// MessageID builds a Message-ID (without angle brackets) carrying a token.
func MessageID(token, domain string) string { return "steward." + token + "@" + domain }

// FromMessageID extracts the token of a Message-ID Steward made, or "".
func FromMessageID(id string) string {
	local, _, ok := strings.Cut(strings.Trim(id, "<> "), "@")
	if !ok || !strings.HasPrefix(strings.ToLower(local), "steward.") {
		return ""
	}
	return local[len("steward."):]
}

// Footer is the line added to outgoing text so that clients which drop
// threading headers still carry the token back.
func Footer(token string) string { return "[ref:" + token + "]" }

var footerRe = regexp.MustCompile(`\[ref:(t\d+\.[a-z2-7]+\.[a-z2-7]+)\]`)

// FromText finds a footer token in text (the last one: quoted history may hold older ones).
func FromText(text string) string {
	m := footerRe.FindAllStringSubmatch(strings.ToLower(text), -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1][1]
}
