package main

import (
	"context"
	"fmt"
	"io"
)

func runBench(ctx context.Context, args []string, out io.Writer) error {
	return fmt.Errorf("bench: not built yet")
}
