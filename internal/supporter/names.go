package supporter

import "strings"

// DisplayName composes a full name from its parts in the order the
// language uses: family name first in Japanese ("佐藤 花子") and Chinese
// ("王伟", no space between Han names), given name first otherwise.
func DisplayName(family, given, lang string) string {
	family, given = strings.TrimSpace(family), strings.TrimSpace(given)
	if family == "" || given == "" {
		return family + given
	}
	switch lang {
	case "ja":
		return family + " " + given
	case "zh":
		if isHan(family) && isHan(given) {
			return family + given
		}
		return family + " " + given
	}
	if isHan(family) {
		// A CJK name stays family-first in any UI language.
		return family + " " + given
	}
	return given + " " + family
}

func isHan(s string) bool {
	for _, r := range s {
		if r < 0x2E80 {
			return false
		}
	}
	return s != ""
}

// FullName is the name shown for the supporter: the stored name, or one
// composed from the parts.
func (s Supporter) FullName() string {
	if s.Name != "" {
		return s.Name
	}
	return DisplayName(s.FamilyName, s.GivenName, s.Language)
}

// Addressee is the supporter's name with the honorific a reply in lang
// uses: "佐藤 花子 様" (ja: 様 unless another honorific is set), "王伟 先生"
// (zh, when the honorific is known; otherwise the bare name, for the 您好
// form), "Ms Jane Doe" (en). Empty when the name is unknown.
func (s Supporter) Addressee(lang string) string {
	full := s.FullName()
	if full == "" {
		return ""
	}
	h := strings.TrimSpace(s.Honorific)
	switch lang {
	case "ja":
		if h == "" || !isHan(h) && !isKana(h) {
			h = "様"
		}
		if strings.HasSuffix(full, h) {
			return full
		}
		return full + " " + h
	case "zh":
		if h == "" || !isHan(h) {
			return full
		}
		return full + " " + h
	}
	if h == "" || isHan(h) || isKana(h) {
		return full
	}
	return h + " " + full
}

func isKana(s string) bool {
	for _, r := range s {
		if r < 0x3040 || r > 0x30FF {
			return false
		}
	}
	return s != ""
}

// Greeting opens a reply in lang: "Dear Ms Jane Doe," / "佐藤 花子 様" /
// "王伟 先生，您好" or "王伟，您好"; with no name, the language's polite
// general form.
func (s Supporter) Greeting(lang string) string {
	a := s.Addressee(lang)
	switch lang {
	case "ja":
		if a == "" {
			return "ご支援者様"
		}
		return a
	case "zh":
		if a == "" {
			return "您好"
		}
		return a + "，您好"
	}
	if a == "" {
		return "Dear supporter,"
	}
	return "Dear " + a + ","
}
