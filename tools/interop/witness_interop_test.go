// Interoperability test of witnesses and cosignatures (c2sp.org/tlog-witness,
// c2sp.org/tlog-cosignature), checked with Go's standard library and golang.org/x/mod/sumdb/note
// and tlog only: no Vellum code on the checking side.
//
// It starts three `vellum witness` processes and a `vellumd` that sends them its checkpoints,
// appends entries, and then checks:
//   - witness/cosignature: every cosignature on the log's /checkpoint, on a witnessed receipt and
//     in a witness's own answer verifies as the spec defines it, implemented here from the spec
//     text: the key id is SHA-256(name || "\n" || 0x04 || public key)[:4], the signature is an
//     8-byte big-endian timestamp and Ed25519 over "cosignature/v1\ntime <t>\n" || note text;
//   - witness/errors: a witness answers each error case of add-checkpoint with the spec's status
//     code and body (404, 403, 400, 409 with text/x.tlog.size, 422), and nothing it refuses
//     changes what it serves.
//
//   go run witness_interop.go report.go process.go -vellum PATH [-xml FILE]
//
// vellumd is taken from the same directory as vellum.

package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const origin = "interop.test/witnessed-log"

// cosigner is a witness's public key, parsed from its verifier key text as the spec describes.
type cosigner struct {
	name  string
	keyID uint32
	key   ed25519.PublicKey
}

func parseCosigner(vkey string) (cosigner, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return cosigner{}, fmt.Errorf("verifier key %q: want name+id+key", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		return cosigner{}, fmt.Errorf("verifier key %q: want base64 of 0x04 and 32 bytes", vkey)
	}
	c := cosigner{name: parts[0], key: ed25519.PublicKey(raw[1:])}
	h := sha256.Sum256(append([]byte(c.name+"\n"), raw...))
	c.keyID = binary.BigEndian.Uint32(h[:4])
	if want := fmt.Sprintf("%08x", c.keyID); parts[1] != want {
		return cosigner{}, fmt.Errorf("verifier key %q: key id %s, computed %s", vkey, parts[1], want)
	}
	return c, nil
}

// verify checks that sigLines (note signature lines) hold a valid cosignature by c of text, and
// returns its timestamp.
func (c cosigner) verify(text string, sigLines []string) (uint64, error) {
	for _, line := range sigLines {
		prefix := "— " + c.name + " "
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		rest := strings.TrimPrefix(line, prefix)
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil || len(raw) < 4 || binary.BigEndian.Uint32(raw) != c.keyID {
			continue
		}
		if len(raw) != 4+8+64 {
			return 0, fmt.Errorf("cosignature of %s is %d bytes, want 76", c.name, len(raw))
		}
		t := binary.BigEndian.Uint64(raw[4:12])
		msg := fmt.Sprintf("cosignature/v1\ntime %d\n%s", t, text)
		if !ed25519.Verify(c.key, []byte(msg), raw[12:]) {
			return 0, fmt.Errorf("cosignature of %s does not verify", c.name)
		}
		return t, nil
	}
	return 0, fmt.Errorf("no cosignature line of %s (key id %08x)", c.name, c.keyID)
}

// splitNote returns a signed note's text (with its final newline) and its signature lines.
func splitNote(msg string) (string, []string) {
	i := strings.LastIndex(msg, "\n\n")
	if i < 0 {
		return msg, nil
	}
	return msg[:i+1], strings.Split(strings.TrimSuffix(msg[i+2:], "\n"), "\n")
}

type answer struct {
	status int
	ctype  string
	body   string
}

func do(method, url, body string) (answer, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(data)}, err
}

// memHashes holds a tree's stored hashes (tlog.StoredHashes) in memory.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

// tree is the Merkle tree of some entries, built with tlog.
type tree struct {
	n      int64
	hashes memHashes
}

func (t *tree) add(entry []byte) {
	h, err := tlog.StoredHashes(t.n, entry, t.hashes)
	if err != nil {
		panic(err)
	}
	t.hashes = append(t.hashes, h...)
	t.n++
}

// clone is a copy that can grow on its own.
func (t *tree) clone() tree { return tree{t.n, append(memHashes(nil), t.hashes...)} }

