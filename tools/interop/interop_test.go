// Command interop_test checks that Vellum's auditor CLI, vellum, reaches the same verdicts as
// Go's reference packages golang.org/x/mod/sumdb/tlog and golang.org/x/mod/sumdb/note
// (Debian's golang-golang-x-mod-dev), on proofs, keys, signed notes and receipts made by each
// side.
//
// It is a plain main program rather than a go test, so that it runs offline without modules:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run interop.go report.go -vellum PATH -seed N
//
// (`go run` refuses file names ending in _test.go, so run_go_test.sh builds a copy.)
//
// # Verdicts
//
// For every input, Go's verdict is computed on exactly the bytes given to vellum: tlog.CheckRecord
// and tlog.CheckTree for proofs, note.Open for signed notes, and for checkpoints and receipts
// note.Open and tlog.CheckRecord behind a small strict parser of the c2sp.org/tlog-checkpoint and
// c2sp.org/tlog-proof@v1 formats (Go has no parser for either). vellum must exit 0 exactly when
// Go accepts; when Go rejects, vellum must exit 1 ("invalid").
//
// Exit status 2 (usage or I/O error) is right only when the input cannot be parsed at all, and
// only the "cli/malformed" group expects it: hashes that are not 32 bytes of base64, negative
// numbers, a verifier key Go's note.NewVerifier refuses, key names note.GenerateKey would turn
// into unusable keys, an entry over the 65,535-byte tlog-tiles limit. Every mutated proof, note
// and receipt in the other groups is well formed (canonical decimals, valid base64 hashes), so
// exit 2 there is a failure.
//
// Vellum deliberately differs from Go in a few documented ways (RFC 9162's size1 == 0
// consistency, stricter base64, duplicate signatures); the "divergence/documented" group probes
// them, prints what each side does, and fails only if vellum's answer is not the documented one.
//
// Results go to a JUnit XML file ($XML_OUTPUT_FILE under bazel test), one test case per group.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type hash = tlog.Hash

// ---------------------------------------------------------------------------------------------
// Trees built with tlog.

// A source is a Merkle tree that tlog can read stored hashes from.
type source interface {
	tlog.HashReader
	size() int64
	leafHash(i int64) hash
	record(i int64) []byte
}

// denseTree is an in-memory log built record by record with tlog.StoredHashes.
type denseTree struct {
	records [][]byte
	stored  []hash
}

func newDenseTree(rng *rand.Rand, n int64) *denseTree {
	t := &denseTree{}
	for i := int64(0); i < n; i++ {
		var data []byte
		if i > 0 { // Entry 0 is empty, the smallest entry there is.
			data = append([]byte(fmt.Sprintf("vellum interop entry %d\n", i)), randBytes(rng, rng.Intn(48))...)
		}
		hashes, err := tlog.StoredHashes(i, data, t)
		if err != nil {
			panic(err)
		}
		if int64(len(t.stored)) != tlog.StoredHashIndex(0, i) {
			panic("tlog stored hash layout")
		}
		t.stored = append(t.stored, hashes...)
		t.records = append(t.records, data)
	}
	return t
}

func (t *denseTree) ReadHashes(indexes []int64) ([]hash, error) {
	out := make([]hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(t.stored)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = t.stored[x]
	}
	return out, nil
}

func (t *denseTree) size() int64           { return int64(len(t.records)) }
func (t *denseTree) leafHash(i int64) hash { return tlog.RecordHash(t.records[i]) }
func (t *denseTree) record(i int64) []byte { return t.records[i] }

// sparseTree is a virtual log of up to 2^61 entries: every entry is the same default record
// except a few special ones. A subtree without special entries hashes to fill[level], so tlog can
// read any stored hash cheaply, and proofs for huge trees still come from tlog itself.
type sparseTree struct {
	n       int64
	special map[int64][]byte
	indexes []int64 // sorted keys of special
	fill    []hash
}

var defaultRecord = []byte("vellum interop default entry\n")

func newSparseTree(rng *rand.Rand, n int64, special []int64) *sparseTree {
	t := &sparseTree{n: n, special: map[int64][]byte{}}
	for _, i := range special {
		if i < 0 || i >= n {
			continue
		}
		if _, ok := t.special[i]; !ok {
			t.special[i] = append([]byte(fmt.Sprintf("vellum interop special entry %d\n", i)), randBytes(rng, 8+rng.Intn(24))...)
			t.indexes = append(t.indexes, i)
		}
	}
	sort.Slice(t.indexes, func(a, b int) bool { return t.indexes[a] < t.indexes[b] })
	t.fill = []hash{tlog.RecordHash(defaultRecord)}
	for l := 1; l < 63; l++ {
		t.fill = append(t.fill, tlog.NodeHash(t.fill[l-1], t.fill[l-1]))
	}
	return t
}

// node returns the hash of the complete subtree at `level` holding leaves [k<<level, (k+1)<<level).
func (t *sparseTree) node(level int, k int64) hash {
	lo, hi := k<<uint(level), (k+1)<<uint(level)
	j := sort.Search(len(t.indexes), func(a int) bool { return t.indexes[a] >= lo })
	if j == len(t.indexes) || t.indexes[j] >= hi {
		return t.fill[level]
	}
	if level == 0 {
		return tlog.RecordHash(t.special[lo])
	}
	return tlog.NodeHash(t.node(level-1, 2*k), t.node(level-1, 2*k+1))
}

func (t *sparseTree) ReadHashes(indexes []int64) ([]hash, error) {
	out := make([]hash, len(indexes))
	for i, x := range indexes {
		level, k := tlog.SplitStoredHashIndex(x)
		if (k+1)<<uint(level) > t.n {
			return nil, fmt.Errorf("stored hash %d (level %d, node %d) is past size %d", x, level, k, t.n)
		}
		out[i] = t.node(level, k)
	}
	return out, nil
}

func (t *sparseTree) size() int64 { return t.n }

// pick returns one of the special entries other than entry 0, chosen by rng.
func (t *sparseTree) pick(rng *rand.Rand) int64 {
	return t.indexes[1+rng.Intn(len(t.indexes)-1)]
}

func (t *sparseTree) leafHash(i int64) hash { return tlog.RecordHash(t.record(i)) }

func (t *sparseTree) record(i int64) []byte {
	if r, ok := t.special[i]; ok {
		return r
	}
	return defaultRecord
}

func rootOf(s source, n int64) hash {
	h, err := tlog.TreeHash(n, s)
	if err != nil {
		panic(fmt.Sprintf("tlog.TreeHash(%d): %v", n, err))
	}
	return h
}

func inclusionProof(s source, size, index int64) []hash {
	p, err := tlog.ProveRecord(size, index, s)
	if err != nil {
		panic(fmt.Sprintf("tlog.ProveRecord(%d, %d): %v", size, index, err))
	}
	return p
}

func consistencyProof(s source, size1, size2 int64) []hash {
	p, err := tlog.ProveTree(size2, size1, s)
	if err != nil {
		panic(fmt.Sprintf("tlog.ProveTree(%d, %d): %v", size2, size1, err))
	}
	return p
}

// ---------------------------------------------------------------------------------------------
// Running vellum.

type outcome struct {
	code           int // exit status; -1 if vellum did not exit normally
	stdout, stderr string
}

type runner struct {
	bin     string
	workers int

	mu    sync.Mutex
	calls int
	spent time.Duration // summed over parallel runs
}

// A batch collects vellum runs with the checks of their outcomes. flush runs them `workers` at a
// time (process start-up dominates a run) and then calls the checks in the order they were
// added, so that reports do not depend on scheduling.
type batch struct {
	r    *runner
	jobs []job
}

type job struct {
	stdin []byte
	args  []string
	check func(outcome)
}

func (r *runner) newBatch() *batch { return &batch{r: r} }

func (b *batch) add(stdin []byte, args []string, check func(outcome)) {
	b.jobs = append(b.jobs, job{stdin: stdin, args: args, check: check})
}

func (b *batch) flush() {
	out := make([]outcome, len(b.jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < b.r.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = b.r.run(b.jobs[i].stdin, b.jobs[i].args...)
			}
		}()
	}
	for i := range b.jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, j := range b.jobs {
		j.check(out[i])
	}
	b.jobs = nil
}

