package jobtypes

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"jobflow"
)

// SQL modes.
const (
	SQLExecute = "EXECUTE"
	SQLQuery   = "QUERY"
)

// SQLConfig is the config of SQL jobs.
type SQLConfig struct {
	DatasourceID string `json:"datasourceId"`
	SQL          string `json:"sql"`
	Mode         string `json:"mode"` // EXECUTE (default) or QUERY
}

// MaxQueryRows is how many rows of a QUERY job's last statement are kept.
const MaxQueryRows = 200

// MaxQueryResultBytes bounds a QUERY result's JSON as well: it travels in
// the activity's result, which Temporal limits to a few MiB. Rows past the
// bound are dropped and the result says truncated.
const MaxQueryResultBytes = 256 << 10

type sqlType struct{}

func (sqlType) Type() jobflow.JobType { return jobflow.JobSQL }
func (sqlType) Kind() jobflow.JobKind { return jobflow.KindActivity }
func (sqlType) Defaults() any         { return SQLConfig{Mode: SQLExecute} }

// Outputs: EXECUTE sets rowsAffected (the sum); QUERY sets rowCount,
// truncated, and the first row's columns by name.
func (sqlType) Outputs() jobflow.JobOutputs {
	return jobflow.JobOutputs{Names: []string{"rowsAffected", "rowCount", "truncated"}, Free: true}
}

func (sqlType) Schema() map[string]any {
	return object(map[string]any{
		"datasourceId": str("the datasource of the tenant to run on"),
		"sql":          map[string]any{"type": "string", "description": "statements separated by ';'; variables are resolved", "maxLength": jobflow.MaxScriptBytes},
		"mode":         enum("EXECUTE reports rows affected; QUERY keeps the last statement's rows", SQLExecute, SQLExecute, SQLQuery),
	}, "datasourceId", "sql")
}

func (sqlType) Normalize(raw json.RawMessage) (any, error) {
	var c SQLConfig
	if err := jobflow.StrictUnmarshal(raw, &c); err != nil {
		return nil, err
	}
	if c.DatasourceID == "" {
		return nil, jobflow.InvalidField("config.datasourceId", "config.datasourceId is required")
	}
	if strings.TrimSpace(c.SQL) == "" {
		return nil, jobflow.InvalidField("config.sql", "config.sql is required")
	}
	if len(c.SQL) > jobflow.MaxScriptBytes {
		return nil, jobflow.InvalidField("config.sql", "config.sql must be at most %d bytes", jobflow.MaxScriptBytes)
	}
	if c.Mode == "" {
		c.Mode = SQLExecute
	}
	if c.Mode != SQLExecute && c.Mode != SQLQuery {
		return nil, jobflow.InvalidField("config.mode", "config.mode must be EXECUTE or QUERY")
	}
	return c, nil
}

