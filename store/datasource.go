package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

var _ jobflow.DatasourceService = (*Store)(nil)

type datasourceRow struct {
	ID          string    `db:"id"`
	TenantID    string    `db:"tenant_id"`
	Name        string    `db:"name"`
	Type        string    `db:"type"`
	Host        string    `db:"host"`
	Port        int       `db:"port"`
	Database    string    `db:"db_name"`
	User        string    `db:"db_user"`
	PasswordEnc string    `db:"password_enc"`
	Options     string    `db:"options"`
	Remark      string    `db:"remark"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// toDomain converts the row without the password; HasPassword tells
// whether one is stored.
func (r datasourceRow) toDomain() (*jobflow.Datasource, error) {
	d := &jobflow.Datasource{
		ID:          r.ID,
		TenantID:    r.TenantID,
		Name:        r.Name,
		Type:        jobflow.DatasourceType(r.Type),
		Host:        r.Host,
		Port:        r.Port,
		Database:    r.Database,
		User:        r.User,
		HasPassword: r.PasswordEnc != "",
		Remark:      r.Remark,
		CreatedAt:   r.CreatedAt.UTC(),
		UpdatedAt:   r.UpdatedAt.UTC(),
	}
	if err := json.Unmarshal([]byte(r.Options), &d.Options); err != nil {
		return nil, err
	}
	if d.Options == nil {
		d.Options = map[string]string{}
	}
	return d, nil
}

const datasourceColumns = `id, tenant_id, name, type, host, port, db_name, db_user, password_enc, options, remark,
created_at, updated_at`

// CreateDatasource validates d (filling the default port) and inserts it
// with its password encrypted.
func (s *Store) CreateDatasource(ctx context.Context, d *jobflow.Datasource) error {
	v, err := jobflow.DatasourceInput{}.Apply(*d)
	if err != nil {
		return err
	}
	enc, err := s.cipher.EncryptString(v.Password)
	if err != nil {
		return err
	}
	if v.ID == "" {
		v.ID = jobflow.NewID(jobflow.PrefixDatasource)
	}
	v.CreatedAt = now()
	v.UpdatedAt = v.CreatedAt
	const q = `
INSERT INTO datasources (id, tenant_id, name, type, host, port, db_name, db_user, password_enc, options, remark,
    created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	_, err = s.db.ExecContext(ctx, s.db.Rebind(q), v.ID, v.TenantID, v.Name, string(v.Type), v.Host, v.Port, v.Database,
		v.User, enc, string(v.MarshalOptions()), v.Remark, v.CreatedAt, v.UpdatedAt)
	if isUniqueViolation(err) {
		return conflictf("a datasource named %q already exists", v.Name)
	} else if isForeignKeyViolation(err) {
		return notFoundf("tenant not found")
	} else if err != nil {
		return err
	}
	*d = *v
	return nil
}

func (s *Store) getDatasource(ctx context.Context, q sqlx.ExtContext, tenantID, id string, lock bool) (*datasourceRow, error) {
	var r datasourceRow
	query := `SELECT ` + datasourceColumns + ` FROM datasources WHERE id = ? AND tenant_id = ?`
	if lock {
		query += s.forUpdate()
	}
	if err := sqlx.GetContext(ctx, q, &r, q.Rebind(query), id, tenantID); err != nil {
		return nil, notFound(err, "datasource")
	}
	return &r, nil
}

// FindDatasourceByID returns the datasource with its decrypted password,
// for executors and the connection test; the API never shows it.
func (s *Store) FindDatasourceByID(ctx context.Context, tenantID, id string) (*jobflow.Datasource, error) {
	r, err := s.getDatasource(ctx, s.db, tenantID, id, false)
	if err != nil {
		return nil, err
	}
	d, err := r.toDomain()
	if err != nil {
		return nil, err
	}
	if d.Password, err = s.cipher.DecryptString(r.PasswordEnc); err != nil {
		return nil, err
	}
	return d, nil
}

// FindDatasources lists a tenant's datasources by name, without passwords.
func (s *Store) FindDatasources(ctx context.Context, tenantID string, p jobflow.ListParams) ([]*jobflow.Datasource, int, error) {
	rows, total, err := listTenantRows[datasourceRow](ctx, s, "datasources", datasourceColumns, tenantID, p)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.Datasource, len(rows))
	for i, r := range rows {
		d, err := r.toDomain()
		if err != nil {
			return nil, 0, err
		}
		out[i] = d
	}
	return out, total, nil
}

// UpdateDatasource applies in; a nil Password keeps the stored one, an
// empty one removes it. The answer carries no password.
func (s *Store) UpdateDatasource(ctx context.Context, tenantID, id string, in jobflow.DatasourceInput) (*jobflow.Datasource, error) {
	var out *jobflow.Datasource
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.getDatasource(ctx, tx, tenantID, id, true)
		if err != nil {
			return err
		}
		old, err := r.toDomain()
		if err != nil {
			return err
		}
		d, err := in.Apply(*old)
		if err != nil {
			return err
		}
		enc := r.PasswordEnc
		if in.Password != nil {
			if enc, err = s.cipher.EncryptString(*in.Password); err != nil {
				return err
			}
		}
		d.UpdatedAt = now()
		const q = `
UPDATE datasources SET name = ?, type = ?, host = ?, port = ?, db_name = ?, db_user = ?, password_enc = ?,
    options = ?, remark = ?, updated_at = ?
WHERE id = ? AND tenant_id = ?`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), d.Name, string(d.Type), d.Host, d.Port, d.Database, d.User, enc,
			string(d.MarshalOptions()), d.Remark, d.UpdatedAt, id, tenantID)
		if isUniqueViolation(err) {
			return conflictf("a datasource named %q already exists", d.Name)
		}
		d.Password, d.HasPassword = "", enc != ""
		out = d
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteDatasource deletes a datasource no SQL job uses (CONFLICT
// otherwise, naming one such job).
func (s *Store) DeleteDatasource(ctx context.Context, tenantID, id string) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := s.getDatasource(ctx, tx, tenantID, id, true); err != nil {
			return err
		}
		// Job configs are stored in the canonical form Job.Normalize
		// writes, so the datasource id appears exactly like this.
		used := `%"datasourceId":` + likeEscaper.Replace(mustJSON(id)) + `%`
		var jobName []string
		const q = `SELECT name FROM jobs WHERE tenant_id = ? AND type = 'SQL' AND config LIKE ? ESCAPE '\' ORDER BY name LIMIT 1`
		if err := tx.SelectContext(ctx, &jobName, tx.Rebind(q), tenantID, used); err != nil {
			return err
		}
		if len(jobName) > 0 {
			return conflictf("the datasource is used by the SQL job %q; change that job first", jobName[0])
		}
		const del = `DELETE FROM datasources WHERE id = ? AND tenant_id = ?`
		_, err := tx.ExecContext(ctx, tx.Rebind(del), id, tenantID)
		return err
	})
}