func (r *runner) run(stdin []byte, args ...string) outcome {
	start := time.Now()
	defer func() {
		r.mu.Lock()
		r.calls++
		r.spent += time.Since(start)
		r.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	o := outcome{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		o.code = exitErr.ExitCode() // -1 when killed by a signal
		if o.code < 0 {
			o.stderr += fmt.Sprintf(" [vellum did not exit normally: %v]", err)
		}
	default:
		o.code = -1
		o.stderr += fmt.Sprintf(" [cannot run vellum: %v]", err)
	}
	return o
}

// ---------------------------------------------------------------------------------------------
// Checks specific to this program (group and the report are in report.go).

// verdict checks vellum's exit status against Go's verdict (goErr == nil: Go accepts).
func (g *group) verdict(desc string, goErr error, o outcome) bool {
	want := 0
	if goErr != nil {
		want = 1
	}
	return g.check(o.code == want, "%s: Go %s, but vellum exited %d%s", desc, goVerdict(goErr), o.code, stderrSuffix(o))
}

// exit checks for one specific exit status.
func (g *group) exit(desc string, want int, o outcome) bool {
	return g.check(o.code == want, "%s: want exit %d, vellum exited %d%s", desc, want, o.code, stderrSuffix(o))
}

func goVerdict(err error) string {
	if err == nil {
		return "accepts"
	}
	return fmt.Sprintf("rejects (%v)", err)
}

func stderrSuffix(o outcome) string {
	s := strings.TrimSpace(o.stderr)
	if s == "" {
		return ""
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return "; stderr: " + s
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	rng.Read(b)
	return b
}

func randHash(rng *rand.Rand) hash {
	var h hash
	rng.Read(h[:])
	return h
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func hashB64(h hash) string { return b64(h[:]) }

func proofFlag(p []hash) string {
	parts := make([]string, len(p))
	for i, h := range p {
		parts[i] = hashB64(h)
	}
	return strings.Join(parts, ",")
}

func dec(n int64) string { return strconv.FormatInt(n, 10) }

func flip(h hash, rng *rand.Rand) hash {
	h[rng.Intn(len(h))] ^= byte(1 << uint(rng.Intn(8)))
	return h
}

func clone(p []hash) []hash { return append([]hash(nil), p...) }

func writeFile(dir, name string, data []byte) string {
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		panic(err)
	}
	return path
}

// ---------------------------------------------------------------------------------------------
// Inclusion proofs.

type inclusionCase struct {
	desc        string
	leaf        hash
	index, size int64
	root        hash
	proof       []hash
}

func (c inclusionCase) args() []string {
	return []string{"verify", "inclusion", "--leaf-hash=" + hashB64(c.leaf), "--index=" + dec(c.index),
		"--size=" + dec(c.size), "--root=" + hashB64(c.root), "--proof=" + proofFlag(c.proof)}
}

func (c inclusionCase) goCheck() error {
	return tlog.CheckRecord(c.proof, c.size, c.root, c.index, c.leaf)
}

func (c inclusionCase) String() string {
	return fmt.Sprintf("%s [index %d, size %d, %d-hash proof]", c.desc, c.index, c.size, len(c.proof))
}

func newInclusionCase(s source, size, index int64, desc string) inclusionCase {
	return inclusionCase{desc: desc, leaf: s.leafHash(index), index: index, size: size,
		root: rootOf(s, size), proof: inclusionProof(s, size, index)}
}

// inclusionMutations returns the well-formed wrong variants of a valid case.
func inclusionMutations(c inclusionCase, s source, rng *rand.Rand) []inclusionCase {
	var out []inclusionCase
	add := func(desc string, f func(m *inclusionCase)) {
		m := c
		m.proof = clone(c.proof)
		m.desc = c.desc + ": " + desc
		f(&m)
		out = append(out, m)
	}
	n := len(c.proof)
	if n > 0 {
		add("first proof hash flipped", func(m *inclusionCase) { m.proof[0] = flip(m.proof[0], rng) })
		add("last proof hash flipped", func(m *inclusionCase) { m.proof[n-1] = flip(m.proof[n-1], rng) })
		add("proof truncated", func(m *inclusionCase) { m.proof = m.proof[:n-1] })
		add("first proof hash dropped", func(m *inclusionCase) { m.proof = m.proof[1:] })
		add("proof emptied", func(m *inclusionCase) { m.proof = nil })
	}
	if n > 1 {
		add("proof reversed", func(m *inclusionCase) {
			for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
				m.proof[i], m.proof[j] = m.proof[j], m.proof[i]
			}
		})
	}
	add("proof extended with a random hash", func(m *inclusionCase) { m.proof = append(m.proof, randHash(rng)) })
	add("proof extended with the root", func(m *inclusionCase) { m.proof = append(m.proof, m.root) })
	add("leaf hash flipped", func(m *inclusionCase) { m.leaf = flip(m.leaf, rng) })
	add("root flipped", func(m *inclusionCase) { m.root = flip(m.root, rng) })
	add("leaf hash and root swapped", func(m *inclusionCase) { m.leaf, m.root = m.root, m.leaf })
	if c.index+1 < c.size {
		add("index+1", func(m *inclusionCase) { m.index++ })
		add("neighbour's leaf hash", func(m *inclusionCase) { m.leaf = s.leafHash(c.index + 1) })
	}
	if c.index > 0 {
		add("index-1", func(m *inclusionCase) { m.index-- })
		add("index 0", func(m *inclusionCase) { m.index = 0 })
	}
	if c.size > 1 {
		add("index random", func(m *inclusionCase) { m.index = rng.Int63n(c.size) })
	}
	add("index = size", func(m *inclusionCase) { m.index = c.size })
	add("index = size+7", func(m *inclusionCase) { m.index = c.size + 7 })
	if c.size+1 <= s.size() {
		add("size+1 (root of size+1)", func(m *inclusionCase) { m.size++; m.root = rootOf(s, c.size+1) })
		add("size+1 (same root)", func(m *inclusionCase) { m.size++ })
	}
	if c.size-1 > c.index {
		add("size-1 (root of size-1)", func(m *inclusionCase) { m.size--; m.root = rootOf(s, c.size-1) })
		add("size-1 (same root)", func(m *inclusionCase) { m.size-- })
	}
	add("size doubled", func(m *inclusionCase) { m.size *= 2 })
	add("size 0", func(m *inclusionCase) { m.size = 0 })
	if c.size > 1 {
		add("root of size-1", func(m *inclusionCase) { m.root = rootOf(s, c.size-1) })
	}
	return out
}

func inclusionGroups(r *runner, rng *rand.Rand, dense source, sparse []*sparseTree) (*group, *group) {
	pos := &group{name: "inclusion/positive"}
	neg := &group{name: "inclusion/negative"}
	var cases []inclusionCase
	// Every size 1..70; every index for sizes up to 8, then an end and a random index.
	for size := int64(1); size <= 70; size++ {
		idx := map[int64]bool{}
		if size <= 8 {
			for i := int64(0); i < size; i++ {
				idx[i] = true
			}
		} else {
			for _, i := range []int64{(size - 1) * (size % 2), rng.Int63n(size)} {
				idx[i] = true
			}
		}
		for _, i := range sortedKeys(idx) {
			cases = append(cases, newInclusionCase(dense, size, i, "dense tree"))
		}
	}
	// Larger dense sizes: powers of two and their neighbours, and random sizes.
	large := []int64{127, 128, 129, 1023, 1024, 1025, 65535, 65536, 65537}
	for i := 0; i < 6; i++ {
		large = append(large, 71+rng.Int63n(dense.size()-71))
	}
	large = append(large, dense.size())
	for _, size := range large {
		for _, i := range []int64{size - 1, rng.Int63n(size)} {
			cases = append(cases, newInclusionCase(dense, size, i, "dense tree"))
		}
	}
	// Huge virtual trees (up to 2^61 leaves), at their special entries.
	for _, t := range sparse {
		for _, i := range t.indexes[:4] {
			cases = append(cases, newInclusionCase(t, t.n, i, "virtual tree"))
		}
	}

	b := r.newBatch()
	for _, c := range cases {
		c := c
		if goErr := c.goCheck(); goErr != nil {
			pos.failf("harness: Go rejects its own proof %v: %v", c, goErr)
			continue
		}
		b.add(nil, c.args(), func(o outcome) {
			if pos.verdict(c.String(), nil, o) {
				want := fmt.Sprintf("valid: leaf %d is in the tree of size %d\n", c.index, c.size)
				pos.check(o.stdout == want, "%v: stdout %q, want %q", c, o.stdout, want)
			}
		})
	}
	b.flush()
	pos.notef("%d valid proofs from tlog.ProveRecord: sizes 1..70 (all indices up to size 8), %d larger sizes up to %d, %d virtual trees up to 2^61 leaves",
		len(cases), len(large), dense.size(), len(sparse))

	// Mutations of a sample: one index per size up to 70, and the large and huge cases.
	accepted, rejected := 0, 0
	var sample []inclusionCase
	var sampleSrc []source
	for size := int64(1); size <= 70; size++ {
		sample = append(sample, newInclusionCase(dense, size, rng.Int63n(size), "dense tree"))
		sampleSrc = append(sampleSrc, dense)
	}
	for _, size := range []int64{large[1], large[5], large[len(large)-1]} {
		sample = append(sample, newInclusionCase(dense, size, rng.Int63n(size), "dense tree"))
		sampleSrc = append(sampleSrc, dense)
	}
	for _, t := range sparse[:3] {
		sample = append(sample, newInclusionCase(t, t.n, t.pick(rng), "virtual tree"))
		sampleSrc = append(sampleSrc, t)
	}
	for k, base := range sample {
		for _, m := range inclusionMutations(base, sampleSrc[k], rng) {
			if base.size > 8 && base.size <= 70 && rng.Intn(8) != 0 {
				continue // An eighth of the mutations for sizes 9..70, to bound the run time.
			}
			goErr := m.goCheck()
			if goErr == nil {
				accepted++
				logf("Go accepts mutated proof %v", m)
			} else {
				rejected++
			}
			desc := m.String()
			b.add(nil, m.args(), func(o outcome) { neg.verdict(desc, goErr, o) })
		}
	}
	b.flush()
	neg.notef("%d mutated proofs of %d valid ones: Go rejects %d, accepts %d (e.g. a proof that also fits another size)",
		accepted+rejected, len(sample), rejected, accepted)
	return pos, neg
}

// logf prints a line when -v is given.
func logf(format string, args ...interface{}) {
	if *verbose {
		fmt.Printf("interop: "+format+"\n", args...)
	}
}

var verbose = flag.Bool("v", false, "print details, such as the mutated proofs Go accepts")

func sortedKeys(m map[int64]bool) []int64 {
	var out []int64
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// ---------------------------------------------------------------------------------------------
// Consistency proofs.

type consistencyCase struct {
	desc         string
	size1, size2 int64
	root1, root2 hash
	proof        []hash
}

func (c consistencyCase) args() []string {
	return []string{"verify", "consistency", "--size1=" + dec(c.size1), "--size2=" + dec(c.size2),
		"--root1=" + hashB64(c.root1), "--root2=" + hashB64(c.root2), "--proof=" + proofFlag(c.proof)}
}

func (c consistencyCase) goCheck() error {
	return tlog.CheckTree(c.proof, c.size2, c.root2, c.size1, c.root1)
}

func (c consistencyCase) String() string {
	return fmt.Sprintf("%s [size1 %d, size2 %d, %d-hash proof]", c.desc, c.size1, c.size2, len(c.proof))
}

func newConsistencyCase(s source, size1, size2 int64, desc string) consistencyCase {
	return consistencyCase{desc: desc, size1: size1, size2: size2, root1: rootOf(s, size1),
		root2: rootOf(s, size2), proof: consistencyProof(s, size1, size2)}
}

func consistencyMutations(c consistencyCase, s source, rng *rand.Rand) []consistencyCase {
	var out []consistencyCase
	add := func(desc string, f func(m *consistencyCase)) {
		m := c
		m.proof = clone(c.proof)
		m.desc = c.desc + ": " + desc
		f(&m)
		if m.size1 == 0 {
			return // Go and vellum differ by design; see the divergence group.
		}
		out = append(out, m)
	}
	n := len(c.proof)
	if n > 0 {
		add("first proof hash flipped", func(m *consistencyCase) { m.proof[0] = flip(m.proof[0], rng) })
		add("last proof hash flipped", func(m *consistencyCase) { m.proof[n-1] = flip(m.proof[n-1], rng) })
		add("proof truncated", func(m *consistencyCase) { m.proof = m.proof[:n-1] })
		add("first proof hash dropped", func(m *consistencyCase) { m.proof = m.proof[1:] })
		add("proof emptied", func(m *consistencyCase) { m.proof = nil })
	}
	if n > 2 {
		mid := 1 + rng.Intn(n-2)
		add("middle proof hash flipped", func(m *consistencyCase) { m.proof[mid] = flip(m.proof[mid], rng) })
	}
	add("proof extended with a random hash", func(m *consistencyCase) { m.proof = append(m.proof, randHash(rng)) })
	// RFC 9162's verifier prepends root1 when size1 is a power of two; a proof that already has it
	// is too long.
	add("root1 prepended to the proof", func(m *consistencyCase) { m.proof = append([]hash{m.root1}, m.proof...) })
	add("root1 flipped", func(m *consistencyCase) { m.root1 = flip(m.root1, rng) })
	add("root2 flipped", func(m *consistencyCase) { m.root2 = flip(m.root2, rng) })
	if c.root1 != c.root2 {
		add("roots swapped", func(m *consistencyCase) { m.root1, m.root2 = m.root2, m.root1 })
	}
	if c.size1 != c.size2 {
		add("size1 > size2 (sizes and roots swapped)", func(m *consistencyCase) {
			m.size1, m.size2, m.root1, m.root2 = m.size2, m.size1, m.root2, m.root1
		})
		add("size1 > size2 (sizes swapped)", func(m *consistencyCase) { m.size1, m.size2 = m.size2, m.size1 })
		add("size1 = size2 (root2 for both)", func(m *consistencyCase) { m.size1, m.root1 = m.size2, m.root2 })
		add("size2 = size1 (root1 for both)", func(m *consistencyCase) { m.size2, m.root2 = m.size1, m.root1 })
	}
	if c.size1 > 1 {
		add("size1-1 (root of size1-1)", func(m *consistencyCase) { m.size1--; m.root1 = rootOf(s, c.size1-1) })
		add("size1-1 (same root)", func(m *consistencyCase) { m.size1-- })
	}
	if c.size1+1 <= c.size2 {
		add("size1+1 (root of size1+1)", func(m *consistencyCase) { m.size1++; m.root1 = rootOf(s, c.size1+1) })
		add("size1+1 (same root)", func(m *consistencyCase) { m.size1++ })
	}
	if c.size2+1 <= s.size() {
		add("size2+1 (root of size2+1)", func(m *consistencyCase) { m.size2++; m.root2 = rootOf(s, c.size2+1) })
		add("size2+1 (same root)", func(m *consistencyCase) { m.size2++ })
	}
	if c.size2-1 >= c.size1 {
		add("size2-1 (same root)", func(m *consistencyCase) { m.size2-- })
	}
	add("size2 doubled", func(m *consistencyCase) { m.size2 *= 2 })
	return out
}

func consistencyGroups(r *runner, rng *rand.Rand, dense source, sparse []*sparseTree) (*group, *group) {
	pos := &group{name: "consistency/positive"}
	neg := &group{name: "consistency/negative"}
	var cases []consistencyCase
	// Every pair of sizes up to 6; for size2 up to 70, size1 at size2, either 1 or the largest
	// power of two below size2, and a random size.
	for size2 := int64(1); size2 <= 70; size2++ {
		s1 := map[int64]bool{}
		if size2 <= 6 {
			for i := int64(1); i <= size2; i++ {
				s1[i] = true
			}
		} else {
			p := int64(1)
			for p*2 < size2 {
				p *= 2
			}
			if size2%2 == 0 {
				p = 1
			}
			for _, i := range []int64{size2, p, 1 + rng.Int63n(size2)} {
				s1[i] = true
			}
		}
		for _, size1 := range sortedKeys(s1) {
			cases = append(cases, newConsistencyCase(dense, size1, size2, "dense tree"))
		}
	}
	large := [][2]int64{{1, 1024}, {1024, 1025}, {1023, 1024}, {1024, 65536}, {65535, 65537}, {255, 257}}
	for i := 0; i < 6; i++ {
		size2 := 71 + rng.Int63n(dense.size()-71)
		large = append(large, [2]int64{1 + rng.Int63n(size2), size2})
	}
	large = append(large, [2]int64{1 + rng.Int63n(dense.size()), dense.size()})
	for _, l := range large {
		cases = append(cases, newConsistencyCase(dense, l[0], l[1], "dense tree"))
	}
	// Huge virtual trees: from a special entry's position (so the old tree ends in a special
	// entry), from half, and from one.
	sparseCase := func(t *sparseTree, size1 int64) consistencyCase {
		c := newConsistencyCase(t, size1, t.n, "virtual tree")
		return c
	}
	for _, t := range sparse {
		size1s := map[int64]bool{1: true, t.n - 1: true}
		for _, i := range t.indexes[1:3] {
			size1s[i+1] = true
		}
		for _, size1 := range sortedKeys(size1s) {
			cases = append(cases, sparseCase(t, size1))
		}
	}

	b := r.newBatch()
	for _, c := range cases {
		c := c
		if goErr := c.goCheck(); goErr != nil {
			pos.failf("harness: Go rejects its own proof %v: %v", c, goErr)
			continue
		}
		b.add(nil, c.args(), func(o outcome) {
			if pos.verdict(c.String(), nil, o) {
				want := fmt.Sprintf("valid: the tree of size %d extends the tree of size %d\n", c.size2, c.size1)
				pos.check(o.stdout == want, "%v: stdout %q, want %q", c, o.stdout, want)
			}
		})
	}
	b.flush()
	pos.notef("%d valid proofs from tlog.ProveTree: all pairs up to size 6, up to 3 per size2 up to 70, %d larger pairs, %d virtual trees up to 2^61 leaves",
		len(cases), len(large), len(sparse))

	accepted, rejected := 0, 0
	var sample []consistencyCase
	var sampleSrc []source
	for size2 := int64(1); size2 <= 70; size2 += 1 + rng.Int63n(4) {
		sample = append(sample, newConsistencyCase(dense, 1+rng.Int63n(size2), size2, "dense tree"))
		sampleSrc = append(sampleSrc, dense)
	}
	for _, size1 := range []int64{1, 2, 4, 8, 16, 32, 64} { // Old trees that are one complete subtree.
		sample = append(sample, newConsistencyCase(dense, size1, size1+1+rng.Int63n(100), "dense tree"))
		sampleSrc = append(sampleSrc, dense)
	}
	for _, l := range large[:4] {
		sample = append(sample, newConsistencyCase(dense, l[0], l[1], "dense tree"))
		sampleSrc = append(sampleSrc, dense)
	}
	for _, t := range sparse[:3] {
		sample = append(sample, sparseCase(t, t.pick(rng)+1))
		sampleSrc = append(sampleSrc, t)
	}
	for i, base := range sample {
		for _, m := range consistencyMutations(base, sampleSrc[i], rng) {
			if base.size2 > 8 && base.size2 <= 70 && rng.Intn(6) != 0 {
				continue // A sixth of the mutations for sizes 9..70, to bound the run time.
			}
			goErr := m.goCheck()
			if goErr == nil {
				accepted++
				logf("Go accepts mutated proof %v", m)
			} else {
				rejected++
			}
			desc := m.String()
			b.add(nil, m.args(), func(o outcome) { neg.verdict(desc, goErr, o) })
		}
	}
	b.flush()
	neg.notef("%d mutated proofs of %d valid ones: Go rejects %d, accepts %d", accepted+rejected, len(sample), rejected, accepted)
	return pos, neg
}

// ---------------------------------------------------------------------------------------------
// Checkpoints and signed notes.

// checkpoint is the parsed text of a c2sp.org/tlog-checkpoint note.
type checkpoint struct {
	origin     string
	size       int64
	root       hash
	extensions []string
}

func (c checkpoint) text() string {
	s := fmt.Sprintf("%s\n%d\n%s\n", c.origin, c.size, hashB64(c.root))
	for _, e := range c.extensions {
		s += e + "\n"
	}
	return s
}

// parseDecimal parses a canonical ASCII decimal: digits only, no leading zero but in "0".
func parseDecimal(s string) (int64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("non-canonical decimal %q", s)
	}
	return strconv.ParseInt(s, 10, 64)
}

// parseStrictHash parses strict padded standard base64 of 32 bytes.
func parseStrictHash(s string) (hash, error) {
	var h hash
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != len(h) || strings.ContainsAny(s, "\r\n") {
		return h, fmt.Errorf("malformed hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

// openCheckpoint is the reference verdict for a signed checkpoint: note.Open with the log's
// verifier, then the c2sp.org/tlog-checkpoint text (origin = the key's name, canonical decimal
// size, base64 root, non-empty extension lines).
func openCheckpoint(msg []byte, v note.Verifier) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return checkpoint{}, err
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return checkpoint{}, fmt.Errorf("checkpoint has %d lines, want at least 3", len(lines))
	}
	c := checkpoint{origin: lines[0], extensions: lines[3:]}
	if c.origin != v.Name() {
		return checkpoint{}, fmt.Errorf("origin %q is not the key name %q", c.origin, v.Name())
	}
	if c.size, err = parseDecimal(lines[1]); err != nil {
		return checkpoint{}, err
	}
	if c.root, err = parseStrictHash(lines[2]); err != nil {
		return checkpoint{}, err
	}
	for _, e := range c.extensions {
		if e == "" {
			return checkpoint{}, errors.New("empty extension line")
		}
	}
	return c, nil
}

type goKey struct {
	skey, vkey string
	signer     note.Signer
	verifier   note.Verifier
}

func newGoKey(rng io.Reader, name string) goKey {
	skey, vkey, err := note.GenerateKey(rng, name)
	if err != nil {
		panic(err)
	}
	k := goKey{skey: skey, vkey: vkey}
	if k.signer, err = note.NewSigner(skey); err != nil {
		panic(fmt.Sprintf("note.NewSigner(%q): %v", name, err))
	}
	if k.verifier, err = note.NewVerifier(vkey); err != nil {
		panic(fmt.Sprintf("note.NewVerifier(%q): %v", name, err))
	}
	return k
}

func signNote(text string, signers ...note.Signer) []byte {
	msg, err := note.Sign(&note.Note{Text: text}, signers...)
	if err != nil {
		panic(err)
	}
	return msg
}

// sigLine returns the signature line `— <name> <base64(key id || sig)>` with a newline.
func sigLine(name string, id uint32, sig []byte) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], id)
	return "— " + name + " " + b64(append(b[:], sig...)) + "\n"
}

