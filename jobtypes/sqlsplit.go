package jobtypes

import (
	"strings"

	"jobflow"
)

// splitSQL splits a script into statements at the delimiter (";" unless a
// MySQL DELIMITER line changes it), but never inside a quoted string, a
// quoted identifier, a comment or a PostgreSQL dollar-quoted body, so that a
// function body or a string holding a semicolon stays one statement.
// Statements holding nothing but whitespace and comments are dropped.
//
// The dialect decides the lexical rules:
//   - POSTGRES: '…' (a doubled quote escapes; E'…' also backslashes), "…",
//     $$…$$ and $tag$…$tag$, -- comments, nested /* */ comments.
//   - MYSQL: '…' and "…" (backslash and doubled-quote escapes), `…`,
//     "-- " and # comments, /* */ comments, and the mysql client's
//     DELIMITER command for procedure bodies.
func splitSQL(script string, dialect jobflow.DatasourceType) []string {
	mysql := dialect == jobflow.DatasourceMySQL
	var (
		out     []string
		start   = 0     // start of the current statement
		hasCode = false // the current statement holds more than comments
		delim   = ";"
		n       = len(script)
	)
	flush := func(end int) {
		if hasCode {
			if s := strings.TrimSpace(script[start:end]); s != "" {
				out = append(out, s)
			}
		}
		hasCode = false
	}
	for i := 0; i < n; {
		c := script[i]

		// The mysql client's DELIMITER command: a line of its own, outside any statement text.
		if mysql && !hasCode && atLineStart(script, i) && hasWordPrefix(script[i:], "delimiter") {
			end := strings.IndexByte(script[i:], '\n')
			if end < 0 {
				end = n
			} else {
				end += i
			}
			fields := strings.Fields(script[i:end])
			if len(fields) == 2 {
				delim = fields[1]
				i = end
				start = i
				continue
			}
		}

		switch {
		case strings.HasPrefix(script[i:], delim):
			flush(i)
			i += len(delim)
			start = i
			continue
		case c == '\'':
			backslash := mysql || isEscapeStringPrefix(script, i)
			i = skipQuoted(script, i, '\'', backslash)
		case c == '"':
			i = skipQuoted(script, i, '"', mysql)
		case c == '`' && mysql:
			i = skipQuoted(script, i, '`', false)
		case c == '-' && i+1 < n && script[i+1] == '-' && (!mysql || i+2 == n || isSpace(script[i+2])):
			i = skipLine(script, i)
			continue // a comment is not code
		case c == '#' && mysql:
			i = skipLine(script, i)
			continue
		case c == '/' && i+1 < n && script[i+1] == '*':
			i = skipBlockComment(script, i, !mysql)
			continue
		case c == '$' && !mysql:
			if tag, ok := dollarTag(script, i); ok {
				end := strings.Index(script[i+len(tag):], tag)
				if end < 0 {
					i = n
				} else {
					i += len(tag) + end + len(tag)
				}
			} else {
				i++
			}
		default:
			i++
		}
		if !isSpace(c) {
			hasCode = true
		}
	}
	flush(n)
	return out
}

// skipQuoted returns the index after the quoted run starting at i. A doubled
// quote is an escaped quote; with backslash, \x escapes x as well. An
// unterminated quote runs to the end (the database reports the error).
func skipQuoted(s string, i int, q byte, backslash bool) int {
	for j := i + 1; j < len(s); j++ {
		switch {
		case backslash && s[j] == '\\':
			j++
		case s[j] == q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func skipLine(s string, i int) int {
	if end := strings.IndexByte(s[i:], '\n'); end >= 0 {
		return i + end + 1
	}
	return len(s)
}

// skipBlockComment skips /* … */; PostgreSQL nests block comments, MySQL does not.
func skipBlockComment(s string, i int, nested bool) int {
	depth := 0
	for j := i; j+1 < len(s); j++ {
		switch {
		case s[j] == '/' && s[j+1] == '*':
			if depth == 0 || nested {
				depth++
			}
			j++
		case s[j] == '*' && s[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(s)
}

// dollarTag returns the opening tag ($$ or $name$) of a dollar-quoted string
// starting at i. A $ inside an identifier (a$b) or before a digit ($1) opens none.
func dollarTag(s string, i int) (string, bool) {
	if i > 0 && isIdentChar(s[i-1]) {
		return "", false
	}
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[i : j+1], true
		}
		if !(isIdentChar(c) && !(j == i+1 && c >= '0' && c <= '9')) {
			return "", false
		}
	}
	return "", false
}

// isEscapeStringPrefix reports whether the quote at i opens a PostgreSQL E'…' string.
func isEscapeStringPrefix(s string, i int) bool {
	if i == 0 || (s[i-1] != 'E' && s[i-1] != 'e') {
		return false
	}
	return i == 1 || !isIdentChar(s[i-2])
}

func atLineStart(s string, i int) bool {
	for j := i - 1; j >= 0; j-- {
		if s[j] == '\n' {
			return true
		}
		if !isSpace(s[j]) {
			return false
		}
	}
	return true
}

func hasWordPrefix(s, word string) bool {
	return len(s) > len(word) && strings.EqualFold(s[:len(word)], word) && isSpace(s[len(word)])
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
