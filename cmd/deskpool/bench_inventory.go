package main

import (
	"context"
	"io"
)

// benchInventory runs the push or backfill benchmark of the shop data on a
// scratch database and a Redis database of its own, wired as deskpool
// serve is.
func benchInventory(ctx context.Context, out io.Writer, name string) error {
	m, env, err := benchMain(ctx, "invbench", "", nil)
	if err != nil {
		return err
	}
	defer env.Close()
	defer m.Close()
	if name == "push" {
		return benchPush(ctx, out, m, env, 20)
	}
	return benchBackfill(ctx, out, m, 100_000)
}
