package triage

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"sync"
)

// MaxLineBytes is the longest JSON line RunJSONLines reads; longer lines get an error line.
const MaxLineBytes = 4 << 20

const linesPerBatch = 256

// lineBatch is a run of input lines and, once classified, their output.
type lineBatch struct {
	lines [][]byte
	out   []byte
	done  chan struct{}
}

// RunJSONLines classifies JSON lines {"id":..., "text":...} from r and writes one
// JSON line per input to w: the id and the Result fields, or the id and an error.
func RunJSONLines(r io.Reader, w io.Writer, c *Classifier) error {
	work := make(chan *lineBatch, 8)
	ordered := make(chan *lineBatch, 16)
	stop := make(chan struct{})
	var readErr error
	go func() { // reader: lines into batches, in order
		defer close(work)
		defer close(ordered)
		readErr = readBatches(r, work, ordered, stop)
	}()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				for _, line := range b.lines {
					b.out = appendLineResult(b.out, line, c)
				}
				close(b.done)
			}
		}()
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var writeErr error
	for b := range ordered {
		<-b.done
		if writeErr == nil {
			if _, writeErr = bw.Write(b.out); writeErr != nil {
				close(stop)
			}
		}
	}
	wg.Wait()
	if writeErr != nil {
		return writeErr
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return readErr
}

// readBatches splits r into lines and hands them out in batches until EOF or stop.
func readBatches(r io.Reader, work, ordered chan<- *lineBatch, stop <-chan struct{}) error {
	br := bufio.NewReaderSize(r, 1<<20)
	b := &lineBatch{done: make(chan struct{})}
	send := func() bool {
		select {
		case ordered <- b:
		case <-stop:
			return false
		}
		select {
		case work <- b:
		case <-stop:
			close(b.done)
			return false
		}
		b = &lineBatch{done: make(chan struct{})}
		return true
	}
	for {
		line, err := readLine(br)
		if len(line) > 0 {
			b.lines = append(b.lines, line)
			if len(b.lines) == linesPerBatch && !send() {
				return nil
			}
		}
		if err != nil {
			if len(b.lines) > 0 {
				send()
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// errLineTooLong marks a line cut at MaxLineBytes.
var errLineTooLong = []byte{0}

// readLine returns the next line, trimmed, copied out of the reader's buffer;
// a line over MaxLineBytes comes back as errLineTooLong.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		frag, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(frag) > MaxLineBytes {
				tooLong, line = true, nil
			} else {
				line = append(line, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if tooLong {
			return errLineTooLong, err
		}
		return bytes.TrimSpace(line), err
	}
}

// jsonLine is one input line.
type jsonLine struct {
	ID   json.RawMessage `json:"id"`
	Text *string         `json:"text"`
}

// appendLineResult classifies one line and appends its output line to out.
func appendLineResult(out, line []byte, c *Classifier) []byte {
	if len(line) == 1 && line[0] == 0 {
		return append(out, `{"id":null,"error":"line longer than 4 MiB"}`+"\n"...)
	}
	var in jsonLine
	if err := json.Unmarshal(line, &in); err != nil {
		msg, _ := json.Marshal("malformed JSON: " + err.Error())
		out = append(out, `{"id":null,"error":`...)
		return append(append(out, msg...), "}\n"...)
	}
	id := []byte(in.ID)
	if len(id) == 0 {
		id = []byte("null")
	}
	out = append(append(out, `{"id":`...), id...)
	if in.Text == nil {
		return append(out, `,"error":"text: must be a string"}`+"\n"...)
	}
	res, err := json.Marshal(c.Classify(*in.Text, Context{}))
	if err != nil || len(res) < 2 {
		return append(out, `,"error":"internal: could not encode the result"}`+"\n"...)
	}
	out = append(out, ',')
	out = append(out, res[1:]...)
	return append(out, '\n')
}
