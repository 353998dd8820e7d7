package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// bins are the binaries every step runs, built once (a cold start of a
// search is then the search, not the compiler).
type bins struct {
	root                              string
	stress, dangle, fuzz, bench, mini string
}

func build(c config) (bins, error) {
	root, err := os.Getwd()
	if err != nil {
		return bins{}, err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return bins{}, fmt.Errorf("run from the repository root (make bench)")
	}
	b := bins{root: root, stress: filepath.Join(c.tmp, "stress"), dangle: filepath.Join(c.tmp, "dangle"),
		fuzz: filepath.Join(c.tmp, "fuzz.test"), bench: filepath.Join(c.tmp, "bench.test"), mini: filepath.Join(c.tmp, "minimizer.test")}
	for _, args := range [][]string{
		{"build", "-o", b.stress, "./cmd/stress"},
		{"build", "-o", b.dangle, "./cmd/dangle"},
		// -fuzz: the binary carries the coverage instrumentation go test -fuzz uses
		{"test", "-c", "-fuzz", "^FuzzLifecycle$", "-o", b.fuzz, "./fuzz"},
		{"test", "-c", "-o", b.bench, "./bench"},
		{"test", "-c", "-o", b.mini, "./minimizer"},
	} {
		logf("go %s", strings.Join(args, " "))
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			return b, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return b, nil
}

func cmdOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}

// proc is a started command whose output is read line by line with the
// time each line arrived; kill ends its whole process group.
type proc struct {
	cmd   *exec.Cmd
	lines chan line
	start time.Time
}

type line struct {
	text string
	at   time.Time
}

// start runs name in dir with extra environment, stdout and stderr
// merged, in its own process group.
func start(dir string, env []string, name string, args ...string) (*proc, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	p := &proc{cmd: cmd, lines: make(chan line, 1024), start: time.Now()}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.lines <- line{sc.Text(), time.Now()}
		}
		close(p.lines)
	}()
	go func() { cmd.Wait(); w.Close() }()
	return p, nil
}

// kill ends the process group this run started (by its id).
func (p *proc) kill() {
	if p.cmd.Process != nil {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	for range p.lines {
	}
}

// runOut runs a command to completion within limit and returns its
// merged output (kill after limit).
func runOut(dir string, env []string, limit time.Duration, name string, args ...string) (string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	t := time.Now()
	err := cmd.Run()
	return buf.String(), time.Since(t), err
}

// rss is the resident set of pid in KiB (0 if unknown).
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			var n int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &n)
			return n
		}
	}
	return 0
}
