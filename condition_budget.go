package jobflow

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/vm/runtime"
)

// The run-time budget of a CONDITION expression. expr's VM counts memory
// (elements of the arrays and ranges it makes) but not steps, and does not
// look at the size of strings. So the bounded program is the expression
// with its operations routed through five functions of a per-evaluation
// meter (budgetPatcher, an expr.Patch; the unpatched expression is
// type-checked first, since the wrappers are untyped):
//
//   - the collection a predicate walks goes to _jfIter, which charges it
//     and, per element, a step per eight nodes of the predicate's body;
//   - every operand of a binary operator (but && || ?? and ..), every
//     argument of a builtin but a predicate, and every builtin's result
//     pass through _jfCharge, which charges one step plus the value's size
//     (the elements of a list or map, a step per 64 bytes of a string) and
//     refuses a string or list over the caps. The collection a predicate
//     (all, any, filter, map, reduce…) walks is an argument, so entering
//     the loop charges its whole length, and a nested loop is charged
//     again on every outer iteration: all(r, {all(r, {#>0})}) stops after
//     about ConditionStepBudget inner elements;
//   - a + b goes to _jfAdd, which checks the length of a string sum before
//     it is made;
//   - a matches p goes to _jfMatch: a pattern is at most
//     MaxConditionRegexBytes (Go's regexp is linear in the text but its
//     time and memory grow with the pattern too: a 16 KiB pattern over 64
//     KiB of text allocated 263 MB), compiled once per evaluation, and a
//     match costs a step per 64 (text byte × pattern byte) pairs;
//   - the builtins whose result can be much larger than their arguments
//     (repeat, replace, join, concat, flatten, toJSON, string) go to
//     _jfCall, which works out the result's size first and calls expr's
//     own builtin only when it fits.
//
// Without user functions or recursion, the only loops are predicates, so a
// bounded number of charges bounds the work.

const (
	fnCharge = "_jfCharge"
	fnAdd    = "_jfAdd"
	fnCall   = "_jfCall"
	fnMatch  = "_jfMatch"
	fnIter   = "_jfIter"

	budgetPrefix = "expression exceeded its budget of"
)

// parseConfig is expr's default configuration with the node limit.
func parseConfig() *conf.Config {
	c := conf.CreateNew()
	c.MaxNodes = MaxExpressionNodes
	return c
}

// guarded are the builtins routed through _jfCall.
var guarded = map[string]bool{"repeat": true, "replace": true, "join": true, "concat": true, "flatten": true, "toJSON": true, "string": true}

// unmetered are binary operators whose operands are not charged: && and
// || short-circuit on booleans, ?? on nil, and a range's bounds are
// literals (its size is charged by the VM's memory budget).
var unmetered = map[string]bool{"&&": true, "||": true, "and": true, "or": true, "??": true, "..": true}

type budgetPatcher struct{}

func (budgetPatcher) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.BinaryNode:
		if unmetered[x.Operator] {
			return
		}
		if x.Operator == "+" {
			ast.Patch(n, callNode(fnAdd, x.Left, x.Right))
			return
		}
		if x.Operator == "matches" {
			ast.Patch(n, callNode(fnMatch, x.Left, x.Right))
			return
		}
		x.Left, x.Right = chargeNode(x.Left), chargeNode(x.Right)
	case *ast.BuiltinNode:
		if guarded[x.Name] {
			args := append([]ast.Node{&ast.StringNode{Value: x.Name}}, x.Arguments...)
			ast.Patch(n, callNode(fnCall, args...))
			return
		}
		body := 0 // nodes of the predicates, if any
		for _, a := range x.Arguments {
			if p, ok := a.(*ast.PredicateNode); ok {
				body += countNodes(p)
			}
		}
		for i, a := range x.Arguments {
			switch {
			case i == 0 && body > 0:
				// The collection a predicate walks: its whole length, times
				// the size of the body (operations in the body that are not
				// charged, like member access or !, still cost).
				x.Arguments[i] = callNode(fnIter, a, &ast.IntegerNode{Value: 1 + body/8})
			case isPredicate(a): // the body: its operands are patched already
			default:
				x.Arguments[i] = chargeNode(a)
			}
		}
		ast.Patch(n, callNode(fnCharge, x))
	}
}

