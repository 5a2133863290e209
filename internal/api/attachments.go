package api

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/staff"
	"github.com/steward-desk/steward/internal/ticket"
)

// inlineTypes may be shown by a browser in place. They cannot run script;
// everything else — text/html, image/svg+xml, application/xhtml+xml, XML,
// JavaScript, and any type not listed — is served as a download of
// application/octet-stream, since an attachment is whatever a stranger mailed in.
var inlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true,
	"audio/mpeg": true, "audio/wav": true, "audio/x-wav": true, "audio/ogg": true, "audio/mp4": true,
	"video/mp4": true,
}

// attachmentHeaders says how to serve a stored attachment: the Content-Type
// and the Content-Disposition.
func attachmentHeaders(contentType, filename string) (ctype, disposition string) {
	mt, params, err := mime.ParseMediaType(contentType)
	mt = strings.ToLower(mt)
	kind := "attachment"
	ctype = "application/octet-stream"
	if err == nil && inlineTypes[mt] {
		kind, ctype = "inline", mt
		if mt == "text/plain" {
			cs := strings.ToLower(params["charset"])
			if cs == "" {
				cs = "utf-8"
			}
			ctype = mime.FormatMediaType(mt, map[string]string{"charset": cs})
			if ctype == "" {
				ctype = "text/plain; charset=utf-8"
			}
		}
	}
	disposition = mime.FormatMediaType(kind, map[string]string{"filename": safeFilename(filename)})
	if disposition == "" {
		disposition = kind
	}
	return ctype, disposition
}

// safeFilename keeps a name's last path element without control characters
// or quotes; mime.FormatMediaType then encodes non-ASCII (領収書.pdf) per RFC 2231.
func safeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "attachment"
	}
	return name
}

// getAttachment streams an attachment's bytes (with Range support).
func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request, _ staff.User) error {
	id, err := pathID(r, "attachment")
	if err != nil {
		return err
	}
	a, _, err := ticket.GetAttachment(r.Context(), s.db.R, id)
	if errors.Is(err, errs.ErrNotFound) {
		return notFound("attachment")
	}
	if err != nil {
		return err
	}
	if s.blobs == nil {
		return errors.New("api: no blob store configured")
	}
	f, err := s.blobs.Open(a.SHA256)
	if err != nil {
		return fmt.Errorf("api: attachment %d: blob %s: %w", a.ID, a.SHA256, err)
	}
	defer f.Close()
	ctype, disposition := attachmentHeaders(a.ContentType, a.Filename)
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", disposition)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "private, max-age=3600")
	// Content addressing makes the hash a perfect validator.
	h.Set("ETag", `"`+a.SHA256+`"`)
	http.ServeContent(w, r, "", time.Time{}, f)
	return nil
}
