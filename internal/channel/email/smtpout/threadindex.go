package smtpout

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// Thread-Index is Outlook's conversation index (MS-OXOMSG 2.2.1.3): a
// 22-byte header block — 0x01, the top 40 bits of a FILETIME, a 16-byte
// conversation GUID — followed by one 5-byte child block per reply, each
// holding the time since the header's. Outlook groups a conversation by
// the GUID, so a reply must extend the index of the message it answers.

// unixToFiletime is 1970-01-01 in FILETIME units (100 ns since 1601-01-01).
const unixToFiletime = 116444736000000000

// filetime is t in 100-nanosecond units since 1601 (a time.Duration from
// 1601 would overflow).
func filetime(t time.Time) uint64 {
	return uint64(t.Unix())*10_000_000 + uint64(t.Nanosecond())/100 + unixToFiletime
}

// NewThreadIndex is the header block of a conversation that starts at
// start, with a GUID derived from key (so every mail of one ticket shares it).
func NewThreadIndex(key string, start time.Time) []byte {
	b := make([]byte, 22)
	b[0] = 0x01
	ft := filetime(start) >> 24
	for i := 5; i >= 1; i-- {
		b[i] = byte(ft)
		ft >>= 8
	}
	sum := sha256.Sum256([]byte("steward-conversation:" + key))
	copy(b[6:], sum[:16])
	b[6+6] = b[6+6]&0x0f | 0x40 // a version-4-shaped GUID
	b[6+8] = b[6+8]&0x3f | 0x80
	return b
}

// ExtendThreadIndex appends a child block for a reply written at now.
func ExtendThreadIndex(index []byte, now time.Time) []byte {
	var head uint64
	for i := 1; i <= 5; i++ {
		head = head<<8 | uint64(index[i])
	}
	head <<= 24
	var delta uint64
	if n := filetime(now); n > head {
		delta = n - head
	}
	var v uint32
	if delta < 1<<49 {
		v = uint32(delta>>18) & 0x7fffffff
	} else {
		v = 1<<31 | uint32(delta>>23)&0x7fffffff
	}
	child := make([]byte, 5)
	binary.BigEndian.PutUint32(child, v)
	var r [1]byte
	rand.Read(r[:])
	child[4] = r[0]
	out := make([]byte, 0, len(index)+5)
	return append(append(out, index...), child...)
}

// ParseThreadIndex decodes a Thread-Index header value; ok is false when it
// is not a well-formed conversation index.
func ParseThreadIndex(v string) ([]byte, bool) {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) < 22 || (len(b)-22)%5 != 0 || len(b) > 22+5*200 {
		return nil, false
	}
	return b, true
}

// EncodeThreadIndex is the header value.
func EncodeThreadIndex(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
