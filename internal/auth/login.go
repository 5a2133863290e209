package auth

import (
	"context"
	"errors"
	"time"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/staff"
)

// ErrBadCredentials means the email or password is wrong (never says which).
var ErrBadCredentials = errors.New("wrong email or password")

// ErrThrottled means too many failed logins; try again later.
var ErrThrottled = errors.New("too many failed logins; try again later")

// Throttle limits: failures per email and per client address within Window.
// Kept in the database so every node behind a load balancer sees them.
const (
	ThrottleWindow   = 15 * time.Minute
	MaxEmailFailures = 5
	MaxIPFailures    = 30
)

// Login checks a password and returns the user. Failures are recorded and,
// past the limits, refused with ErrThrottled before any password is checked.
func Login(ctx context.Context, d *db.DB, email, password, ip string) (staff.User, error) {
	email = staff.NormaliseEmail(email)
	since := db.Now() - ThrottleWindow.Milliseconds()
	var byEmail, byIP int
	if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at > $2", email, since).Scan(&byEmail); err != nil {
		return staff.User{}, err
	}
	if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM login_failures WHERE ip = $1 AND at > $2", ip, since).Scan(&byIP); err != nil {
		return staff.User{}, err
	}
	if byEmail >= MaxEmailFailures || byIP >= MaxIPFailures {
		return staff.User{}, ErrThrottled
	}
	u, err := staff.GetUserByEmail(ctx, d.R, email)
	hash := dummyHash()
	if err == nil {
		hash, err = staff.PasswordHash(ctx, d.R, u.ID)
	} else if !errors.Is(err, errs.ErrNotFound) {
		return staff.User{}, err
	}
	ok, _ := CheckPassword(hash, password)
	if !ok || u.ID == 0 || !u.Active {
		if _, err := d.W.ExecContext(ctx, "INSERT INTO login_failures (email, ip, at) VALUES ($1, $2, $3)", email, ip, db.Now()); err != nil {
			return staff.User{}, err
		}
		return staff.User{}, ErrBadCredentials
	}
	// A successful login clears this email's failures.
	d.W.ExecContext(ctx, "DELETE FROM login_failures WHERE email = $1", email)
	return u, nil
}