func (t *tree) root(n int64) tlog.Hash {
	h, err := tlog.TreeHash(n, t.hashes)
	if err != nil {
		panic(err)
	}
	return h
}

func (t *tree) proof(from, to int64) tlog.TreeProof {
	p, err := tlog.ProveTree(to, from, t.hashes)
	if err != nil {
		panic(err)
	}
	return p
}

func signCheckpoint(signer note.Signer, originLine string, n int64, root tlog.Hash) string {
	text := fmt.Sprintf("%s\n%d\n%s\n", originLine, n, base64.StdEncoding.EncodeToString(root[:]))
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		panic(err)
	}
	return string(msg)
}

func addBody(old int64, proof tlog.TreeProof, checkpoint string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "old %d\n", old)
	for _, h := range proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n" + checkpoint)
	return b.String()
}

func run(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// newSigner is a signer for a fresh key named name.
func newSigner(name string) note.Signer {
	skey, _, err := note.GenerateKey(nil, name)
	if err != nil {
		panic(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		panic(err)
	}
	return s
}

func readKey(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(data))
}

func main() {
	vellumFlag := flag.String("vellum", "", "path to the vellum binary (required); vellumd is beside it")
	flag.Int64("seed", 0, "unused: the run is deterministic but for timestamps and keys")
	xmlPath := flag.String("xml", os.Getenv("XML_OUTPUT_FILE"), "JUnit XML output file (default $XML_OUTPUT_FILE)")
	limit := flag.Duration("deadline", 120*time.Second, "give up (and fail) after this long")
	flag.Parse()
	if *vellumFlag == "" {
		fmt.Fprintln(os.Stderr, "usage: go run witness_interop.go report.go process.go -vellum PATH")
		os.Exit(2)
	}
	vellum, _ := filepath.Abs(*vellumFlag)
	vellumd := filepath.Join(filepath.Dir(vellum), "vellumd")
	start := time.Now()
	gSetup, gCosig, gErrors := &group{name: "witness/setup"}, &group{name: "witness/cosignature"}, &group{name: "witness/errors"}
	groups := []*group{gSetup, gCosig, gErrors}
	tmp, err := os.MkdirTemp(os.Getenv("TEST_TMPDIR"), "witness_interop")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var procs []*daemon
	finish := func() {
		for _, p := range procs {
			p.kill()
		}
		os.RemoveAll(tmp)
		if !report("witness_interop", groups, *xmlPath, time.Since(start), 0, "") {
			os.Exit(1)
		}
		os.Exit(0)
	}
	time.AfterFunc(*limit, func() {
		gSetup.fail("the run took more than -deadline %v", *limit)
		finish()
	})
	must := func(err error, what string) {
		if !gSetup.noErr(err, what) {
			for _, p := range procs {
				fmt.Fprintln(os.Stderr, p.output())
			}
			finish()
		}
	}

	// Keys: the log's, and three witnesses'.
	_, err = run(vellum, "keygen", "--origin", origin, "--out", filepath.Join(tmp, "log"))
	must(err, "log keygen")
	logVkey := readKey(filepath.Join(tmp, "log.pub"))
	logSigner, err := note.NewSigner(readKey(filepath.Join(tmp, "log.key")))
	must(err, "note.NewSigner(log.key)")
	logVerifier, err := note.NewVerifier(logVkey)
	must(err, "note.NewVerifier(log.pub)")
	var witnesses []cosigner
	var urls []string
	for i := 1; i <= 3; i++ {
		prefix := filepath.Join(tmp, fmt.Sprintf("w%d", i))
		_, err = run(vellum, "keygen", "--cosigner", "--origin", fmt.Sprintf("w%d.interop.test", i), "--out", prefix)
		must(err, "witness keygen")
		c, err := parseCosigner(readKey(prefix + ".pub"))
		must(err, "witness verifier key")
		witnesses = append(witnesses, c)
		p, err := startProcess(vellum, []string{"witness", "--data-dir", prefix + "-data", "--signer-key", prefix + ".key",
			"--log", origin + "=" + logVkey, "--listen", "127.0.0.1:0", "--init"}, "vellum witness: serving ")
		must(err, "start witness")
		procs = append(procs, p)
		must(p.waitReady(30*time.Second), "witness ready")
		served, _ := p.line("vellum witness: serving ")
		urls = append(urls, strings.TrimSpace(served))
	}
	args := []string{"--data-dir", filepath.Join(tmp, "log-data"), "--signer-key", filepath.Join(tmp, "log.key"),
		"--listen", "127.0.0.1:0", "--witness-quorum", "3", "--witness-interval-ms", "20"}
	for i, u := range urls {
		args = append(args, "--witness", u+"="+readKey(filepath.Join(tmp, fmt.Sprintf("w%d.pub", i+1))))
	}
	logProc, err := startProcess(vellumd, args, "vellumd: serving ")
	must(err, "start vellumd")
	procs = append(procs, logProc)
	must(logProc.waitReady(30*time.Second), "vellumd ready")
	served, _ := logProc.line("vellumd: serving ")
	base := strings.TrimSpace(served)

	// Append entries; the test keeps its own copy of the tree.
	var local tree
	const entries = 40
	for i := 0; i < entries; i++ {
		e := fmt.Sprintf("witnessed entry %d", i)
		a, err := do("POST", base+"/v1/entries", e)
		must(err, "append")
		gSetup.check(a.status == 200, "append %d: %d %s", i, a.status, a.body)
		local.add([]byte(e))
	}

	// The published checkpoint: signed by the log, cosigned by all three witnesses.
	var published string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		a, err := do("GET", base+"/checkpoint", "")
		if err == nil && a.status == 200 && strings.Contains(a.body, fmt.Sprintf("\n%d\n", entries)) {
			published = a.body
			break
		}
	}
	if !gCosig.check(published != "", "no witnessed checkpoint of size %d within 30 s", entries) {
		finish()
	}
	n, err := note.Open([]byte(published), note.VerifierList(logVerifier))
	gCosig.noErr(err, "x/mod note.Open of the published checkpoint with the log key")
	root := local.root(entries)
	want := fmt.Sprintf("%s\n%d\n%s\n", origin, entries, base64.StdEncoding.EncodeToString(root[:]))
	if n != nil {
		gCosig.check(n.Text == want, "published checkpoint text %q, want %q", n.Text, want)
		gCosig.check(len(n.Sigs) == 1 && n.Sigs[0].Name == origin, "x/mod verified %d signatures, want the log's", len(n.Sigs))
		gCosig.check(len(n.UnverifiedSigs) == 3, "x/mod left %d signatures unverified, want the 3 cosignatures", len(n.UnverifiedSigs))
	}
	text, sigs := splitNote(published)
	gCosig.check(strings.HasPrefix(sigs[0], "— "+origin+" "), "the first signature is %q, want the log's", sigs[0])
	now := uint64(time.Now().Unix())
	for _, w := range witnesses {
		t, err := w.verify(text, sigs)
		if gCosig.noErr(err, "published checkpoint") {
			gCosig.check(t+3600 > now && t < now+3600, "cosignature of %s has time %d, now is %d", w.name, t, now)
		}
		// Negative control: the same cosignature does not verify for another text.
		_, err = w.verify(strings.Replace(text, fmt.Sprintf("\n%d\n", entries), "\n1\n", 1), sigs)
		gCosig.check(err != nil, "the cosignature of %s also verified for a changed checkpoint", w.name)
	}

	// A receipt that waits for a witnessed checkpoint carries the cosignatures.
	a, err := do("POST", base+"/v1/entries?receipt=1&witnessed=1&timeout_ms=20000", "one more")
	if gCosig.noErr(err, "witnessed receipt") && gCosig.check(a.status == 200, "witnessed receipt: %d %s", a.status, a.body) {
		var ans struct{ Receipt string }
		gCosig.noErr(json.Unmarshal([]byte(a.body), &ans), "receipt answer JSON")
		if i := strings.Index(ans.Receipt, "\n\n"); gCosig.check(i > 0, "receipt %q has no checkpoint", ans.Receipt) {
			ctext, csigs := splitNote(ans.Receipt[i+2:])
			for _, w := range witnesses {
				_, err := w.verify(ctext, csigs)
				gCosig.noErr(err, "receipt checkpoint")
			}
		}
		local.add([]byte("one more"))
	}

	// Error cases, against witness 1, whose stored size is now the log's (entries + 1) once the
	// collector has sent it the last checkpoint.
	size := int64(entries + 1)
	w1 := urls[0]
	latest := func() string {
		a, err := do("GET", w1+"/v1/witness/checkpoint?origin="+strings.ReplaceAll(origin, "/", "%2F"), "")
		if err != nil || a.status != 200 {
			return ""
		}
		return a.body
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !strings.Contains(latest(), fmt.Sprintf("\n%d\n", size)); {
		time.Sleep(20 * time.Millisecond)
	}
	before := latest()
	if !gErrors.check(strings.Contains(before, fmt.Sprintf("\n%d\n", size)), "witness 1 serves %q, want size %d", before, size) {
		finish()
	}
	good := signCheckpoint(logSigner, origin, size, local.root(size))
	expect := func(what string, body string, status int, wantBody, wantType string) {
		a, err := do("POST", w1+"/add-checkpoint", body)
		if !gErrors.noErr(err, what) {
			return
		}
		gErrors.check(a.status == status, "%s: status %d (%s), want %d", what, a.status, strings.TrimSpace(a.body), status)
		if wantBody != "" {
			gErrors.check(a.body == wantBody, "%s: body %q, want %q", what, a.body, wantBody)
		}
		if wantType != "" {
			gErrors.check(a.ctype == wantType, "%s: Content-Type %q, want %q", what, a.ctype, wantType)
		}
	}
	sizeLine := fmt.Sprintf("%d\n", size)
	expect("unknown origin", addBody(0, nil, signCheckpoint(newSigner("other.test/log"), "other.test/log", 1, local.root(1))), 404, "", "")
	expect("no signature from a known key", addBody(size, nil, signCheckpoint(newSigner(origin), origin, size, local.root(size))), 403, "", "")
	expect("old size past the checkpoint size", addBody(size+1, nil, good), 400, "", "")
	expect("old size differs from the stored size", addBody(size-1, local.proof(size-1, size), good), 409, sizeLine, "text/x.tlog.size")
	expect("old size 0 when a size is stored", addBody(0, nil, good), 409, sizeLine, "text/x.tlog.size")
	var fork tree
	for i := int64(0); i < size; i++ {
		fork.add([]byte(fmt.Sprintf("fork entry %d", i)))
	}
	expect("same size, another root", addBody(size, nil, signCheckpoint(logSigner, origin, size, fork.root(size))), 409, sizeLine, "text/x.tlog.size")
	grown := local.clone()
	for i := 0; i < 5; i++ {
		grown.add([]byte(fmt.Sprintf("not yet in the log %d", i)))
	}
	bad := grown.proof(size, size+5)
	bad[0][0] ^= 1
	expect("consistency proof that does not verify", addBody(size, bad, signCheckpoint(logSigner, origin, size+5, grown.root(size+5))), 422, "", "")
	for i := size; i < size+5; i++ {
		fork.add([]byte(fmt.Sprintf("fork entry %d", i)))
	}
	expect("consistency proof from a fork", addBody(size, fork.proof(size, size+5), signCheckpoint(logSigner, origin, size+5, fork.root(size+5))), 422, "", "")
	expect("malformed body", "old x\n\n"+good, 400, "", "")
	gErrors.check(latest() == before, "witness 1 changed what it serves after refusals:\n%s\nwant\n%s", latest(), before)

	// And a valid request gets a cosignature line the spec's verification accepts.
	a, err = do("POST", w1+"/add-checkpoint", addBody(size, nil, good))
	if gErrors.noErr(err, "resubmitting the stored checkpoint") && gErrors.check(a.status == 200, "resubmitting the stored checkpoint: %d %s", a.status, a.body) {
		gErrors.check(strings.HasSuffix(a.body, "\n") && strings.HasPrefix(a.body, "— "), "answer %q is not signature lines", a.body)
		gtext, _ := splitNote(good)
		_, err := witnesses[0].verify(gtext, strings.Split(strings.TrimSuffix(a.body, "\n"), "\n"))
		gErrors.noErr(err, "cosignature in the add-checkpoint answer")
	}

	for _, p := range procs {
		code, err := p.stop(20 * time.Second)
		gSetup.check(code == 0 && err == nil, "exit %d (%v) after SIGTERM:\n%s", code, err, p.output())
	}
	procs = nil
	finish()
}
