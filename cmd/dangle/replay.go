package main

import (
	"os"
	"path/filepath"
	"strings"
)

// replayCommand is the command line that reruns a program on one profile,
// shell-quoted and usable from any directory: the running binary by its
// absolute path, or, under "go run" (a binary in the build cache), "go -C
// MODULE_ROOT run ./cmd/dangle"; file names are made absolute.
func replayCommand(profileName string, f *runFlags, name string) string {
	args := append(dangleInvocation(), "run", "-kernel", profileName)
	if f.strict {
		args = append(args, "-strict")
	}
	for _, d := range f.include {
		args = append(args, "-I", absPath(d))
	}
	if f.baseFile != "" {
		args = append(args, "-base", absPath(f.baseFile))
	}
	if name == "-" {
		args = append(args, "-")
	} else {
		args = append(args, absPath(name))
	}
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	s := strings.Join(q, " ")
	if name == "-" {
		s += " < PROGRAM"
	}
	return s
}

// dangleInvocation returns how to run this dangle again.
func dangleInvocation() []string {
	exe, err := os.Executable()
	if err == nil && !isGoRunBinary(exe) {
		return []string{exe}
	}
	if root := moduleRoot(); root != "" {
		return []string{"go", "-C", root, "run", "./cmd/dangle"}
	}
	return []string{"go", "run", "./cmd/dangle"}
}

// isGoRunBinary reports whether exe is a temporary binary of "go run" or
// "go test" (in a go-build directory), which is gone after the run.
func isGoRunBinary(exe string) bool {
	return strings.Contains(exe, string(filepath.Separator)+"go-build")
}

// moduleRoot finds the dangle module's root above the working directory.
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			if strings.HasPrefix(string(b), "module dangle\n") {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
