package email

import (
	"encoding/binary"
	"errors"
	"mime"
	"path"
	"strconv"
	"strings"
	"unicode/utf16"
)

// A small reader for TNEF (application/ms-tnef, "winmail.dat"), the format
// in which Outlook and Exchange wrap attachments when they send "rich
// text". It extracts the attached files; the RTF body is not decoded.
//
// Layout (MS-OXTNEF): a uint32 signature, a uint16 key, then attributes:
// level (1 = message, 2 = attachment), uint32 id, uint32 length, data, and
// a uint16 checksum. All integers are little-endian. An attachment starts
// with attAttachRendData; its file name is in attAttachTitle (8-bit, often
// 8.3) and, better, in the MAPI property PR_ATTACH_LONG_FILENAME inside
// attAttachment; its bytes are in attAttachData.

const (
	tnefSignature = 0x223e9f78

	attAttachData     = 0x0006800f
	attAttachTitle    = 0x00018010
	attAttachRendData = 0x00069002
	attAttachment     = 0x00069005
	attMsgProps       = 0x00069003
	attOemCodepage    = 0x00069007

	propAttachLongFilename = 0x3707
	propAttachFilename     = 0x3704
	propDisplayName        = 0x3001
	propAttachMimeTag      = 0x370e
	propAttachContentID    = 0x3712
	propAttachDataBin      = 0x3701
	propBody               = 0x1000

	ptI2       = 0x0002
	ptLong     = 0x0003
	ptR4       = 0x0004
	ptDouble   = 0x0005
	ptCurrency = 0x0006
	ptAppTime  = 0x0007
	ptError    = 0x000a
	ptBoolean  = 0x000b
	ptObject   = 0x000d
	ptI8       = 0x0014
	ptString8  = 0x001e
	ptUnicode  = 0x001f
	ptSysTime  = 0x0040
	ptCLSID    = 0x0048
	ptBinary   = 0x0102
	ptMulti    = 0x1000
)

var errNotTNEF = errors.New("tnef: bad signature")

type tnefFile struct {
	title     string // from attAttachTitle
	longName  string // from PR_ATTACH_LONG_FILENAME / PR_DISPLAY_NAME
	mimeType  string
	contentID string
	data      []byte
	hasData   bool
}

type tnefResult struct {
	files []tnefFile
	body  string // PR_BODY, when present
}

// parseTNEF decodes a TNEF stream. It never panics on malformed input and
// returns what it could read before an error.
func parseTNEF(b []byte) (tnefResult, error) {
	var res tnefResult
	if len(b) < 6 || binary.LittleEndian.Uint32(b) != tnefSignature {
		return res, errNotTNEF
	}
	codepage := "windows-1252"
	pos := 6
	var cur *tnefFile
	flush := func() {
		if cur != nil && (cur.hasData || cur.longName != "" || cur.title != "") {
			res.files = append(res.files, *cur)
		}
		cur = nil
	}
	for pos+9 <= len(b) {
		level := b[pos]
		id := binary.LittleEndian.Uint32(b[pos+1:])
		n := binary.LittleEndian.Uint32(b[pos+5:])
		pos += 9
		if uint64(n) > uint64(len(b)-pos) {
			flush()
			return res, errors.New("tnef: truncated attribute")
		}
		data := b[pos : pos+int(n)]
		pos += int(n) + 2 // data and checksum
		switch {
		case id == attOemCodepage && len(data) >= 4:
			if cp := binary.LittleEndian.Uint32(data); cp != 0 {
				codepage = codepageLabel(cp)
			}
		case level == 2 && id == attAttachRendData:
			flush()
			cur = &tnefFile{}
		case level == 2 && id == attAttachTitle:
			if cur == nil {
				cur = &tnefFile{}
			}
			cur.title = decode8bitProp(data, codepage)
		case level == 2 && id == attAttachData:
			if cur == nil {
				cur = &tnefFile{}
			}
			cur.data, cur.hasData = data, true
		case level == 2 && id == attAttachment:
			if cur == nil {
				cur = &tnefFile{}
			}
			readMAPIProps(data, codepage, func(pid uint16, v mapiValue) {
				switch pid {
				case propAttachLongFilename:
					cur.longName = v.str
				case propDisplayName:
					if cur.longName == "" {
						cur.longName = v.str
					}
				case propAttachFilename:
					if cur.title == "" {
						cur.title = v.str
					}
				case propAttachMimeTag:
					cur.mimeType = strings.ToLower(v.str)
				case propAttachContentID:
					cur.contentID = v.str
				case propAttachDataBin:
					if !cur.hasData && v.bin != nil {
						cur.data, cur.hasData = v.bin, true
					}
				}
			})
		case level == 1 && id == attMsgProps:
			readMAPIProps(data, codepage, func(pid uint16, v mapiValue) {
				if pid == propBody && v.str != "" {
					res.body = v.str
				}
			})
		}
	}
	flush()
	return res, nil
}

