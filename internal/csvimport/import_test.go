package csvimport_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/steward-desk/steward/internal/audit"
	"github.com/steward-desk/steward/internal/csvimport"
	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/giving"
	"github.com/steward-desk/steward/internal/supporter"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Files as Excel in Japan and China save them, and UTF-8 with a BOM.
const jaSupporters = "external_id,family_name,given_name,email,phone,language,tags,supporter_since\r\n" +
	"J1,佐藤,花子,hanako@example.jp,03-1234-5678,日本語,ボランティア,2019/04/01\r\n" +
	"J2,鈴木,一郎,ichiro@example.jp,,ja,,\r\n" +
	"J3,高橋,ゆかり,yukari@example.jp,,ja,マンスリー,2021年3月5日\r\n"

const zhSupporters = "external_id,name,email,language,honorific\r\n" +
	"C1,王伟,wangwei@example.cn,中文,先生\r\n" +
	"C2,李娜,lina@example.cn,zh,女士\r\n"

func TestDetectEncodings(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		enc  string
		want string
	}{
		"utf-8 bom": {append([]byte("\xEF\xBB\xBF"), jaSupporters...), csvimport.UTF8, "佐藤"},
		"shift_jis": {encode(t, japanese.ShiftJIS, jaSupporters), csvimport.ShiftJIS, "高橋"},
		"gbk":       {encode(t, simplifiedchinese.GBK, zhSupporters), csvimport.GB18030, "王伟"},
		"gb18030":   {encode(t, simplifiedchinese.GB18030, zhSupporters), csvimport.GB18030, "李娜"},
	} {
		text, enc, err := csvimport.Decode(c.data, "")
		if err != nil || enc != c.enc || !strings.Contains(text, c.want) {
			t.Errorf("%s: %s %v %q", name, enc, err, text[:min(40, len(text))])
		}
	}
}

func TestImportSupportersAndDonations(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		imp := func(kind string, data []byte) (csvimport.Result, *csvimport.Plan, error) {
			p, err := csvimport.Parse(data, csvimport.Options{Kind: kind, DefaultCurrency: "JPY"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := csvimport.Apply(ctx, d, p, audit.System, "test.csv")
			return res, p, err
		}
		sj := encode(t, japanese.ShiftJIS, jaSupporters)
		res, p, err := imp(csvimport.KindSupporters, sj)
		if err != nil || res.Created != 3 || p.Encoding != csvimport.ShiftJIS || p.Preset != "native" {
			t.Fatalf("import: %+v %v %+v", res, err, p.Errors)
		}
		again, _, err := imp(csvimport.KindSupporters, sj)
		if err != nil || again.Created != 0 || again.Updated != 0 || again.Unchanged != 3 {
			t.Fatalf("re-import changed something: %+v %v", again, err)
		}
		hanako, err := supporter.FindByIdentity(ctx, d.R, "phone", "0312345678")
		if err != nil || hanako.Name != "佐藤 花子" || hanako.FamilyName != "佐藤" || hanako.Language != "ja" || len(hanako.Tags) != 1 {
			t.Fatalf("hanako %+v %v", hanako, err)
		}
		if _, _, err := imp(csvimport.KindSupporters, encode(t, simplifiedchinese.GBK, zhSupporters)); err != nil {
			t.Fatal(err)
		}
		wang, _ := supporter.FindByIdentity(ctx, d.R, "email", "wangwei@example.cn")
		if wang.Addressee("zh") != "王伟 先生" {
			t.Fatalf("wang %+v", wang)
		}

		// Donations: one bad row means nothing is written.
		bad := "external_id,supporter_external_id,amount,currency,date,campaign,recurring\n" +
			"D1,J1,5000,JPY,2020-01-15,年末募金,0\n" +
			"D2,J1,12.5,JPY,2020-02-15,,1\n" +
			"D3,NOPE,100,JPY,2020-03-01,,\n"
		if _, p, err := imp(csvimport.KindDonations, []byte(bad)); err == nil || len(p.Errors) != 1 || p.Errors[0].Line != 3 || p.Errors[0].Field != "amount" {
			t.Fatalf("bad amount: %v %+v", err, p.Errors)
		}
		unknown := strings.Replace(bad, "12.5", "1200", 1)
		if _, p, err := imp(csvimport.KindDonations, []byte(unknown)); !errors.Is(err, csvimport.ErrRows) || len(p.Errors) != 1 || p.Errors[0].Line != 4 {
			t.Fatalf("unknown supporter: %v %+v", err, p.Errors)
		}
		if n := count(t, d, "donations"); n != 0 {
			t.Fatalf("%d donations stored from a failed import", n)
		}
		good := strings.Replace(unknown, "NOPE", "C1", 1) + ",C2,100.50,CNY,2020-04-01,,\n,C2,100.50,CNY,2020-04-01,,\n,,3000,,2024-01-01,,\n"
		good = strings.Replace(good, ",,3000,,", ",,3000,,", 1)
		withEmail := good[:len(good)-len(",,3000,,2024-01-01,,\n")]
		res, p, err = imp(csvimport.KindDonations, []byte(withEmail))
		if err != nil || res.Donations != 5 || res.Duplicates != 0 {
			t.Fatalf("donations: %+v %v %+v", res, err, p.Errors)
		}
		res, _, err = imp(csvimport.KindDonations, []byte(withEmail))
		if err != nil || res.Donations != 0 || res.Duplicates != 5 {
			t.Fatalf("re-import donations: %+v %v", res, err)
		}
		sum, _ := giving.Summarize(ctx, d.R, wang.ID, hanako.CreatedAt)
		if sum.GiftCount != 1 || sum.Main().AmountMinor != 100 {
			t.Fatalf("wang %+v", sum)
		}
		hanako, _ = supporter.Get(ctx, d.R, hanako.ID)
		if hanako.SupporterSince.Format("2006-01-02") != "2019-04-01" {
			t.Fatalf("since %v", hanako.SupporterSince)
		}

		// A CiviCRM contribution export with a new donor by email.
		civi := "Contribution ID,Contact ID,Display Name,Email,Total Amount,Currency,Date Received,Campaign,Payment Method\n" +
			"901,77,Jane Doe,jane@example.org,\"1,200.00\",USD,2026-10-01 10:00:00,Autumn,Credit Card\n"
		res, p, err = imp(csvimport.KindDonations, []byte(civi))
		if err != nil || p.Preset != "civicrm" || res.Created != 1 || res.Donations != 1 {
			t.Fatalf("civicrm: %+v %v %+v", res, err, p.Errors)
		}
		jane, _ := supporter.FindByIdentity(ctx, d.R, "email", "jane@example.org")
		if g, _ := giving.Summarize(ctx, d.R, jane.ID, hanako.CreatedAt); g.Main().AmountMinor != 120000 || jane.Name != "Jane Doe" {
			t.Fatalf("jane %+v %+v", jane, g)
		}
	})
}

func count(t *testing.T, d *db.DB, table string) int {
	var n int
	if err := d.R.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