func isPredicate(n ast.Node) bool {
	_, ok := n.(*ast.PredicateNode)
	return ok
}

type nodeCounter struct{ n int }

func (c *nodeCounter) Visit(*ast.Node) { c.n++ }

func countNodes(n ast.Node) int {
	c := &nodeCounter{}
	ast.Walk(&n, c)
	return c.n
}

func callNode(name string, args ...ast.Node) ast.Node {
	c := &ast.CallNode{Callee: &ast.IdentifierNode{Value: name}, Arguments: args}
	if len(args) > 0 {
		c.SetLocation(args[0].Location())
		c.Callee.SetLocation(args[0].Location())
	}
	return c
}

func chargeNode(n ast.Node) ast.Node {
	switch n.(type) {
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NilNode:
		return n // a literal scalar costs nothing to read
	}
	return callNode(fnCharge, n)
}

// meter counts one evaluation's steps.
type meter struct {
	steps int
	re    map[string]*regexp.Regexp
}

// iter is _jfIter(collection, k): charges the collection, and k steps per
// element (the predicate body's size); returns the collection.
func (m *meter) iter(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%s: want 2 arguments", fnIter)
	}
	if err := m.chargeValue(args[0]); err != nil {
		return nil, err
	}
	k, _ := args[1].(int)
	n := 0
	if rv := reflect.ValueOf(args[0]); rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array || rv.Kind() == reflect.Map || rv.Kind() == reflect.String {
		n = rv.Len()
	}
	if k > 0 && n > ConditionStepBudget/k {
		return nil, m.charge(ConditionStepBudget + 1)
	}
	if err := m.charge(n * k); err != nil {
		return nil, err
	}
	return args[0], nil
}

// match is _jfMatch(text, pattern): the matches operator, metered.
func (m *meter) match(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%s: want 2 arguments", fnMatch)
	}
	if runtime.IsNil(args[0]) || runtime.IsNil(args[1]) {
		return false, m.charge(1)
	}
	p, ok := args[1].(string)
	if !ok {
		return nil, fmt.Errorf("matches: the pattern is %T, not a string", args[1])
	}
	if len(p) > MaxConditionRegexBytes {
		return nil, overBudget("%d bytes for a pattern (one of %d bytes)", MaxConditionRegexBytes, len(p))
	}
	var text []byte
	str, isStr := args[0].(string)
	if !isStr {
		b, ok := args[0].([]byte)
		if !ok {
			return nil, fmt.Errorf("matches: the text is %T, not a string", args[0])
		}
		text = b
	}
	n := len(str) + len(text)
	if err := capped(str); err != nil {
		return nil, err
	}
	re := m.re[p]
	if re == nil {
		if err := m.charge(1 + len(p)/4); err != nil {
			return nil, err
		}
		var err error
		if re, err = regexp.Compile(p); err != nil {
			return nil, err
		}
		if m.re == nil {
			m.re = map[string]*regexp.Regexp{}
		}
		m.re[p] = re
	}
	if err := m.charge(1 + (n+1)*(len(p)+1)/64); err != nil {
		return nil, err
	}
	if isStr {
		return re.MatchString(str), nil
	}
	return re.Match(text), nil
}

func overBudget(format string, args ...any) error {
	return fmt.Errorf(budgetPrefix+" "+format, args...)
}

// charge adds n steps.
func (m *meter) charge(n int) error {
	m.steps += n
	if n < 0 || m.steps > ConditionStepBudget {
		m.steps = ConditionStepBudget + 1
		return overBudget("%d steps", ConditionStepBudget)
	}
	return nil
}

// capped refuses a string or list over the caps (the value itself, not
// what it holds: a list's elements were checked when they were made).
func capped(v any) error {
	switch x := v.(type) {
	case nil, bool, int, float64:
		return nil
	case string:
		if len(x) > MaxConditionStringBytes {
			return overBudget("%d bytes for a string (one of %d bytes)", MaxConditionStringBytes, len(x))
		}
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Len() > MaxConditionListLen {
			return overBudget("%d elements for a list (one of %d)", MaxConditionListLen, rv.Len())
		}
	case reflect.Map:
		if rv.Len() > MaxConditionListLen {
			return overBudget("%d elements for a map (one of %d)", MaxConditionListLen, rv.Len())
		}
	case reflect.String:
		return capped(rv.String())
	}
	return nil
}

