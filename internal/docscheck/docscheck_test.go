package docscheck

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// root is the repository root, seen from this package's directory.
const root = "../.."

// maxReadmeLines keeps README.md a front door (docs/ has the rest).
const maxReadmeLines = 250

// Strings that point outside the repository: the contract used to live in
// a file beside it. Built by concatenation so that this file does not hold
// them itself.
var outside = []string{"../" + "shared", "SPEC" + " §", "SPEC" + ".md"}

// issueRef is a tracker issue number in a Go comment.
var issueRef = regexp.MustCompile(`[Ii]ssue` + ` \d+`)

func TestReadmeIsShort(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n > maxReadmeLines {
		t.Errorf("README.md has %d lines, at most %d: move reference material into docs/", n, maxReadmeLines)
	}
}

func TestLinksResolve(t *testing.T) {
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no docs/*.md found")
	}
	files := append([]string{"README.md", "CONTRIBUTING.md"}, relAll(t, docs)...)
	checked := 0
	for _, f := range files {
		text := readText(t, f)
		for _, l := range mdLinks(text) {
			checked++
			if err := resolve(f, l); err != nil {
				t.Errorf("%s: link %q: %v", f, l, err)
			}
		}
	}
	if checked < 50 {
		t.Errorf("checked only %d links; the link scanner is broken", checked)
	}
}

func TestNothingPointsOutside(t *testing.T) {
	for _, f := range trackedFiles(t) {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, s := range outside {
				if strings.Contains(line, s) {
					t.Errorf("%s:%d cites %q, outside the repository: cite a docs/ section instead", f, i+1, s)
				}
			}
		}
	}
}

func TestGoCommentsCiteNoIssue(t *testing.T) {
	fset := token.NewFileSet()
	n := 0
	for _, f := range trackedFiles(t) {
		if !strings.HasSuffix(f, ".go") {
			continue
		}
		af, err := parser.ParseFile(fset, filepath.Join(root, f), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, cg := range af.Comments {
			for _, c := range cg.List {
				if m := issueRef.FindString(c.Text); m != "" {
					t.Errorf("%s: a comment cites %q: cite a docs/ section instead", fset.Position(c.Pos()), m)
				}
			}
		}
	}
	if n < 100 {
		t.Errorf("parsed only %d Go files; git ls-files is not listing the repository", n)
	}
}

// TestScanners checks the helpers on small inputs, so a broken scanner
// cannot make the checks above pass by finding nothing.
func TestScanners(t *testing.T) {
	text := "# Title\n\nSee [a](a.md#x-y), ![i](img.png) and [web](https://example.com).\n" +
		"```\n[not](a link.md)\n## Not a heading\n```\n`[code](x.md)`\n## X, y!\n<a id=\"explicit\"></a>\n## Title\n"
	got := fmt.Sprint(mdLinks(text))
	if want := "[a.md#x-y img.png]"; got != want {
		t.Errorf("mdLinks = %s, want %s", got, want)
	}
	got = fmt.Sprint(anchors(text))
	if want := "map[explicit:true title:true title-1:true x-y:true]"; got != want {
		t.Errorf("anchors = %s, want %s", got, want)
	}
	if s := slug("Run semantics: `FlowRun` (作业流), 10,000 jobs"); s != "run-semantics-flowrun-作业流-10000-jobs" {
		t.Errorf("slug = %q", s)
	}
	if !issueRef.MatchString("(iss" + "ue 12 item 4)") {
		t.Error("issueRef misses a tracker issue number")
	}
}

// trackedFiles lists the files git tracks, without dependencies, builds,
// recorded test data and go.sum.
func trackedFiles(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		switch {
		case f == "",
			strings.HasPrefix(f, "web/node_modules/"),
			strings.HasPrefix(f, "web/dist/"),
			strings.Contains("/"+f, "/testdata/"),
			path.Base(f) == "go.sum":
			continue
		}
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			continue // deleted in the working tree
		}
		files = append(files, f)
	}
	if len(files) < 100 {
		t.Fatalf("git ls-files listed %d files", len(files))
	}
	return files
}

func relAll(t *testing.T, paths []string) []string {
	t.Helper()
	var out []string
	for _, p := range paths {
		r, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func readText(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	linkRe     = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)\)`)
	codeSpanRe = regexp.MustCompile("`[^`]*`")
	headingRe  = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	idRe       = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
)

// mdLinks returns the relative link targets of a Markdown text, outside
// fenced code blocks and code spans.
func mdLinks(text string) []string {
	var links []string
	for _, line := range proseLines(text) {
		line = codeSpanRe.ReplaceAllString(line, "")
		for _, m := range linkRe.FindAllStringSubmatch(line, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			links = append(links, target)
		}
	}
	return links
}

// proseLines returns the lines outside fenced code blocks.
func proseLines(text string) []string {
	var out []string
	fence := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fence = !fence
			continue
		}
		if !fence {
			out = append(out, line)
		}
	}
	return out
}

// anchors returns the anchors of a Markdown text: GitHub's heading slugs
// (a repeated one gets -1, -2, …) and explicit <a id="…"> anchors.
func anchors(text string) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	for _, line := range proseLines(text) {
		for _, m := range idRe.FindAllStringSubmatch(line, -1) {
			out[m[1]] = true
		}
		m := headingRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := slug(m[1])
		if k := seen[s]; k > 0 {
			out[fmt.Sprintf("%s-%d", s, k)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

// slug is GitHub's heading anchor: lower case, letters, digits, '-' and
// '_' kept, spaces turned into '-', everything else dropped.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// resolve checks that a relative link of the Markdown file from (relative
// to the repository root) names an existing file, and its #anchor a
// heading there.
func resolve(from, link string) error {
	target, anchor, _ := strings.Cut(link, "#")
	file := from
	if target != "" {
		file = path.Join(path.Dir(from), target)
		if strings.HasPrefix(file, "../") {
			return fmt.Errorf("points outside the repository")
		}
		if _, err := os.Stat(filepath.Join(root, file)); err != nil {
			return fmt.Errorf("no such file %s", file)
		}
	}
	if anchor == "" {
		return nil
	}
	if !strings.HasSuffix(file, ".md") {
		return fmt.Errorf("an anchor into %s, which is not Markdown", file)
	}
	b, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		return err
	}
	if !anchors(string(b))[anchor] {
		return fmt.Errorf("no heading or anchor #%s in %s", anchor, file)
	}
	return nil
}
