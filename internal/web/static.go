package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

// static holds the assets: htmx (vendored from the htmx.org npm package,
// dist/htmx.min.js), app.js and app.css. No build step, no CDN.
//
//go:embed static
var staticFS embed.FS

// assetVersion is a short content hash per asset, appended as ?v= so the
// browser may cache assets forever and still gets a new file after an upgrade.
var assetVersion = func() map[string]string {
	out := map[string]string{}
	fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(staticFS, p)
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:])[:10]
		return nil
	})
	return out
}()

// assetURL is the versioned URL of an asset.
func assetURL(name string) string {
	return "/static/" + name + "?v=" + assetVersion[name]
}

var staticServer = http.FileServerFS(staticFS)

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if _, ok := assetVersion[name]; !ok {
		s.notFound(w, r)
		return
	}
	if r.URL.Query().Get("v") != "" {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	staticServer.ServeHTTP(w, r)
}
