package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

// Alarm channels (告警通道) keep their public config as JSON and their
// secrets (urls with tokens, headers, signing keys, SMTP password) as one
// encrypted string; only FindAlarmChannelSecrets ever decrypts it.

type alarmChannelRow struct {
	ID         string    `db:"id"`
	TenantID   string    `db:"tenant_id"`
	Name       string    `db:"name"`
	Type       string    `db:"type"`
	Config     string    `db:"config"`
	SecretsEnc string    `db:"secrets_enc"`
	Remark     string    `db:"remark"`
	CreatedAt  time.Time `db:"created_at"`
	UpdatedAt  time.Time `db:"updated_at"`
}

func (r alarmChannelRow) toDomain() *jobflow.AlarmChannel {
	return &jobflow.AlarmChannel{
		ID:        r.ID,
		TenantID:  r.TenantID,
		Name:      r.Name,
		Type:      jobflow.AlarmChannelType(r.Type),
		Config:    []byte(r.Config),
		Remark:    r.Remark,
		CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(),
	}
}

const alarmChannelColumns = `id, tenant_id, name, type, config, secrets_enc, remark, created_at, updated_at`

// encryptSecrets is the stored form of sec.
func (s *Store) encryptSecrets(sec jobflow.AlarmSecrets) (string, error) {
	return s.cipher.EncryptString(string(sec.Marshal()))
}

// CreateAlarmChannel validates in and inserts a channel of the tenant
// (CONFLICT on a taken name). The answer holds the public config only.
func (s *Store) CreateAlarmChannel(ctx context.Context, tenantID string, in jobflow.AlarmChannelInput) (*jobflow.AlarmChannel, error) {
	if in.Type == nil {
		return nil, jobflow.Errorf(jobflow.EINVALID, "type is required: WEBHOOK, DINGTALK, FEISHU, WECOM or EMAIL").
			WithDetails(map[string]string{"field": "type"})
	}
	if in.Name == nil {
		in.Name = new(string) // Apply then reports the missing name
	}
	ch, sec, err := in.Apply(jobflow.AlarmChannel{}, jobflow.AlarmSecrets{})
	if err != nil {
		return nil, err
	}
	enc, err := s.encryptSecrets(sec)
	if err != nil {
		return nil, err
	}
	ch.ID = jobflow.NewID(jobflow.PrefixChannel)
	ch.TenantID = tenantID
	ch.CreatedAt = now()
	ch.UpdatedAt = ch.CreatedAt
	const q = `INSERT INTO alarm_channels (` + alarmChannelColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	_, err = s.db.ExecContext(ctx, s.db.Rebind(q), ch.ID, ch.TenantID, ch.Name, string(ch.Type), string(ch.Config),
		enc, ch.Remark, ch.CreatedAt, ch.UpdatedAt)
	if isUniqueViolation(err) {
		return nil, conflictf("an alarm channel named %q already exists", ch.Name)
	} else if isForeignKeyViolation(err) {
		return nil, notFoundf("tenant not found")
	} else if err != nil {
		return nil, err
	}
	return ch, nil
}

func (s *Store) getAlarmChannel(ctx context.Context, q sqlx.ExtContext, tenantID, id string, lock bool) (*alarmChannelRow, error) {
	var r alarmChannelRow
	query := `SELECT ` + alarmChannelColumns + ` FROM alarm_channels WHERE id = ? AND tenant_id = ?`
	if lock {
		query += s.forUpdate()
	}
	if err := sqlx.GetContext(ctx, q, &r, q.Rebind(query), id, tenantID); err != nil {
		return nil, notFound(err, "alarm channel")
	}
	return &r, nil
}

// FindAlarmChannelByID returns a channel of the tenant, without secrets.
func (s *Store) FindAlarmChannelByID(ctx context.Context, tenantID, id string) (*jobflow.AlarmChannel, error) {
	r, err := s.getAlarmChannel(ctx, s.db, tenantID, id, false)
	if err != nil {
		return nil, err
	}
	return r.toDomain(), nil
}

