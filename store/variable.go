package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.VariableService = (*Store)(nil)

type variableRow struct {
	ID        string    `db:"id"`
	TenantID  string    `db:"tenant_id"`
	Name      string    `db:"name"`
	Value     string    `db:"value"`
	ValueEnc  string    `db:"value_enc"`
	Secret    bool      `db:"secret"`
	Remark    string    `db:"remark"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	CreatedBy string    `db:"created_by"`
	UpdatedBy string    `db:"updated_by"`
}

// toDomain converts the row; a secret's value stays out.
func (r variableRow) toDomain() *jobflow.Variable {
	v := &jobflow.Variable{
		ID: r.ID, TenantID: r.TenantID, Name: r.Name, Secret: r.Secret, Remark: r.Remark,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), CreatedBy: r.CreatedBy, UpdatedBy: r.UpdatedBy,
	}
	if r.Secret {
		v.HasValue = r.ValueEnc != ""
	} else {
		v.Value, v.HasValue = r.Value, true
	}
	return v
}

const variableColumns = `id, tenant_id, name, value, value_enc, secret, remark, created_at, updated_at, created_by, updated_by`

// columns splits a variable's value into the plain and encrypted columns.
func (s *Store) variableValue(v *jobflow.Variable) (plain, enc string, err error) {
	if !v.Secret {
		return v.Value, "", nil
	}
	enc, err = s.cipher.EncryptString(v.Value)
	return "", enc, err
}

// CreateVariable validates and inserts v, a secret's value encrypted. The
// value is cleared from v afterwards if it is a secret.
func (s *Store) CreateVariable(ctx context.Context, v *jobflow.Variable) error {
	name, value, secret, remark := v.Name, v.Value, v.Secret, v.Remark
	nv, err := jobflow.VariableInput{Name: &name, Value: &value, Secret: &secret, Remark: &remark}.Apply(*v, true)
	if err != nil {
		return err
	}
	plain, enc, err := s.variableValue(nv)
	if err != nil {
		return err
	}
	if nv.ID == "" {
		nv.ID = jobflow.NewID(jobflow.PrefixVariable)
	}
	nv.CreatedAt = now()
	nv.UpdatedAt = nv.CreatedAt
	nv.UpdatedBy = nv.CreatedBy
	const q = `
INSERT INTO variables (id, tenant_id, name, value, value_enc, secret, remark, created_at, updated_at, created_by, updated_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	_, err = s.db.ExecContext(ctx, s.db.Rebind(q), nv.ID, nv.TenantID, nv.Name, plain, enc, nv.Secret, nv.Remark,
		nv.CreatedAt, nv.UpdatedAt, nv.CreatedBy, nv.UpdatedBy)
	if isUniqueViolation(err) {
		return conflictf("a variable named %q already exists", nv.Name)
	} else if err != nil {
		return err
	}
	*v = *nv
	v.HasValue = true
	if v.Secret {
		v.Value = ""
	}
	return nil
}

func (s *Store) getVariable(ctx context.Context, q sqlx.ExtContext, tenantID, name string, lock bool) (*variableRow, error) {
	var r variableRow
	query := `SELECT ` + variableColumns + ` FROM variables WHERE tenant_id = ? AND name = ?`
	if lock {
		query += s.forUpdate()
	}
	if err := sqlx.GetContext(ctx, q, &r, q.Rebind(query), tenantID, name); err != nil {
		return nil, notFound(err, "variable")
	}
	return &r, nil
}

// FindVariable returns a variable by name (a secret without its value).
func (s *Store) FindVariable(ctx context.Context, tenantID, name string) (*jobflow.Variable, error) {
	r, err := s.getVariable(ctx, s.db, tenantID, name, false)
	if err != nil {
		return nil, err
	}
	return r.toDomain(), nil
}

// FindVariables lists a tenant's variables by name (secrets without values).
func (s *Store) FindVariables(ctx context.Context, tenantID string, p jobflow.ListParams) ([]*jobflow.Variable, int, error) {
	rows, total, err := listTenantRows[variableRow](ctx, s, "variables", variableColumns, tenantID, p)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.Variable, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

// UpdateVariable applies in; a nil Value keeps the stored one.
func (s *Store) UpdateVariable(ctx context.Context, tenantID, name string, in jobflow.VariableInput, by string) (*jobflow.Variable, error) {
	var out *jobflow.Variable
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.getVariable(ctx, tx, tenantID, name, true)
		if err != nil {
			return err
		}
		cur := r.toDomain()
		cur.Value = r.Value
		v, err := in.Apply(*cur, false)
		if err != nil {
			return err
		}
		plain, enc := r.Value, r.ValueEnc
		if in.Value != nil {
			if plain, enc, err = s.variableValue(v); err != nil {
				return err
			}
		}
		v.UpdatedAt, v.UpdatedBy = now(), by
		const q = `UPDATE variables SET value = ?, value_enc = ?, remark = ?, updated_at = ?, updated_by = ? WHERE id = ?`
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), plain, enc, v.Remark, v.UpdatedAt, v.UpdatedBy, r.ID); err != nil {
			return err
		}
		if v.Secret {
			v.Value, v.HasValue = "", enc != ""
		}
		out = v
		return nil
	})
	return out, err
}

// DeleteVariable deletes a variable.
func (s *Store) DeleteVariable(ctx context.Context, tenantID, name string) error {
	res, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM variables WHERE tenant_id = ? AND name = ?`), tenantID, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("variable not found")
	}
	return nil
}

// VariableValues returns the tenant's plain and (decrypted) secret values.
func (s *Store) VariableValues(ctx context.Context, tenantID string) (map[string]string, map[string]string, error) {
	var rows []variableRow
	q := `SELECT ` + variableColumns + ` FROM variables WHERE tenant_id = ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), tenantID); err != nil {
		return nil, nil, err
	}
	plain, secret := map[string]string{}, map[string]string{}
	for _, r := range rows {
		if !r.Secret {
			plain[r.Name] = r.Value
			continue
		}
		v, err := s.cipher.DecryptString(r.ValueEnc)
		if err != nil {
			return nil, nil, err
		}
		secret[r.Name] = v
	}
	return plain, secret, nil
}
