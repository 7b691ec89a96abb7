// Command server_interop_test checks that an independent verifier accepts everything vellumd, the
// Vellum log server, produces while clients append to it concurrently. The verifier is Go's
// golang.org/x/mod/sumdb/tlog and golang.org/x/mod/sumdb/note (Debian's
// golang-golang-x-mod-dev); no Vellum code is involved on the checking side.
//
// It is a plain main program rather than a go test, so that it runs offline without modules:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run server_interop.go report.go -vellumd PATH -seed N
//
// (`go run` refuses file names ending in _test.go, so run_go_test.sh builds a copy.)
//
// # What it does
//
//  1. Starts vellumd on a fresh data directory, listening on 127.0.0.1 port 0 (vellumd prints the
//     port it bound), and reads the log's verifier key from DIR/log.pub with note.NewVerifier.
//  2. Appends concurrently: several clients POST single entries (a third of them asking for a
//     receipt with ?receipt=1) and others POST batches to /v1/entries:batch, while a poller
//     fetches /checkpoint over and over and a monitor follows every new checkpoint through the
//     C2SP tiles (tlog.TileHashReader) and checks that each extends the previous one.
//  3. Once the appends are acknowledged, verifies the final tree with Go only: its root from the
//     tiles, an inclusion proof for every entry (Go's own and the server's), consistency of every
//     checkpoint seen with the final one, every entry bundle against the authenticated level-0
//     tiles and against the bytes each client sent, and how the server answers for superseded
//     partial tiles, tiles beyond the tree and malformed tile paths.
//  4. Stops vellumd with SIGTERM and checks that it exits 0 at the final tree size.
//
// C2SP tile paths (c2sp.org/tlog-tiles) have no height segment: Go's tlog.Tile.Path() writes
// tile/8/L/N and tile/8/data/N where C2SP has tile/L/N and tile/entries/N; c2spTilePath converts.
//
// Results go to a JUnit XML file ($XML_OUTPUT_FILE under bazel test), one test case per group.
// The exit status is non-zero if any check failed.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type hash = tlog.Hash

const (
	tileHeight    = 8 // c2sp.org/tlog-tiles: tiles are 2^8 = 256 hashes wide
	tileWidth     = 1 << tileHeight
	maxEntryBytes = 65535
	maxBody       = 16 << 20 // largest response body read
)

// ---------------------------------------------------------------------------------------------
// Strict parsers of the C2SP text formats (Go has none for checkpoints or receipts).

// parseDecimal reads a canonical decimal: digits only, no sign, no leading zero, fits in int64
// (tlog's sizes and indexes are int64).
func parseDecimal(s string) (int64, error) {
	if s == "" || len(s) > 19 || (len(s) > 1 && s[0] == '0') || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a canonical decimal", s)
	}
	return strconv.ParseInt(s, 10, 64)
}

// parseHash reads a hash in strict, padded standard base64.
func parseHash(s string) (hash, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return hash{}, fmt.Errorf("%q is not the base64 of a 32-byte hash", s)
	}
	var h hash
	copy(h[:], b)
	return h, nil
}

// checkpoint is the body of a c2sp.org/tlog-checkpoint note.
type checkpoint struct {
	origin string
	size   int64
	root   hash
}

// openCheckpoint is Go's verdict on a signed checkpoint: note.Open with the log's verifier, then
// the c2sp.org/tlog-checkpoint body: origin (the key's name), size in canonical decimal, root in
// base64, then optional non-empty extension lines, each line ending in a newline.
func openCheckpoint(msg []byte, v note.Verifier) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return checkpoint{}, fmt.Errorf("note.Open: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	lines = lines[:len(lines)-1] // note.Open guarantees the text ends in a newline
	if len(lines) < 3 {
		return checkpoint{}, fmt.Errorf("checkpoint body has %d lines, want at least 3", len(lines))
	}
	if lines[0] != v.Name() {
		return checkpoint{}, fmt.Errorf("origin %q is not the log key's name %q", lines[0], v.Name())
	}
	size, err := parseDecimal(lines[1])
	if err != nil {
		return checkpoint{}, fmt.Errorf("tree size: %v", err)
	}
	root, err := parseHash(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("root hash: %v", err)
	}
	for _, ext := range lines[3:] {
		if ext == "" {
			return checkpoint{}, errors.New("empty extension line")
		}
	}
	return checkpoint{origin: lines[0], size: size, root: root}, nil
}

const receiptHeader = "c2sp.org/tlog-proof@v1"

// receipt is a parsed c2sp.org/tlog-proof@v1 receipt.
type receipt struct {
	index int64
	proof tlog.RecordProof
	note  []byte // the signed checkpoint, verbatim
	cp    checkpoint
}

// openReceipt parses a c2sp.org/tlog-proof@v1 receipt: the header line, an optional
// `extra <base64>` line, `index <n>`, the proof hashes one per line, a blank line, then the
// checkpoint note verbatim, which must open with the log's verifier.
func openReceipt(text []byte, v note.Verifier) (receipt, error) {
	rest := string(text)
	next := func() (string, error) {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			return "", errors.New("receipt ends in the middle of a line")
		}
		line := rest[:i]
		rest = rest[i+1:]
		return line, nil
	}
	line, err := next()
	if err != nil {
		return receipt{}, err
	}
	if line != receiptHeader {
		return receipt{}, fmt.Errorf("header line %q, want %q", line, receiptHeader)
	}
	if line, err = next(); err != nil {
		return receipt{}, err
	}
	if strings.HasPrefix(line, "extra ") {
		if _, err := base64.StdEncoding.Strict().DecodeString(line[len("extra "):]); err != nil || len(line) == len("extra ") {
			return receipt{}, fmt.Errorf("malformed extra line %q", line)
		}
		if line, err = next(); err != nil {
			return receipt{}, err
		}
	}
	if !strings.HasPrefix(line, "index ") {
		return receipt{}, fmt.Errorf("want an index line, got %q", line)
	}
	var r receipt
	if r.index, err = parseDecimal(line[len("index "):]); err != nil {
		return receipt{}, fmt.Errorf("index: %v", err)
	}
	for {
		if line, err = next(); err != nil {
			return receipt{}, err
		}
		if line == "" {
			break
		}
		h, err := parseHash(line)
		if err != nil {
			return receipt{}, fmt.Errorf("proof line: %v", err)
		}
		r.proof = append(r.proof, h)
	}
	r.note = []byte(rest)
	if r.cp, err = openCheckpoint(r.note, v); err != nil {
		return receipt{}, fmt.Errorf("receipt checkpoint: %v", err)
	}
	return r, nil
}

// parseBundle splits a c2sp.org/tlog-tiles entry bundle: entries, each behind a big-endian
// uint16 length.
func parseBundle(data []byte) ([][]byte, error) {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, fmt.Errorf("%d trailing byte after %d entries", len(data), len(entries))
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, fmt.Errorf("entry %d claims %d bytes, %d left", len(entries), n, len(data)-2)
		}
		entries = append(entries, data[2:2+n])
		data = data[2+n:]
	}
	return entries, nil
}