func signatureLine(s note.Signer, text string) string {
	sig, err := s.Sign([]byte(text))
	if err != nil {
		panic(err)
	}
	return sigLine(s.Name(), s.KeyHash(), sig)
}

// assemble returns a signed note from its text and signature lines.
func assemble(text string, lines ...string) []byte {
	return []byte(text + "\n" + strings.Join(lines, ""))
}

// noteEnv queues `vellum verify checkpoint` runs on notes it writes to files named
// <prefix><n>; the caller flushes the batch.
type noteEnv struct {
	b      *batch
	dir    string
	prefix string
	files  int
}

func (e *noteEnv) file(data []byte) string {
	e.files++
	return writeFile(e.dir, fmt.Sprintf("%s%d", e.prefix, e.files), data)
}

// verifyCheckpoint runs `vellum verify checkpoint` on msg and checks it against Go's verdict,
// and on acceptance the printed origin, size and root.
func (e *noteEnv) verifyCheckpoint(g *group, desc string, msg []byte, vkey string, v note.Verifier) {
	e.verifyCheckpointWith(g, desc, msg, vkey, v, false)
}

func (e *noteEnv) verifyCheckpointWith(g *group, desc string, msg []byte, vkeyArg string, v note.Verifier, stdin bool) {
	cp, goErr := openCheckpoint(msg, v)
	check := func(o outcome) {
		if g.verdict(desc, goErr, o) && goErr == nil {
			want := fmt.Sprintf("origin: %s\nsize: %d\nroot: %s\n", cp.origin, cp.size, hashB64(cp.root))
			g.check(o.stdout == want, "%s: stdout %q, want %q", desc, o.stdout, want)
		}
	}
	if stdin {
		e.b.add(msg, []string{"verify", "checkpoint", "--verifier-key=" + vkeyArg, "-"}, check)
	} else {
		e.b.add(nil, []string{"verify", "checkpoint", "--verifier-key=" + vkeyArg, e.file(msg)}, check)
	}
}

