package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"

	"github.com/steward-desk/steward/internal/csvimport"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/search"
)

// The admin import: upload a CSV file, see how it was read (encoding,
// preset, column mapping, the first rows, every bad row), adjust the
// mapping, then import it in one transaction. The upload goes to the blob
// store so the later steps refer to it by its hash. Uploads are bounded by
// the form limit (2 MiB); bigger files go through `steward import`.

type importData struct {
	Kind, Preset, Encoding, Currency string
	SHA                              string
	FileName                         string
	Plan                             *csvimport.Plan
	Fields                           []string
	Errors                           []csvimport.RowError
	MoreErrors                       int
	Result                           *csvimport.Result
	Failed                           string // a translated message
}

func (d *importData) Mapped(field string) string {
	if d.Plan == nil {
		return ""
	}
	return d.Plan.Mapping[field]
}

func (s *Server) adminImport(w http.ResponseWriter, r *http.Request) {
	s.showImport(w, r, http.StatusOK, &importData{Kind: csvimport.KindSupporters})
}

func (s *Server) showImport(w http.ResponseWriter, r *http.Request, status int, d *importData) {
	if d.Plan != nil {
		d.Fields = csvimport.SupporterFields
		if d.Kind == csvimport.KindDonations {
			d.Fields = csvimport.DonationFields
		}
		d.Errors = d.Plan.Errors
		if len(d.Errors) > 50 {
			d.MoreErrors, d.Errors = len(d.Errors)-50, d.Errors[:50]
		}
	}
	p := s.newPage(r, "admin.import.title", d)
	p.Section = "admin"
	s.renderPage(w, r, status, "admin_import", p)
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// adminImportUpload stores the uploaded file and shows its preview.
func (s *Server) adminImportUpload(w http.ResponseWriter, r *http.Request) {
	d := &importData{Kind: r.FormValue("kind"), Preset: r.FormValue("preset"), Encoding: r.FormValue("encoding"), Currency: r.FormValue("currency")}
	if err := r.ParseMultipartForm(maxFormBytes); err != nil {
		d.Failed = currentPage(s, r).T("admin.import.too_big")
		s.showImport(w, r, http.StatusRequestEntityTooLarge, d)
		return
	}
	d.Kind, d.Preset, d.Encoding, d.Currency = r.FormValue("kind"), r.FormValue("preset"), r.FormValue("encoding"), r.FormValue("currency")
	f, hdr, err := r.FormFile("file")
	if err != nil {
		d.Failed = currentPage(s, r).T("admin.import.no_file")
		s.showImport(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFormBytes))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.blobs == nil {
		s.fail(w, r, errors.New("web: no blob store for imports"))
		return
	}
	sum, _, err := s.blobs.Put(bytes.NewReader(data), maxFormBytes)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.SHA, d.FileName = sum, hdr.Filename
	s.importStep(w, r, d, data, nil, false)
}

// adminImportRun re-reads the stored file with the chosen mapping and
// either previews it again or imports it.
func (s *Server) adminImportRun(w http.ResponseWriter, r *http.Request) {
	d := &importData{Kind: r.PostFormValue("kind"), Preset: r.PostFormValue("preset"), Encoding: r.PostFormValue("encoding"),
		Currency: r.PostFormValue("currency"), SHA: r.PostFormValue("sha"), FileName: r.PostFormValue("file_name")}
	if !shaRE.MatchString(d.SHA) || s.blobs == nil {
		s.notFound(w, r)
		return
	}
	f, err := s.blobs.Open(d.SHA)
	if err != nil {
		s.notFound(w, r)
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFormBytes))
	f.Close()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mapping := map[string]string{}
	for _, field := range append(slices.Clone(csvimport.SupporterFields), csvimport.DonationFields...) {
		if v, ok := r.PostForm["map_"+field]; ok {
			mapping[field] = v[0]
		}
	}
	s.importStep(w, r, d, data, mapping, r.PostFormValue("action") == "import")
}

func (s *Server) importStep(w http.ResponseWriter, r *http.Request, d *importData, data []byte, mapping map[string]string, apply bool) {
	p := currentPage(s, r)
	plan, err := csvimport.Parse(data, csvimport.Options{Kind: d.Kind, Preset: d.Preset, Encoding: d.Encoding,
		DefaultCurrency: d.Currency, Mapping: mapping})
	if err != nil {
		if inv, ok := errs.AsInvalid(err); ok {
			d.Failed = p.T("admin.import.bad_file") + " " + inv.Message
			s.showImport(w, r, http.StatusUnprocessableEntity, d)
			return
		}
		s.fail(w, r, err)
		return
	}
	d.Plan, d.Preset, d.Encoding = plan, plan.Preset, plan.Encoding
	if !apply || len(plan.Errors) > 0 {
		s.showImport(w, r, http.StatusOK, d)
		return
	}
	res, err := csvimport.Apply(r.Context(), s.db, plan, actor(r), d.FileName)
	if errors.Is(err, csvimport.ErrRows) {
		s.showImport(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(res.Touched) <= 5000 {
		idx := search.New(s.db)
		for _, id := range res.Touched {
			if err := idx.IndexSupporter(r.Context(), s.db.W, id); err != nil {
				s.log.Warn("web: index imported supporter", "id", id, "err", err)
			}
		}
	}
	d.Result = &res
	s.showImport(w, r, http.StatusOK, d)
}

// currentPage gives handlers the translator of the request.
func currentPage(s *Server, r *http.Request) *Page { return s.newPage(r, "", nil) }