// FindAlarmChannelSecrets returns a channel with its decrypted secrets, for
// the senders (run alarms and the channel test); the API never shows them.
func (s *Store) FindAlarmChannelSecrets(ctx context.Context, tenantID, id string) (*jobflow.AlarmChannel, jobflow.AlarmSecrets, error) {
	r, err := s.getAlarmChannel(ctx, s.db, tenantID, id, false)
	if err != nil {
		return nil, jobflow.AlarmSecrets{}, err
	}
	sec, err := s.decryptSecrets(r.SecretsEnc)
	if err != nil {
		return nil, jobflow.AlarmSecrets{}, err
	}
	return r.toDomain(), sec, nil
}

func (s *Store) decryptSecrets(enc string) (jobflow.AlarmSecrets, error) {
	plain, err := s.cipher.DecryptString(enc)
	if err != nil {
		return jobflow.AlarmSecrets{}, err
	}
	return jobflow.UnmarshalAlarmSecrets([]byte(plain))
}

// FindAlarmChannels lists a tenant's channels by name, without secrets.
func (s *Store) FindAlarmChannels(ctx context.Context, tenantID string, p jobflow.ListParams) ([]*jobflow.AlarmChannel, int, error) {
	rows, total, err := listTenantRows[alarmChannelRow](ctx, s, "alarm_channels", alarmChannelColumns, tenantID, p)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.AlarmChannel, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, total, nil
}