// c2spTilePath converts a Go tile of height 8 to its c2sp.org/tlog-tiles path: Go's
// Tile.Path() writes tile/8/<L>/<N>[.p/<W>] (data tiles: tile/8/data/...); C2SP has no height
// segment and calls data tiles "entries". The <N> encoding (x-prefixed 3-digit groups) and the
// .p/<W> suffix are the same in both.
func c2spTilePath(t tlog.Tile) string {
	if t.H != tileHeight {
		panic(fmt.Sprintf("tile of height %d", t.H))
	}
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	if strings.HasPrefix(p, "data/") {
		p = "entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

// treeTiles lists the tiles of a tree of size n: the full ones and the one partial tile, if
// any, at each level. With level -1 (entry bundles) instead of level 0 when data is set.
func treeTiles(n int64, data bool) []tlog.Tile {
	var tiles []tlog.Tile
	for level := 0; n>>(tileHeight*level) > 0; level++ {
		hashes := n >> (tileHeight * level)
		l := level
		if data {
			if level > 0 {
				break
			}
			l = -1
		}
		for k := int64(0); k < hashes/tileWidth; k++ {
			tiles = append(tiles, tlog.Tile{H: tileHeight, L: l, N: k, W: tileWidth})
		}
		if w := hashes % tileWidth; w > 0 {
			tiles = append(tiles, tlog.Tile{H: tileHeight, L: l, N: hashes / tileWidth, W: int(w)})
		}
	}
	return tiles
}

// widthIn returns the width of tile (level, index) in a tree of size n, 0 if it is not there.
func widthIn(level int, index int64, n int64) int {
	if level < 0 {
		level = 0
	}
	hashes := n >> (tileHeight * level)
	w := hashes - index*tileWidth
	switch {
	case w <= 0:
		return 0
	case w > tileWidth:
		return tileWidth
	}
	return int(w)
}

// ---------------------------------------------------------------------------------------------
// HTTP.

type server struct {
	base   string // http://127.0.0.1:PORT
	client *http.Client
}

func newServer(base string) *server {
	return &server{base: base, client: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}}
}

type answer struct {
	status int
	body   []byte
	ctype  string
}

func (a answer) String() string {
	b := a.body
	if len(b) > 300 {
		b = append(append([]byte(nil), b[:300]...), "..."...)
	}
	return fmt.Sprintf("%d %q", a.status, b)
}

func (s *server) do(method, path, ctype string, body []byte) (answer, error) {
	req, err := http.NewRequest(method, s.base+"/"+path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return answer{}, err
	}
	return answer{status: resp.StatusCode, body: data, ctype: resp.Header.Get("Content-Type")}, nil
}

func (s *server) get(path string) (answer, error) { return s.do("GET", path, "", nil) }

// getOK fetches path and wants 200.
func (s *server) getOK(path string) ([]byte, error) {
	a, err := s.get(path)
	if err != nil {
		return nil, err
	}
	if a.status != http.StatusOK {
		return nil, fmt.Errorf("GET /%s: %v", path, a)
	}
	return a.body, nil
}

// jsonUint64 reads a uint64 field of the proto3 JSON mapping: a JSON string holding a canonical
// decimal.
func jsonUint64(raw json.RawMessage, field string) (int64, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("field %s is %s, want a JSON string (proto3 JSON uint64)", field, raw)
	}
	n, err := parseDecimal(s)
	if err != nil {
		return 0, fmt.Errorf("field %s: %v", field, err)
	}
	return n, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func jsonHashes(list []string, field string) ([]hash, error) {
	out := make([]hash, len(list))
	for i, s := range list {
		h, err := parseHash(s)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %v", field, i, err)
		}
		out[i] = h
	}
	return out, nil
}

// tileReader is a tlog.TileReader over the server's C2SP tile paths, for tlog.TileHashReader.
//
// tlog.TileHashReader (x/mod v0.7.0, and upstream at the time of writing) does not authenticate
// every tile it reads: it checks the tiles that make up the tree hash against the checkpoint
// root, then checks the other full tiles against their parents in a loop that starts at
// len(stx), the number of subtree hashes of the tree hash, instead of at the number of distinct
// tiles those hashes came from. Several subtree hashes usually share a tile, so the first few
// full tiles fetched for the requested hashes are returned unchecked. (For a tree of 1,256
// entries, a flipped bit in tile/0/001 passes tlog.ReadTileData and tlog.ProveRecord without an
// error.) So that every hash the checks below use is authenticated, ReadTiles itself checks each
// full hash tile against the hash its parent tile holds for it; the parents are in the same
// request, and tlog checks the topmost ones against the tree hash before using anything.
type tileReader struct {
	srv      *server
	tree     int64                // the size of the tree the tiles are read for
	cache    map[tlog.Tile][]byte // nil: no cache
	fallback bool                 // on 404 for a partial tile, use the prefix of the full tile

	mu            sync.Mutex
	fetches       int
	fellBack      int
	authenticated int // full tiles checked against their parents by ReadTiles
}

// tileRoot is the Merkle root of the 256 hashes of a full tile.
func tileRoot(data []byte) hash {
	level := make([]hash, len(data)/tlog.HashSize)
	for i := range level {
		copy(level[i][:], data[i*tlog.HashSize:])
	}
	for len(level) > 1 {
		next := level[:len(level)/2]
		for i := range next {
			next[i] = tlog.NodeHash(level[2*i], level[2*i+1])
		}
		level = next
	}
	return level[0]
}

// checkParents checks every full hash tile among tiles against its parent tile's hash for it.
func (r *tileReader) checkParents(tiles []tlog.Tile, data [][]byte) error {
	at := make(map[tlog.Tile]int, len(tiles))
	for i, t := range tiles {
		at[t] = i
	}
	for i, t := range tiles {
		if t.L < 0 || t.W != tileWidth || len(data[i]) != tileWidth*tlog.HashSize {
			continue // partial tiles are part of the tree hash, which tlog checks; tlog checks lengths
		}
		p := tlog.Tile{H: tileHeight, L: t.L + 1, N: t.N >> tileHeight, W: widthIn(t.L+1, t.N>>tileHeight, r.tree)}
		j, ok := at[p]
		if !ok {
			return fmt.Errorf("harness: tlog asked for full tile %s without its parent %s", c2spTilePath(t), c2spTilePath(p))
		}
		if len(data[j]) != p.W*tlog.HashSize {
			continue // tlog rejects the parent's length
		}
		want, err := tlog.HashFromTile(p, data[j], tlog.StoredHashIndex(tileHeight*(t.L+1), t.N))
		if err != nil {
			return err
		}
		if got := tileRoot(data[i]); got != want {
			return fmt.Errorf("tile /%s hashes to %s, but its parent /%s holds %s for it", c2spTilePath(t), got, c2spTilePath(p), want)
		}
		r.mu.Lock()
		r.authenticated++
		r.mu.Unlock()
	}
	return nil
}

// errSuperseded marks a partial tile that was deleted because its full tile replaced it.
var errSuperseded = errors.New("partial tile superseded")

func (r *tileReader) Height() int { return tileHeight }

func (r *tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		var err error
		if out[i], err = r.tile(t); err != nil {
			return nil, err
		}
	}
	if err := r.checkParents(tiles, out); err != nil {
		return nil, err
	}
	return out, nil
}

// tile returns the tile from the cache, or fetches it.
func (r *tileReader) tile(t tlog.Tile) ([]byte, error) {
	r.mu.Lock()
	data, ok := r.cache[t]
	r.mu.Unlock()
	if ok {
		return data, nil
	}
	data, err := r.fetch(t)
	if err != nil {
		return nil, err
	}
	if r.cache != nil {
		r.mu.Lock()
		r.cache[t] = data
		r.mu.Unlock()
	}
	return data, nil
}

func (r *tileReader) fetch(t tlog.Tile) ([]byte, error) {
	r.mu.Lock()
	r.fetches++
	r.mu.Unlock()
	a, err := r.srv.get(c2spTilePath(t))
	if err != nil {
		return nil, err
	}
	if a.status == http.StatusNotFound && r.fallback && t.W < tileWidth {
		full := tlog.Tile{H: t.H, L: t.L, N: t.N, W: tileWidth}
		fa, err := r.srv.get(c2spTilePath(full))
		if err != nil {
			return nil, err
		}
		if fa.status == http.StatusNotFound {
			return nil, fmt.Errorf("%w: GET /%s and /%s: 404", errSuperseded, c2spTilePath(t), c2spTilePath(full))
		}
		if fa.status != http.StatusOK || (t.L >= 0 && len(fa.body) != tileWidth*tlog.HashSize) {
			return nil, fmt.Errorf("GET /%s after a 404 for /%s: %v", c2spTilePath(full), c2spTilePath(t), fa)
		}
		r.mu.Lock()
		r.fellBack++
		r.mu.Unlock()
		if t.L < 0 {
			return fa.body, nil // a full entry bundle: the caller reads its first W entries
		}
		return fa.body[:t.W*tlog.HashSize], nil
	}
	if a.status != http.StatusOK {
		return nil, fmt.Errorf("GET /%s: %v", c2spTilePath(t), a)
	}
	return a.body, nil // tlog.TileHashReader checks the length
}

