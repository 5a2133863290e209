package email

import (
	"fmt"
	"time"
)

// Kind classifies an incoming message so that intake can decide whether a
// person wrote it (and deserves an acknowledgement) or a machine did (and
// must never be answered automatically, to avoid reply loops).
type Kind string

const (
	// KindNormal is mail written by a person.
	KindNormal Kind = "normal"
	// KindAutoReply is a vacation notice, out-of-office reply, read receipt
	// or any other message marked as automatically generated.
	KindAutoReply Kind = "autoReply"
	// KindBounce is a delivery status notification (non-delivery report).
	KindBounce Kind = "bounce"
	// KindList is mail sent through a mailing list or bulk sender.
	KindList Kind = "list"
)

// Language is a coarse guess of the language a message is written in,
// made from the scripts it uses.
type Language string

// The languages GuessLanguage tells apart.
const (
	LangEnglish  Language = "en" // also the answer for anything not CJK
	LangJapanese Language = "ja"
	LangChinese  Language = "zh"
)

// Address is one mailbox from an address header. Name is decoded UTF-8;
// Address is the addr-spec as written (not lower-cased).
type Address struct {
	Name    string
	Address string
}

// String formats the address for display ("Name <addr>" or "addr").
func (a Address) String() string {
	if a.Name == "" {
		return a.Address
	}
	if a.Address == "" {
		return a.Name
	}
	return a.Name + " <" + a.Address + ">"
}

// Attachment is a non-body part of a message. Inline attachments are the
// images an HTML body refers to through "cid:" URLs.
type Attachment struct {
	// Filename is decoded and stripped of any directory part; a name is
	// synthesised from the content type when the sender gave none.
	Filename    string
	ContentType string // lower-case media type, e.g. "application/pdf"
	ContentID   string // without angle brackets; "" when absent
	Inline      bool
	// Size is the decoded size in bytes, also when Data was dropped.
	Size int64
	// TooLarge is set when Size exceeded ParseOptions.MaxAttachmentBytes;
	// Data is then nil.
	TooLarge bool
	Data     []byte
}

// Headers holds the header fields that drive classification and loop
// prevention, decoded and trimmed. Empty means absent.
type Headers struct {
	AutoSubmitted   string
	Precedence      string
	XAutoreply      string
	XAutorespond    string
	ListID          string
	ListUnsubscribe string
	ReturnPath      string
}

// Bounce describes a delivery status notification.
type Bounce struct {
	// OriginalMessageID is the Message-ID (without <>) of the message that
	// could not be delivered, when the report includes it.
	OriginalMessageID string
	// Recipients are the Final-Recipient (or Original-Recipient) addresses
	// of the failed deliveries.
	Recipients []string
	// Status is the first DSN status code, e.g. "5.1.1"; "" when unknown.
	Status string
	// Permanent is true for 5.x.x statuses or when the report gives none
	// (most reports without a status are permanent failures).
	Permanent bool
}

// Message is a parsed, normalised mail message. All strings are UTF-8.
type Message struct {
	// MessageID has no angle brackets. When the message has none, it is
	// synthesised from a SHA-256 of the raw bytes and MessageIDSynthesized
	// is set, so re-delivery of the same bytes yields the same ID.
	MessageID            string
	MessageIDSynthesized bool
	InReplyTo            string
	References           []string

	From    Address
	ReplyTo []Address
	To      []Address
	Cc      []Address

	Subject string
	Date    time.Time // zero when absent or unparseable

	// TextBody is plain text: the text/plain body, or text derived from
	// the HTML body when there is none. Line endings are "\n". Text of
	// forwarded messages follows under a "Forwarded message" header line.
	TextBody string
	// HTMLBody is sanitised HTML (see doc.go); "" for plain-text mail.
	// Remote images are kept as data-blocked-src attributes; cid: images
	// refer to Attachments by ContentID.
	HTMLBody string
	// HasRemoteContent reports whether HTMLBody had remote images blocked.
	HasRemoteContent bool

	Attachments []Attachment
	Headers     Headers

	Kind     Kind
	Bounce   *Bounce // set when Kind is KindBounce
	Language Language

	// Charset is the charset the main text body was decoded from, after
	// detection (e.g. "iso-2022-jp", "shift_jis", "utf-8"); "" if no body.
	Charset string

	header header
}

// Header returns the decoded value of the first top-level header field with
// the given (case-insensitive) name, or "".
func (m *Message) Header(name string) string {
	v, ok := m.header.get(name)
	if !ok {
		return ""
	}
	return decodeHeaderText(v, m.header.hint)
}

// HeaderValues returns the decoded values of all top-level header fields with
// the given name, in order.
func (m *Message) HeaderValues(name string) []string {
	var out []string
	for _, f := range m.header.fields {
		if equalFold(f.name, name) {
			out = append(out, decodeHeaderText(f.value, m.header.hint))
		}
	}
	return out
}

// ParseOptions tunes Parse. The zero value is usable.
type ParseOptions struct {
	// MaxAttachmentBytes drops the data of attachments whose decoded size
	// exceeds it (the Attachment is kept, with TooLarge set). Zero or
	// negative means no limit.
	MaxAttachmentBytes int64
}

// ParseError reports raw bytes that cannot be understood as a mail message at
// all. The caller should quarantine the raw bytes for a person to look at.
type ParseError struct {
	Reason string
	Err    error // underlying cause, may be nil
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("email: cannot parse message: %s: %v", e.Reason, e.Err)
	}
	return "email: cannot parse message: " + e.Reason
}

func (e *ParseError) Unwrap() error { return e.Err }
