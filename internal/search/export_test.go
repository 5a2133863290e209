package search

// SetPGSupporterOr sets how many supporters of a word PostgreSQL ORs into
// the GIN query before fetching their tickets by supporter instead, so that
// a test can take that path with a handful of supporters; it returns a
// func restoring the previous value.
func SetPGSupporterOr(n int) (restore func()) {
	old := pgSupporterOr
	pgSupporterOr = n
	return func() { pgSupporterOr = old }
}

// SetPGSupporterWalk sets how many supporters a lone word needs for
// PostgreSQL to walk newest first when sorting by recency; it returns a
// func restoring the previous value.
func SetPGSupporterWalk(n int) (restore func()) {
	old := pgSupporterWalk
	pgSupporterWalk = n
	return func() { pgSupporterWalk = old }
}

// SetPGRankWindow sets how many of the newest matches PostgreSQL ranks, so
// that a test can fill the window with a few tickets; it returns a func
// restoring the previous value.
func SetPGRankWindow(n int) (restore func()) {
	old := pgRankWindow
	pgRankWindow = n
	return func() { pgRankWindow = old }
}

// Warmed is how many texts Warm analysed that no transaction has taken yet.
func Warmed() int { return warmTerms.Len() + warmRuns.Len() }

// WarmedTaken is how many warmed analyses transactions have used.
func WarmedTaken() int64 { return warmTerms.Taken() + warmRuns.Taken() }
