package main

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterrupt drives the built binary: SIGINT at a random moment (the
// seed is printed; DANGLE_INTERRUPT_SEED replays it) ends the soak with
// the summary, and every finding it announced ("new: …") has its crasher
// directory on disk, complete and reproducing. Exit status 1 when it
// announced any.
func TestInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("DANGLE_INTERRUPT_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d; replay: DANGLE_INTERRUPT_SEED=%d go test ./cmd/stress -run TestInterrupt", seed, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	bin := filepath.Join(t.TempDir(), "stress")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "-duration", "30s", "-workers", "2", "-seed", strconv.FormatUint(seed, 10),
		"-out", dir, "-status", "plain", "-status-every", "200ms")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var all []string
	// wait for the settings line, then a random moment of the run
	all = append(all, <-lines)
	delay := time.Duration(200+r.IntN(2300)) * time.Millisecond
	timer := time.After(delay)
	for waiting := true; waiting; {
		select {
		case l := <-lines:
			all = append(all, l)
		case <-timer:
			waiting = false
		}
	}
	t.Logf("SIGINT after %v", delay)
	cmd.Process.Signal(syscall.SIGINT)
	for l := range lines {
		all = append(all, l)
	}
	err = cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(all, "\n")
	announced := regexp.MustCompile(`(?m)^new: (.*) \(kernel [^)]*\) after [0-9,]+ programs, [0-9.]+s -> (.*)$`).FindAllStringSubmatch(text, -1)
	t.Logf("%d findings announced, exit %d", len(announced), code)
	if !strings.Contains(text, "\nstress: ") || !strings.Contains(text, "stats: ") {
		t.Errorf("no summary after SIGINT:\n%s\nstderr:\n%s", text, stderr.String())
	}
	if want := min(len(announced), 1); code != want {
		t.Errorf("exit %d with %d findings announced", code, len(announced))
	}
	for _, m := range announced {
		checkCrasher(t, m[2], m[1])
	}
}
