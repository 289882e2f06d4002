package jobtypes

import (
	"slices"
	"strings"
	"testing"

	"jobflow"
)

func TestSplitSQL(t *testing.T) {
	pg, my := jobflow.DatasourcePostgres, jobflow.DatasourceMySQL
	tests := []struct {
		name    string
		dialect jobflow.DatasourceType
		script  string
		want    []string
	}{
		{"one without semicolon", pg, "select 1", []string{"select 1"}},
		{"two", pg, "select 1; select 2;", []string{"select 1", "select 2"}},
		{"empty statements dropped", pg, " ;; select 1 ;\n ; ", []string{"select 1"}},
		{"only comments", pg, "-- nothing\n/* here */ ;", nil},
		{"semicolon in string", pg, "insert into t values ('a;b'); select 2", []string{"insert into t values ('a;b')", "select 2"}},
		{"doubled quote in string", pg, "select 'it''s; fine'; select 2", []string{"select 'it''s; fine'", "select 2"}},
		{"pg backslash is literal", pg, `select 'a\'; select 2`, []string{`select 'a\'`, "select 2"}},
		{"pg E string escapes", pg, `select E'a\'; b'; select 2`, []string{`select E'a\'; b'`, "select 2"}},
		{"identifier ending in e is no E string", pg, `select type'a\'; select 2`, []string{`select type'a\'`, "select 2"}},
		{"semicolon in quoted identifier", pg, `select 1 as "a;b"; select 2`, []string{`select 1 as "a;b"`, "select 2"}},
		{"line comment", pg, "select 1 -- a; b\n; select 2", []string{"select 1 -- a; b", "select 2"}},
		{"block comment", pg, "select /* ; */ 1; select 2", []string{"select /* ; */ 1", "select 2"}},
		{"pg nested block comment", pg, "select /* a /* ; */ ; */ 1; select 2", []string{"select /* a /* ; */ ; */ 1", "select 2"}},
		{"dollar quoted body", pg,
			"create function f() returns int as $$ begin perform 1; return 2; end $$ language plpgsql; select f()",
			[]string{"create function f() returns int as $$ begin perform 1; return 2; end $$ language plpgsql", "select f()"}},
		{"tagged dollar quote holding $$", pg,
			"do $body$ begin raise notice '$$;'; end $body$; select 1",
			[]string{"do $body$ begin raise notice '$$;'; end $body$", "select 1"}},
		{"positional parameter is no dollar quote", pg, "select $1; select 2", []string{"select $1", "select 2"}},
		{"dollar in identifier is no dollar quote", pg, "select a$b$c from t; select 2", []string{"select a$b$c from t", "select 2"}},
		{"unterminated string runs to the end", pg, "select 'a; select 2", []string{"select 'a; select 2"}},
		{"crlf", pg, "select 1;\r\nselect 2;\r\n", []string{"select 1", "select 2"}},
		{"mysql backslash escape", my, `insert into t values ('a\'; b'); select 2`, []string{`insert into t values ('a\'; b')`, "select 2"}},
		{"mysql double quoted string", my, `select "a;\"b"; select 2`, []string{`select "a;\"b"`, "select 2"}},
		{"mysql backticks", my, "select 1 as `a;b`; select 2", []string{"select 1 as `a;b`", "select 2"}},
		{"mysql hash comment", my, "select 1 # a; b\n; select 2", []string{"select 1 # a; b", "select 2"}},
		{"mysql -- needs a space", my, "select 1--1; select 2", []string{"select 1--1", "select 2"}},
		{"mysql -- comment", my, "select 1 -- x; y\n; select 2", []string{"select 1 -- x; y", "select 2"}},
		{"mysql dollars are plain", my, "select '$$'; select 2", []string{"select '$$'", "select 2"}},
		{"mysql DELIMITER", my,
			"DELIMITER //\ncreate procedure p() begin select 1; select 2; end //\nDELIMITER ;\ncall p();",
			[]string{"create procedure p() begin select 1; select 2; end", "call p()"}},
		{"delimiter word inside a statement", my, "select delimiter from t; select 2", []string{"select delimiter from t", "select 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := splitSQL(tt.script, tt.dialect)
			if !slices.Equal(got, tt.want) {
				t.Errorf("splitSQL(%q)\n got %q\nwant %q", tt.script, got, tt.want)
			}
		})
	}
}

// FuzzSplitSQL checks that splitting never panics and never invents or loses
// text: every statement is a piece of the script, in order.
func FuzzSplitSQL(f *testing.F) {
	for _, s := range []string{"select 1; select 2", "select '$$;'", "do $a$ ; $a$;", "/* /* */ ;", "DELIMITER //\nx; //", "e'\\';'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		for _, d := range []jobflow.DatasourceType{jobflow.DatasourcePostgres, jobflow.DatasourceMySQL} {
			rest := script
			for _, stmt := range splitSQL(script, d) {
				if stmt == "" {
					t.Fatalf("empty statement from %q", script)
				}
				i := strings.Index(rest, stmt)
				if i < 0 {
					t.Fatalf("statement %q is not in order in %q", stmt, script)
				}
				rest = rest[i+len(stmt):]
			}
		}
	})
}