// cost is what reading v costs: a step per element of a list or map, at
// every level (== and in compare deeply), and per 64 bytes of a string. It
// stops counting past limit: the sum only grows, so whether it passes the
// limit does not depend on a map's order.
func cost(v any, limit int) int {
	switch x := v.(type) {
	case nil, bool, int, float64:
		return 0
	case string:
		return len(x) / conditionStringUnit
	case []int:
		return len(x)
	case []float64:
		return len(x)
	case []string:
		n := len(x)
		for _, s := range x {
			if n += len(s) / conditionStringUnit; n > limit {
				return n
			}
		}
		return n
	case []any:
		n := len(x)
		for _, e := range x {
			if n += cost(e, limit-n); n > limit {
				return n
			}
		}
		return n
	case map[string]any:
		n := len(x)
		for _, e := range x {
			if n += cost(e, limit-n); n > limit {
				return n
			}
		}
		return n
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.Len() / conditionStringUnit
	case reflect.Slice, reflect.Array:
		n := rv.Len()
		for i := 0; i < rv.Len() && n <= limit; i++ {
			n += cost(rv.Index(i).Interface(), limit-n)
		}
		return n
	case reflect.Map:
		n := rv.Len()
		it := rv.MapRange()
		for it.Next() && n <= limit {
			n += cost(it.Value().Interface(), limit-n)
		}
		return n
	}
	return 0
}

// chargeValue charges one step plus what reading v costs.
func (m *meter) chargeValue(v any) error {
	if err := capped(v); err != nil {
		return err
	}
	return m.charge(1 + cost(v, ConditionStepBudget-m.steps))
}

// chargeFn is _jfCharge(v): charges v; returns it.
func (m *meter) chargeFn(args ...any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("%s: want 1 argument", fnCharge)
	}
	if err := m.chargeValue(args[0]); err != nil {
		return nil, err
	}
	return args[0], nil
}

// asInt is a number argument as an int, as expr's runtime.ToInt reads it.
func asInt(v any) (int, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u := rv.Uint()
		if u > uint64(math.MaxInt) {
			return math.MaxInt, true
		}
		return int(u), true
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f > float64(math.MaxInt/2) {
			return math.MaxInt / 2, true
		}
		return int(f), true
	}
	return 0, false
}

// add is _jfAdd(a, b): a + b, a string sum checked before it is made.
func (m *meter) add(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%s: want 2 arguments", fnAdd)
	}
	a, b := args[0], args[1]
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			if n := len(sa) + len(sb); n > MaxConditionStringBytes {
				return nil, overBudget("%d bytes for a string (the sum would be %d bytes)", MaxConditionStringBytes, n)
			}
			if err := m.charge(1 + (len(sa)+len(sb))/conditionStringUnit); err != nil {
				return nil, err
			}
			return sa + sb, nil
		}
	}
	for _, v := range args {
		if err := m.chargeValue(v); err != nil {
			return nil, err
		}
	}
	return runtime.Add(a, b), nil
}

