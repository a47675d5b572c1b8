package scratch

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"time"
)

// StripeMock starts stripe-mock on free loopback ports (HTTP and HTTPS,
// never the shared defaults) and returns its HTTP URL and the function that
// stops it; for the benchmarks and the tests, which need a Stripe API.
func StripeMock() (string, func(), error) {
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		home, _ := os.UserHomeDir()
		bin = home + "/go/bin/stripe-mock"
		if _, serr := os.Stat(bin); serr != nil {
			return "", nil, fmt.Errorf("stripe-mock is not installed: go install github.com/stripe/stripe-mock@latest")
		}
	}
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	addr := regexp.MustCompile(`HTTP at address: 127\.0\.0\.1:(\d+)`)
	var seen []byte
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		chunk := make([]byte, 512)
		k, err := stdout.Read(chunk)
		seen = append(seen, chunk[:k]...)
		if m := addr.FindSubmatch(seen); m != nil {
			go io.Copy(io.Discard, stdout)
			return "http://127.0.0.1:" + string(m[1]), stop, nil
		}
		if err != nil {
			break
		}
	}
	stop()
	return "", nil, fmt.Errorf("stripe-mock did not say where it listens: %s", seen)
}
