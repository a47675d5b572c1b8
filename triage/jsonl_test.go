package triage

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRunJSONLines(t *testing.T) {
	in := strings.Join([]string{
		`{"id":1,"text":"where is my order 12345678"}`,
		`{"id":"b","text":"我要退款"}`,
		`not json`,
		``,
		`{"id":{"k":[1,2]},"text":"转人工"}`,
		`{"id":4}`,
		`{"text":"hello"}`,
	}, "\n")
	var out strings.Builder
	if err := RunJSONLines(strings.NewReader(in), &out, Default()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	type line struct {
		ID     json.RawMessage `json:"id"`
		Error  string          `json:"error"`
		Intent string          `json:"intent"`
		Route  string          `json:"route"`
	}
	want := []struct{ id, intent, err string }{
		{`1`, "order_status", ""}, {`"b"`, "refund", ""}, {`null`, "", "malformed JSON"},
		{`{"k":[1,2]}`, "human_request", ""}, {`4`, "", "text: must be a string"}, {`null`, "other", ""},
	}
	for i, l := range lines {
		var got line
		if err := json.Unmarshal([]byte(l), &got); err != nil {
			t.Fatalf("line %d not JSON: %s", i, l)
		}
		if string(got.ID) != want[i].id || got.Intent != want[i].intent || !strings.HasPrefix(got.Error, want[i].err) {
			t.Errorf("line %d: %s", i, l)
		}
	}
}

func TestRunJSONLinesKeepsOrder(t *testing.T) {
	var in strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&in, `{"id":%d,"text":"order %d refund please"}`+"\n", i, i)
	}
	var out strings.Builder
	if err := RunJSONLines(strings.NewReader(in.String()), &out, Default()); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for i := 0; sc.Scan(); i++ {
		var got struct{ ID int }
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil || got.ID != i {
			t.Fatalf("line %d: %s", i, sc.Text())
		}
	}
}

func TestRunJSONLinesLongLine(t *testing.T) {
	in := `{"id":1,"text":"` + strings.Repeat("x", MaxLineBytes+10) + "\"}\n" + `{"id":2,"text":"hi"}` + "\n"
	var out strings.Builder
	if err := RunJSONLines(strings.NewReader(in), &out, Default()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"error"`) || !strings.HasPrefix(lines[1], `{"id":2,`) {
		t.Fatalf("%q", out.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRunJSONLinesWriteError(t *testing.T) {
	in := strings.Repeat(`{"id":1,"text":"hello"}`+"\n", 20000)
	if err := RunJSONLines(strings.NewReader(in), failWriter{}, Default()); err == nil {
		t.Fatal("want the write error")
	}
}
