// A long-running child process for the interoperability programs (vellumd, vellum witness):
// started, watched until it prints the line that says it serves, stopped with SIGTERM.
//
// Shared by the programs in this folder; run_go_test.sh builds each program with it.

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

type daemon struct {
	cmd    *exec.Cmd
	ready  chan struct{} // closed once the ready line is printed
	exited chan struct{} // closed once the process has exited and its output is read

	mu      sync.Mutex
	stdout  []string
	stderr  bytes.Buffer
	waitErr error
}

type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// startProcess runs bin with args; ready is closed once a stdout line starts with readyPrefix.
func startProcess(bin string, args []string, readyPrefix string) (*daemon, error) {
	d := &daemon{ready: make(chan struct{}), exited: make(chan struct{})}
	d.cmd = exec.Command(bin, args...)
	d.cmd.Stderr = lockedWriter{&d.mu, &d.stderr}
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(out)
		readyClosed := false
		for sc.Scan() {
			d.mu.Lock()
			d.stdout = append(d.stdout, sc.Text())
			d.mu.Unlock()
			if !readyClosed && strings.HasPrefix(sc.Text(), readyPrefix) {
				close(d.ready)
				readyClosed = true
			}
		}
		io.Copy(io.Discard, out)
		err := d.cmd.Wait()
		d.mu.Lock()
		d.waitErr = err
		d.mu.Unlock()
		close(d.exited)
	}()
	return d, nil
}

// waitReady waits up to timeout for the ready line; the error holds the process's output.
func (d *daemon) waitReady(timeout time.Duration) error {
	select {
	case <-d.ready:
		return nil
	case <-d.exited:
		return fmt.Errorf("exited before it was ready:\n%s", d.output())
	case <-time.After(timeout):
		return fmt.Errorf("not ready after %v:\n%s", timeout, d.output())
	}
}

// line returns the first stdout line with the prefix, without it.
func (d *daemon) line(prefix string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, l := range d.stdout {
		if strings.HasPrefix(l, prefix) {
			return strings.TrimPrefix(l, prefix), true
		}
	}
	return "", false
}

func (d *daemon) output() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return fmt.Sprintf("stdout:\n  %s\nstderr:\n  %s", strings.Join(d.stdout, "\n  "),
		strings.ReplaceAll(strings.TrimSpace(d.stderr.String()), "\n", "\n  "))
}

// stop sends SIGTERM and waits for the exit; it kills the process after the timeout.
func (d *daemon) stop(timeout time.Duration) (exitCode int, err error) {
	select {
	case <-d.exited:
	default:
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(timeout):
			d.cmd.Process.Kill()
			<-d.exited
			return -1, fmt.Errorf("no exit %v after SIGTERM; killed", timeout)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cmd.ProcessState.ExitCode(), d.waitErr
}

// kill ends the process if it is still running (used on the way out of a failed run).
func (d *daemon) kill() {
	select {
	case <-d.exited:
	default:
		d.cmd.Process.Kill()
		<-d.exited
	}
}
