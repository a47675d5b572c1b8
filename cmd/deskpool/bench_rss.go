package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool/internal/scratch"
)

// benchRSS starts 'deskpool serve' on a scratch database, waits until it is
// ready and idle, and reads its resident memory beside that of an idle Go
// process started from the same binary.
func benchRSS(ctx context.Context, out io.Writer) error {
	env, err := scratch.New("rss")
	if err != nil {
		return err
	}
	defer env.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	serve := exec.CommandContext(ctx, self, "serve", "--addr", addr, "--log-level", "warn")
	serve.Env = append(os.Environ(), "DESKPOOL_DATABASE_URL="+env.AppDSN, "DESKPOOL_SYSTEM_DATABASE_URL="+env.SystemDSN,
		"DESKPOOL_REDIS_ADDR="+env.RedisAddr, "DESKPOOL_REDIS_DB="+strconv.Itoa(env.RedisDB))
	serve.Stderr = os.Stderr
	ref := exec.CommandContext(ctx, self, "bench", "idle-reference")
	for _, c := range []*exec.Cmd{serve, ref} {
		if err := c.Start(); err != nil {
			return err
		}
		defer func(c *exec.Cmd) { c.Process.Signal(os.Interrupt); c.Wait() }(c)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil && resp.StatusCode == http.StatusOK {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("deskpool serve did not become ready: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(5 * time.Second) // idle: workers polling, reconciler ticking
	serveRSS, err := rssKiB(serve.Process.Pid)
	if err != nil {
		return err
	}
	refRSS, err := rssKiB(ref.Process.Pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bench rss: idle for 5 s after /readyz\n")
	fmt.Fprintf(out, "%-40s %8.1f MiB\n", "deskpool serve (API + workers + scheduler)", float64(serveRSS)/1024)
	fmt.Fprintf(out, "%-40s %8.1f MiB\n", "idle Go process (reference)", float64(refRSS)/1024)
	return nil
}

func rssKiB(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			return strconv.Atoi(strings.Fields(line)[1])
		}
	}
	return 0, fmt.Errorf("no VmRSS for pid %d", pid)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