func noteGroups(r *runner, rng *rand.Rand, dense source, sparse []*sparseTree, dir string) []*group {
	e := &noteEnv{b: r.newBatch(), dir: dir, prefix: "note"}
	pos := &group{name: "note/go-to-vellum"}
	neg := &group{name: "note/go-to-vellum-negative"}
	multi := &group{name: "note/multiple-signatures"}

	origin := "interop.vellum.example/log"
	log := newGoKey(rng, origin)
	vkeyFile := writeFile(dir, "log.vkey", []byte(log.vkey+"\n"))
	other := newGoKey(rng, "interop.vellum.example/other")
	impostor := newGoKey(rng, origin) // same name, different key

	emptyRoot := hash(sha256.Sum256(nil))
	cps := []checkpoint{
		{origin: origin, size: 0, root: emptyRoot},
		{origin: origin, size: 1, root: rootOf(dense, 1)},
		{origin: origin, size: 70, root: rootOf(dense, 70)},
		{origin: origin, size: dense.size(), root: rootOf(dense, dense.size())},
		{origin: origin, size: sparse[0].n, root: rootOf(sparse[0], sparse[0].n)},
		{origin: origin, size: 5, root: rootOf(dense, 5), extensions: []string{"extension line one", "— ext: 2"}},
	}
	for _, cp := range cps {
		msg := signNote(cp.text(), log.signer)
		// note.Sign's layout is the one assemble builds by hand for the cases below.
		pos.check(bytes.Equal(msg, assemble(cp.text(), signatureLine(log.signer, cp.text()))), "harness: note.Sign layout differs")
		desc := fmt.Sprintf("checkpoint size %d (%d extension lines)", cp.size, len(cp.extensions))
		e.verifyCheckpoint(pos, desc+", key as text", msg, log.vkey, log.verifier)
		e.verifyCheckpoint(pos, desc+", key from file", msg, vkeyFile, log.verifier)
		e.verifyCheckpointWith(pos, desc+", note on stdin", msg, log.vkey, log.verifier, true)
	}
	// Unusual but valid key names from Go (a zero-width space is not Unicode White_Space).
	for _, name := range []string{"a", "ledger.example/ünïcode/日志", "zero\u200bwidth", "x" + strings.Repeat("y", 200)} {
		k := newGoKey(rng, name)
		cp := checkpoint{origin: name, size: 3, root: rootOf(dense, 3)}
		e.verifyCheckpoint(pos, fmt.Sprintf("key name %q", name), signNote(cp.text(), k.signer), k.vkey, k.verifier)
	}

	// Tampering. Each note is well formed; Go rejects each.
	cp := checkpoint{origin: origin, size: 1234, root: rootOf(dense, 1234)}
	text := cp.text()
	good := signNote(text, log.signer)
	logLine := signatureLine(log.signer, text)
	tamperText := func(desc, newText string) {
		msg := append([]byte(newText), good[len(text):]...)
		e.verifyCheckpoint(neg, "tampered text: "+desc, msg, log.vkey, log.verifier)
	}
	tamperText("size+1", checkpoint{origin: origin, size: 1235, root: cp.root}.text())
	tamperText("size of another tree", checkpoint{origin: origin, size: 1233, root: cp.root}.text())
	tamperText("root of another size", checkpoint{origin: origin, size: 1234, root: rootOf(dense, 1233)}.text())
	tamperText("root flipped", checkpoint{origin: origin, size: 1234, root: flip(cp.root, rng)}.text())
	tamperText("origin changed", checkpoint{origin: origin + "x", size: 1234, root: cp.root}.text())
	tamperText("extension line added", text+"added\n")
	tamperText("last line dropped", checkpoint{origin: origin, size: 1234}.text()[:len(origin)+6])

	rawSig := func(line string) []byte {
		f := strings.Fields(strings.TrimSuffix(line, "\n"))
		b, _ := base64.StdEncoding.DecodeString(f[len(f)-1])
		return b
	}
	sig := rawSig(logLine)
	for _, at := range []int{4, 30, len(sig) - 1} {
		bad := append([]byte(nil), sig...)
		bad[at] ^= 0x20
		e.verifyCheckpoint(neg, fmt.Sprintf("signature byte %d flipped", at), assemble(text, "— "+origin+" "+b64(bad)+"\n"), log.vkey, log.verifier)
	}
	badID := append([]byte(nil), sig...)
	badID[0] ^= 0x01
	e.verifyCheckpoint(neg, "key id in the signature flipped", assemble(text, "— "+origin+" "+b64(badID)+"\n"), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "signature truncated", assemble(text, "— "+origin+" "+b64(sig[:len(sig)-1])+"\n"), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "signature under another name", assemble(text, "— "+origin+"2 "+b64(sig)+"\n"), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "verified with another log's key", good, other.vkey, other.verifier)
	e.verifyCheckpoint(neg, "signed by another key with the same name", signNote(text, impostor.signer), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "signed by another log's key", signNote(text, other.signer), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "signed only by unknown keys", signNote(text, other.signer, impostor.signer), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "signed by the impostor and the log, log's key bad", assemble(text, signatureLine(impostor.signer, text), "— "+origin+" "+b64(badID)+"\n"), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "no signatures", []byte(text+"\n"), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "no blank line", []byte(text+logLine), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "signature line without newline", good[:len(good)-1], log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "hyphen instead of em dash", assemble(text, "-"+strings.TrimPrefix(logLine, "—")), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "garbage line after the signature", append(append([]byte(nil), good...), "garbage\n"...), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "CRLF line endings", bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "NUL byte in the text", signNote(checkpoint{origin: origin, size: 1, root: cp.root, extensions: []string{"a\x00b"}}.text(), log.signer), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "invalid UTF-8 in the text", signNote(checkpoint{origin: origin, size: 1, root: cp.root, extensions: []string{"a\xffb"}}.text(), log.signer), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "unknown signature of 4 bytes", assemble(text, logLine, "— witness "+b64([]byte{1, 2, 3, 4})+"\n"), log.vkey, log.verifier)
	e.verifyCheckpoint(neg, "empty note", []byte{}, log.vkey, log.verifier)
	// Validly signed but not checkpoints.
	badText := func(desc, t string) {
		e.verifyCheckpoint(neg, "signed non-checkpoint: "+desc, signNote(t, log.signer), log.vkey, log.verifier)
	}
	badText("size with a leading zero", fmt.Sprintf("%s\n01234\n%s\n", origin, hashB64(cp.root)))
	badText("size with a sign", fmt.Sprintf("%s\n+1234\n%s\n", origin, hashB64(cp.root)))
	badText("size not a number", fmt.Sprintf("%s\nbig\n%s\n", origin, hashB64(cp.root)))
	badText("root of 31 bytes", fmt.Sprintf("%s\n1234\n%s\n", origin, b64(cp.root[:31])))
	badText("root missing", fmt.Sprintf("%s\n1234\n", origin))
	badText("blank extension line", cp.text()+"\nafter blank\n")
	badText("origin is not the key name", checkpoint{origin: "other.example/log", size: 1234, root: cp.root}.text())

	// Several signatures.
	var unknown []goKey
	for i := 0; i < 100; i++ {
		unknown = append(unknown, newGoKey(rng, fmt.Sprintf("witness%d.example", i)))
	}
	lines := func(keys []goKey) []string {
		var out []string
		for _, k := range keys {
			out = append(out, signatureLine(k.signer, text))
		}
		return out
	}
	multiCase := func(desc string, sigLines ...string) {
		e.verifyCheckpoint(multi, desc, assemble(text, sigLines...), log.vkey, log.verifier)
	}
	multiCase("log's signature last of 4", append(lines(unknown[:3]), logLine)...)
	multiCase("log's signature second of 3", lines(unknown[:1])[0], logLine, lines(unknown[1:2])[0])
	multiCase("note.Sign with witnesses first", string(signNote(text, unknown[5].signer, unknown[6].signer, log.signer)[len(text)+1:]))
	multiCase("16 unknown Ed25519 signatures, then the log's", append(lines(unknown[:16]), logLine)...)
	multiCase("20 unknown, log's in the middle", append(append(lines(unknown[:10]), logLine), lines(unknown[10:20])...)...)
	multiCase("99 unknown, then the log's (100 lines, the most Go allows)", append(lines(unknown[:99]), logLine)...)
	multiCase("100 unknown, then the log's (101 lines, one too many)", append(lines(unknown[:100]), logLine)...)
	var pq []string
	for i := 0; i < 16; i++ { // Sizes of ML-DSA-87 signatures, as in the signed-note spec's limit.
		pq = append(pq, sigLine(fmt.Sprintf("pq%d.example", i), rng.Uint32(), randBytes(rng, 4627)))
	}
	multiCase("16 unknown 4,627-byte signatures, then the log's", append(pq, logLine)...)
	multiCase("unknown cosignature/v1-sized signature (72 bytes) first", sigLine("witness.example", rng.Uint32(), randBytes(rng, 72)), logLine)
	multiCase("unknown signature of 1 byte", sigLine("tiny.example", rng.Uint32(), []byte{7}), logLine)
	multiCase("an impostor with the log's name signs too", signatureLine(impostor.signer, text), logLine)
	multiCase("unknown name with the log's key id", sigLine("not."+origin, log.verifier.KeyHash(), randBytes(rng, 64)), logLine)
	multiCase("the same unknown signature twice", lines(unknown[:1])[0], lines(unknown[:1])[0], logLine)
	multiCase("unknown signatures only", lines(unknown[:20])...)
	e.b.flush()

	return []*group{pos, neg, multi}
}