// Execute runs the job's statements in order on one connection, in
// autocommit mode (a script may hold its own BEGIN … COMMIT). EXECUTE
// reports the rows affected by each statement; QUERY keeps the first
// MaxQueryRows rows of the last statement. A cancelled or timed-out job
// cancels the running statement on the server (Env.OpenSQL).
func (sqlType) Execute(ctx context.Context, env Env, job *jobflow.Job) (Outcome, error) {
	var cfg SQLConfig
	if err := decodeStored(job, &cfg); err != nil {
		return Outcome{}, err
	}
	text, err := env.Resolve("sql", cfg.SQL)
	if err != nil {
		return Outcome{}, err
	}
	src, err := env.OpenSQL(ctx, cfg.DatasourceID)
	if err != nil {
		return Outcome{}, err
	}
	ds := src.Datasource
	stmts := splitSQL(text, ds.Type)
	if len(stmts) == 0 {
		return Outcome{}, ConfigErrorf("sql holds no statement")
	}
	env.Logf("%d statement(s) on datasource %q (%s %s:%d/%s)", len(stmts), ds.Name, ds.Type, ds.Host, ds.Port, ds.Database)

	conn, closeConn, err := src.Connect(ctx)
	if err != nil {
		return Outcome{}, err
	}
	defer closeConn()

	mode := cfg.Mode
	if mode == "" {
		mode = SQLExecute
	}
	affected := make([]int64, 0, len(stmts))
	for i, stmt := range stmts {
		env.Logf("statement %d/%d: %s", i+1, len(stmts), Abbreviate(stmt, 200))
		start := time.Now()
		if mode == SQLQuery && i == len(stmts)-1 {
			res, err := queryRows(ctx, conn, stmt)
			if err != nil {
				if ctx.Err() != nil {
					return Outcome{}, ctx.Err()
				}
				return Outcome{}, Failf("statement %d of %d: %v", i+1, len(stmts), err)
			}
			more := ""
			if res.Truncated {
				more = ", more not kept"
			}
			env.Logf("statement %d/%d: %d row(s)%s in %d ms", i+1, len(stmts), len(res.Rows), more, time.Since(start).Milliseconds())
			result, err := json.Marshal(res)
			if err != nil {
				return Outcome{}, Failf("statement %d of %d: a value cannot be shown as JSON: %v", i+1, len(stmts), err)
			}
			return Outcome{Result: result, Outputs: queryOutputs(res)}, nil
		}
		r, err := conn.ExecContext(ctx, stmt)
		if err != nil {
			if ctx.Err() != nil {
				return Outcome{}, ctx.Err()
			}
			return Outcome{}, Failf("statement %d of %d: %v", i+1, len(stmts), err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			n = -1 // the driver cannot tell
		}
		affected = append(affected, n)
		env.Logf("statement %d/%d: %d row(s) affected in %d ms", i+1, len(stmts), n, time.Since(start).Milliseconds())
	}
	result, _ := json.Marshal(map[string][]int64{"rowsAffected": affected})
	var total int64
	for _, n := range affected {
		total += max(n, 0)
	}
	return Outcome{Result: result, Outputs: map[string]string{"rowsAffected": strconv.FormatInt(total, 10)}}, nil
}

// queryOutputs are a QUERY job's outputs: the first row's columns, and
// rowCount, the rows kept (truncated "true" when more were not read).
// The built-in names win over columns of the same name.
func queryOutputs(res *QueryResult) map[string]string {
	out := map[string]string{}
	if len(res.Rows) > 0 {
		for _, c := range res.Columns {
			out[c] = outputText(res.Rows[0][c])
		}
	}
	out["rowCount"] = strconv.Itoa(len(res.Rows))
	if res.Truncated {
		out["truncated"] = "true"
	}
	return out
}

// outputText shows a column value as an output: text as is, NULL as "",
// anything else as its JSON (a time as its RFC 3339 text).
func outputText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var str string
	if json.Unmarshal(b, &str) == nil {
		return str
	}
	return string(b)
}

// QueryResult is the result of a QUERY job (its node run's result).
type QueryResult struct {
	Columns   []string         `json:"columns"`
	Rows      []map[string]any `json:"rows"`
	Truncated bool             `json:"truncated"`
}

// queryRows runs stmt and keeps its first MaxQueryRows rows, as many as fit
// in MaxQueryResultBytes of JSON. Text comes back from drivers as []byte; it
// is kept as a string. When more rows follow, the statement is cancelled
// rather than read to the end.
func queryRows(ctx context.Context, conn *sql.Conn, stmt string) (*QueryResult, error) {
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := conn.QueryContext(qctx, stmt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &QueryResult{Columns: cols, Rows: []map[string]any{}}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	size := 0
	for rows.Next() {
		if len(res.Rows) == MaxQueryRows {
			res.Truncated = true
			cancel() // stop the server sending the rest
			return res, nil
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make(map[string]any, len(cols))
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				row[c] = string(b)
			} else {
				row[c] = vals[i]
			}
		}
		b, err := json.Marshal(row)
		if err != nil {
			return nil, fmt.Errorf("row %d cannot be shown as JSON: %v", len(res.Rows)+1, err)
		}
		if size += len(b) + 1; size > MaxQueryResultBytes {
			res.Truncated = true
			cancel()
			return res, nil
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// Abbreviate shows a statement on one line, cut to max bytes.
func Abbreviate(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		return string(trimPartialRune([]byte(s[:max]))) + " …"
	}
	return s
}
