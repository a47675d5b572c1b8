// Command deskpool is the deskpool binary: the API, the workers and the
// scheduler (together with `serve`), migrations, set-up, the offline triage
// tool and benchmarks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// usage is the text of `deskpool help`.
var usage = fmt.Sprintf(`deskpool: the pooled customer-service back end

Usage: deskpool <command> [flags]

Commands:
  serve     API, workers and scheduler in one process (the default)
  api       the HTTP API only
  worker    task workers, scheduler and outbox reconciler only
  migrate   apply database migrations (as the owner role)
  setup     create roles, database and migrations; --demo adds a demo workspace
  triage    classify JSON lines {"id","text"} from stdin to stdout, offline
  bench     run a benchmark, one of: %s
  billing   billing status: workspaces by plan and state, past due first
  version   print the version

Every flag can also be set as a DESKPOOL_* environment variable; run
'deskpool <command> -h' for the list.
`, benchNames())

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "deskpool:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve", "api", "worker":
		return runServer(ctx, cmd, args)
	case "migrate":
		return runMigrate(ctx, args)
	case "setup":
		return runSetup(ctx, args, stdout)
	case "triage":
		return runTriage(args, stdin, stdout)
	case "bench":
		return runBench(ctx, args, stdout)
	case "billing":
		return runBilling(ctx, args, stdout)
	case "version":
		fmt.Fprintln(stdout, "deskpool", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

var version = "dev"
