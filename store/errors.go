package store

import (
	"errors"
	"strings"

	"github.com/lib/pq"
	"modernc.org/sqlite"

	"jobflow"
)

// Constraint violations are recognised by code, never by message text.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"

	sqliteConstraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqliteConstraintForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
)

// isUniqueViolation reports whether err is a unique or primary key violation.
func isUniqueViolation(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == pgUniqueViolation
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintUnique || se.Code() == sqliteConstraintPrimaryKey
	}
	return false
}

// isForeignKeyViolation reports whether err is a foreign key violation.
func isForeignKeyViolation(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == pgForeignKeyViolation
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqliteConstraintForeignKey
	}
	return false
}

func notFoundf(format string, args ...any) *jobflow.Error {
	return jobflow.Errorf(jobflow.ENOTFOUND, format, args...)
}

func conflictf(format string, args ...any) *jobflow.Error {
	return jobflow.Errorf(jobflow.ECONFLICT, format, args...)
}

// likeEscaper makes %, _ and the escape character itself literal in a LIKE
// pattern that is used with ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// containsPattern is the LIKE pattern of a case-insensitive substring
// search, lower-cased to meet the lower()ed column (see searchClause).
func containsPattern(search string) string {
	return "%" + likeEscaper.Replace(strings.ToLower(search)) + "%"
}

// searchClause is the condition "one of cols contains search, ignoring
// case", with its arguments. PostgreSQL compares lower(col), which the
// trigram indexes cover; SQLite's LIKE already ignores ASCII case (and its
// lower() knows nothing else), so the column is compared as it is, which
// halves the cost of a search there.
func (s *Store) searchClause(search string, cols ...string) (string, []any) {
	pat := containsPattern(search)
	conds := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		if s.dialect == DialectPostgres {
			c = "lower(" + c + ")"
		}
		conds[i] = c + ` LIKE ? ESCAPE '\'`
		args[i] = pat
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}
