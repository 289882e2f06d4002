package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"jobflow"
)

// AppendNodeLog appends chunk to the log of a node run. The log keeps its
// last bytes: once it would pass jobflow.MaxLogBytes, the head is cut and
// the log starts with jobflow.LogTruncatedMarker, the whole staying within
// MaxLogBytes. The run must exist (NOT_FOUND otherwise).
func (s *Store) AppendNodeLog(ctx context.Context, runID, jobID string, chunk []byte) error {
	if len(chunk) == 0 {
		return nil
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		const ins = `
INSERT INTO node_logs (run_id, job_id, content, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (run_id, job_id) DO NOTHING`
		if _, err := tx.ExecContext(ctx, tx.Rebind(ins), runID, jobID, []byte{}, now()); err != nil {
			if isForeignKeyViolation(err) {
				return notFoundf("run not found")
			}
			return err
		}
		var content []byte
		sel := `SELECT content FROM node_logs WHERE run_id = ? AND job_id = ?` + s.forUpdate()
		if err := tx.GetContext(ctx, &content, tx.Rebind(sel), runID, jobID); err != nil {
			return err
		}
		const upd = `UPDATE node_logs SET content = ?, updated_at = ? WHERE run_id = ? AND job_id = ?`
		_, err := tx.ExecContext(ctx, tx.Rebind(upd), appendLog(content, chunk), now(), runID, jobID)
		return err
	})
}

// appendLog returns log+chunk cut to its tail as AppendNodeLog describes.
// The cut moves forward to the start of a UTF-8 character, so the kept text
// does not begin with half a character.
func appendLog(log, chunk []byte) []byte {
	marker := []byte(jobflow.LogTruncatedMarker)
	if len(log)+len(chunk) <= jobflow.MaxLogBytes {
		return append(log, chunk...)
	}
	body := log
	if strings.HasPrefix(string(log), jobflow.LogTruncatedMarker) {
		body = log[len(marker):]
	}
	room := jobflow.MaxLogBytes - len(marker)
	all := make([]byte, 0, len(body)+len(chunk))
	all = append(append(all, body...), chunk...)
	tail := all[max(0, len(all)-room):]
	for i := 0; i < utf8.UTFMax && len(tail) > 0 && !utf8.RuneStart(tail[0]); i++ {
		tail = tail[1:]
	}
	return append(marker, tail...)
}

// FindNodeLog returns the log of a node run so far ("" before any output).
// NOT_FOUND for a run of another tenant or a job that is not a node of the run.
func (s *Store) FindNodeLog(ctx context.Context, tenantID, runID, jobID string) (string, error) {
	var ok int
	const runQ = `SELECT 1 FROM runs WHERE id = ? AND tenant_id = ?`
	if err := s.db.GetContext(ctx, &ok, s.db.Rebind(runQ), runID, tenantID); err != nil {
		return "", notFound(err, "run")
	}
	var content []byte
	const q = `SELECT content FROM node_logs WHERE run_id = ? AND job_id = ?`
	err := s.db.GetContext(ctx, &content, s.db.Rebind(q), runID, jobID)
	if err == nil {
		return string(content), nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	const nodeQ = `SELECT 1 FROM node_runs WHERE run_id = ? AND job_id = ?`
	if err := s.db.GetContext(ctx, &ok, s.db.Rebind(nodeQ), runID, jobID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", notFoundf("job %q is not a node of this run", jobID)
		}
		return "", err
	}
	return "", nil
}