type mapiValue struct {
	str string
	bin []byte
}

// readMAPIProps walks a MAPI property list, calling fn for each string or
// binary value. Malformed lists are read as far as they make sense.
func readMAPIProps(b []byte, codepage string, fn func(id uint16, v mapiValue)) {
	r := &leReader{b: b}
	count := r.u32()
	for i := uint32(0); i < count && r.ok(); i++ {
		typ := r.u16()
		id := r.u16()
		if id >= 0x8000 { // named property: GUID, kind, then id or name
			r.skip(16)
			if kind := r.u32(); kind == 0 {
				r.skip(4)
			} else {
				r.skip(pad4(int(r.u32())))
			}
		}
		multi := typ&ptMulti != 0
		base := typ &^ ptMulti
		values := uint32(1)
		if multi {
			values = r.u32()
		}
		switch base {
		case ptString8, ptUnicode, ptBinary, ptObject:
			if !multi {
				values = r.u32() // variable-length values carry a count too
			}
			for j := uint32(0); j < values && r.ok(); j++ {
				n := int(r.u32())
				raw := r.bytes(n)
				r.skip(pad4(n) - n)
				if !r.ok() {
					return
				}
				switch base {
				case ptString8:
					fn(id, mapiValue{str: decode8bitProp(raw, codepage)})
				case ptUnicode:
					fn(id, mapiValue{str: decodeUTF16Prop(raw)})
				case ptBinary:
					fn(id, mapiValue{bin: raw})
				}
			}
		case ptI2, ptLong, ptR4, ptError, ptBoolean:
			r.skip(4 * int(values))
		case ptDouble, ptCurrency, ptAppTime, ptI8, ptSysTime:
			r.skip(8 * int(values))
		case ptCLSID:
			r.skip(16 * int(values))
		default:
			return // unknown type: its size is unknown, stop here
		}
	}
}

func pad4(n int) int {
	if n < 0 {
		return 0
	}
	return (n + 3) &^ 3
}

type leReader struct {
	b   []byte
	pos int
	bad bool
}

func (r *leReader) ok() bool { return !r.bad }

func (r *leReader) bytes(n int) []byte {
	if r.bad || n < 0 || n > len(r.b)-r.pos {
		r.bad = true
		return nil
	}
	v := r.b[r.pos : r.pos+n]
	r.pos += n
	return v
}

func (r *leReader) skip(n int) { r.bytes(n) }

func (r *leReader) u16() uint16 {
	v := r.bytes(2)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint16(v)
}

func (r *leReader) u32() uint32 {
	v := r.bytes(4)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(v)
}

func decode8bitProp(b []byte, codepage string) string {
	if i := indexNUL(b); i >= 0 {
		b = b[:i]
	}
	s, _ := decodeText(b, codepage)
	return strings.TrimSpace(s)
}

func indexNUL(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return -1
}

func decodeUTF16Prop(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return strings.TrimSpace(string(utf16.Decode(u)))
}

func codepageLabel(cp uint32) string {
	switch cp {
	case 932:
		return csShiftJIS
	case 936:
		return csGB18030
	case 950:
		return csBig5
	case 949:
		return "euc-kr"
	case 65001:
		return csUTF8
	case 20932, 51932:
		return csEUCJP
	case 50220, 50221, 50222:
		return csISO2022JP
	case 20866:
		return "koi8-r"
	}
	if cp >= 1250 && cp <= 1258 {
		return "windows-" + strconv.Itoa(int(cp))
	}
	return csWin1252
}

// isTNEF reports whether a part is a TNEF attachment.
func isTNEF(p *part) bool {
	switch p.mediaType {
	case "application/ms-tnef", "application/vnd.ms-tnef", "application/x-tnef":
		return true
	}
	return strings.EqualFold(filenameOf(p), "winmail.dat")
}

// tnef replaces a winmail.dat part by the files inside it; when nothing can
// be extracted the part stays as it is.
func (c *collector) tnef(p *part) {
	res, err := parseTNEF(p.body)
	if err != nil && len(res.files) == 0 {
		c.attach(p, false)
		return
	}
	if len(res.files) == 0 && res.body == "" {
		c.attach(p, false)
		return
	}
	if res.body != "" && len(c.texts) == 0 && len(c.htmls) == 0 {
		c.texts = append(c.texts, normalizeNewlines(res.body))
	}
	for i, f := range res.files {
		name := sanitizeFilename(f.longName)
		if name == "" {
			name = sanitizeFilename(f.title)
		}
		if name == "" {
			name = "attachment-" + strconv.Itoa(i+1) + ".bin"
		}
		ct := f.mimeType
		if ct == "" {
			ct = mime.TypeByExtension(strings.ToLower(path.Ext(name)))
			if j := strings.IndexByte(ct, ';'); j >= 0 {
				ct = ct[:j]
			}
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		c.addAttachment(Attachment{Filename: name, ContentType: ct, ContentID: cleanMsgID(f.contentID)}, f.data)
	}
}