// ---------------------------------------------------------------------------------------------
// Appending.

// ack is an entry the server acknowledged.
type ack struct {
	entry    []byte
	index    int64
	treeSize int64  // the size of the first checkpoint holding the entry, from the answer
	receipt  string // single appends with ?receipt=1
	from     string // who sent it, for messages
}

type appendAnswer struct {
	Index    json.RawMessage `json:"index"`
	LeafHash string          `json:"leafHash"`
	TreeSize json.RawMessage `json:"treeSize"`
	Receipt  string          `json:"receipt"`
}

type batchAnswer struct {
	FirstIndex json.RawMessage `json:"firstIndex"`
	Count      json.RawMessage `json:"count"`
	TreeSize   json.RawMessage `json:"treeSize"`
}

// entrySize is 1..2000 bytes, or now and then the 65,535-byte maximum.
func entrySize(rng *rand.Rand) int {
	if rng.Intn(40) == 0 {
		return maxEntryBytes
	}
	return 1 + rng.Intn(2000)
}

// newEntry is size random bytes starting with as much of tag as fits, so that entries of more
// than a few bytes are unique.
func newEntry(rng *rand.Rand, tag string, size int) []byte {
	b := make([]byte, size)
	rng.Read(b)
	copy(b, tag)
	return b
}

type appender struct {
	srv *server
	g   *group // server/append

	mu   sync.Mutex
	acks []ack
}

func (a *appender) record(x ack) {
	a.mu.Lock()
	a.acks = append(a.acks, x)
	a.mu.Unlock()
}

// single appends n entries one POST at a time.
func (a *appender) single(client int, seed int64, n int) {
	rng := rand.New(rand.NewSource(seed))
	for i := 0; i < n; i++ {
		size := entrySize(rng)
		if i == 5 {
			size = maxEntryBytes // every client sends at least one entry of the maximum size
		}
		entry := newEntry(rng, fmt.Sprintf("server interop client %d append %d\n", client, i), size)
		withReceipt := i%3 == 0
		path := "v1/entries"
		if withReceipt {
			path += "?receipt=1"
		}
		from := fmt.Sprintf("client %d append %d (%d bytes)", client, i, size)
		res, err := a.srv.do("POST", path, "application/octet-stream", entry)
		if !a.g.noErr(err, "POST /%s (%s)", path, from) {
			continue
		}
		if !a.g.check(res.status == http.StatusOK, "POST /%s (%s): %v", path, from, res) {
			continue
		}
		var ans appendAnswer
		if err := json.Unmarshal(res.body, &ans); err != nil {
			a.g.fail("POST /%s (%s): answer is not JSON: %v: %v", path, from, err, res)
			continue
		}
		index, err1 := jsonUint64(ans.Index, "index")
		treeSize, err2 := jsonUint64(ans.TreeSize, "treeSize")
		if err := firstErr(err1, err2); err != nil {
			a.g.fail("POST /%s (%s): %v in %v", path, from, err, res)
			continue
		}
		leaf := tlog.RecordHash(entry)
		a.g.check(ans.LeafHash == base64.StdEncoding.EncodeToString(leaf[:]),
			"POST /%s (%s): leafHash %q, Go's tlog.RecordHash is %s", path, from, ans.LeafHash, leaf)
		a.g.check(index < treeSize, "POST /%s (%s): index %d is not below treeSize %d", path, from, index, treeSize)
		a.g.check(withReceipt == (ans.Receipt != ""), "POST /%s (%s): receipt %q", path, from, ans.Receipt)
		a.record(ack{entry: entry, index: index, treeSize: treeSize, receipt: ans.Receipt, from: from})
	}
}

