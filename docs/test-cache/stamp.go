// Generates N files (20,000 by default) and sets each one's mtime from
// the SHA-256 of its content, in one process: the cost a native stamping
// tool would have.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"time"
)

func main() {
	root := os.Args[1]
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		d := filepath.Join(root, fmt.Sprintf("d%03d", i/100))
		os.MkdirAll(d, 0o755)
		b := make([]byte, 500+r.Intn(3000))
		r.Read(b)
		os.WriteFile(filepath.Join(d, fmt.Sprintf("f%05d.go", i)), b, 0o644)
	}
	for run := 0; run < 3; run++ {
		t0 := time.Now()
		n, bytes := 0, 0
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || !e.Type().IsRegular() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			h := sha256.Sum256(b)
			v := binary.BigEndian.Uint64(h[:8])
			t := time.Unix(946684800+int64(v>>34), int64(v&0x3fffffff)%1e9)
			os.Chtimes(p, t, t)
			n++
			bytes += len(b)
			return nil
		})
		fmt.Printf("stamped %d files (%d KiB) in %v\n", n, bytes/1024, time.Since(t0))
	}
}