// ---------------------------------------------------------------------------------------------
// Keys made by vellum, used by Go.

func keyGroups(r *runner, rng *rand.Rand, dense source, dir string) []*group {
	g := &group{name: "keys/vellum-to-go"}
	bad := &group{name: "keys/invalid-names"}
	e := &noteEnv{b: r.newBatch(), dir: dir, prefix: "keygen-note"}
	for i, origin := range []string{"vellum.example/log", "a", "ledger.example/ünïcode/日志", "zero\u200bwidth", "sigsum.org/v1/tree/" + strings.Repeat("f", 64)} {
		prefix := filepath.Join(dir, fmt.Sprintf("vellum%d", i))
		o := r.run(nil, "keygen", "--origin="+origin, "--out="+prefix)
		if !g.exit(fmt.Sprintf("keygen --origin %q", origin), 0, o) {
			continue
		}
		skeyBytes, err1 := os.ReadFile(prefix + ".key")
		vkeyBytes, err2 := os.ReadFile(prefix + ".pub")
		if !g.check(err1 == nil && err2 == nil, "keygen %q: cannot read the key files: %v %v", origin, err1, err2) {
			continue
		}
		skey, vkey := strings.TrimSuffix(string(skeyBytes), "\n"), strings.TrimSuffix(string(vkeyBytes), "\n")
		g.check(string(skeyBytes) == skey+"\n" && string(vkeyBytes) == vkey+"\n", "keygen %q: key files are not one line ending in a newline", origin)
		g.check(o.stdout == vkey+"\n", "keygen %q: printed %q, want the verifier key %q", origin, o.stdout, vkey)
		if st, err := os.Stat(prefix + ".key"); err == nil {
			g.check(st.Mode().Perm() == 0o600, "keygen %q: %s has mode %v, want 0600", origin, prefix+".key", st.Mode().Perm())
		}
		if st, err := os.Stat(prefix + ".pub"); err == nil {
			g.check(st.Mode().Perm()&0o022 == 0, "keygen %q: %s has mode %v, writable by others", origin, prefix+".pub", st.Mode().Perm())
		}
		signer, err := note.NewSigner(skey)
		if !g.check(err == nil, "keygen %q: note.NewSigner rejects %s.key: %v", origin, prefix, err) {
			continue
		}
		verifier, err := note.NewVerifier(vkey)
		if !g.check(err == nil, "keygen %q: note.NewVerifier rejects %q: %v", origin, vkey, err) {
			continue
		}
		g.check(signer.Name() == origin && verifier.Name() == origin, "keygen %q: names %q and %q", origin, signer.Name(), verifier.Name())
		g.check(signer.KeyHash() == verifier.KeyHash(), "keygen %q: key ids %08x and %08x differ", origin, signer.KeyHash(), verifier.KeyHash())
		prefixText := fmt.Sprintf("PRIVATE+KEY+%s+%08x+", origin, signer.KeyHash())
		if g.check(strings.HasPrefix(skey, prefixText), "keygen %q: signer key does not start %q", origin, prefixText) {
			g.check(!strings.Contains(o.stdout+o.stderr, strings.TrimPrefix(skey, prefixText)), "keygen %q: printed the private key", origin)
		}

		// Go signs with vellum's key; Go and vellum both verify.
		size := 1 + rng.Int63n(dense.size())
		cp := checkpoint{origin: origin, size: size, root: rootOf(dense, size)}
		msg := signNote(cp.text(), signer)
		_, err = note.Open(msg, note.VerifierList(verifier))
		g.check(err == nil, "keygen %q: Go cannot verify its own signature with vellum's key pair: %v", origin, err)
		e.verifyCheckpoint(g, fmt.Sprintf("keygen %q: note signed by Go with vellum's key, key from file", origin), msg, prefix+".pub", verifier)
		e.verifyCheckpoint(g, fmt.Sprintf("keygen %q: note signed by Go with vellum's key, key as text", origin), msg, vkey, verifier)
		// A Go key with the same name is a different key.
		impostor := newGoKey(rng, origin)
		e.verifyCheckpoint(g, fmt.Sprintf("keygen %q: note signed by a Go key of the same name", origin), signNote(cp.text(), impostor.signer), prefix+".pub", verifier)

		// keygen never overwrites.
		o = r.run(nil, "keygen", "--origin="+origin, "--out="+prefix)
		g.exit(fmt.Sprintf("keygen %q again over existing files", origin), 2, o)
		after, _ := os.ReadFile(prefix + ".key")
		g.check(bytes.Equal(after, skeyBytes), "keygen %q: second run changed %s.key", origin, prefix)
	}
	// Two keygens give different keys.
	p1, p2 := filepath.Join(dir, "twin1"), filepath.Join(dir, "twin2")
	o1 := r.run(nil, "keygen", "--origin=twin.example", "--out="+p1)
	o2 := r.run(nil, "keygen", "--origin=twin.example", "--out="+p2)
	if g.exit("keygen twin 1", 0, o1) && g.exit("keygen twin 2", 0, o2) {
		g.check(o1.stdout != o2.stdout, "two keygen runs gave the same key %q", o1.stdout)
	}

	// Names Go's note package cannot use: note.GenerateKey does not check the name, but
	// note.NewVerifier rejects the resulting key. vellum keygen must refuse them (usage error)
	// and write nothing.
	for i, name := range []string{"", "with space", "a+b", "tab\there", "nl\nhere", "nbsp\u00a0here", "em\u2003space", "ideographic\u3000space", "ogham\u1680mark", "nel\u0085here", "bad\xffutf8"} {
		_, vkey, err := note.GenerateKey(rng, name)
		if err == nil {
			_, err = note.NewVerifier(vkey)
		}
		if !bad.check(err != nil, "harness: Go accepts key name %q", name) {
			continue
		}
		prefix := filepath.Join(dir, fmt.Sprintf("badname%d", i))
		o := r.run(nil, "keygen", "--origin="+name, "--out="+prefix)
		bad.exit(fmt.Sprintf("keygen --origin %q (Go: %v)", name, err), 2, o)
		_, errKey := os.Stat(prefix + ".key")
		_, errPub := os.Stat(prefix + ".pub")
		bad.check(os.IsNotExist(errKey) && os.IsNotExist(errPub), "keygen --origin %q wrote files", name)
	}
	e.b.flush()
	return []*group{g, bad}
}

