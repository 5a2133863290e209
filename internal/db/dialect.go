package db

// The few places where SQLite and PostgreSQL need different SQL live here.

// NextTicketNumber is an SQL expression giving the next human ticket number.
// SQLite has one writer, so MAX+1 inside the write transaction is safe and
// uses the unique index; PostgreSQL uses a sequence so concurrent nodes never
// wait on each other.
func (d *DB) NextTicketNumber() string {
	if d.Engine == Postgres {
		return "nextval('ticket_number_seq')"
	}
	return "(SELECT COALESCE(MAX(number), 0) + 1 FROM tickets)"
}

// ILike is the case-insensitive LIKE operator (SQLite's LIKE already folds ASCII case).
func (d *DB) ILike() string {
	if d.Engine == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}
