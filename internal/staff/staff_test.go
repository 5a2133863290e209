package staff_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/steward-desk/steward/internal/db"
	"github.com/steward-desk/steward/internal/db/dbtest"
	"github.com/steward-desk/steward/internal/errs"
	"github.com/steward-desk/steward/internal/staff"
)

// A user is read with their departments in one query, in id order.
func TestGetUserWithDepartments(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var depts []int64
		for _, name := range []string{"寄付者サービス", "志愿者", "Events", "法人連携"} {
			dep, err := staff.CreateDepartment(ctx, d.W, name, "")
			if err != nil {
				t.Fatal(err)
			}
			depts = append(depts, dep.ID)
		}
		u, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: "Aiko.Sato@Hope.example", Name: "佐藤 愛子", Role: staff.Agent})
		if err != nil {
			t.Fatal(err)
		}
		none, err := staff.CreateUser(ctx, d.W, staff.NewUser{Email: "wang@hope.example", Name: "王芳", Role: staff.Agent})
		if err != nil {
			t.Fatal(err)
		}
		chosen := []int64{depts[3], depts[0], depts[2]}
		if err := staff.SetDepartments(ctx, d.W, u.ID, chosen); err != nil {
			t.Fatal(err)
		}
		slices.Sort(chosen)

		got, err := staff.GetUser(ctx, d.R, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "佐藤 愛子" || !slices.Equal(got.DepartmentIDs, chosen) {
			t.Errorf("GetUser = %+v, want departments %v", got, chosen)
		}
		byEmail, err := staff.GetUserByEmail(ctx, d.R, "AIKO.SATO@hope.example")
		if err != nil || byEmail.ID != u.ID || !slices.Equal(byEmail.DepartmentIDs, chosen) {
			t.Errorf("GetUserByEmail = %+v, %v", byEmail, err)
		}
		alone, err := staff.GetUser(ctx, d.R, none.ID)
		if err != nil || alone.DepartmentIDs == nil || len(alone.DepartmentIDs) != 0 {
			t.Errorf("a user in no department: %+v, %v (want an empty list)", alone, err)
		}
		if _, err := staff.GetUser(ctx, d.R, none.ID+100); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown user: %v, want ErrNotFound", err)
		}
	})
}