// ---------------------------------------------------------------------------------------------
// Receipts (c2sp.org/tlog-proof@v1).

const receiptHeader = "c2sp.org/tlog-proof@v1"

func formatReceipt(extra []byte, index string, proof []hash, signedCheckpoint []byte) []byte {
	var b bytes.Buffer
	b.WriteString(receiptHeader + "\n")
	if extra != nil {
		b.WriteString("extra " + b64(extra) + "\n")
	}
	b.WriteString("index " + index + "\n")
	for _, h := range proof {
		b.WriteString(hashB64(h) + "\n")
	}
	b.WriteString("\n")
	b.Write(signedCheckpoint)
	return b.Bytes()
}

// checkReceipt is the reference verdict for a receipt: the c2sp.org/tlog-proof@v1 layout,
// then openCheckpoint, then tlog.CheckRecord for the entry's tlog.RecordHash.
func checkReceipt(receipt, entry []byte, v note.Verifier) error {
	rest := string(receipt)
	next := func() (string, error) {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			return "", errors.New("receipt ends without a newline")
		}
		line := rest[:i]
		rest = rest[i+1:]
		return line, nil
	}
	line, err := next()
	if err != nil {
		return err
	}
	if line != receiptHeader {
		return fmt.Errorf("header %q", line)
	}
	if line, err = next(); err != nil {
		return err
	}
	if strings.HasPrefix(line, "extra ") {
		if _, err := base64.StdEncoding.Strict().DecodeString(line[len("extra "):]); err != nil || len(line) == len("extra ") || strings.ContainsAny(line, "\r") {
			return fmt.Errorf("malformed extra line %q", line)
		}
		if line, err = next(); err != nil {
			return err
		}
	}
	if !strings.HasPrefix(line, "index ") {
		return fmt.Errorf("want an index line, got %q", line)
	}
	index, err := parseDecimal(line[len("index "):])
	if err != nil {
		return err
	}
	var proof tlog.RecordProof
	for {
		if line, err = next(); err != nil {
			return err
		}
		if line == "" {
			break
		}
		h, err := parseStrictHash(line)
		if err != nil {
			return err
		}
		proof = append(proof, h)
	}
	cp, err := openCheckpoint([]byte(rest), v)
	if err != nil {
		return err
	}
	return tlog.CheckRecord(proof, cp.size, cp.root, index, tlog.RecordHash(entry))
}

func receiptGroups(r *runner, rng *rand.Rand, dense source, sparse []*sparseTree, dir string) []*group {
	pos := &group{name: "receipt/positive"}
	neg := &group{name: "receipt/negative"}
	origin := "receipts.vellum.example/log"
	log := newGoKey(rng, origin)
	impostor := newGoKey(rng, origin)
	vkeyFile := writeFile(dir, "receipt-log.vkey", []byte(log.vkey+"\n"))
	files := 0
	file := func(data []byte) string {
		files++
		return writeFile(dir, fmt.Sprintf("receipt%d", files), data)
	}
	b := r.newBatch()
	verify := func(g *group, desc string, receipt, entry []byte, vkeyArg string) {
		goErr := checkReceipt(receipt, entry, log.verifier)
		args := []string{"verify", "receipt", "--verifier-key=" + vkeyArg, "--entry=" + file(entry), file(receipt)}
		b.add(nil, args, func(o outcome) {
			if g.verdict(desc, goErr, o) && goErr == nil {
				g.check(strings.HasPrefix(o.stdout, "valid"), "%s: stdout %q", desc, o.stdout)
			}
		})
	}

	type spot struct {
		s           source
		size, index int64
	}
	var spots []spot
	for _, size := range []int64{1, 2, 3, 7, 8, 9, 70, 1000, dense.size()} {
		spots = append(spots, spot{dense, size, size - 1}, spot{dense, size, rng.Int63n(size)})
	}
	for _, t := range sparse[:3] {
		spots = append(spots, spot{t, t.n, t.pick(rng)})
	}
	checkpointFor := func(s source, size int64, signers ...note.Signer) []byte {
		return signNote(checkpoint{origin: origin, size: size, root: rootOf(s, size)}.text(), signers...)
	}
	witness := newGoKey(rng, "witness.example")
	for i, sp := range spots {
		proof := inclusionProof(sp.s, sp.size, sp.index)
		entry := sp.s.record(sp.index)
		cpNote := checkpointFor(sp.s, sp.size, log.signer)
		desc := fmt.Sprintf("index %d of size %d", sp.index, sp.size)
		var extra []byte
		if i%2 == 1 {
			extra = randBytes(rng, 1+rng.Intn(64))
			desc += " with extra"
		}
		receipt := formatReceipt(extra, dec(sp.index), proof, cpNote)
		key := log.vkey
		if i%3 == 0 {
			key = vkeyFile
		}
		verify(pos, desc, receipt, entry, key)
		if i%4 == 0 {
			verify(pos, desc+", checkpoint cosigned by a witness", formatReceipt(extra, dec(sp.index), proof, checkpointFor(sp.s, sp.size, witness.signer, log.signer)), entry, key)
		}

		if i%4 != 3 && sp.size < 1<<20 && i > 1 {
			continue // Negative cases for a quarter of the spots, plus the smallest and huge ones.
		}
		other := append([]byte(nil), entry...)
		other = append(other, 'x')
		verify(neg, desc+": entry with a byte appended", receipt, other, key)
		if sp.size > 1 {
			j := (sp.index + 1) % sp.size
			verify(neg, desc+": another entry of the log", receipt, sp.s.record(j), key)
			verify(neg, desc+fmt.Sprintf(": index line says %d", j), formatReceipt(extra, dec(j), proof, cpNote), entry, key)
		}
		if len(entry) > 0 {
			verify(neg, desc+": empty entry", receipt, nil, key)
		}
		verify(neg, desc+": index = size", formatReceipt(extra, dec(sp.size), proof, cpNote), entry, key)
		verify(neg, desc+": index with a leading zero", formatReceipt(extra, "0"+dec(sp.index), proof, cpNote), entry, key)
		if len(proof) > 0 {
			p := clone(proof)
			k := rng.Intn(len(p))
			p[k] = flip(p[k], rng)
			verify(neg, desc+fmt.Sprintf(": proof hash %d flipped", k), formatReceipt(extra, dec(sp.index), p, cpNote), entry, key)
			verify(neg, desc+": proof truncated", formatReceipt(extra, dec(sp.index), proof[:len(proof)-1], cpNote), entry, key)
		}
		verify(neg, desc+": proof extended", formatReceipt(extra, dec(sp.index), append(clone(proof), randHash(rng)), cpNote), entry, key)
		if sp.size+1 <= sp.s.size() {
			verify(neg, desc+": checkpoint of size+1", formatReceipt(extra, dec(sp.index), proof, checkpointFor(sp.s, sp.size+1, log.signer)), entry, key)
		}
		verify(neg, desc+": checkpoint signed by another key with the log's name", formatReceipt(extra, dec(sp.index), proof, checkpointFor(sp.s, sp.size, impostor.signer)), entry, key)
		verify(neg, desc+": checkpoint signed by a witness only", formatReceipt(extra, dec(sp.index), proof, checkpointFor(sp.s, sp.size, witness.signer)), entry, key)
		tampered := bytes.Replace(cpNote, []byte("\n"+dec(sp.size)+"\n"), []byte("\n"+dec(sp.size+1)+"\n"), 1)
		verify(neg, desc+": checkpoint size edited", formatReceipt(extra, dec(sp.index), proof, tampered), entry, key)
		verify(neg, desc+": version @v2 header", bytes.Replace(receipt, []byte("@v1"), []byte("@v2"), 1), entry, key)
		verify(neg, desc+": no header", receipt[len(receiptHeader)+1:], entry, key)
		verify(neg, desc+": extra not base64", formatReceiptRaw("extra not*base64!", dec(sp.index), proof, cpNote), entry, key)
		verify(neg, desc+": no blank line before the checkpoint", bytes.Replace(receipt, []byte("\n\n"+origin), []byte("\n"+origin), 1), entry, key)
		verify(neg, desc+": checkpoint missing", receipt[:len(receipt)-len(cpNote)], entry, key)
	}
	b.flush()
	pos.notef("%d receipt spots in dense trees up to %d entries and virtual trees up to 2^61", len(spots), dense.size())
	return []*group{pos, neg}
}

