// Check groups and their JUnit report, shared by the interop programs in this folder, which are
// built together with this file (run_go_test.sh).

package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"sync"
	"time"
)

// At most this many failures of a group are listed in the report.
const maxReportedFailures = 8

// group is one JUnit test case: a named set of checks. Safe for concurrent use.
type group struct {
	name string

	mu       sync.Mutex
	checks   int
	failures []string
	notes    []string
	elapsed  time.Duration
}

// check counts one check, failing it with the description if !ok.
func (g *group) check(ok bool, format string, args ...interface{}) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.checks++
	if !ok {
		g.failures = append(g.failures, fmt.Sprintf(format, args...))
	}
	return ok
}

// fail counts one failed check.
func (g *group) fail(format string, args ...interface{}) { g.check(false, format, args...) }

// failf records a failure without counting a check: a fault of the harness itself.
func (g *group) failf(format string, args ...interface{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failures = append(g.failures, fmt.Sprintf(format, args...))
}

// noErr counts one check that passes when err == nil.
func (g *group) noErr(err error, format string, args ...interface{}) bool {
	if err == nil {
		return g.check(true, "")
	}
	return g.check(false, "%s: %v", fmt.Sprintf(format, args...), err)
}

func (g *group) notef(format string, args ...interface{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.notes = append(g.notes, fmt.Sprintf(format, args...))
}

// failed is true if a check failed or none ran: a group that checked nothing proves nothing.
func (g *group) failed() bool { return len(g.failures) > 0 || g.checks == 0 }

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

// writeJUnit writes one test case per group to `path`, as suite `suite` with class `class`.
func writeJUnit(path, suite, class string, groups []*group, total time.Duration, seed int64) error {
	s := junitSuite{Name: suite, Time: seconds(total)}
	for _, g := range groups {
		g.mu.Lock()
		c := junitCase{Name: g.name, Classname: class, Time: seconds(g.elapsed),
			SystemOut: fmt.Sprintf("seed %d: %d checks, %d failed\n", seed, g.checks, len(g.failures))}
		for _, n := range g.notes {
			c.SystemOut += n + "\n"
		}
		if g.failed() {
			f := &junitFailure{Type: "mismatch", Message: fmt.Sprintf("%d of %d checks failed (seed %d)", len(g.failures), g.checks, seed)}
			if g.checks == 0 {
				f.Message = "no checks ran"
			}
			for i, m := range g.failures {
				if i == maxReportedFailures {
					f.Text += fmt.Sprintf("... and %d more\n", len(g.failures)-i)
					break
				}
				f.Text += m + "\n"
			}
			c.Failure = f
			s.Failures++
		}
		g.mu.Unlock()
		s.Cases = append(s.Cases, c)
		s.Tests++
	}
	doc := junitSuites{Tests: s.Tests, Failures: s.Failures, Time: s.Time, Suites: []junitSuite{s}}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(out, '\n')...), 0o644)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// report prints each group's result and the summary line of `program` (with `detail`, if any,
// after the count of groups passed), and writes the JUnit file when xmlPath is set. It returns
// true if every group passed and the JUnit file, if asked for, was written.
func report(program string, groups []*group, xmlPath string, total time.Duration, seed int64, detail string) bool {
	failed := 0
	fmt.Println()
	for _, g := range groups {
		g.mu.Lock()
		status := "PASS"
		if g.failed() {
			status = "FAIL"
			failed++
		}
		fmt.Printf("%s %-20s %6d checks, %d failed (%v)\n", status, g.name, g.checks, len(g.failures), g.elapsed.Round(time.Millisecond))
		for _, n := range g.notes {
			fmt.Printf("       %s\n", n)
		}
		for i, m := range g.failures {
			if i == maxReportedFailures {
				fmt.Printf("       ... and %d more\n", len(g.failures)-i)
				break
			}
			fmt.Printf("     ! %s\n", m)
		}
		g.mu.Unlock()
	}
	fmt.Printf("\n%s: seed %d: %d of %d groups passed%s; %v in all\n", program, seed, len(groups)-failed, len(groups), detail, total.Round(time.Millisecond))
	if xmlPath != "" {
		if err := writeJUnit(xmlPath, "tools/interop/"+program+"_test", program, groups, total, seed); err != nil {
			fmt.Fprintf(os.Stderr, "%s: writing %s: %v\n", program, xmlPath, err)
			return false
		}
	}
	return failed == 0
}
