package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestHelpNamesEveryBenchmark: `deskpool help` and `deskpool bench` name
// every benchmark `deskpool bench` runs.
func TestHelpNamesEveryBenchmark(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, nil, &out); err != nil {
		t.Fatal(err)
	}
	line := ""
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "bench ") {
			line = l
		}
	}
	err := run(context.Background(), []string{"bench"}, nil, &out)
	names := []string{"auth", "ingest", "inbox", "sla", "push", "backfill", "rss"}
	for _, b := range benchmarks {
		names = append(names, b.name)
	}
	for _, name := range names {
		if !strings.Contains(line, " "+name) {
			t.Errorf("deskpool help does not name the benchmark %q: %q", name, line)
		}
		if err == nil || !strings.Contains(err.Error(), "\n  "+name+" ") {
			t.Errorf("deskpool bench does not describe %q: %v", name, err)
		}
	}
}
