package jobflow

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// doublingBomb is the reported let-chain: 16 bytes doubled 26 times, 1 GiB.
func doublingBomb() string {
	var b strings.Builder
	b.WriteString(`let a0="aaaaaaaaaaaaaaaa"; `)
	for i := 1; i <= 26; i++ {
		fmt.Fprintf(&b, "let a%d=a%d+a%d; ", i, i-1, i-1)
	}
	b.WriteString("len(a26)>0")
	return b.String()
}

// paramGrowth doubles a parameter's value 20 times.
func paramGrowth() string {
	var b strings.Builder
	b.WriteString(`let a0=params.mode; `)
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "let a%d=a%d+a%d; ", i, i-1, i-1)
	}
	b.WriteString("len(a20)>0")
	return b.String()
}

// The reported nested-predicate bomb, refused on save for its range.
const nestedRangeBomb = `let r=1..25000; all(r,{all(r,{#>0})})`

// budgetBombs compile (they are within the compile-time limits) and must
// fail at run time with the budget error.
var budgetBombs = map[string]string{
	"Doubling":            doublingBomb(),
	"DoublingToSize":      `let a0="aaaaaaaaaaaaaaaa"; let a1=a0+a0; let a2=a1+a1; let a3=a2+a2; let a4=a3+a3; let a5=a4+a4; let a6=a5+a5; let a7=a6+a6; let a8=a7+a7; let a9=a8+a8; let a10=a9+a9; let a11=a10+a10; let a12=a11+a11; let a13=a12+a12; let a14=a13+a13; let a15=a14+a14; let a16=a15+a15; let a17=a16+a16; let a18=a17+a17; let a19=a18+a18; let a20=a19+a19; let a21=a20+a20; let a22=a21+a21; let a23=a22+a22; let a24=a23+a23; let a25=a24+a24; let a26=a25+a25; let a27=a26+a26; let a28=a27+a27; let a29=a28+a28; let a30=a29+a29; len(a30)>0`,
	"NestedAll10k":        `let r=1..10000; all(r,{all(r,{#>0})})`,
	"NestedAnyFilterMap":  `let r=1..10000; any(r,{len(filter(r,{# > 0})) == len(map(r,{# * 2})) + 1})`,
	"TripleNested":        `let r=1..1000; all(r,{all(r,{all(r,{#>0})})})`,
	"InInsideLoop":        `let r=1..10000; all(r,{# in r})`,
	"RepeatRepeat":        `let a=repeat("a", 1000); let b=repeat(a, 1000); len(b)>0`,
	"RepeatChain":         `let a0=repeat("aaaaaaaaaaaaaaaa", 16); let a1=repeat(a0, 16); let a2=repeat(a1, 16); let a3=repeat(a2, 16); let a4=repeat(a3, 16); len(a4)>0`,
	"ReplaceGrowth":       `let s=repeat("a", 4000); len(replace(s, "", s))>0`,
	"ReduceGrowth":        `reduce(1..10000, #acc + "xxxxxxxxxxxxxxxx", "") != ""`,
	"JoinOfShared":        `let s=repeat("a", 60000); len(join(map(1..10000, {s}), "")) > 0`,
	"ToJSONOfShared":      `let s=repeat("a", 60000); len(toJSON(map(1..10000, {s}))) > 0`,
	"StringOfShared":      `let s=repeat("a", 60000); len(string(map(1..10000, {s}))) > 0`,
	"ConcatLists":         `let l=map(1..10000, #); len(concat(l, l, l)) > 0`,
	"RangesInLoop":        `all(1..10000, {len(1..10000) > 0})`,
	"SortInLoop":          `let r=1..10000; all(r, {len(sort(r)) > 0})`,
	"SplitInLoop":         `let s=repeat("a,", 5000); all(1..10000, {len(split(s, ",")) > 0})`,
	"CompareBigStrings":   `let s=repeat("a", 200000); let t=repeat("a", 200000); all(1..10000, {s == t})`,
	"UpperInLoop":         `let s=repeat("a", 200000); all(1..10000, {upper(s) != ""})`,
	"FromJSONInLoop":      `let s=toJSON(1..2000); all(1..10000, {len(fromJSON(s)) > 0})`,
	"DeepEqualInLoop":     `let l=[map(1..10000, #)]; all(1..10000, {l == l})`,
	"RepeatFloatParam":    `repeat(repeat("ab", 1000), params.big) != ""`,
	"RegexBuilt":          `let p=repeat("(a|aa)", 2000); let s=repeat("a", 65536); s matches p`,
	"RegexInLoop":         `let s=repeat("a", 16384); all(1..10000, {not (s matches "(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)(a|aa)b")})`,
	"UnchargedOpsInLoop":  "let r=1..10000; all(r, {all(r, {" + strings.Repeat("!", 120) + "true && $env.params.mode.a?.b?.c?.d == nil})})",
	"UnchargedOpsInLoop2": "let r=1..1000; all(r, {all(r, {" + strings.Repeat("!", 20) + "true})})",
	"JoinTwoBig":          `let s=repeat("a", 200000); len(join([s, s], "")) > 0`,
	"ToJSONTwoBig":        `let s=repeat("a", 200000); len(toJSON([s, s])) > 0`,
	"StringTwoBig":        `let s=repeat("a", 200000); len(string([s, s])) > 0`,
	"ConcatTwoBig":        `let l=map(1..6000, #); len(concat(l, l)) > 0`,
	"ParamGrowth":         paramGrowth(),
	"DeepArrays":          strings.Repeat("[", 120) + strings.Repeat("]", 120) + ` != nil && reduce(1..10000, {concat(#acc, [#])}, []) != nil`,
}

