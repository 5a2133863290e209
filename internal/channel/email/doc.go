// Package email turns raw Internet mail into a normalised Message that the
// rest of the email channel (IMAP poller, SMTP listener, intake) works with.
// It is pure Go: no database, no network, no global state besides a lazily
// built HTML policy.
//
// # Why not a strict MIME library
//
// Help desks fail on real mail, not on RFC examples: Japanese mail in
// ISO-2022-JP with NEC special characters, Chinese subjects labelled GB2312
// that are really GBK, encoded words split in the middle of a character,
// Outlook's winmail.dat, bounces and vacation replies that start reply
// loops. Strict parsers (net/mail, mime.ParseMediaType, mime/multipart)
// reject or mangle much of this, so the parser here is written to accept
// anything and repair what it can:
//
//	header.go    header block split (LF or CRLF, mbox "From " line, no blank
//	             line), unfolding, Message-ID and date normalisation
//	rfc2047.go   encoded words: adjacent words joined, same-charset bytes
//	             joined before decoding, base64 split mid-quantum, ?q?/?b?
//	params.go    Content-Type/-Disposition parameters, RFC 2231 in any
//	             charset, RFC 2047 in quoted values, unquoted spaces
//	address.go   address lists with encoded or 8-bit display names
//	mime.go      the MIME tree: boundaries found even when missing or never
//	             closed, base64 with garbage, lenient quoted-printable, depth
//	             (50) and part-count (2000) limits beyond which parts become
//	             opaque attachments
//	charset.go   labels → encodings (supersets: CP932 for Shift_JIS, GB18030
//	             for GB2312/GBK, WHATWG Big5 for Big5-HKSCS), ISO-2022-JP
//	             half-width katakana via SO/SI or 8-bit bytes
//	detect.go    charset detection by decoding with each CJK candidate and
//	             scoring the result (kana, frequent kanji/hanzi, penalties
//	             for replacement characters, PUA, half-width katakana)
//	body.go      choosing text and HTML bodies, attachments, forwarded
//	             message/rfc822 parts, format=flowed
//	tnef.go      a small TNEF (winmail.dat) reader for the files inside
//	html.go      sanitising and HTML-to-text
//	classify.go  normal / autoReply / bounce / list, bounce details, language
//	quote.go     SplitQuoted: folding quoted history and signatures
//
// # Charset decisions
//
// A declared charset is trusted only as far as the bytes agree with it:
//   - 7-bit text with ISO-2022-JP escapes is ISO-2022-JP whatever the label
//     (many Japanese mailers omit or mislabel it);
//   - under a single-byte or missing label (us-ascii, iso-8859-1, ...),
//     valid UTF-8 is UTF-8, and bytes that decode convincingly as Shift_JIS,
//     EUC-JP, GB18030 or Big5 are taken as such;
//   - under a multi-byte label, bytes invalid in it (replacement characters)
//     trigger detection, and valid UTF-8 wins if it reads better;
//   - raw 8-bit header bytes are UTF-8 when valid, else decoded with the
//     first non-ASCII charset named in the message, with detection.
//
// # HTML
//
// HTMLBody is safe to embed in the agent UI: the document is parsed with
// x/net/html, remote resources are neutralised on the tree (an <img> with a
// remote src keeps it as data-blocked-src, so the UI can offer "load remote
// content" with the reader's consent; srcset, background and url() in styles
// are dropped), and the rendered body then passes a bluemonday allow-list
// policy: no scripts, event handlers, forms, frames, objects, <style> or
// <link>. cid: and data:image URLs stay, so inline images resolve against
// Attachments by ContentID; an attachment is Inline when the HTML refers to
// it. Links get rel="nofollow noreferrer" and target="_blank".
//
// # Classification
//
// Bounce: a multipart/report with a delivery-status part, or a mailer daemon
// (or null Return-Path) with a bounce subject; the bounced Message-ID comes
// from the enclosed message or headers, else from the body text.
// AutoReply: Auto-Submitted other than "no", X-Autoreply, X-Autorespond,
// Precedence: auto_reply, read receipts, or an auto-reply subject (English,
// Japanese, Chinese). List: List-Id, List-Unsubscribe and friends, or
// Precedence bulk/list/junk. Intake must not acknowledge anything but
// KindNormal.
//
// Language is guessed from scripts only (kana → ja, Han without kana → zh,
// else en), on the subject and the visible (unquoted) text.
//
// # Tests
//
// testdata/corpus holds real-world-shaped messages, each name.eml with a
// name.json of expectations (subject, sender, text, attachments, kind,
// language, bounce details, quoted/visible split); TestCorpus runs them
// all. Two independent encoders write them: a Go generator on x/text
// encoders (go run ./testdata/gen/gogen -out testdata/corpus) and Python's
// email package (python3 testdata/gen/pygen.py testdata/corpus).
// testdata/gen/crosscheck.py decodes the corpus with Python as a second
// opinion; it disagrees only on the repairs this package exists for (raw
// 8-bit headers, lying labels, NEC characters, words split mid-character).
// FuzzParse (and FuzzHeader, FuzzTNEF) are seeded with the corpus:
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 3m -fuzzminimizetime 10s ./internal/channel/email
//	go test -run '^$' -bench Parse -benchmem -cpu 1 ./internal/channel/email
//
// # Errors
//
// Parse returns *ParseError for input that is not a message at all; the
// caller quarantines the raw bytes. Everything else yields a Message, with
// whatever could not be understood kept as attachments.
package email