// call is _jfCall(name, args…): a builtin whose result may be large,
// called when its worked-out size fits.
func (m *meter) call(args ...any) (any, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("%s: no builtin", fnCall)
	}
	name, _ := args[0].(string)
	args = args[1:]
	for _, a := range args {
		if err := m.chargeValue(a); err != nil {
			return nil, err
		}
	}
	bytes, elems := 0, 0 // the result's size, when known before
	str := func(i int) string {
		if i < len(args) {
			s, _ := args[i].(string)
			return s
		}
		return ""
	}
	switch name {
	case "repeat":
		s := str(0)
		n, ok := 0, false
		if len(args) > 1 {
			n, ok = asInt(args[1])
		}
		if ok && n > 0 && len(s) > 0 {
			if n > MaxConditionStringBytes/len(s) {
				return nil, overBudget("%d bytes for a string (repeat would make %d × %d bytes)", MaxConditionStringBytes, n, len(s))
			}
			bytes = n * len(s)
		}
	case "replace":
		s, old, repl := str(0), str(1), str(2)
		k := strings.Count(s, old) // len(s)+1 when old is ""
		if len(args) == 4 {
			if lim, ok := asInt(args[3]); ok && lim >= 0 && lim < k {
				k = lim
			}
		}
		bytes = len(s) + k*(len(repl)-len(old))
		if k > 0 && len(repl) > len(old) && (len(repl)-len(old)) > (MaxConditionStringBytes-len(s))/k {
			return nil, overBudget("%d bytes for a string (replace would make more)", MaxConditionStringBytes)
		}
	case "join":
		if len(args) >= 1 {
			var err error
			if bytes, err = deepBytes(args[0]); err != nil {
				return nil, err
			}
			rv := reflect.ValueOf(args[0])
			if (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array) && rv.Len() > 1 {
				bytes += (rv.Len() - 1) * len(str(1))
			}
		}
	case "concat":
		for _, a := range args {
			rv := reflect.ValueOf(a)
			if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
				elems += rv.Len()
			}
		}
	case "flatten":
		if len(args) == 1 {
			var err error
			if elems, err = deepElems(args[0], 0); err != nil {
				return nil, err
			}
		}
	case "toJSON", "string":
		if len(args) == 1 {
			var err error
			if bytes, err = deepBytes(args[0]); err != nil {
				return nil, err
			}
			bytes *= 2 // quotes, escapes, indentation: a bound, not the exact size
		}
	default:
		return nil, fmt.Errorf("%s: %s is not guarded", fnCall, name)
	}
	if bytes > MaxConditionStringBytes {
		return nil, overBudget("%d bytes for a string (%s would make about %d)", MaxConditionStringBytes, name, bytes)
	}
	if elems > MaxConditionListLen {
		return nil, overBudget("%d elements for a list (%s would make %d)", MaxConditionListLen, name, elems)
	}
	if err := m.charge(1 + bytes/conditionStringUnit + elems); err != nil {
		return nil, err
	}
	f := builtin.Builtins[builtin.Index[name]]
	var out any
	var err error
	switch {
	case f.Func != nil:
		out, err = f.Func(args...)
	case f.Safe != nil:
		out, _, err = f.Safe(args...)
	case f.Fast != nil && len(args) == 1:
		out = f.Fast(args[0])
	default:
		err = fmt.Errorf("%s: cannot call %s", fnCall, name)
	}
	if err != nil {
		return nil, err
	}
	return m.chargeFn(out)
}

var errTooBig = errors.New("too big")

// deepBytes bounds the bytes of v's strings plus a few per element,
// stopping past the string cap (the sum only grows, so whether it passes
// the cap does not depend on a map's order).
func deepBytes(v any) (int, error) {
	total := 0
	var walk func(v reflect.Value, depth int) error
	walk = func(v reflect.Value, depth int) error {
		if depth > 100 {
			return overBudget("%d levels of nesting in a value", 100)
		}
		total += 4
		if total > MaxConditionStringBytes {
			return errTooBig
		}
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if !v.IsNil() {
				return walk(v.Elem(), depth+1)
			}
		case reflect.String:
			total += v.Len()
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len(); i++ {
				if err := walk(v.Index(i), depth+1); err != nil {
					return err
				}
			}
		case reflect.Map:
			it := v.MapRange()
			for it.Next() {
				if err := walk(it.Key(), depth+1); err != nil {
					return err
				}
				if err := walk(it.Value(), depth+1); err != nil {
					return err
				}
			}
		default:
			total += 24 // a number, a bool, a time
		}
		if total > MaxConditionStringBytes {
			return errTooBig
		}
		return nil
	}
	if err := walk(reflect.ValueOf(v), 0); err != nil {
		if err == errTooBig {
			return MaxConditionStringBytes + 1, nil
		}
		return 0, err
	}
	return total, nil
}

// deepElems counts the leaves flatten would make, stopping past the cap.
func deepElems(v any, depth int) (int, error) {
	if depth > 100 {
		return 0, overBudget("%d levels of nesting in a value", 100)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return 1, nil
	}
	n := 0
	for i := 0; i < rv.Len(); i++ {
		k, err := deepElems(rv.Index(i).Interface(), depth+1)
		if err != nil {
			return 0, err
		}
		n += k
		if n > MaxConditionListLen {
			return n, nil
		}
	}
	return n, nil
}