// batches appends n batches of 10..300 entries through /v1/entries:batch.
func (a *appender) batches(client int, seed int64, n int) {
	rng := rand.New(rand.NewSource(seed))
	for b := 0; b < n; b++ {
		count := 10 + rng.Intn(291)
		entries := make([][]byte, count)
		for i := range entries {
			size := entrySize(rng)
			if i == 3 {
				size = maxEntryBytes
			}
			entries[i] = newEntry(rng, fmt.Sprintf("server interop batch client %d batch %d entry %d\n", client, b, i), size)
		}
		body, _ := json.Marshal(struct {
			Entries [][]byte `json:"entries"` // encoding/json writes []byte as standard base64
		}{entries})
		from := fmt.Sprintf("batch client %d batch %d (%d entries)", client, b, count)
		res, err := a.srv.do("POST", "v1/entries:batch", "application/json", body)
		if !a.g.noErr(err, "POST /v1/entries:batch (%s)", from) {
			continue
		}
		if !a.g.check(res.status == http.StatusOK, "POST /v1/entries:batch (%s): %v", from, res) {
			continue
		}
		var ans batchAnswer
		if err := json.Unmarshal(res.body, &ans); err != nil {
			a.g.fail("POST /v1/entries:batch (%s): answer is not JSON: %v: %v", from, err, res)
			continue
		}
		first, err1 := jsonUint64(ans.FirstIndex, "firstIndex")
		got, err2 := jsonUint64(ans.Count, "count")
		treeSize, err3 := jsonUint64(ans.TreeSize, "treeSize")
		if err := firstErr(err1, err2, err3); err != nil {
			a.g.fail("POST /v1/entries:batch (%s): %v in %v", from, err, res)
			continue
		}
		a.g.check(got == int64(count), "POST /v1/entries:batch (%s): count %d", from, got)
		a.g.check(first+int64(count) <= treeSize, "POST /v1/entries:batch (%s): firstIndex %d + %d entries is past treeSize %d", from, first, count, treeSize)
		for i, e := range entries {
			a.record(ack{entry: e, index: first + int64(i), treeSize: treeSize, from: fmt.Sprintf("%s entry %d (%d bytes)", from, i, len(e))})
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Checkpoints seen while the log grows.

type seen struct {
	note  []byte
	cp    checkpoint
	where string // "poll 17", "receipt of client 3 append 9", "final"
}

type checkpointLog struct {
	v note.Verifier
	g *group // server/checkpoint

	mu     sync.Mutex
	byNote map[string]*seen
	order  []*seen // in the order first seen
}

// add opens a checkpoint note; it returns the checkpoint and whether it is new.
func (c *checkpointLog) add(msg []byte, where string) (*seen, bool) {
	cp, err := openCheckpoint(msg, c.v)
	if !c.g.noErr(err, "checkpoint from %s %q: Go rejects it", where, msg) {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.byNote[string(msg)]; ok {
		return s, false
	}
	s := &seen{note: append([]byte(nil), msg...), cp: cp, where: where}
	c.byNote[string(msg)] = s
	c.order = append(c.order, s)
	return s, true
}

func (c *checkpointLog) all() []*seen {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*seen(nil), c.order...)
}

// bySize returns one checkpoint per size, sorted by size, and fails on two roots for a size.
func (c *checkpointLog) bySize() []*seen {
	sizes := map[int64]*seen{}
	for _, s := range c.all() {
		if o, ok := sizes[s.cp.size]; ok {
			c.g.check(o.cp.root == s.cp.root, "two checkpoints of size %d with different roots: %s from %s, %s from %s",
				s.cp.size, o.cp.root, o.where, s.cp.root, s.where)
			continue
		}
		sizes[s.cp.size] = s
	}
	out := make([]*seen, 0, len(sizes))
	for _, s := range sizes {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cp.size < out[j].cp.size })
	return out
}

var emptyRoot = hash(sha256.Sum256(nil)) // RFC 6962: the empty tree hashes to SHA-256("")

// monitor follows checkpoints as they appear, the way a log monitor would: it recomputes each
// root from the C2SP tiles through tlog.TileHashReader, checks the right-edge entry bundle
// against the authenticated leaf hashes, and proves with tlog.ProveTree that the tree extends
// the last one it verified. Tiles are fetched fresh for every checkpoint (no cache); a partial
// tile the server already replaced by its full tile is read as the full tile's prefix, as
// c2sp.org/tlog-tiles clients do.
func monitor(srv *server, g *group, in <-chan *seen, done chan<- struct{}) {
	defer close(done)
	var last *seen
	verified, superseded := 0, 0
	fellBack, parentChecks := 0, 0
	for s := range in {
		n := s.cp.size
		if n == 0 {
			g.check(s.cp.root == emptyRoot, "checkpoint of size 0 has root %s, want SHA-256(\"\") %s", s.cp.root, emptyRoot)
			continue
		}
		tr := &tileReader{srv: srv, tree: n, fallback: true}
		thr := tlog.TileHashReader(tlog.Tree{N: n, Hash: s.cp.root}, tr)
		root, err := tlog.TreeHash(n, thr)
		if errors.Is(err, errSuperseded) {
			superseded++ // a full tile replaced the partial, and that tile is not in this tree
			continue
		}
		if !g.noErr(err, "tlog.TreeHash(%d) over the tiles of checkpoint from %s", n, s.where) {
			continue
		}
		if !g.check(root == s.cp.root, "tiles of size %d hash to %s, the checkpoint (%s) has %s", n, root, s.where, s.cp.root) {
			continue
		}
		// The right edge: the last (possibly partial) entry bundle against the level-0 tile.
		k := (n - 1) / tileWidth
		bundleTile := tlog.Tile{H: tileHeight, L: -1, N: k, W: widthIn(-1, k, n)}
		data, err := tr.fetch(bundleTile)
		if err == nil {
			var entries [][]byte
			if entries, err = parseBundle(data); err == nil && len(entries) < bundleTile.W {
				err = fmt.Errorf("%d entries, want %d", len(entries), bundleTile.W)
			}
			if err == nil {
				hashes, herr := tlog.ReadTileData(tlog.Tile{H: tileHeight, L: 0, N: k, W: bundleTile.W}, thr)
				if herr != nil {
					err = herr
				} else {
					// A full bundle read in place of a superseded partial has more entries.
					for j := 0; j < bundleTile.W; j++ {
						h := tlog.RecordHash(entries[j])
						if !bytes.Equal(h[:], hashes[j*tlog.HashSize:(j+1)*tlog.HashSize]) {
							err = fmt.Errorf("entry %d hashes to %s, the level-0 tile has another hash", k*tileWidth+int64(j), h)
							break
						}
					}
				}
			}
		}
		if errors.Is(err, errSuperseded) {
			superseded++
			continue
		}
		g.noErr(err, "entry bundle /%s of checkpoint size %d", c2spTilePath(bundleTile), n)
		if last != nil && last.cp.size < n {
			p, err := tlog.ProveTree(n, last.cp.size, thr)
			if g.noErr(err, "tlog.ProveTree(%d, %d) from the tiles", n, last.cp.size) {
				g.noErr(tlog.CheckTree(p, n, s.cp.root, last.cp.size, last.cp.root),
					"tlog.CheckTree: checkpoint size %d (%s) does not extend size %d (%s)", n, s.where, last.cp.size, last.where)
			}
		}
		if last == nil || n > last.cp.size {
			last = s
		}
		verified++
		fellBack += tr.fellBack
		parentChecks += tr.authenticated
	}
	g.check(verified > 0, "the monitor verified no checkpoint")
	g.notef("monitor: %d checkpoints verified from fresh tiles while appends ran (%d tiles read as the prefix of a full tile that replaced a partial, %d full tiles checked against their parents), %d skipped because their partial tiles were superseded mid-read",
		verified, fellBack, parentChecks, superseded)
}

// ---------------------------------------------------------------------------------------------
// Verification of the final tree.

// memHashes is a tlog.HashReader over stored hashes in memory.
type memHashes struct{ hashes []hash }

func (m *memHashes) ReadHashes(indexes []int64) ([]hash, error) {
	out := make([]hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

// parallel runs f(0..n-1) on `workers` goroutines.
func parallel(n, workers int, f func(i int)) {
	var next int64 = -1
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := atomic.AddInt64(&next, 1)
				if i >= int64(n) {
					return
				}
				f(int(i))
			}
		}()
	}
	wg.Wait()
}

type inclusionAnswer struct {
	Index    json.RawMessage `json:"index"`
	TreeSize json.RawMessage `json:"treeSize"`
	LeafHash string          `json:"leafHash"`
	Proof    []string        `json:"proof"`
}

type consistencyAnswer struct {
	From  json.RawMessage `json:"from"`
	To    json.RawMessage `json:"to"`
	Proof []string        `json:"proof"`
}

// serverInclusion fetches /v1/proof/inclusion?<query> and returns index, size, leafHash, proof.
func serverInclusion(srv *server, query string) (int64, int64, string, tlog.RecordProof, answer, error) {
	a, err := srv.get("v1/proof/inclusion?" + query)
	if err != nil {
		return 0, 0, "", nil, a, err
	}
	if a.status != http.StatusOK {
		return 0, 0, "", nil, a, fmt.Errorf("status %d", a.status)
	}
	var ans inclusionAnswer
	if err := json.Unmarshal(a.body, &ans); err != nil {
		return 0, 0, "", nil, a, err
	}
	index, err := jsonUint64(ans.Index, "index")
	if err != nil {
		return 0, 0, "", nil, a, err
	}
	size, err := jsonUint64(ans.TreeSize, "treeSize")
	if err != nil {
		return 0, 0, "", nil, a, err
	}
	proof, err := jsonHashes(ans.Proof, "proof")
	return index, size, ans.LeafHash, proof, a, err
}

func serverConsistency(srv *server, from, to int64) (tlog.TreeProof, answer, error) {
	a, err := srv.get(fmt.Sprintf("v1/proof/consistency?from=%d&to=%d", from, to))
	if err != nil {
		return nil, a, err
	}
	if a.status != http.StatusOK {
		return nil, a, fmt.Errorf("status %d", a.status)
	}
	var ans consistencyAnswer
	if err := json.Unmarshal(a.body, &ans); err != nil {
		return nil, a, err
	}
	f, err1 := jsonUint64(ans.From, "from")
	t, err2 := jsonUint64(ans.To, "to")
	if err := firstErr(err1, err2); err != nil {
		return nil, a, err
	}
	if f != from || t != to {
		return nil, a, fmt.Errorf("answer is for from=%d to=%d", f, t)
	}
	proof, err := jsonHashes(ans.Proof, "proof")
	return proof, a, err
}

func equalHashes(a, b []hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

type final struct {
	srv     *server
	cp      checkpoint
	thr     tlog.HashReader
	entries [][]byte // entries[i]: the bytes acknowledged at index i (nil if none)
	leaves  []hash   // leaf hashes from the authenticated level-0 tiles
	rng     *rand.Rand
}

// inclusionChecks compares, for every index of the final tree, Go's proof from the tiles with
// the server's. RFC 6962 inclusion proofs are unique: the audit path for (index, size) is fixed
// by the tree's shape, and both sides use the RFC's algorithm, so the server's proof must equal
// Go's hash for hash, not only verify.
func (f *final) inclusionChecks(g *group, checkpoints []*seen) {
	n := f.cp.size
	parallel(int(n), 4, func(i int) {
		index := int64(i)
		leaf := f.leaves[index]
		if f.entries[index] != nil {
			leaf = tlog.RecordHash(f.entries[index])
		}
		goProof, err := tlog.ProveRecord(n, index, f.thr)
		if !g.noErr(err, "tlog.ProveRecord(%d, %d) over the tiles", n, index) {
			return
		}
		g.noErr(tlog.CheckRecord(goProof, n, f.cp.root, index, leaf), "tlog.CheckRecord of Go's proof for index %d in size %d", index, n)
		query := fmt.Sprintf("index=%d&size=%d", index, n)
		gotIndex, gotSize, _, proof, a, err := serverInclusion(f.srv, query)
		if !g.noErr(err, "GET /v1/proof/inclusion?%s: %v", query, a) {
			return
		}
		g.check(gotIndex == index && gotSize == n, "GET /v1/proof/inclusion?%s: answer for index %d size %d", query, gotIndex, gotSize)
		g.noErr(tlog.CheckRecord(proof, n, f.cp.root, index, leaf), "GET /v1/proof/inclusion?%s: Go's tlog.CheckRecord rejects the server's proof %v", query, proof)
		g.check(equalHashes(proof, goProof), "GET /v1/proof/inclusion?%s: server proof %v differs from tlog.ProveRecord's %v", query, proof, goProof)
	})

	// By leaf hash, for every 7th index and every entry of the maximum size, in base64url with
	// and without padding. The server answers with the first index holding that leaf hash.
	first := map[hash]int64{}
	for i := n - 1; i >= 0; i-- {
		first[f.leaves[i]] = i
	}
	var picks []int64
	for i := int64(0); i < n; i++ {
		if i%7 == 3 || len(f.entries[i]) == maxEntryBytes {
			picks = append(picks, i)
		}
	}
	parallel(len(picks), 4, func(k int) {
		index := picks[k]
		leaf := f.leaves[index]
		enc := base64.RawURLEncoding.EncodeToString(leaf[:])
		if k%2 == 1 {
			enc = base64.URLEncoding.EncodeToString(leaf[:])
		}
		query := fmt.Sprintf("leaf_hash=%s&size=%d", url.QueryEscape(enc), n)
		gotIndex, gotSize, gotLeaf, proof, a, err := serverInclusion(f.srv, query)
		if !g.noErr(err, "GET /v1/proof/inclusion?%s: %v", query, a) {
			return
		}
		g.check(gotIndex == first[leaf] && gotSize == n, "GET /v1/proof/inclusion?%s: index %d size %d, want index %d (first entry with that leaf hash) size %d", query, gotIndex, gotSize, first[leaf], n)
		g.check(gotLeaf == base64.StdEncoding.EncodeToString(leaf[:]), "GET /v1/proof/inclusion?%s: leafHash %q", query, gotLeaf)
		g.noErr(tlog.CheckRecord(proof, n, f.cp.root, gotIndex, leaf), "GET /v1/proof/inclusion?%s: Go's tlog.CheckRecord rejects the server's proof", query)
	})

	// Proofs in the trees of earlier checkpoints: the first, the last and a random entry of each.
	type job struct {
		s     *seen
		index int64
	}
	var jobs []job
	for _, s := range checkpoints {
		if m := s.cp.size; m > 0 && m < n {
			jobs = append(jobs, job{s, 0}, job{s, m - 1}, job{s, f.rng.Int63n(m)})
		}
	}
	parallel(len(jobs), 4, func(k int) {
		j := jobs[k]
		m := j.s.cp.size
		query := fmt.Sprintf("index=%d&size=%d", j.index, m)
		goProof, err := tlog.ProveRecord(m, j.index, f.thr)
		if !g.noErr(err, "tlog.ProveRecord(%d, %d)", m, j.index) {
			return
		}
		_, _, _, proof, a, err := serverInclusion(f.srv, query)
		if !g.noErr(err, "GET /v1/proof/inclusion?%s: %v", query, a) {
			return
		}
		g.noErr(tlog.CheckRecord(proof, m, j.s.cp.root, j.index, f.leaves[j.index]),
			"GET /v1/proof/inclusion?%s: Go's tlog.CheckRecord rejects it against the checkpoint of size %d from %s", query, m, j.s.where)
		g.check(equalHashes(proof, goProof), "GET /v1/proof/inclusion?%s: server proof differs from tlog.ProveRecord's", query)
	})
	g.notef("%d inclusion proofs by index in the final tree of size %d, %d by leaf hash, %d in the trees of %d earlier checkpoints, each server proof compared hash for hash with Go's",
		n, n, len(picks), len(jobs), len(jobs)/3)
}

// consistencyChecks proves that every checkpoint seen is a prefix of the final tree (Go's proof
// from the tiles and the server's, which must be equal: RFC 6962 consistency proofs are unique
// too) and that consecutive checkpoints are consistent with each other.
func (f *final) consistencyChecks(g *group, checkpoints []*seen) {
	n := f.cp.size
	var sized []*seen
	for _, s := range checkpoints {
		if s.cp.size > 0 {
			sized = append(sized, s)
		} else {
			// Go's tlog.CheckTree refuses size 0 (the documented difference of docs/formats.md);
			// the empty tree is a prefix of every tree, and its root must be SHA-256("").
			g.check(s.cp.root == emptyRoot, "checkpoint of size 0 from %s has root %s, want %s", s.where, s.cp.root, emptyRoot)
		}
	}
	parallel(len(sized), 4, func(k int) {
		s := sized[k]
		m := s.cp.size
		goProof, err := tlog.ProveTree(n, m, f.thr)
		if !g.noErr(err, "tlog.ProveTree(%d, %d) over the tiles", n, m) {
			return
		}
		g.noErr(tlog.CheckTree(goProof, n, f.cp.root, m, s.cp.root), "tlog.CheckTree: checkpoint size %d from %s is not a prefix of the final tree", m, s.where)
		proof, a, err := serverConsistency(f.srv, m, n)
		if !g.noErr(err, "GET /v1/proof/consistency?from=%d&to=%d: %v", m, n, a) {
			return
		}
		g.noErr(tlog.CheckTree(proof, n, f.cp.root, m, s.cp.root), "GET /v1/proof/consistency?from=%d&to=%d: Go's tlog.CheckTree rejects the server's proof %v", m, n, proof)
		g.check(equalHashes(proof, goProof), "GET /v1/proof/consistency?from=%d&to=%d: server proof %v differs from tlog.ProveTree's %v", m, n, proof, goProof)
		if k+1 < len(sized) {
			next := sized[k+1]
			proof, a, err := serverConsistency(f.srv, m, next.cp.size)
			if g.noErr(err, "GET /v1/proof/consistency?from=%d&to=%d: %v", m, next.cp.size, a) {
				g.noErr(tlog.CheckTree(proof, next.cp.size, next.cp.root, m, s.cp.root),
					"GET /v1/proof/consistency?from=%d&to=%d: Go's tlog.CheckTree rejects it against the checkpoints from %s and %s", m, next.cp.size, s.where, next.where)
			}
		}
	})
	// Documented difference: from=0 (RFC 9162 and c2sp.org/tlog-witness allow it, Go does not).
	proof, a, err := serverConsistency(f.srv, 0, n)
	if g.noErr(err, "GET /v1/proof/consistency?from=0&to=%d: %v", n, a) {
		g.check(len(proof) == 0, "GET /v1/proof/consistency?from=0&to=%d: %d hashes, want none", n, len(proof))
		g.notef("from=0: the server answers an empty proof; Go's tlog.CheckTree(size 0) says %v (documented in docs/formats.md)",
			tlog.CheckTree(proof, n, f.cp.root, 0, emptyRoot))
	}
	g.notef("%d checkpoint sizes proved to be prefixes of size %d by Go and by the server, %d consecutive pairs", len(sized), n, len(sized)-1)
}

// entryChecks reads every entry bundle and every /v1/entries/<i>.
func (f *final) entryChecks(g *group) {
	n := f.cp.size
	bundles := treeTiles(n, true)
	parallel(len(bundles), 2, func(k int) {
		t := bundles[k]
		path := c2spTilePath(t)
		data, err := f.srv.getOK(path)
		if !g.noErr(err, "entry bundle") {
			return
		}
		entries, err := parseBundle(data)
		if !g.noErr(err, "entry bundle /%s", path) {
			return
		}
		if !g.check(len(entries) == t.W, "entry bundle /%s has %d entries, want %d", path, len(entries), t.W) {
			return
		}
		for j, e := range entries {
			index := t.N*tileWidth + int64(j)
			h := tlog.RecordHash(e)
			g.check(h == f.leaves[index], "entry bundle /%s: entry %d hashes to %s, the authenticated level-0 tile has %s", path, index, h, f.leaves[index])
			g.check(bytes.Equal(e, f.entries[index]), "entry bundle /%s: entry %d (%d bytes) is not the %d bytes acknowledged at that index", path, index, len(e), len(f.entries[index]))
		}
	})
	parallel(int(n), 4, func(i int) {
		path := fmt.Sprintf("v1/entries/%d", i)
		data, err := f.srv.getOK(path)
		if g.noErr(err, "raw entry") {
			g.check(bytes.Equal(data, f.entries[i]), "GET /%s: %d bytes, not the %d bytes acknowledged at that index", path, len(data), len(f.entries[i]))
		}
	})
	a, err := f.srv.get(fmt.Sprintf("v1/entries/%d", n))
	if g.noErr(err, "GET /v1/entries/%d", n) {
		g.check(a.status == http.StatusNotFound, "GET /v1/entries/%d (one past the tree): %v, want 404", n, a)
	}
	g.notef("%d entry bundles and %d raw entries match the authenticated leaf hashes and the acknowledged bytes", len(bundles), n)
}

// tileChecks: superseded partial tiles of earlier checkpoints, tiles beyond the tree, malformed
// paths.
func (f *final) tileChecks(g *group, checkpoints []*seen) {
	n := f.cp.size
	// Every partial tile and bundle of up to 200 earlier checkpoint sizes: the server still has
	// it (and it holds the authenticated hashes), or it answers 404 and the final tree has the
	// full tile that replaced it (c2sp.org/tlog-tiles lets a log delete superseded partials).
	var earlier []*seen
	for _, s := range checkpoints {
		if s.cp.size > 0 && s.cp.size < n {
			earlier = append(earlier, s)
		}
	}
	if len(earlier) > 200 {
		step := float64(len(earlier)) / 200
		var sample []*seen
		for i := 0; i < 200; i++ {
			sample = append(sample, earlier[int(float64(i)*step)])
		}
		earlier = sample
	}
	var tiles []tlog.Tile
	have := map[tlog.Tile]bool{}
	for _, s := range earlier {
		for _, t := range append(treeTiles(s.cp.size, false), treeTiles(s.cp.size, true)...) {
			if t.W < tileWidth && !have[t] {
				have[t] = true
				tiles = append(tiles, t)
			}
		}
	}
	var served, replaced int64
	parallel(len(tiles), 4, func(k int) {
		t := tiles[k]
		path := c2spTilePath(t)
		a, err := f.srv.get(path)
		if !g.noErr(err, "GET /%s", path) {
			return
		}
		finalWidth := widthIn(t.L, t.N, n)
		switch a.status {
		case http.StatusOK:
			atomic.AddInt64(&served, 1)
			if t.L < 0 {
				entries, err := parseBundle(a.body)
				if g.noErr(err, "superseded partial bundle /%s", path) && g.check(len(entries) == t.W, "partial bundle /%s has %d entries", path, len(entries)) {
					for j, e := range entries {
						g.check(bytes.Equal(e, f.entries[t.N*tileWidth+int64(j)]), "partial bundle /%s: entry %d is not the acknowledged one", path, j)
					}
				}
				return
			}
			want, err := tlog.ReadTileData(t, f.thr)
			if g.noErr(err, "tlog.ReadTileData(%s)", path) {
				g.check(bytes.Equal(a.body, want), "partial tile /%s (%d bytes) is not the prefix of the authenticated hashes of the final tree", path, len(a.body))
			}
		case http.StatusNotFound:
			atomic.AddInt64(&replaced, 1)
			g.check(finalWidth > t.W, "GET /%s: 404, but the final tree of size %d has only width %d there, nothing to replace it", path, n, finalWidth)
			if finalWidth == tileWidth {
				_, err := f.srv.getOK(c2spTilePath(tlog.Tile{H: t.H, L: t.L, N: t.N, W: tileWidth}))
				g.noErr(err, "full tile that replaced /%s", path)
			}
		default:
			g.fail("GET /%s (partial of an earlier checkpoint): %v, want 200 or 404", path, a)
		}
	})
	g.check(len(earlier) >= 3, "only %d earlier checkpoint sizes to check partial tiles of", len(earlier))
	g.notef("partial tiles and bundles of %d earlier checkpoint sizes: %d still served (matching the final tree), %d deleted after their full tile was written",
		len(earlier), served, replaced)

	// Beyond the tree: 404.
	last := tlog.Tile{H: tileHeight, L: 0, N: (n - 1) / tileWidth, W: widthIn(0, (n-1)/tileWidth, n)}
	beyond := []tlog.Tile{
		{H: tileHeight, L: 0, N: last.N + 1, W: tileWidth},
		{H: tileHeight, L: 0, N: last.N + 1, W: 1},
		{H: tileHeight, L: -1, N: last.N + 1, W: tileWidth},
		{H: tileHeight, L: -1, N: last.N + 1, W: 1},
		{H: tileHeight, L: 0, N: 1000, W: tileWidth},
		{H: tileHeight, L: -1, N: 123456789, W: 5},
		{H: tileHeight, L: 3, N: 0, W: 1},
	}
	if last.W < tileWidth {
		beyond = append(beyond,
			tlog.Tile{H: tileHeight, L: 0, N: last.N, W: tileWidth},
			tlog.Tile{H: tileHeight, L: -1, N: last.N, W: tileWidth})
		if last.W+1 < tileWidth {
			beyond = append(beyond,
				tlog.Tile{H: tileHeight, L: 0, N: last.N, W: last.W + 1},
				tlog.Tile{H: tileHeight, L: -1, N: last.N, W: last.W + 1})
		}
	}
	if w1 := widthIn(1, 0, n); w1 < tileWidth {
		beyond = append(beyond, tlog.Tile{H: tileHeight, L: 1, N: 0, W: w1 + 1})
		beyond = append(beyond, tlog.Tile{H: tileHeight, L: 2, N: 0, W: 1})
	}
	for _, t := range beyond {
		path := c2spTilePath(t)
		a, err := f.srv.get(path)
		if g.noErr(err, "GET /%s", path) {
			g.check(a.status == http.StatusNotFound, "GET /%s (beyond the tree of size %d): %v, want 404", path, n, a)
		}
	}

	// Malformed paths: 400. For each, Go's tlog.ParseTilePath must also refuse the same path
	// with the height segment put back, so both sides agree it is no tile at all.
	malformed := []string{
		"tile/0/1", "tile/0/01", "tile/0/0000", "tile/0/00a", "tile/0/x000/000", "tile/0/x001",
		"tile/0/001/000", "tile/0/000/", "tile/0/000.p", "tile/0/000.p/", "tile/0/000.p/0",
		"tile/0/000.p/256", "tile/0/000.p/007", "tile/0/000.p/1x", "tile/00/000", "tile/-1/000",
		"tile/x/000", "tile/0/-01", "tile/0/+01", "tile/entries/1", "tile/entries/000.p/256",
		"tile/entries/000.p/0", "tile/entries/x000/001", "tile/entries/000.p/01",
	}
	for _, p := range malformed {
		goPath := "tile/8/" + strings.TrimPrefix(p, "tile/")
		if strings.HasPrefix(p, "tile/entries/") {
			goPath = "tile/8/data/" + strings.TrimPrefix(p, "tile/entries/")
		}
		if _, err := tlog.ParseTilePath(goPath); !g.check(err != nil, "harness: Go's tlog.ParseTilePath accepts %q", goPath) {
			continue
		}
		a, err := f.srv.get(p)
		if g.noErr(err, "GET /%s", p) {
			g.check(a.status == http.StatusBadRequest, "GET /%s (malformed; Go's tlog.ParseTilePath rejects %q): %v, want 400", p, goPath, a)
		}
	}
	// Go's own path format, with the height segment, is no C2SP path.
	for _, t := range []tlog.Tile{{H: tileHeight, L: 0, N: 0, W: tileWidth}, {H: tileHeight, L: -1, N: 0, W: 1}} {
		a, err := f.srv.get(t.Path())
		if g.noErr(err, "GET /%s", t.Path()) {
			g.check(a.status == http.StatusBadRequest, "GET /%s (Go's tlog.Tile.Path(), with a height segment): %v, want 400", t.Path(), a)
		}
	}
	g.notef("%d tiles beyond the tree answered 404, %d malformed paths 400", len(beyond), len(malformed)+2)
}

// ---------------------------------------------------------------------------------------------

func main() {
	vellumdFlag := flag.String("vellumd", "", "path to the vellumd binary (required)")
	seed := flag.Int64("seed", 0, "random seed for the entries; 0 picks one from the clock")
	xmlPath := flag.String("xml", os.Getenv("XML_OUTPUT_FILE"), "JUnit XML output file (default $XML_OUTPUT_FILE)")
	clients := flag.Int("clients", 8, "clients appending single entries concurrently")
	appends := flag.Int("appends", 150, "single appends per client (a third ask for a receipt)")
	batchClients := flag.Int("batch_clients", 2, "clients appending batches concurrently")
	batches := flag.Int("batches", 4, "batches of 10..300 entries per batch client")
	polls := flag.Int("max_polls", 20000, "most /checkpoint fetches while appending")
	limit := flag.Duration("deadline", 170*time.Second, "give up (and fail) after this long")
	flag.Parse()
	if *vellumdFlag == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: go run server_interop.go report.go -vellumd PATH [-seed N] [-xml FILE]")
		os.Exit(2)
	}
	if *seed == 0 {
		*seed = time.Now().UnixNano()
	}
	bin, err := filepath.Abs(*vellumdFlag)
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "server_interop: no vellumd binary: %v\n", err)
		os.Exit(2)
	}
	fmt.Printf("server_interop: seed %d (rerun with -seed %d)\n", *seed, *seed)
	start := time.Now()

	mk := func(name string) *group { return &group{name: name} }
	gStart, gAppend, gCheckpoint, gMonitor := mk("server/start"), mk("server/append"), mk("server/checkpoint"), mk("server/monitor")
	gReceipt, gTree, gInclusion, gConsistency := mk("server/receipt"), mk("server/tree"), mk("server/inclusion"), mk("server/consistency")
	gEntries, gTiles, gShutdown := mk("server/entries"), mk("server/tiles"), mk("server/shutdown")
	groups := []*group{gStart, gAppend, gCheckpoint, gMonitor, gReceipt, gTree, gInclusion, gConsistency, gEntries, gTiles, gShutdown}

	tmp, err := os.MkdirTemp(os.Getenv("TEST_TMPDIR"), "server_interop")
	if err != nil {
		fmt.Fprintf(os.Stderr, "server_interop: %v\n", err)
		os.Exit(2)
	}
	dataDir := filepath.Join(tmp, "data")
	var d *daemon
	finish := func(code int) {
		if d != nil {
			d.kill()
		}
		os.RemoveAll(tmp)
		if !report("server_interop", groups, *xmlPath, time.Since(start), *seed, "") && code == 0 {
			code = 1
		}
		os.Exit(code)
	}
	watchdog := time.AfterFunc(*limit, func() {
		gShutdown.fail("the run took more than -deadline %v; vellumd killed", *limit)
		if d != nil {
			fmt.Fprintf(os.Stderr, "server_interop: deadline; vellumd output:\n%s\n", d.output())
		}
		finish(1)
	})
	defer watchdog.Stop()

	// 1. Start vellumd.
	phase := time.Now()
	if d, err = startProcess(bin, []string{"--data-dir", dataDir, "--listen", "127.0.0.1:0"}, "vellumd: serving "); err != nil {
		gStart.fail("cannot start %s: %v", bin, err)
		finish(1)
	}
	select {
	case <-d.ready:
	case <-d.exited:
		gStart.fail("vellumd exited before serving:\n%s", d.output())
		finish(1)
	case <-time.After(30 * time.Second):
		gStart.fail("vellumd printed no serving line in 30 s:\n%s", d.output())
		finish(1)
	}
	served, _ := d.line("vellumd: serving ")
	base := strings.TrimSpace(served)
	u, err := url.Parse(base)
	if !gStart.noErr(err, "serving line %q", served) || !gStart.check(u.Scheme == "http" && u.Hostname() == "127.0.0.1" && u.Port() != "" && u.Port() != "0",
		"serving line %q: want http://127.0.0.1:<port>", served) {
		finish(1)
	}
	srv := newServer(base)
	pub, err := os.ReadFile(filepath.Join(dataDir, "log.pub"))
	if !gStart.noErr(err, "reading DIR/log.pub") {
		finish(1)
	}
	vkey := strings.TrimSuffix(string(pub), "\n")
	printed, _ := d.line("vellumd: verifier key ")
	gStart.check(printed == vkey, "vellumd printed the verifier key %q, DIR/log.pub has %q", printed, vkey)
	verifier, err := note.NewVerifier(vkey)
	if !gStart.noErr(err, "note.NewVerifier(%q from DIR/log.pub)", vkey) {
		finish(1)
	}
	cps := &checkpointLog{v: verifier, g: gCheckpoint, byNote: map[string]*seen{}}
	initial, err := srv.getOK("checkpoint")
	if gStart.noErr(err, "initial checkpoint") {
		if s, _ := cps.add(initial, "start"); gStart.check(s != nil, "the initial checkpoint does not open") {
			gStart.check(s.cp.size == 0 && s.cp.root == emptyRoot, "a new log's checkpoint has size %d root %s, want 0 and SHA-256(\"\") %s (Go's tlog.TreeHash(0) is the zero hash)",
				s.cp.size, s.cp.root, emptyRoot)
		}
	}
	fmt.Printf("server_interop: vellumd at %s, log %s\n", base, verifier.Name())
	gStart.elapsed = time.Since(phase)

	// 2. Append concurrently while polling the checkpoint and monitoring the tiles.
	phase = time.Now()
	app := &appender{srv: srv, g: gAppend}
	var appendersDone int32
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func(c int) { defer wg.Done(); app.single(c, *seed*1000+int64(c), *appends) }(c)
	}
	for c := 0; c < *batchClients; c++ {
		wg.Add(1)
		go func(c int) { defer wg.Done(); app.batches(c, *seed*1000+500+int64(c), *batches) }(c)
	}
	toMonitor := make(chan *seen, 256)
	monitorDone := make(chan struct{})
	go monitor(srv, gMonitor, toMonitor, monitorDone)
	pollerDone := make(chan struct{})
	var pollCount, dropped int
	go func() {
		defer close(pollerDone)
		defer close(toMonitor)
		var lastSize int64 = -1
		for i := 0; i < *polls; i++ {
			stop := atomic.LoadInt32(&appendersDone) == 1 // one more poll after the appends
			a, err := srv.get("checkpoint")
			pollCount++
			if gCheckpoint.noErr(err, "GET /checkpoint") && gCheckpoint.check(a.status == http.StatusOK, "GET /checkpoint: %v", a) {
				if s, isNew := cps.add(a.body, fmt.Sprintf("poll %d", i)); s != nil {
					gCheckpoint.check(s.cp.size >= lastSize, "poll %d: checkpoint size %d after size %d: the log shrank", i, s.cp.size, lastSize)
					lastSize = s.cp.size
					if isNew {
						select {
						case toMonitor <- s:
						default:
							dropped++
						}
					}
				}
			}
			if stop {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	wg.Wait()
	atomic.StoreInt32(&appendersDone, 1)
	<-pollerDone
	<-monitorDone
	appendTime := time.Since(phase)
	gAppend.elapsed, gMonitor.elapsed, gCheckpoint.elapsed = appendTime, appendTime, appendTime
	gMonitor.notef("%d checkpoints not handed to the monitor because it was busy", dropped)

	// Receipts.
	phase = time.Now()
	nReceipts := 0
	for _, x := range app.acks {
		if x.receipt == "" {
			continue
		}
		nReceipts++
		r, err := openReceipt([]byte(x.receipt), verifier)
		if !gReceipt.noErr(err, "receipt for %s: Go rejects it:\n%s", x.from, x.receipt) {
			continue
		}
		gReceipt.check(r.index == x.index, "receipt for %s: index %d, the answer says %d", x.from, r.index, x.index)
		gReceipt.check(r.cp.size == x.treeSize, "receipt for %s: checkpoint size %d, the answer's treeSize is %d", x.from, r.cp.size, x.treeSize)
		gReceipt.noErr(tlog.CheckRecord(r.proof, r.cp.size, r.cp.root, r.index, tlog.RecordHash(x.entry)),
			"receipt for %s: tlog.CheckRecord(proof, %d, root, %d, tlog.RecordHash(entry))", x.from, r.cp.size, r.index)
		cps.add(r.note, "receipt of "+x.from)
	}
	gReceipt.check(nReceipts > 0, "no receipts")
	gReceipt.notef("%d receipts", nReceipts)

	// 3. The final tree.
	finalNote, err := srv.getOK("checkpoint")
	if !gTree.noErr(err, "final checkpoint") {
		finish(1)
	}
	fs, _ := cps.add(finalNote, "final")
	if !gTree.check(fs != nil, "the final checkpoint does not open") {
		finish(1)
	}
	n := fs.cp.size
	total := int64(len(app.acks))
	gAppend.check(n == total, "final tree size %d, but %d entries were acknowledged", n, total)
	entries := make([][]byte, n)
	for _, x := range app.acks {
		if !gAppend.check(x.index >= 0 && x.index < n, "%s: acknowledged at index %d, outside the final tree of size %d", x.from, x.index, n) {
			continue
		}
		if !gAppend.check(x.treeSize <= n, "%s: treeSize %d is past the final size %d", x.from, x.treeSize, n) {
			continue
		}
		gAppend.check(entries[x.index] == nil, "index %d acknowledged twice (second: %s)", x.index, x.from)
		entries[x.index] = x.entry
	}
	missing := 0
	for _, e := range entries {
		if e == nil {
			missing++
		}
	}
	gAppend.check(missing == 0, "%d indexes of the final tree were acknowledged to no client", missing)
	nMax := 0
	for _, x := range app.acks {
		if len(x.entry) == maxEntryBytes {
			nMax++
		}
	}
	gAppend.notef("%d entries acknowledged (%d single appends from %d clients, the rest in %d batches); %d of 65,535 bytes",
		total, *clients**appends, *clients, *batchClients**batches, nMax)
	if n == 0 {
		gTree.fail("the final tree is empty")
		finish(1)
	}

	reader := &tileReader{srv: srv, tree: n, cache: map[tlog.Tile][]byte{}}
	thr := tlog.TileHashReader(tlog.Tree{N: n, Hash: fs.cp.root}, reader)
	root, err := tlog.TreeHash(n, thr)
	if gTree.noErr(err, "tlog.TreeHash(%d) over the C2SP tiles", n) {
		gTree.check(root == fs.cp.root, "the tiles of size %d hash to %s, the checkpoint has %s", n, root, fs.cp.root)
	}
	var info struct {
		Origin      string          `json:"origin"`
		VerifierKey string          `json:"verifierKey"`
		Size        json.RawMessage `json:"size"`
		RootHash    string          `json:"rootHash"`
	}
	if body, err := srv.getOK("v1/log"); gTree.noErr(err, "GET /v1/log") && gTree.noErr(json.Unmarshal(body, &info), "GET /v1/log") {
		size, err := jsonUint64(info.Size, "size")
		gTree.noErr(err, "GET /v1/log")
		gTree.check(info.Origin == verifier.Name() && info.VerifierKey == vkey && size == n && info.RootHash == base64.StdEncoding.EncodeToString(fs.cp.root[:]),
			"GET /v1/log: %s, want origin %q, key %q, size %d, root %s", body, verifier.Name(), vkey, n, fs.cp.root)
	}
	// The authenticated leaf hashes, tile by tile.
	leaves := make([]hash, 0, n)
	for _, t := range treeTiles(n, false) {
		if t.L != 0 {
			continue
		}
		data, err := tlog.ReadTileData(t, thr)
		if !gTree.noErr(err, "tlog.ReadTileData(/%s)", c2spTilePath(t)) {
			finish(1)
		}
		for j := 0; j < t.W; j++ {
			var h hash
			copy(h[:], data[j*tlog.HashSize:])
			leaves = append(leaves, h)
		}
	}
	for i := int64(0); i < n; i++ {
		if entries[i] != nil {
			gTree.check(leaves[i] == tlog.RecordHash(entries[i]), "leaf %d of the level-0 tile is %s, the acknowledged entry hashes to %s", i, leaves[i], tlog.RecordHash(entries[i]))
		}
	}
	// Independently of tlog.TileHashReader: rebuild every stored hash from the leaf hashes with
	// tlog.StoredHashesForRecordHash, check the root, and compare every served tile of every
	// level byte for byte with tlog.ReadTileData over the rebuilt tree.
	rebuilt := &memHashes{}
	for i, leaf := range leaves {
		hashes, err := tlog.StoredHashesForRecordHash(int64(i), leaf, rebuilt)
		if !gTree.noErr(err, "tlog.StoredHashesForRecordHash(%d)", i) {
			finish(1)
		}
		rebuilt.hashes = append(rebuilt.hashes, hashes...)
	}
	if root, err := tlog.TreeHash(n, rebuilt); gTree.noErr(err, "tlog.TreeHash(%d) of the rebuilt tree", n) {
		gTree.check(root == fs.cp.root, "the leaf hashes of the level-0 tiles make root %s, the checkpoint has %s", root, fs.cp.root)
	}
	allTiles := treeTiles(n, false)
	for _, t := range allTiles {
		want, err := tlog.ReadTileData(t, rebuilt)
		if !gTree.noErr(err, "tlog.ReadTileData(%v) of the rebuilt tree", t) {
			continue
		}
		got, err := reader.tile(t)
		if gTree.noErr(err, "reading /%s", c2spTilePath(t)) {
			gTree.check(bytes.Equal(got, want), "tile /%s (%d bytes) differs from the tree rebuilt from the leaf hashes", c2spTilePath(t), len(got))
		}
	}
	// Every receipt's checkpoint is in the final tree too.
	for _, s := range cps.all() {
		if s.cp.size > 0 && s.cp.size <= n {
			h, err := tlog.TreeHash(s.cp.size, thr)
			if gTree.noErr(err, "tlog.TreeHash(%d)", s.cp.size) {
				gTree.check(h == s.cp.root, "checkpoint of size %d from %s has root %s, the final tree's tiles give %s", s.cp.size, s.where, s.cp.root, h)
			}
		} else if s.cp.size > n {
			gTree.fail("checkpoint of size %d from %s is larger than the final size %d", s.cp.size, s.where, n)
		}
	}
	gTree.notef("final tree size %d, root %s; %d tiles fetched, all %d tiles of the tree equal to a rebuild from the leaf hashes; %d checks of a full tile against its parent by the tile reader (tlog.TileHashReader skips some, see tileReader)",
		n, fs.cp.root, reader.fetches, len(allTiles), reader.authenticated)
	gReceipt.elapsed, gTree.elapsed = time.Since(phase)/2, time.Since(phase)/2

	checkpoints := cps.bySize()
	gCheckpoint.notef("%d /checkpoint fetches, %d distinct checkpoints, receipts' included (sizes %d..%d)", pollCount, len(cps.all()), checkpoints[0].cp.size, checkpoints[len(checkpoints)-1].cp.size)
	f := &final{srv: srv, cp: fs.cp, thr: thr, entries: entries, leaves: leaves, rng: rand.New(rand.NewSource(*seed))}
	timed := func(g *group, fn func()) {
		t := time.Now()
		fn()
		g.elapsed = time.Since(t)
	}
	timed(gInclusion, func() { f.inclusionChecks(gInclusion, checkpoints) })
	timed(gConsistency, func() { f.consistencyChecks(gConsistency, checkpoints) })
	timed(gEntries, func() { f.entryChecks(gEntries) })
	timed(gTiles, func() { f.tileChecks(gTiles, checkpoints) })

	// 4. Stop vellumd.
	timed(gShutdown, func() {
		code, err := d.stop(30 * time.Second)
		gShutdown.check(code == 0 && err == nil, "vellumd after SIGTERM: exit %d (%v)\n%s", code, err, d.output())
		stopped, ok := d.line("vellumd: stopped at tree size ")
		gShutdown.check(ok && stopped == strconv.FormatInt(n, 10), "vellumd's last words: %q, want \"vellumd: stopped at tree size %d\"", stopped, n)
		gShutdown.noErr(os.RemoveAll(dataDir), "removing the data directory")
	})
	finish(0)
}