// formatReceiptRaw is formatReceipt with a literal extra line.
func formatReceiptRaw(extraLine, index string, proof []hash, signedCheckpoint []byte) []byte {
	r := formatReceipt(nil, index, proof, signedCheckpoint)
	return append([]byte(receiptHeader+"\n"+extraLine+"\n"), r[len(receiptHeader)+1:]...)
}

// ---------------------------------------------------------------------------------------------
// Leaf hashes.

func hashGroup(r *runner, rng *rand.Rand, dir string) *group {
	g := &group{name: "hash/leaf"}
	sizes := []int{0, 1, 2, 31, 32, 33, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 4096, 65534, 65535}
	for i := 0; i < 6; i++ {
		sizes = append(sizes, rng.Intn(65536))
	}
	for i, n := range sizes {
		data := randBytes(rng, n)
		if i%5 == 0 && n > 2 { // Some entries look like text.
			copy(data, "{\"event\":\"deploy\"}\n")
		}
		want := hashB64(tlog.RecordHash(data)) + "\n"
		path := writeFile(dir, fmt.Sprintf("leaf%d", i), data)
		o := r.run(nil, "hash", "leaf", path)
		if g.exit(fmt.Sprintf("hash leaf of %d bytes", n), 0, o) {
			g.check(o.stdout == want, "hash leaf of %d bytes: got %q, want %q", n, o.stdout, want)
		}
		if i < 4 || n == 65535 {
			for _, args := range [][]string{{"hash", "leaf", "-"}, {"hash", "leaf"}} {
				o := r.run(data, args...)
				if g.exit(fmt.Sprintf("%s of %d bytes on stdin", strings.Join(args, " "), n), 0, o) {
					g.check(o.stdout == want, "%s of %d bytes on stdin: got %q, want %q", strings.Join(args, " "), n, o.stdout, want)
				}
			}
		}
	}
	return g
}

// ---------------------------------------------------------------------------------------------
// Inputs that cannot be parsed: exit 2, and Go cannot use them either.

func malformedGroup(r *runner, rng *rand.Rand, dense source, dir string) *group {
	g := &group{name: "cli/malformed"}
	c := newInclusionCase(dense, 100, 37, "")
	leaf, root := hashB64(c.leaf), hashB64(c.root)
	p := strings.Split(proofFlag(c.proof), ",")
	incl := func(leaf, index, size, root, proof string) []string {
		return []string{"verify", "inclusion", "--leaf-hash=" + leaf, "--index=" + index, "--size=" + size, "--root=" + root, "--proof=" + proof}
	}
	// The base case is valid, so each case below differs from a valid one in one place.
	g.exit("valid base case", 0, r.run(nil, incl(leaf, "37", "100", root, strings.Join(p, ","))...))

	// plusSlash encodes to "++++//..." in standard base64; the URL alphabet spells it "----__".
	var plusSlash hash
	for i := range plusSlash {
		plusSlash[i] = []byte{0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff}[i%6]
	}
	urlSafe := base64.URLEncoding.EncodeToString(plusSlash[:])
	type bad struct {
		desc  string
		args  []string
		goErr error // Go's reason for rejecting the same input
	}
	parseErr := func(s string) error {
		_, err := tlog.ParseHash(s)
		return err
	}
	cases := []bad{
		{"leaf hash of 31 bytes", incl(b64(c.leaf[:31]), "37", "100", root, strings.Join(p, ",")), parseErr(b64(c.leaf[:31]))},
		{"root of 33 bytes", incl(leaf, "37", "100", b64(append(c.root[:], 0)), strings.Join(p, ",")), parseErr(b64(append(c.root[:], 0)))},
		{"root not base64", incl(leaf, "37", "100", "not base64!", strings.Join(p, ",")), parseErr("not base64!")},
		{"proof hash in the URL-safe alphabet", incl(leaf, "37", "100", root, strings.Join(append(p[:len(p)-1], urlSafe), ",")), parseErr(urlSafe)},
		{"empty proof element", incl(leaf, "37", "100", root, p[0]+",,"+strings.Join(p[1:], ",")), parseErr("")},
		{"proof with a trailing comma", incl(leaf, "37", "100", root, strings.Join(p, ",")+","), parseErr("")},
		{"unpadded leaf hash", incl(strings.TrimRight(leaf, "="), "37", "100", root, strings.Join(p, ",")), parseErr(strings.TrimRight(leaf, "="))},
		{"negative index", incl(leaf, "-1", "100", root, strings.Join(p, ",")), tlog.CheckRecord(c.proof, 100, c.root, -1, c.leaf)},
		{"negative size", incl(leaf, "37", "-100", root, strings.Join(p, ",")), tlog.CheckRecord(c.proof, -100, c.root, 37, c.leaf)},
		{"consistency with negative size1", []string{"verify", "consistency", "--size1=-5", "--size2=100", "--root1=" + root, "--root2=" + root, "--proof="},
			tlog.CheckTree(nil, 100, c.root, -5, c.root)},
		{"inclusion without --proof", incl(leaf, "37", "100", root, "")[:6], errors.New("no proof given")},
	}
	for _, bc := range cases {
		if !g.check(bc.goErr != nil, "harness: Go accepts %s", bc.desc) {
			continue
		}
		g.exit(bc.desc+" (Go: "+bc.goErr.Error()+")", 2, r.run(nil, bc.args...))
	}

	// Verifier keys Go's note.NewVerifier refuses.
	k := newGoKey(rng, "malformed.example/log")
	cp := checkpoint{origin: "malformed.example/log", size: 1, root: rootOf(dense, 1)}
	msg := writeFile(dir, "malformed-note", signNote(cp.text(), k.signer))
	f := strings.SplitN(k.vkey, "+", 3)
	id, _ := strconv.ParseUint(f[1], 16, 32)
	keys := []struct{ desc, vkey string }{
		{"verifier key with a wrong key id", fmt.Sprintf("%s+%08x+%s", f[0], uint32(id)^1, f[2])},
		{"verifier key with a short key id", fmt.Sprintf("%s+%s+%s", f[0], f[1][1:], f[2])},
		{"verifier key of algorithm 2", func() string {
			raw, _ := base64.StdEncoding.DecodeString(f[2])
			raw[0] = 2
			sum := sha256.Sum256(append([]byte(f[0]+"\n"), raw...))
			return fmt.Sprintf("%s+%08x+%s", f[0], binary.BigEndian.Uint32(sum[:]), b64(raw))
		}()},
		{"verifier key with a 31-byte public key", func() string {
			raw, _ := base64.StdEncoding.DecodeString(f[2])
			raw = raw[:32]
			sum := sha256.Sum256(append([]byte(f[0]+"\n"), raw...))
			return fmt.Sprintf("%s+%08x+%s", f[0], binary.BigEndian.Uint32(sum[:]), b64(raw))
		}()},
		{"verifier key without a name", strings.TrimPrefix(k.vkey, f[0])},
		{"signer key given as the verifier key", k.skey},
	}
	for _, kc := range keys {
		_, goErr := note.NewVerifier(kc.vkey)
		if !g.check(goErr != nil, "harness: note.NewVerifier accepts %s", kc.desc) {
			continue
		}
		o := r.run(nil, "verify", "checkpoint", "--verifier-key="+kc.vkey, msg)
		g.exit(kc.desc+" (Go: "+goErr.Error()+")", 2, o)
		if kc.vkey == k.skey {
			seed := strings.TrimPrefix(k.skey, fmt.Sprintf("PRIVATE+KEY+%s+%s+", f[0], f[1]))
			g.check(!strings.Contains(o.stdout+o.stderr, seed), "vellum echoed the signer key given as a verifier key: %q", o.stderr)
		}
	}
	// An entry over the tlog-tiles limit of 65,535 bytes cannot be in a Vellum log.
	big := writeFile(dir, "entry65536", randBytes(rng, 65536))
	g.exit("hash leaf of a 65,536-byte entry", 2, r.run(nil, "hash", "leaf", big))
	g.exit("hash leaf of a missing file", 2, r.run(nil, "hash", "leaf", filepath.Join(dir, "no-such-file")))
	return g
}