// UpdateAlarmChannel applies in to a channel of the tenant: an absent secret
// keeps its stored value (see jobflow.AlarmChannelInput).
func (s *Store) UpdateAlarmChannel(ctx context.Context, tenantID, id string, in jobflow.AlarmChannelInput) (*jobflow.AlarmChannel, error) {
	var out *jobflow.AlarmChannel
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.getAlarmChannel(ctx, tx, tenantID, id, true)
		if err != nil {
			return err
		}
		sec, err := s.decryptSecrets(r.SecretsEnc)
		if err != nil {
			return err
		}
		ch, newSec, err := in.Apply(*r.toDomain(), sec)
		if err != nil {
			return err
		}
		enc, err := s.encryptSecrets(newSec)
		if err != nil {
			return err
		}
		ch.UpdatedAt = now()
		const q = `
UPDATE alarm_channels SET name = ?, type = ?, config = ?, secrets_enc = ?, remark = ?, updated_at = ?
WHERE id = ? AND tenant_id = ?`
		_, err = tx.ExecContext(ctx, tx.Rebind(q), ch.Name, string(ch.Type), string(ch.Config), enc, ch.Remark,
			ch.UpdatedAt, id, tenantID)
		if isUniqueViolation(err) {
			return conflictf("an alarm channel named %q already exists", ch.Name)
		}
		out = ch
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAlarmChannel deletes a channel of the tenant. Alarm rules that
// still name it record a FAILED attempt when they fire, so the owner sees
// what broke; its past records stay.
func (s *Store) DeleteAlarmChannel(ctx context.Context, tenantID, id string) error {
	const q = `DELETE FROM alarm_channels WHERE id = ? AND tenant_id = ?`
	res, err := s.db.ExecContext(ctx, s.db.Rebind(q), id, tenantID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFoundf("alarm channel not found")
	}
	return nil
}

type alarmRecordRow struct {
	ID           string    `db:"id"`
	TenantID     string    `db:"tenant_id"`
	RunID        string    `db:"run_id"`
	WorkflowID   string    `db:"workflow_id"`
	ChannelID    string    `db:"channel_id"`
	JobID        string    `db:"job_id"`
	Repeat       int       `db:"repeat_no"`
	Event        string    `db:"event"`
	Status       string    `db:"status"`
	Attempt      int       `db:"attempt"`
	ResponseCode int       `db:"response_code"`
	Response     string    `db:"response"`
	Error        string    `db:"error"`
	CreatedAt    time.Time `db:"created_at"`
}

const alarmRecordColumns = `id, tenant_id, run_id, workflow_id, channel_id, event, status, attempt, response_code,
response, error, created_at, job_id, repeat_no`

// CreateAlarmRecord inserts one send attempt. A record whose id exists is
// left alone, so an activity that records and is then retried by Temporal
// with the same id writes it once.
func (s *Store) CreateAlarmRecord(ctx context.Context, r *jobflow.AlarmRecord) error {
	if r.TenantID == "" || r.Event == "" || (r.Status != jobflow.AlarmSent && r.Status != jobflow.AlarmFailed && r.Status != jobflow.AlarmSilenced) {
		return jobflow.Errorf(jobflow.EINVALID, "an alarm record needs a tenant, an event and a status SENT, FAILED or SILENCED")
	}
	if r.ID == "" {
		r.ID = jobflow.NewID(jobflow.PrefixAlarmRecord)
	}
	if r.Attempt < 1 {
		r.Attempt = 1
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now()
	}
	r.CreatedAt = dbTime(r.CreatedAt)
	r.Response = jobflow.TruncateUTF8(r.Response, jobflow.MaxAlarmResponse)
	r.Error = jobflow.TruncateUTF8(r.Error, jobflow.MaxAlarmResponse)
	const q = `INSERT INTO alarm_records (` + alarmRecordColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING`
	_, err := s.db.ExecContext(ctx, s.db.Rebind(q), r.ID, r.TenantID, r.RunID, r.WorkflowID, r.ChannelID,
		string(r.Event), string(r.Status), r.Attempt, r.ResponseCode, r.Response, r.Error, r.CreatedAt, r.JobID, r.Repeat)
	return err
}

// AlarmAlreadySent reports whether a run's event (of job jobID, "" for a
// run event) was sent to a channel already: a send retried after it
// succeeded (its worker died before reporting) is not sent twice.
func (s *Store) AlarmAlreadySent(ctx context.Context, tenantID, runID string, ev jobflow.AlarmEvent, jobID, channelID string, repeat int) (bool, error) {
	var n int
	const q = `SELECT COUNT(*) FROM alarm_records WHERE tenant_id = ? AND run_id = ? AND event = ? AND job_id = ? AND channel_id = ?
AND repeat_no = ? AND status = 'SENT'`
	err := s.db.GetContext(ctx, &n, s.db.Rebind(q), tenantID, runID, string(ev), jobID, channelID, repeat)
	return n > 0, err
}

// FindAlarmRecords lists a tenant's alarm records, oldest first (the order
// they were sent in), optionally of one run.
func (s *Store) FindAlarmRecords(ctx context.Context, tenantID, runID string, p jobflow.ListParams) ([]*jobflow.AlarmRecord, int, error) {
	if err := p.Normalize(); err != nil {
		return nil, 0, err
	}
	where, args := `tenant_id = ?`, []any{tenantID}
	if runID != "" {
		where += ` AND run_id = ?`
		args = append(args, runID)
	}
	var total int
	if err := s.db.GetContext(ctx, &total, s.db.Rebind(`SELECT COUNT(*) FROM alarm_records WHERE `+where), args...); err != nil {
		return nil, 0, err
	}
	var rows []alarmRecordRow
	q := `SELECT ` + alarmRecordColumns + ` FROM alarm_records WHERE ` + where + ` ORDER BY created_at, id LIMIT ? OFFSET ?`
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(q), append(args, p.PageSize, p.Offset())...); err != nil {
		return nil, 0, err
	}
	out := make([]*jobflow.AlarmRecord, len(rows))
	for i, r := range rows {
		out[i] = &jobflow.AlarmRecord{
			ID: r.ID, TenantID: r.TenantID, RunID: r.RunID, WorkflowID: r.WorkflowID, ChannelID: r.ChannelID, JobID: r.JobID, Repeat: r.Repeat,
			Event: jobflow.AlarmEvent(r.Event), Status: jobflow.AlarmStatus(r.Status), Attempt: r.Attempt,
			ResponseCode: r.ResponseCode, Response: r.Response, Error: r.Error, CreatedAt: r.CreatedAt.UTC(),
		}
	}
	return out, total, nil
}
