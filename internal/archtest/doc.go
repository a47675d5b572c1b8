// Package archtest holds the test that keeps the import rules of
// ARCHITECTURE.md; it has no code of its own.
package archtest
