package triage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// benchMessages returns the hand-written held-out messages of both languages.
func benchMessages(tb testing.TB) []string {
	var out []string
	for _, name := range []string{"holdout_zh.jsonl", "holdout_en.jsonl", "holdout2_zh.jsonl", "holdout2_en.jsonl"} {
		f, err := os.Open(filepath.Join("corpus", name))
		if err != nil {
			tb.Fatal(err)
		}
		exs, err := ReadExamples(f)
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
		for _, ex := range exs {
			out = append(out, ex.Text)
		}
	}
	return out
}

// BenchmarkClassify measures throughput and per-message latency on real-looking messages.
func BenchmarkClassify(b *testing.B) {
	c := Default()
	msgs := benchMessages(b)
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		c.Classify(msgs[i%len(msgs)], Context{})
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkClassifyLong measures a message at the 64 KiB limit.
func BenchmarkClassifyLong(b *testing.B) {
	c := Default()
	msgs := benchMessages(b)
	var buf bytes.Buffer
	for i := 0; buf.Len() < MaxInputBytes; i++ {
		buf.WriteString(msgs[i%len(msgs)] + " ")
	}
	text := buf.String()
	b.SetBytes(int64(len(text)))
	for i := 0; i < b.N; i++ {
		c.Classify(text, Context{})
	}
}

// BenchmarkLoad measures decoding the embedded model and the heap it keeps.
func BenchmarkLoad(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var keep *Classifier
	for i := 0; i < b.N; i++ {
		c, err := Load(bytes.NewReader(embeddedModel))
		if err != nil {
			b.Fatal(err)
		}
		keep = c
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(len(embeddedModel))/1e6, "file-MB")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/1e6, "heap-MB")
	runtime.KeepAlive(keep)
}

// jsonLinesFile writes n generated {"id","text"} lines to a temporary file.
func jsonLinesFile(b *testing.B, n int) string {
	msgs := benchMessages(b)
	rng := rand.New(rand.NewPCG(1, 2))
	path := filepath.Join(b.TempDir(), "messages.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := 0; i < n; i++ {
		text := msgs[rng.IntN(len(msgs))]
		if rng.IntN(3) == 0 {
			text = fmt.Sprintf("%s 订单号%d", text, 1e11+rng.Int64N(9e11))
		}
		line, _ := json.Marshal(map[string]any{"id": i, "text": text})
		w.Write(append(line, '\n'))
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path
}

// BenchmarkJSONLines100k runs RunJSONLines over 100,000 messages beside the
// I/O floor: reading the same file line by line, as wc -l does.
func BenchmarkJSONLines100k(b *testing.B) {
	const n = 100_000
	path := jsonLinesFile(b, n)
	st, _ := os.Stat(path)
	b.Run("ReadLinesFloor", func(b *testing.B) {
		b.SetBytes(st.Size())
		for i := 0; i < b.N; i++ {
			f, _ := os.Open(path)
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 1<<24)
			lines := 0
			for sc.Scan() {
				lines++
			}
			f.Close()
			if lines != n {
				b.Fatalf("%d lines", lines)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
	})
	b.Run("RunJSONLines", func(b *testing.B) {
		b.SetBytes(st.Size())
		c := Default()
		for i := 0; i < b.N; i++ {
			f, _ := os.Open(path)
			if err := RunJSONLines(f, io.Discard, c); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}
