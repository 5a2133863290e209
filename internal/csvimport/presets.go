package csvimport

import "strings"

// Kinds of import.
const (
	KindSupporters = "supporters"
	KindDonations  = "donations"
)

// Fields a supporter row can fill (the native column names).
var SupporterFields = []string{"external_id", "name", "family_name", "given_name", "honorific", "email", "email2",
	"phone", "phone2", "language", "preferred_channel", "organisation", "household", "address",
	"supporter_since", "member_since", "tags", "notes", "do_not_contact"}

// Fields a donation row can fill (the native column names).
var DonationFields = []string{"external_id", "supporter_external_id", "email", "name", "amount", "currency", "date",
	"campaign", "recurring", "payment_method"}

// Preset maps the column headers of a CRM's export to Steward's fields:
// field → accepted headers (compared case-insensitively, spaces trimmed).
type Preset struct {
	Name string
	// Source names the system the ids come from; external ids are unique
	// per source.
	Source string
	// MonthFirst: slashed dates are M/D/YYYY (US-locale exports).
	MonthFirst bool
	Supporters map[string][]string
	Donations  map[string][]string
}

// Presets are the formats Steward knows; native is documented in docs/import.md.
var Presets = map[string]Preset{
	"native": {Name: "native", Source: "steward"},
	// CiviCRM: Contacts → Export (Primary fields) and Contributions → Export.
	"civicrm": {Name: "civicrm", Source: "civicrm", Supporters: map[string][]string{
		"external_id":       {"Contact ID", "Internal Contact ID"},
		"name":              {"Display Name"},
		"given_name":        {"First Name"},
		"family_name":       {"Last Name"},
		"honorific":         {"Individual Prefix", "Prefix"},
		"email":             {"Email", "Email (Primary)"},
		"phone":             {"Phone", "Phone (Primary)"},
		"language":          {"Preferred Language"},
		"organisation":      {"Current Employer", "Organization Name"},
		"household":         {"Household Name"},
		"address":           {"Street Address", "Address"},
		"member_since":      {"Member Since", "Membership Join Date"},
		"tags":              {"Tag(s)", "Tags"},
		"notes":             {"Note", "Notes"},
		"do_not_contact":    {"Do Not Email", "Do Not Contact"},
		"preferred_channel": {"Preferred Communication Method"},
	}, Donations: map[string][]string{
		"external_id":           {"Contribution ID"},
		"supporter_external_id": {"Contact ID", "Internal Contact ID"},
		"email":                 {"Email"},
		"name":                  {"Display Name", "Contact Name"},
		"amount":                {"Total Amount", "Amount"},
		"currency":              {"Currency"},
		"date":                  {"Date Received", "Contribution Date", "Receive Date"},
		"campaign":              {"Campaign", "Campaign Title"},
		"recurring":             {"Recurring Contribution ID", "Is Recurring"},
		"payment_method":        {"Payment Method"},
	}},
	// Salesforce Nonprofit Success Pack: Contacts and Opportunities reports
	// (labels) or Data Loader exports (API names).
	"npsp": {Name: "npsp", Source: "salesforce", MonthFirst: true, Supporters: map[string][]string{
		"external_id":    {"Contact ID", "Id", "Contact ID (18)"},
		"given_name":     {"First Name", "FirstName"},
		"family_name":    {"Last Name", "LastName"},
		"honorific":      {"Salutation"},
		"email":          {"Email"},
		"email2":         {"Alternate Email", "npe01__AlternateEmail__c"},
		"phone":          {"Phone", "Mobile", "MobilePhone"},
		"household":      {"Account Name", "Household"},
		"organisation":   {"Primary Affiliation", "npsp__Primary_Affiliation__c"},
		"address":        {"Mailing Street", "MailingStreet"},
		"language":       {"Preferred Language", "Language"},
		"do_not_contact": {"Do Not Contact", "npsp__Do_Not_Contact__c", "Email Opt Out", "HasOptedOutOfEmail"},
		"member_since":   {"Membership Join Date", "npo02__MembershipJoinDate__c"},
	}, Donations: map[string][]string{
		"external_id":           {"Opportunity ID", "Id"},
		"supporter_external_id": {"Primary Contact ID", "npsp__Primary_Contact__c", "Contact ID"},
		"email":                 {"Email", "Primary Contact Email"},
		"name":                  {"Primary Contact", "Contact Name"},
		"amount":                {"Amount"},
		"currency":              {"Opportunity Currency", "CurrencyIsoCode", "Currency"},
		"date":                  {"Close Date", "CloseDate"},
		"campaign":              {"Primary Campaign Source", "Campaign Name", "Campaign"},
		"recurring":             {"Recurring Donation", "npe03__Recurring_Donation__c"},
		"payment_method":        {"Payment Method", "npsp__Payment_Method__c"},
	}},
}

func (p Preset) columns(kind string) map[string][]string {
	if p.Name == "native" {
		fields := SupporterFields
		if kind == KindDonations {
			fields = DonationFields
		}
		m := map[string][]string{}
		for _, f := range fields {
			m[f] = []string{f}
		}
		return m
	}
	if kind == KindDonations {
		return p.Donations
	}
	return p.Supporters
}

func normHeader(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
}

// mapColumns maps fields to column indexes with a preset.
func mapColumns(p Preset, kind string, headers []string) map[string]int {
	idx := map[string]int{}
	for i, h := range headers {
		if _, dup := idx[normHeader(h)]; !dup {
			idx[normHeader(h)] = i
		}
	}
	out := map[string]int{}
	for field, names := range p.columns(kind) {
		for _, n := range names {
			if i, ok := idx[normHeader(n)]; ok {
				out[field] = i
				break
			}
		}
	}
	return out
}

// detectPreset picks the preset whose headers match most columns.
func detectPreset(kind string, headers []string) Preset {
	best, bestN := Presets["native"], len(mapColumns(Presets["native"], kind, headers))
	for _, name := range []string{"civicrm", "npsp"} {
		if n := len(mapColumns(Presets[name], kind, headers)); n > bestN {
			best, bestN = Presets[name], n
		}
	}
	return best
}
