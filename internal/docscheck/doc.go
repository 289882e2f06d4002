// Package docscheck holds the test that keeps the documentation a front
// door with docs/ behind it (CONTRIBUTING.md): README.md stays short, every
// relative link and anchor in README.md, CONTRIBUTING.md and docs/*.md
// resolves, and nothing in the repository cites material outside it (the
// contract is docs/contract.md) or a tracker issue number.
package docscheck
