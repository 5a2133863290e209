package search

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"empty", "", nil},
		{"punctuation only", "、。！？ -- ...", nil},
		{"english", "Thank you for your Donation!", []string{"thank", "you", "for", "your", "donation"}},
		{"japanese receipt", "寄付金の領収書", []string{"寄付", "付金", "金の", "の领", "领収", "収书", "书"}},
		{"single character run", "雨", []string{"雨"}},
		{"runs split by punctuation", "収據。謝謝", []string{"収据", "据", "谢谢", "谢"}},
		{"simplified receipt", "收据", []string{"收据", "据"}},
		{"traditional receipt folds to simplified", "收據", []string{"收据", "据"}},
		{"school", "學校と学校", []string{"学校", "校と", "と学", "学校", "校"}},
		{"event registration", "活动报名", []string{"活动", "动报", "报名", "名"}},
		{"complaint", "我要投訴", []string{"我要", "要投", "投诉", "诉"}},
		{"half-width katakana with dakuten", "ﾎﾞﾗﾝﾃｨｱ", []string{"ボラ", "ラン", "ンテ", "ティ", "ィア", "ア"}},
		{"full-width katakana", "ボランティア", []string{"ボラ", "ラン", "ンテ", "ティ", "ィア", "ア"}},
		{"prolonged sound mark stays in the run", "サーバー", []string{"サー", "ーバ", "バー", "ー"}},
		{"katakana middle dot separates", "ボランティア・センター", []string{"ボラ", "ラン", "ンテ", "ティ", "ィア", "ア", "セン", "ンタ", "ター", "ー"}},
		{"iteration mark", "時々", []string{"时々", "々"}},
		{"hangul", "감사합니다", []string{"감사", "사합", "합니", "니다", "다"}},
		{"full-width latin and digits", "ＡＢＣ　１２３", []string{"abc", "123"}},
		{"diacritics", "Café Über naïve Ångström façade", []string{"cafe", "uber", "naive", "angstrom", "facade"}},
		{"vietnamese", "Tiếng Việt", []string{"tieng", "viet"}},
		{"special latin letters", "Straße Øresund Łódź", []string{"strasse", "oresund", "lodz"}},
		{"combining mark after latin letter", "x\u0302y", []string{"xy"}},
		{"greek keeps its letters, folds final sigma", "ΟΔΟΣ", []string{"οδοσ"}},
		{"cyrillic", "Спасибо", []string{"спасибо"}},
		{"mixed scripts without spaces", "NPO法人ABC会員", []string{"npo", "法人", "人", "abc", "会员", "员"}},
		{"digits break cjk runs", "2026年4月20日", []string{"2026", "年", "4", "月", "20", "日"}},
		{"ticket number", "Re: #1042 について", []string{"re", "1042", "につ", "つい", "いて", "て"}},
		{"email kept whole after its parts", "Mail Taro.Yamada+news@Example.ORG!", []string{"mail", "taro", "yamada", "news", "example", "org", "taro.yamada+news@example.org"}},
		{"email inside japanese", "連絡先：hanako@example.jpまで", []string{"连络", "络先", "先", "hanako", "example", "jp", "hanako@example.jp", "まで", "で"}},
		{"not an email", "a@b @home x@y.z", []string{"a", "b", "home", "x", "y", "z"}},
		{"japanese phone", "03-1234-5678", []string{"03", "1234", "5678", "0312345678", "312345678"}},
		{"international phone", "+81 3-1234-5678", []string{"81", "3", "1234", "5678", "81312345678", "312345678"}},
		{"international phone with trunk zero", "+81 (0)3 1234 5678", []string{"81", "0", "3", "1234", "5678", "810312345678", "312345678"}},
		{"full-width phone", "電話：０３－１２３４－５６７８", []string{"电话", "话", "03", "1234", "5678", "0312345678", "312345678"}},
		{"chinese mobile", "手机 138 0013 8000", []string{"手机", "机", "138", "0013", "8000", "13800138000"}},
		{"chinese mobile international", "+86 138-0013-8000", []string{"86", "138", "0013", "8000", "8613800138000", "13800138000"}},
		{"unseparated national number", "0312345678", []string{"0312345678", "312345678"}},
		{"date is not a phone", "2026-01-01", []string{"2026", "01", "01"}},
		{"amount is not a phone", "¥30,000", []string{"30", "000"}},
		{"long word is cut", strings.Repeat("a", 100), []string{strings.Repeat("a", maxTermBytes)}},
		{"compatibility ideograph", "\uF900\uFA10", []string{"岂冢", "冢"}},
		{"circled digits and roman numerals", "① Ⅻ", []string{"1", "xii"}},
		{"invalid utf-8 is a separator", "ab\xffcd", []string{"ab", "cd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Analyze(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Analyze(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAnalyzeQuery(t *testing.T) {
	tests := []struct {
		in         string
		want       []string
		wantPrefix bool
	}{
		{"收据", []string{"收据"}, false},
		{"收據", []string{"收据"}, false},
		{"收", []string{"收"}, true},
		{"領収書", []string{"领収", "収书"}, false},
		{"寄付", []string{"寄付"}, false},
		{"ﾎﾞﾗﾝﾃｨｱ", []string{"ボラ", "ラン", "ンテ", "ティ", "ィア"}, false},
		{"据 谢谢", []string{"据", "谢谢"}, false}, // a run closed inside the query keeps its unigram
		{"收据。", []string{"收据"}, false},
		{"abc收", []string{"abc", "收"}, true},
		{"Donation", []string{"donation"}, false},
		{"#1042", []string{"1042"}, false},
		{"Taro.Yamada@Example.org", []string{"taro.yamada@example.org"}, false},
		{"taro.yamada", []string{"taro", "yamada"}, false},
		{"+81 3-1234-5678", []string{"312345678"}, false},
		{"03-1234-5678", []string{"312345678"}, false},
		{"(03) 1234-5678", []string{"312345678"}, false},
		{"0312345678", []string{"312345678"}, false},
		{"+86 138 0013 8000", []string{"13800138000"}, false},
		{"138 0013 8000", []string{"13800138000"}, false},
		{"call 03-1234-5678", []string{"call", "03", "1234", "5678", "0312345678", "312345678"}, false},
		{"、、", nil, false},
	}
	for _, tt := range tests {
		got, prefix := AnalyzeQuery(tt.in)
		if !slices.Equal(got, tt.want) || prefix != tt.wantPrefix {
			t.Errorf("AnalyzeQuery(%q) = %q, %v; want %q, %v", tt.in, got, prefix, tt.want, tt.wantPrefix)
		}
	}
}

// phraseMatch reports whether terms occur adjacent and in order in doc (the
// last one as a prefix if prefix is set), the way FTS5 and PostgreSQL match
// a phrase.
func phraseMatch(doc, terms []string, prefix bool) bool {
	if len(terms) == 0 {
		return true
	}
	for i := 0; i+len(terms) <= len(doc); i++ {
		ok := true
		for k, term := range terms {
			d := doc[i+k]
			if k == len(terms)-1 && prefix {
				ok = strings.HasPrefix(d, term)
			} else {
				ok = d == term
			}
			if !ok {
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// recallDocs are real-looking support texts in Japanese, Chinese and mixed
// scripts.
var recallDocs = []string{
	"佐藤様、いつもご支援いただきありがとうございます。先月の寄付金の領収書を本日郵送いたしました。",
	"確定申告に必要なので、領収書を至急送ってください。ﾎﾞﾗﾝﾃｨｱ説明会にも参加したいです。",
	"ボランティア募集：４月２０日（土）の清掃活動に参加できる方を募集しています。",
	"您好！我上周在活动报名页面填写了信息，但是没有收到确认邮件。",
	"我去年捐款的收据还没有收到，请帮忙查一下。我想投诉你们的客服。",
	"您好，我想查詢去年捐款的收據，學校的義賣活動什麼時候開始？",
	"寄付金控除の証明書と收據（中文）を両方送ってください。学校と學校。",
	"申込書は郵便またはメールでお送りください。お問い合わせは03-1234-5678まで。",
	"サーバー・メンテナンスのお知らせ：々と〇も含む文章、時々、人々。",
	"감사합니다. 기부금 영수증을 보내 주세요.",
}

// TestRecallCJKSubstrings is the recall guarantee: for every document and
// every substring of 1–4 CJK characters in it, the query for the substring
// matches the document's terms as a phrase.
func TestRecallCJKSubstrings(t *testing.T) {
	checked := 0
	for _, doc := range recallDocs {
		docTerms := Analyze(doc)
		folded := foldString(doc)
		rs := []rune(doc)
		for i := range rs {
			for n := 1; n <= 4 && i+n <= len(rs); n++ {
				sub := rs[i : i+n]
				if !allCJK(sub) {
					break
				}
				s := string(sub)
				// A substring that splits a composed character (ﾎ of ﾎﾞ) is
				// not a substring of the normalised text; nothing can find it.
				if !strings.Contains(folded, foldString(s)) {
					continue
				}
				q, prefix := AnalyzeQuery(s)
				if len(q) == 0 {
					t.Errorf("AnalyzeQuery(%q) is empty", s)
					continue
				}
				if !phraseMatch(docTerms, q, prefix) {
					t.Errorf("query %q (terms %q prefix %v) does not match doc %q\ndoc terms %q", s, q, prefix, doc, docTerms)
				}
				checked++
			}
		}
	}
	t.Logf("%d substrings checked", checked)
}

func allCJK(rs []rune) bool {
	for _, r := range rs {
		if !isCJKString(string(r)) {
			return false
		}
	}
	return true
}

func isCJKString(s string) bool {
	for _, r := range norm.NFKC.String(s) {
		if !isCJK(r) {
			return false
		}
	}
	return s != ""
}

// TestRecallWords checks that every word of a document, and the document
// itself as a phrase, finds the document.
func TestRecallWords(t *testing.T) {
	docs := append(slices.Clone(recallDocs),
		"Dear Ms Sato, thank you for six years of support. Ticket #1042; mail sato.hanako@example.jp or call +81 3-1234-5678.",
		"Café crème for the naïve volunteers of Ångström street — 感謝！",
	)
	for _, doc := range docs {
		docTerms := Analyze(doc)
		for _, w := range strings.FieldsFunc(doc, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("、。，！？,;.", r) }) {
			q, prefix := AnalyzeQuery(w)
			if !phraseMatch(docTerms, q, prefix) {
				t.Errorf("word %q (terms %q) does not find %q", w, q, doc)
			}
		}
		q, prefix := AnalyzeQuery(doc)
		if !phraseMatch(docTerms, q, prefix) {
			t.Errorf("document does not find itself: %q", doc)
		}
	}
}

// TestPhoneFormatsFindEachOther: a query that is one phone number finds the
// number however the document wrote it.
func TestPhoneFormatsFindEachOther(t *testing.T) {
	groups := [][]string{
		{"03-1234-5678", "(03) 1234-5678", "03 1234 5678", "0312345678", "+81 3-1234-5678", "+81-3-1234-5678", "+81 (0)3 1234 5678", "+81312345678", "０３－１２３４－５６７８"},
		{"138 0013 8000", "13800138000", "+86 138 0013 8000", "+86-138-0013-8000"},
	}
	for _, g := range groups {
		for _, doc := range g {
			docTerms := Analyze("電話 " + doc + " まで")
			for _, query := range g {
				q, prefix := AnalyzeQuery(query)
				if !phraseMatch(docTerms, q, prefix) {
					t.Errorf("phone query %q (%q) does not find %q (%q)", query, q, doc, docTerms)
				}
			}
		}
	}
}

// TestChineseVariantsFold: simplified and traditional spellings find each
// other, in both directions.
func TestChineseVariantsFold(t *testing.T) {
	pairs := [][2]string{
		{"收据", "收據"}, {"学校", "學校"}, {"捐款", "捐款"}, {"义卖", "義賣"}, {"报名", "報名"},
		{"投诉", "投訴"}, {"电话", "電話"}, {"确认邮件", "確認郵件"}, {"志愿者", "志願者"}, {"发票", "發票"},
	}
	for _, p := range pairs {
		for _, dir := range [][2]string{{p[0], p[1]}, {p[1], p[0]}} {
			q, prefix := AnalyzeQuery(dir[0])
			if !phraseMatch(Analyze("请查看"+dir[1]+"。"), q, prefix) {
				t.Errorf("%q does not find %q", dir[0], dir[1])
			}
		}
	}
}

// TestJapaneseKanjiKeepTheirIdentity: Japanese shinjitai that are not
// traditional Chinese forms are not folded, and Japanese words always find
// themselves (folding is the same on both sides).
func TestJapaneseKanjiKeepTheirIdentity(t *testing.T) {
	initFold()
	for _, r := range "収付込払届気様駅円図広団売読楽芸弁済渋沢続絵県剤浜隠拠仏来" {
		if got := t2s.lookup(r); got != r {
			t.Errorf("Japanese kanji %c folded to %c", r, got)
		}
	}
	for _, w := range []string{"寄付", "領収書", "寄付金控除", "申込", "払込票", "振込", "お届け", "気持ち", "芸術祭", "駅前"} {
		q, prefix := AnalyzeQuery(w)
		if !phraseMatch(Analyze("この"+w+"について"), q, prefix) {
			t.Errorf("%q does not find itself", w)
		}
	}
}

func TestT2SIsIdempotent(t *testing.T) {
	initFold()
	n := 0
	for hi, page := range t2s {
		if page == nil {
			continue
		}
		for lo, to := range page {
			if to == 0 {
				continue
			}
			n++
			from := rune(hi<<8 | lo)
			if again := t2s.lookup(to); again != to {
				t.Errorf("%c→%c→%c: folding is not idempotent", from, to, again)
			}
		}
	}
	if n < 3000 {
		t.Errorf("only %d traditional characters in the table", n)
	}
}

// foldString runs only the folding step.
func foldString(text string) string { return foldTracked(text, false) }

func foldTracked(text string, track bool) string {
	a := getAnalyzer()
	defer putAnalyzer(a)
	initFold()
	a.reset(track)
	a.fold(text)
	return string(a.buf[:a.nf])
}

// refFold is the obvious, slow definition of folding: NFKC the whole text,
// then fold rune by rune.
func refFold(text string) string {
	initFold()
	var b []byte
	prev := false
	// Each invalid byte stands alone as U+FFFD.
	for _, r := range norm.NFKC.String(string([]rune(text))) {
		b = appendFolded(b, r, &prev)
	}
	return string(b)
}

// TestFoldMatchesReference checks the fast path of fold (runes known to be
// stable skip the normaliser) against normalising the whole text.
func TestFoldMatchesReference(t *testing.T) {
	inputs := append(slices.Clone(recallDocs),
		benchMessage,
		"ｶﾞｷﾞｸﾞｹﾞｺﾞ ﾊﾟﾋﾟﾌﾟ か\u3099 e\u0301 Å ﬁ ㍿ ㈱ ① ½ ¥ \u00a0x",
		"Ａ\u0301 ＡＢ\u0300 ﾞ ゛ ゜ \u3099 한\u11a8 \u1100\u1161\u11a8",
		"\xff\xfe abc \xe3\x81 \U0002000B 𠀋 \uF900\uFA30",
	)
	for _, in := range inputs {
		want := refFold(in)
		for _, track := range []bool{false, true} {
			if got := foldTracked(in, track); got != want {
				t.Errorf("fold(%q) (tracking %v)\n got %q\nwant %q", in, track, got, want)
			}
		}
	}
}

// TestNFKCStableSet verifies the runes fold takes without the normaliser:
// NFKC leaves them alone (or maps full-width ASCII to ASCII), and none of
// them combines with a preceding rune.
func TestNFKCStableSet(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !nfkcStable(r) || (r >= 0xD800 && r <= 0xDFFF) {
			continue
		}
		s := string(r)
		want := s
		if r >= 0xFF01 && r <= 0xFF5E {
			want = string(r - 0xFEE0)
		}
		if got := norm.NFKC.String(s); got != want {
			t.Errorf("U+%04X: NFKC gives %q, fast path gives %q", r, got, want)
		}
		p := norm.NFKC.PropertiesString(s)
		if !p.BoundaryBefore() || p.CCC() != 0 {
			t.Errorf("U+%04X may combine with a preceding rune", r)
		}
	}
}

// TestTermsAreSafe checks the documented term alphabet on varied input.
func TestTermsAreSafe(t *testing.T) {
	in := benchMessage + ` "quoted" 'single' (paren) *star* a:b c^d {e} [f] <g> h\i j|k l~m ` + "\x00\t\r\n\u200b\u2028"
	for _, term := range Analyze(in) {
		checkTerm(t, term)
	}
}

func checkTerm(t *testing.T, term string) {
	t.Helper()
	if term == "" || !utf8.ValidString(term) {
		t.Fatalf("bad term %q", term)
	}
	for _, r := range term {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r) || strings.ContainsRune("._%+-@", r) {
			continue
		}
		t.Fatalf("term %q contains %q", term, r)
	}
	if strings.ContainsRune(term, '@') {
		return
	}
	if strings.ContainsAny(term, "._%+-") {
		t.Fatalf("non-email term %q contains e-mail punctuation", term)
	}
}

// TestIndexSize reports how many terms (postings) and term bytes the scheme
// produces per indexed character, for the record in doc.go. The bound
// checked is structural: at most one term per character, plus the extra
// e-mail and phone terms.
func TestIndexSize(t *testing.T) {
	var runes, textBytes, terms, termBytes, cjkRunes int
	for _, doc := range append(slices.Clone(recallDocs), benchMessage) {
		runes += utf8.RuneCountInString(doc)
		textBytes += len(doc)
		for _, r := range doc {
			if isCJK(r) {
				cjkRunes++
			}
		}
		for _, term := range Analyze(doc) {
			terms++
			termBytes += len(term) + 1
		}
	}
	t.Logf("text: %d bytes, %d runes (%d CJK); terms: %d (%.2f per rune), %d bytes joined (%.2f× the text)",
		textBytes, runes, cjkRunes, terms, float64(terms)/float64(runes), termBytes, float64(termBytes)/float64(textBytes))
	if terms > runes {
		t.Errorf("%d terms for %d runes: more than one posting per character", terms, runes)
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range recallDocs {
		f.Add(s)
	}
	for _, s := range []string{"", "ﾎﾞﾗﾝﾃｨｱ", "a@b.co x@y", "+81 3-1234-5678", "\xff\xfe", "e\u0301\u0302", "ｶ\u3099", "한\u11a8", strings.Repeat("字", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms := Analyze(s)
		for _, term := range terms {
			checkTerm(t, term)
		}
		want := refFold(s)
		for _, track := range []bool{false, true} {
			if got := foldTracked(s, track); got != want {
				t.Fatalf("fold(%q) (tracking %v) = %q, reference %q", s, track, got, want)
			}
		}
		q, prefix := AnalyzeQuery(s)
		if !phraseMatch(terms, q, prefix) {
			t.Fatalf("text %q does not find itself: query %q (prefix %v), terms %q", s, q, prefix, terms)
		}
		snip := Snippet(s, Query{Must: []Group{{Terms: q, Prefix: prefix}}}, 40)
		if !utf8.ValidString(snip) {
			t.Fatalf("snippet of %q is not valid UTF-8: %q", s, snip)
		}
		if _, err := Parse(s); err != nil {
			var bad ErrBadFilter
			if !errors.As(err, &bad) {
				t.Fatalf("Parse(%q): unexpected error type %T", s, err)
			}
		}
	})
}
