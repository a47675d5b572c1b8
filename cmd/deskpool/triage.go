package main

import (
	"fmt"
	"io"
)

// runTriage classifies JSON lines from stdin with the built-in classifier.
func runTriage(args []string, stdin io.Reader, stdout io.Writer) error {
	return fmt.Errorf("triage: not built yet")
}
