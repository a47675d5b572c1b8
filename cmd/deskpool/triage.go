package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/deskpool/deskpool/triage"
)

// runTriage classifies JSON lines {"id","text"} from stdin with the
// built-in classifier and writes one JSON result line per input: no server,
// database or network.
func runTriage(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("triage", flag.ContinueOnError)
	version := fs.Bool("version", false, "print the model version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c := triage.Default()
	if err := triage.DefaultErr(); err != nil {
		return err
	}
	if *version {
		fmt.Fprintln(stdout, c.Version())
		return nil
	}
	return triage.RunJSONLines(stdin, stdout, c)
}
