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
