package mailbox

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/steward-desk/steward/internal/errs"
)

// TLS modes of an endpoint.
const (
	// TLSImplicit: the connection is TLS from the first byte (imaps, smtps).
	TLSImplicit = "implicit"
	// TLSOpportunistic: plain connection, upgraded with STARTTLS when the
	// server offers it (imap://, smtp:// without parameters).
	TLSOpportunistic = "opportunistic"
	// TLSRequired: plain connection that must be upgraded with STARTTLS, or
	// the session is refused (?starttls=required).
	TLSRequired = "required"
)

// Endpoint is a parsed IMAP or SMTP server URL with its credentials:
//
//	imap://user:pass@host:143/INBOX     STARTTLS when offered
//	imap://user:pass@host/INBOX?starttls=required
//	imaps://user:pass@host:993/Support  implicit TLS
//	smtp://user:pass@host:587           STARTTLS when offered
//	smtp://host:25?starttls=required
//	smtps://user:pass@host:465          implicit TLS
//
// Characters such as @ : / ? # in a user name or password must be
// percent-encoded (support%40example.org).
type Endpoint struct {
	Scheme   string // imap, imaps, smtp or smtps
	Host     string
	Port     int
	Username string
	Password string
	// Folder is the IMAP mailbox to read (default INBOX); empty for SMTP.
	Folder string
	// TLS is TLSImplicit, TLSOpportunistic or TLSRequired.
	TLS string
}

// Addr is host:port, for dialling.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// String is the full URL, password included: never log it.
func (e Endpoint) String() string { return e.url(false) }

// Redacted is the URL with the password replaced by "xxxxx", for logs,
// the API and the UI.
func (e Endpoint) Redacted() string { return e.url(true) }

func (e Endpoint) url(redact bool) string {
	u := url.URL{Scheme: e.Scheme, Host: e.Addr()}
	if e.Username != "" {
		switch {
		case e.Password == "":
			u.User = url.User(e.Username)
		case redact:
			u.User = url.UserPassword(e.Username, "xxxxx")
		default:
			u.User = url.UserPassword(e.Username, e.Password)
		}
	}
	if e.Folder != "" {
		u.Path = "/" + e.Folder
	}
	if e.TLS == TLSRequired {
		u.RawQuery = "starttls=required"
	}
	return u.String()
}

// redactedPassword is what Redacted shows instead of a password; an update
// that sends it back keeps the stored password.
const redactedPassword = "xxxxx"

var defaultPorts = map[string]int{"imap": 143, "imaps": 993, "smtp": 587, "smtps": 465}

// ParseIMAP parses an IMAP URL; errors are *errs.Invalid naming field.
func ParseIMAP(field, raw string) (Endpoint, error) {
	return parse(field, raw, "imap")
}

// ParseSMTP parses an SMTP URL; errors are *errs.Invalid naming field.
func ParseSMTP(field, raw string) (Endpoint, error) {
	return parse(field, raw, "smtp")
}

func parse(field, raw, proto string) (Endpoint, error) {
	raw = strings.TrimSpace(raw)
	bad := func(format string, args ...any) (Endpoint, error) {
		return Endpoint{}, errs.Field(field, "invalid", format, args...)
	}
	if raw == "" {
		return Endpoint{}, errs.Field(field, "required", "a %s URL is required", proto)
	}
	if strings.ContainsAny(raw, "\r\n\x00") {
		return bad("the URL contains control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password included: say less.
		return bad("not a valid URL (percent-encode @ : / ? # in user names and passwords)")
	}
	e := Endpoint{Scheme: strings.ToLower(u.Scheme)}
	switch e.Scheme {
	case proto:
		e.TLS = TLSOpportunistic
	case proto + "s":
		e.TLS = TLSImplicit
	default:
		return bad("the scheme must be %s:// or %ss://", proto, proto)
	}
	if u.Opaque != "" {
		return bad("write %s://host, not %s:host", e.Scheme, e.Scheme)
	}
	e.Host = u.Hostname()
	if e.Host == "" {
		return bad("the server host is missing")
	}
	e.Port = defaultPorts[e.Scheme]
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("port %q is not a number from 1 to 65535", p)
		}
		e.Port = n
	}
	if u.User != nil {
		e.Username = u.User.Username()
		e.Password, _ = u.User.Password()
	}
	for k, vs := range u.Query() {
		v := strings.ToLower(vs[len(vs)-1])
		switch {
		case k == "starttls" && e.TLS == TLSImplicit:
			return bad("starttls applies to %s://, not %s:// (which is TLS from the start)", proto, e.Scheme)
		case k == "starttls" && (v == "required" || v == "always" || v == "yes"):
			e.TLS = TLSRequired
		case k == "starttls" && (v == "" || v == "opportunistic" || v == "auto"):
		default:
			return bad("unknown parameter %q (only starttls=required is understood)", k)
		}
	}
	folder := strings.Trim(u.Path, "/")
	if proto == "imap" {
		if e.Username == "" || e.Password == "" {
			return bad("the user name and password are missing (imap://user:password@host/INBOX)")
		}
		if folder == "" {
			folder = "INBOX"
		}
		e.Folder = folder
	} else if folder != "" {
		return bad("an SMTP URL has no path (%q)", "/"+folder)
	}
	if e.Username == "" && e.Password != "" {
		return bad("a password without a user name")
	}
	return e, nil
}

// passwordOf returns the password written in a URL, or "".
func passwordOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// withPassword returns raw with its password replaced (or added, when the
// URL names a user).
func withPassword(raw, password string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.User == nil || u.User.Username() == "" {
		return raw
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return u.String()
}
