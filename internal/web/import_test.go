package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestAdminImport(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		c := f.login("admin@example.org")
		csvText := "Contact ID,Display Name,Email,Phone\r\n501,王伟,wangwei@example.cn,+86 138 0013 8000\r\n502,李娜,lina@example.cn,\r\n"
		gbk, _ := simplifiedchinese.GBK.NewEncoder().String(csvText)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("kind", "supporters")
		fw, _ := mw.CreateFormFile("file", "civicrm.csv")
		fw.Write([]byte(gbk))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, f.http.URL+"/admin/import", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set(CSRFHeader, c.csrf)
		res := c.do(req)
		if res.status != http.StatusOK {
			t.Fatalf("upload: %d %s", res.status, res.body)
		}
		mustContain(t, res.body, "gb18030", "civicrm", "王伟", `name="map_email"`)
		sha := regexp.MustCompile(`name="sha" value="([0-9a-f]{64})"`).FindStringSubmatch(res.body)
		if sha == nil {
			t.Fatal("no sha in preview")
		}
		form := url.Values{"sha": {sha[1]}, "kind": {"supporters"}, "file_name": {"civicrm.csv"}, "action": {"import"}}
		res = c.post("/admin/import/run", form, true)
		if res.status != http.StatusOK {
			t.Fatalf("run: %d %s", res.status, res.body)
		}
		mustContain(t, res.body, "2 rows", "2 supporters created")
		res = c.post("/admin/import/run", form, true)
		mustContain(t, res.body, "0 supporters created, 0 updated, 2 unchanged")
		if agent := f.login("agent@example.org"); agent.get("/admin/import").status != http.StatusForbidden {
			t.Error("agents may not import")
		}
	})
}
