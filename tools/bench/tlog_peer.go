// The peer of `vellum bench append` (docs/benchmarks.md, "The write path"): Go's
// golang.org/x/mod/sumdb/tlog building the same tree in memory, records of the same size, one
// record at a time (tlog.StoredHashes, with the stored hashes kept in a slice). Prints one JSON
// line: records, bytes per record, seconds and records per second.
//
//	go run tlog_peer.go -records 1000000 -record-bytes 300
//
// Built offline without modules, against Debian's golang-golang-x-mod-dev
// (tools/bench/append_vs_tlog.sh sets GOPATH).
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// hashes is the in-memory store: the hash at each storage index.
type hashes []tlog.Hash

func (h *hashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*h)) {
			return nil, fmt.Errorf("hash %d not stored (have %d)", x, len(*h))
		}
		out[i] = (*h)[x]
	}
	return out, nil
}

func main() {
	records := flag.Int64("records", 1000000, "records to append")
	recordBytes := flag.Int("record-bytes", 300, "bytes per record")
	flag.Parse()
	if *records < 1 || *recordBytes < 8 {
		fmt.Fprintln(os.Stderr, "tlog_peer: want -records >= 1 and -record-bytes >= 8")
		os.Exit(2)
	}
	store := make(hashes, 0, 2*(*records)+64)
	record := make([]byte, *recordBytes)
	start := time.Now()
	for n := int64(0); n < *records; n++ {
		// Distinct records, as vellum bench append writes.
		binary.BigEndian.PutUint64(record, uint64(n))
		stored, err := tlog.StoredHashes(n, record, &store)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tlog_peer:", err)
			os.Exit(1)
		}
		store = append(store, stored...)
	}
	root, err := tlog.TreeHash(*records, &store)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlog_peer:", err)
		os.Exit(1)
	}
	seconds := time.Since(start).Seconds()
	out, _ := json.Marshal(map[string]interface{}{
		"bench":         "tlog_peer",
		"records":       *records,
		"record_bytes":  *recordBytes,
		"seconds":       seconds,
		"records_per_s": float64(*records) / seconds,
		"root":          fmt.Sprintf("%x", root[:]),
	})
	fmt.Println(string(out))
}
