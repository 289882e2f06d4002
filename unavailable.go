package jobflow

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// IsUnavailable reports whether err says that a dependency (the store, a
// database server) could not be reached or is busy, rather than that the
// request was wrong: the caller may try again shortly. It knows the
// drivers' errors by their standard interfaces only, so the domain package
// imports no driver:
//   - network errors, refused or reset connections, a connection that died
//     mid-answer (EOF), database/sql's bad or closed connection;
//   - PostgreSQL SQLSTATE class 08 (connection exception), 57P01–57P03
//     (the server is shutting down or starting) and 53300 (too many
//     connections);
//   - SQLite's SQLITE_BUSY and SQLITE_LOCKED (another connection holds the
//     file longer than the busy timeout).
//
// An application *Error is never unavailable unless its code says so.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code == EUNAVAILABLE
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	var state interface{ SQLState() string }
	if errors.As(err, &state) {
		s := state.SQLState()
		return strings.HasPrefix(s, "08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "53300"
	}
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED and their extended codes
			return true
		}
	}
	return false
}
