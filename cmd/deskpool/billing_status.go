package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/postgres"
)

// runBilling runs an operator command on billing: `billing status` lists
// workspaces by plan and state, past due ones first.
func runBilling(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "status" {
		return fmt.Errorf("usage: deskpool billing status [--limit N]")
	}
	var limit int
	cfg, _, err := loadWith("billing status", args[1:], func(fs *flagSet) { fs.IntVar(&limit, "limit", 1000, "workspaces to list at most") })
	if err != nil {
		return err
	}
	sysdb, err := postgres.OpenDB(cfg.SystemDatabaseURL, 2)
	if err != nil {
		return err
	}
	defer func() {
		if s, err := sysdb.DB(); err == nil {
			s.Close()
		}
	}()
	rows, err := billing.NewService(nil, sysdb, nil, cfg.Billing, nil).Statuses(ctx, limit)
	if err != nil {
		return err
	}
	return printStatuses(out, rows)
}

func printStatuses(out io.Writer, rows []billing.WorkspaceStatus) error {
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "WORKSPACE\tPLAN\tSUBSCRIBED\tSTATE\tGRACE UNTIL\tPERIOD END\tCUSTOMER")
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	for _, r := range rows {
		cus := r.CustomerID
		if cus == "" {
			cus = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Slug, r.Plan, r.Subscribed, r.Status, day(r.GraceUntil), day(r.PeriodEnd), cus)
	}
	return w.Flush()
}