// memProbe is the process's peak RSS (VmHWM) and Go's cumulative bytes
// allocated.
type memProbe struct {
	hwm   int64 // bytes
	alloc uint64
}

func probeMem(t *testing.T) memProbe {
	t.Helper()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	p := memProbe{alloc: m.TotalAlloc}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			p.hwm = kb << 10
		}
	}
	return p
}

const maxBombGrowth = 64 << 20

var env3 = func() (map[string]string, map[string]string, map[string]map[string]string) {
	return map[string]string{"mode": "full", "big": "1e6"}, map[string]string{"region": "cn"}, map[string]map[string]string{"check": {"rowCount": "3"}}
}

// TestConditionBudget_Bombs: every bomb compiles (it is within the
// compile-time limits) and fails at run time with "expression exceeded its
// budget of …", in milliseconds, with the same error on a second run (as
// on replay), and the process's peak RSS and its allocations grow by less
// than 64 MiB.
func TestConditionBudget_Bombs(t *testing.T) {
	params, global, outputs := env3()
	for name, src := range budgetBombs {
		t.Run(name, func(t *testing.T) {
			c, err := CompileCondition(src)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			runtime.GC()
			before := probeMem(t)
			start := time.Now()
			_, err = c.Eval(params, global, outputs)
			took := time.Since(start)
			after := probeMem(t)
			if err == nil || !strings.Contains(err.Error(), "expression exceeded its budget of") {
				t.Fatalf("err = %v, want the budget error", err)
			}
			t.Logf("%s: %v; %v, RSS peak +%d KiB, allocated %d KiB", name, firstLine(err), took, (after.hwm-before.hwm)>>10, (after.alloc-before.alloc)>>10)
			if took > 2*time.Second {
				t.Errorf("took %v", took)
			}
			if after.hwm-before.hwm > maxBombGrowth || after.alloc-before.alloc > maxBombGrowth {
				t.Errorf("memory grew: RSS peak +%d B, allocated %d B", after.hwm-before.hwm, after.alloc-before.alloc)
			}
			_, err2 := c.Eval(params, global, outputs)
			if err2 == nil || err2.Error() != err.Error() {
				t.Errorf("second evaluation: %v, want the same error %v", err2, err)
			}
		})
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// TestConditionBudget_SameResults: within the budget, the bounded program
// gives what the unbounded one gave.
func TestConditionBudget_SameResults(t *testing.T) {
	params := map[string]string{"mode": "full", "n": "3", "list": `["a","b"]`, "f": "2.5", "rows": `[{"x":1},{"x":2}]`}
	outputs := map[string]map[string]string{"check": {"rowCount": "4", "body": `{"ok":true,"rows":[1,2,3]}`}}
	for _, src := range []string{
		`outputs.check.rowCount > 0 && params.mode == "full"`,
		`outputs["check"].rowCount + params.n == 7`,
		`len(filter(1..10, {# % 2 == 0})) == 5`,
		`sum(map(1..100, # * 2)) == 10100`,
		`"a" + params.mode + "b" == "afullb"`,
		`upper(params.mode) == "FULL" && params.mode startsWith "f" && params.mode contains "ul"`,
		`fromJSON(outputs.check.body).ok && len(fromJSON(outputs.check.body).rows) == 3`,
		`fromJSON(params.list)[1] == "b"`,
		`len(split("a,b,c", ",")) == 3 && join(split("a,b,c", ","), "-") == "a-b-c"`,
		`sortBy([3,1,2], #)[0] == 1 && sort([3,1,2])[2] == 3`,
		`params.mode in ["full","delta"] && !(params.mode in ["x"])`,
		`max(1, 2, params.n) == 3 && min(params.n, 9) == 3 && abs(-params.n) == 3`,
		`params.n ** 2 == 9 && params.f * 2 == 5.0 && params.n / 2 == 1.5 && params.n % 2 == 1`,
		`int("4") + 1 == 5 && float("1.5") > 1 && string(12) == "12"`,
		`findIndex([1,2,3], # == 2) == 1 && find([1,2,3], # > 1) == 2`,
		`count(1..100, # > 50) == 50 && one([1,2], # == 2) && none([1,2], # > 5)`,
		`first([1,2]) == 1 && last([1,2]) == 2 && 1..3 == [1,2,3]`,
		`params.mode matches "^f" && params.mode[0:2] == "fu" && not (params.mode matches "x") && all(1..100, {params.mode matches "u"})`,
		`(params.missing ?? "d") == "d" && (params.n > 2 ? "a" : "b") == "a"`,
		`len(concat([1],[2,3])) == 3 && len(flatten([[1],[2,[3]]])) == 3`,
		`repeat("ab", 3) == "ababab" && replace("aXbX", "X", "-") == "a-b-" && trim("  x ") == "x"`,
		`toJSON({"a": 1}) contains "\"a\": 1" && toBase64("hi") == "aGk="`,
		`reduce(1..5, #acc + #, 0) == 15 && mean([1,2,3]) == 2 && median([1,5,3]) == 3`,
		`let x = params.n * 2; let y = x + 1; y == 7`,
		`uniq([1,1,2]) == [1,2] && reverse([1,2]) == [2,1] && take([1,2,3], 2) == [1,2]`,
		`indexOf("hello", "l") == 2 && lastIndexOf("hello", "l") == 3 && hasPrefix("abc", "a")`,
		`{"a": params.n}.a == 3 && get({"a": 1}, "b") == nil`,
		`outputs.check.rowCount > 10`,
		`params.mode == "delta"`,

		`params?.mode == "full"`, `(params.nope?.x ?? 1) == 1`, `(if params.n > 2 { "a" } else { "b" }) == "a"`,
		`(1..5 | filter(# > 2) | map(# * 2) | sum()) == 24`, `all(map([5,6], #index), # < 2)`, `len($env.params) == 5`, `$env["params"].mode == "full"`,
		`{"a": 1, "b": [1,2]}.b[1] == 2`, `not ("x" in ["a"])`, `"z" not in ["a"]`, `params.mode contains "ul" && params.mode startsWith "f" && params.mode endsWith "l"`,
		`2 in 1..3`, `[1,2,3][1:] == [2,3]`, `params.mode[1:] == "ull"`, `sortBy(fromJSON(params.rows), .x, "desc")[0].x == 2`, `reduce([1,2], #acc + #, 0) == 3`,
		`sum([1,2], # * 2) == 6`, `count([true, false]) == 1`, `findLast([1,2,3], # < 3) == 2`, `findLastIndex([1,2,3], # < 3) == 1`, `map([1,2], let y = # * 2; y)[1] == 4`,
		`string(1.5) == "1.5"`, `type(1) == "int"`, `duration("1h") > duration("1m")`, `fromPairs([["a", 1]]).a == 1`, `get(params, "mode") == "full"`,
		`uniq([1,1]) == [1]`, `bitand(3, 1) == 1`, `round(2.5) == 3 && ceil(1.2) == 2 && floor(1.8) == 1`, `max([1,5]) == 5 && min([1,5]) == 1`,
		`take([1,2,3], 2) == [1,2] && first([]) == nil`, `trimPrefix("ab", "a") == "b" && trimSuffix("ab", "b") == "a" && hasSuffix("ab", "b")`,
		`splitAfter("a,b", ",")[0] == "a," && fromBase64(toBase64("x")) == "x"`, `all(fromJSON(params.rows), .x > 0)`, `any(fromJSON(params.rows), {.x == 2})`,
		`one(1..3, # == 2) && none(1..3, # > 5)`, `-params.n == -3 && +params.n == 3`, `!false && not false`, `1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 1 != 2`,
		`"a" < "b"`, `params.n ^ 2 == 9`, `7 % 3 == 1`, `10 / 4 == 2.5`, `b"abc" matches "b"`, `params.mode == "full" ? true : false`, `len("héllo") == 5`,
		`abs(-1.5) == 1.5`, `int(params.n) + float("0.5") == 3.5`, `len(toJSON(fromJSON(params.rows))) > 0`, `join(["a","b"]) == "ab"`, `repeat("x", 0) == ""`,
		`replace("aaa", "a", "b", 2) == "bba"`, `let f = 1..3; f[0] == 1`, `map(1..3, {# * 2})[2] == 6 && filter(1..3, # > 1)[0] == 2`,
	} {
		p, err := CompileConditionV0(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		want, werr := EvalConditionV0(p, params, nil, outputs)
		c, err := CompileCondition(src)
		if err != nil {
			t.Fatalf("%s: bounded compile: %v", src, err)
		}
		got, gerr := c.Eval(params, nil, outputs)
		if got != want || (werr == nil) != (gerr == nil) {
			t.Errorf("%s: bounded %v %v, unbounded %v %v", src, got, gerr, want, werr)
		}
	}
}
