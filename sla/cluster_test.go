package sla_test

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
)

// startCluster starts a Redis Cluster of three masters on loopback ports
// and returns their addresses; it skips the test when that cannot be done.
func startCluster(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	base := 20000 + rand.IntN(20000)
	var addrs []string
	for i := range 3 {
		port := base + i
		for _, p := range []int{port, port + 10000} { // the cluster bus listens 10000 above
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				t.Skipf("port %d is taken: %v", p, err)
			}
			ln.Close()
		}
		dir := t.TempDir()
		cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
			"--cluster-config-file", dir+"/nodes.conf", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no")
		if err := cmd.Start(); err != nil {
			t.Skipf("start redis-server: %v", err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", port))
	}
	for _, a := range addrs {
		ok := false
		for range 50 {
			if out, err := exec.Command("redis-cli", "-u", "redis://"+a, "ping").Output(); err == nil && strings.TrimSpace(string(out)) == "PONG" {
				ok = true
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !ok {
			t.Skipf("redis-server at %s did not answer", a)
		}
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	if out, err := exec.Command("redis-cli", append(args, "--cluster-replicas", "0", "--cluster-yes")...).CombinedOutput(); err != nil {
		t.Skipf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for range 100 {
		out, _ := exec.Command("redis-cli", "-u", "redis://"+addrs[0], "cluster", "info").Output()
		if strings.Contains(string(out), "cluster_state:ok") {
			return addrs
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Skip("the cluster never reached cluster_state:ok")
	return nil
}

func TestBreachOnRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster")
	}
	addrs := startCluster(t)
	f := newFixture(t, jobs.RedisConfig{ClusterAddrs: addrs})
	f.startWorker(t, f.svc)
	f.policy(t, 2, 60, 3600)
	in := f.ingest(t, "cluster")
	waitFor(t, 5*time.Second, "breach on the cluster", func() bool {
		_, _, breached, _ := timer(t, in.ConversationID, sla.MetricFirstResponse)
		return breached != nil
	})
	_, _, _, late := timer(t, in.ConversationID, sla.MetricFirstResponse)
	if *late >= 1000 {
		t.Fatalf("breached %d ms late on the cluster, want within a second", *late)
	}
	if n := count(t, `SELECT count(*) FROM sla_breaches WHERE conversation_id = ?`, in.ConversationID); n != 1 {
		t.Fatalf("%d breaches, want 1", n)
	}
}
