package httpapi

import (
	"context"
	"crypto/rand"
	"math/big"
	"time"

	"jobflow"
)

// Bootstrap prepares a new installation: when no user "admin" exists it
// creates the tenant "default" (if missing), the SYS_ADMIN "admin" with
// adminPassword (or a random 16-character one, returned so the caller can
// print it once) and makes admin TENANT_ADMIN of "default". Later starts find
// admin and change nothing. Two instances starting at once are safe: the
// loser of the race on the account gets CONFLICT and returns quietly.
func Bootstrap(ctx context.Context, deps Deps, adminPassword string) (generatedPassword string, err error) {
	const account = "admin"
	_, err = deps.Users.FindUserByAccount(ctx, account)
	if err == nil {
		return "", nil
	} else if jobflow.ErrorCode(err) != jobflow.ENOTFOUND {
		return "", err
	}
	tenant, err := defaultTenant(ctx, deps)
	if err != nil {
		return "", err
	}
	password := adminPassword
	if password == "" {
		if password, err = randomPassword(16); err != nil {
			return "", err
		}
		generatedPassword = password
	}
	hash, err := HashPassword(password)
	if err != nil {
		return "", err
	}
	u := &jobflow.User{ID: jobflow.NewID(jobflow.PrefixUser), Account: account, Name: "Administrator",
		SysAdmin: true, PasswordHash: hash, CreatedAt: time.Now().UTC()}
	if err := deps.Users.CreateUser(ctx, u); jobflow.ErrorCode(err) == jobflow.ECONFLICT {
		return "", nil // another instance bootstrapped first
	} else if err != nil {
		return "", err
	}
	if err := deps.Users.SetMembership(ctx, tenant.ID, u.ID, jobflow.RoleTenantAdmin); err != nil {
		return "", err
	}
	return generatedPassword, nil
}

// defaultTenant finds or creates the tenant named "default".
func defaultTenant(ctx context.Context, deps Deps) (*jobflow.Tenant, error) {
	const name = "default"
	find := func() (*jobflow.Tenant, error) {
		ts, _, err := deps.Tenants.FindTenants(ctx, jobflow.ListParams{Page: 1, PageSize: jobflow.MaxPageSize, Search: name})
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if t.Name == name {
				return t, nil
			}
		}
		return nil, nil
	}
	if t, err := find(); err != nil || t != nil {
		return t, err
	}
	now := time.Now().UTC()
	t := &jobflow.Tenant{ID: jobflow.NewID(jobflow.PrefixTenant), Name: name, MaxWorkflows: jobflow.DefaultMaxWorkflows, CreatedAt: now, UpdatedAt: now}
	err := deps.Tenants.CreateTenant(ctx, t)
	if jobflow.ErrorCode(err) == jobflow.ECONFLICT {
		if t, err := find(); err != nil || t != nil {
			return t, err
		}
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// randomPassword avoids look-alike characters, since it is read off a log.
func randomPassword(n int) (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b), nil
}
