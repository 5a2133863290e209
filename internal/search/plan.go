package search

// plan is a query resolved for an engine: text groups, filter terms and
// ranges, access, order and paging.
type plan struct {
	kind string // kindTicket or kindSupporter

	must    []Group // text: every group, as a phrase, in the searchable fields
	exclude []Group // text: no group

	// Filter terms (meta terms): each inner list is one filter, matched if
	// any of its terms is present (status:open → one term; assignee:taro →
	// every user called taro); every list must match.
	anyOf [][]string
	// noneOf: filter terms that must all be absent (negated filters).
	noneOf []string
	// from/notFrom: phrases the supporter fields must (not) contain.
	from, notFrom []Group
	// created: ranges of created_at in Unix ms, [from, to) with 0 meaning
	// unbounded; negate selects outside the range.
	created []msRange

	notes  bool // search staff-only notes too
	recent bool // newest first instead of by relevance

	offset    int   // relevance paging
	beforeSeq int64 // recency paging: only seq < beforeSeq (0: from the newest)
	limit     int   // the engine returns up to limit+1 items

	explain bool // return the query plan instead of running the query (Index.Explain)
}

type msRange struct {
	from, to int64
	negate   bool
}

// hasText reports whether p searches text (otherwise it only filters, and
// there is nothing to rank by).
func (p *plan) hasText() bool { return len(p.must) > 0 }

// allGroups lists the status-group terms: one is in every ticket, so their
// OR matches every ticket (for queries that only exclude or filter by date).
var allGroups = []string{
	metaTerm(metaGroup, "open"), metaTerm(metaGroup, "pending"), metaTerm(metaGroup, "done"),
}