// ---------------------------------------------------------------------------------------------
// Documented differences between vellum and Go.

func divergenceGroup(r *runner, rng *rand.Rand, dense source, dir string) *group {
	g := &group{name: "divergence/documented"}
	probe := func(desc string, goErr error, want int, where string, o outcome) {
		agree := (goErr == nil) == (o.code == 0)
		g.check(o.code == want, "%s: want exit %d (%s), vellum exited %d%s", desc, want, where, o.code, stderrSuffix(o))
		status := "same verdict"
		if !agree {
			status = "DIFFERENT verdict, documented in " + where
		}
		g.notef("%s: Go %s; vellum exit %d: %s", desc, goVerdict(goErr), o.code, status)
	}
	cons := func(size1, size2 int64, root1, root2 hash, proof []hash) []string {
		return consistencyCase{size1: size1, size2: size2, root1: root1, root2: root2, proof: proof}.args()
	}
	empty := hash(sha256.Sum256(nil))
	r5 := rootOf(dense, 5)
	// RFC 9162 / c2sp.org/tlog-witness: every tree extends the empty tree.
	probe("consistency from size 0 (empty root) to size 5, empty proof", tlog.CheckTree(nil, 5, r5, 0, empty), 0, "proof/verify.h", r.run(nil, cons(0, 5, empty, r5, nil)...))
	probe("consistency from size 0 to size 0, empty proof", tlog.CheckTree(nil, 0, empty, 0, empty), 0, "proof/verify.h", r.run(nil, cons(0, 0, empty, empty, nil)...))
	probe("consistency from size 0 with an all-zero root1 (tlog.TreeHash(0))", tlog.CheckTree(nil, 5, r5, 0, hash{}), 1, "proof/verify.h", r.run(nil, cons(0, 5, hash{}, r5, nil)...))
	probe("consistency from size 0 with a non-empty proof", tlog.CheckTree([]hash{r5}, 5, r5, 0, empty), 1, "proof/verify.h", r.run(nil, cons(0, 5, empty, r5, []hash{r5})...))

	// Strict base64: a hash whose last character carries non-zero padding bits. Go's
	// base64.StdEncoding (used by tlog.ParseHash and note.Open) ignores those bits.
	c := newInclusionCase(dense, 20, 3, "")
	rootText := hashB64(c.root)
	loose := rootText[:42] + string(nextB64Char(rootText[42])) + "="
	looseHash, err := tlog.ParseHash(loose)
	if !g.check(err == nil && looseHash == c.root, "harness: Go does not read %q as the root", loose) {
		return g
	}
	args := c.args()
	args[5] = "--root=" + loose
	probe("inclusion with a root in non-canonical base64 (padding bits set)", c.goCheck(), 2, "proof/base64.h", r.run(nil, args...))

	origin := "divergence.vellum.example/log"
	k := newGoKey(rng, origin)
	cp := checkpoint{origin: origin, size: 20, root: c.root}
	text := cp.text()
	line := signatureLine(k.signer, text)
	msgFile := func(name string, msg []byte) (string, error) {
		_, err := openCheckpoint(msg, k.verifier)
		return writeFile(dir, name, msg), err
	}
	path, goErr := msgFile("div-dup", assemble(text, line, line))
	probe("the log's signature twice", goErr, 1, "proof/note.h (OpenNote)", r.run(nil, "verify", "checkpoint", "--verifier-key="+k.vkey, path))
	f := strings.Fields(strings.TrimSuffix(line, "\n"))
	raw, _ := base64.StdEncoding.DecodeString(f[2])
	raw[10] ^= 1
	path, goErr = msgFile("div-dup-bad", assemble(text, line, "— "+origin+" "+b64(raw)+"\n"))
	probe("the log's signature, then a bad one by the same key", goErr, 1, "proof/note.h (OpenNote)", r.run(nil, "verify", "checkpoint", "--verifier-key="+k.vkey, path))
	// A 68-byte signature encodes to 92 characters ending in "=" with 2 padding bits.
	sigText := f[2]
	looseSig := sigText[:len(sigText)-2] + string(nextB64Char(sigText[len(sigText)-2])) + "="
	path, goErr = msgFile("div-loose-sig", assemble(text, "— "+origin+" "+looseSig+"\n"))
	probe("the log's signature in non-canonical base64 (padding bits set)", goErr, 1, "proof/note.h (strict base64)", r.run(nil, "verify", "checkpoint", "--verifier-key="+k.vkey, path))

	// note.NewVerifier reads the key id with strconv.ParseUint, so upper-case hex passes; vellum
	// wants the 8 lower-case hex digits that note.GenerateKey writes.
	for !strings.ContainsAny(strings.SplitN(k.vkey, "+", 3)[1], "abcdef") {
		k = newGoKey(rng, origin)
	}
	kf := strings.SplitN(k.vkey, "+", 3)
	upper := kf[0] + "+" + strings.ToUpper(kf[1]) + "+" + kf[2]
	_, goErr = note.NewVerifier(upper)
	path = writeFile(dir, "div-upper", signNote(text, k.signer))
	probe("verifier key with an upper-case key id", goErr, 2, "proof/note.h (NoteVerifier::Create)", r.run(nil, "verify", "checkpoint", "--verifier-key="+upper, path))
	return g
}

// nextB64Char returns the base64 character one above c, which differs only in the low bits.
func nextB64Char(c byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	i := strings.IndexByte(alphabet, c)
	return alphabet[i^1]
}

// ---------------------------------------------------------------------------------------------

func main() {
	vellum := flag.String("vellum", "", "path to the vellum binary (required)")
	seed := flag.Int64("seed", 0, "random seed; 0 picks one from the clock")
	xmlPath := flag.String("xml", os.Getenv("XML_OUTPUT_FILE"), "JUnit XML output file (default $XML_OUTPUT_FILE)")
	workers := flag.Int("workers", 4, "vellum processes to run at once for the proof checks")
	denseSize := flag.Int64("dense_size", 0, "entries in the in-memory tlog tree; 0 picks 100,000..149,999 from the seed")
	flag.Parse()
	if *vellum == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: go run interop.go report.go -vellum PATH [-seed N] [-xml FILE]")
		os.Exit(2)
	}
	if *seed == 0 {
		*seed = time.Now().UnixNano()
	}
	bin, err := filepath.Abs(*vellum)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop: no vellum binary: %v\n", err)
		os.Exit(2)
	}
	fmt.Printf("interop: seed %d (rerun with -seed %d)\n", *seed, *seed)
	dir, err := os.MkdirTemp(os.Getenv("TEST_TMPDIR"), "interop")
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop: %v\n", err)
		os.Exit(2)
	}
	defer os.RemoveAll(dir)

	start := time.Now()
	rng := rand.New(rand.NewSource(*seed))
	if *denseSize == 0 {
		*denseSize = 100000 + rng.Int63n(50000)
	}
	dense := newDenseTree(rng, *denseSize)
	var sparse []*sparseTree
	for _, n := range []int64{1<<61 - 1, 1 << 61, 1<<40 + 1, 1<<32 + rng.Int63n(1<<32), 1<<50 + rng.Int63n(1<<55)} {
		special := []int64{rng.Int63n(n), n - 1, 0, n / 2, rng.Int63n(n)}
		sparse = append(sparse, newSparseTree(rng, n, special))
	}
	fmt.Printf("interop: tlog trees built in %v: %d entries in memory, %d virtual trees of 2^32..2^61 entries\n",
		time.Since(start).Round(time.Millisecond), dense.size(), len(sparse))

	r := &runner{bin: bin, workers: *workers}
	var groups []*group
	timed := func(f func() []*group) {
		t := time.Now()
		gs := f()
		for _, g := range gs {
			g.elapsed = time.Since(t) / time.Duration(len(gs))
		}
		groups = append(groups, gs...)
	}
	timed(func() []*group { a, b := inclusionGroups(r, rng, dense, sparse); return []*group{a, b} })
	timed(func() []*group { a, b := consistencyGroups(r, rng, dense, sparse); return []*group{a, b} })
	timed(func() []*group { return noteGroups(r, rng, dense, sparse, dir) })
	timed(func() []*group { return keyGroups(r, rng, dense, dir) })
	timed(func() []*group { return receiptGroups(r, rng, dense, sparse, dir) })
	timed(func() []*group { return []*group{hashGroup(r, rng, dir)} })
	timed(func() []*group { return []*group{malformedGroup(r, rng, dense, dir)} })
	timed(func() []*group { return []*group{divergenceGroup(r, rng, dense, dir)} })
	total := time.Since(start)

	detail := fmt.Sprintf("; %d vellum runs (%v summed over the runs)", r.calls, r.spent.Round(time.Millisecond))
	if !report("interop", groups, *xmlPath, total, *seed, detail) {
		os.Exit(1)
	}
}
