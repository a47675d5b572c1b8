package csvimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

// DefaultMaxRows is the most data rows one file may hold.
const DefaultMaxRows = 100_000

// Options tunes an import; zero fields take the defaults shown.
type Options struct {
	Comma           rune              // ','
	DefaultCurrency string            // used when a row has no currency; none by default
	PhoneRegion     string            // the country phone numbers without a country code are read in (the workspace's); none: only +numbers
	Location        *time.Location    // zone of dates written without one; UTC
	Aliases         map[string]string // extra header -> canonical field, e.g. {"Bestellnummer": "external_id"}
	MaxRows         int               // DefaultMaxRows
	Now             time.Time         // updated_at of stock rows without one; time.Now()
}

func (o *Options) defaults() {
	if o.Comma == 0 {
		o.Comma = ','
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
}

// RowError is one problem with one row: its line in the file (1 is the
// header) and the canonical name of the column at fault ("" for the row).
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Error implements the error interface.
func (e RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// Result is what an import found: the valid items, the rows' errors in line
// order, and how many data rows were read.
type Result[T any] struct {
	Items  []T
	Errors []RowError
	Rows   int
}

// row is one data record with its line and the column map of the file.
type row struct {
	line int
	rec  []string
	cols map[string]int
	errs []RowError
}

// get returns the trimmed value of a field, "" when absent.
func (r *row) get(field string) string {
	i, ok := r.cols[field]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

func (r *row) fail(field, format string, args ...any) {
	r.errs = append(r.errs, RowError{Line: r.line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// validated adds the field errors of a shop type's Validate, where the
// rules of what may be stored live, but for fields the row failed already.
func (r *row) validated(err error) {
	if err == nil {
		return
	}
	for _, f := range fieldsOf(err) {
		if !slices.ContainsFunc(r.errs, func(e RowError) bool { return e.Field == f.Field }) {
			r.fail(f.Field, "%s", f.Message)
		}
	}
}

// each reads a CSV file, maps its header and calls fn for every non-blank
// data row. A header that lacks required fields fails the whole file with
// an EINVALID error; unreadable rows become row errors.
func each(r io.Reader, opts Options, aliases map[string][]string, required []string, fn func(*row)) (rows int, errs []RowError, err error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comma, cr.FieldsPerRecord, cr.ReuseRecord = opts.Comma, -1, true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return 0, nil, deskpool.Errorf(deskpool.EINVALID, "the file is empty: a header row is required")
	} else if err != nil {
		return 0, nil, deskpool.Errorf(deskpool.EINVALID, "the header row cannot be read: %v", err)
	}
	if !utf8.ValidString(strings.Join(header, "")) {
		return 0, nil, deskpool.Errorf(deskpool.EINVALID, "the file is not UTF-8: save it as \"CSV UTF-8\"")
	}
	cols, err := columns(header, aliases, opts.Aliases, required...)
	if err != nil {
		return 0, nil, err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, errs, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rows++
			errs = append(errs, RowError{Line: pe.StartLine, Message: "unreadable CSV: " + pe.Err.Error()})
			continue
		} else if err != nil {
			return rows, errs, err
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if rows++; rows > opts.MaxRows {
			return rows, errs, deskpool.Errorf(deskpool.ETOOLARGE, "the file has more than %d rows", opts.MaxRows)
		}
		rw := &row{line: line, rec: rec, cols: cols}
		if !utf8.ValidString(strings.Join(rec, "")) {
			rw.fail("", "is not UTF-8 text")
		} else {
			fn(rw)
		}
		errs = append(errs, rw.errs...)
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// dateLayouts are the date forms accepted, most specific first.
var dateLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04",
	"2006/01/02 15:04:05", "2006/1/2 15:04:05", "2006/01/02 15:04", "2006/1/2 15:04", "2006-01-02", "2006/01/02", "2006/1/2"}

// date parses a date in one of dateLayouts, zone-less ones in loc.
func date(s string, loc *time.Location) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), shop.StorableTime(t)
		}
	}
	return time.Time{}, false
}

// integer parses a whole number, allowing thousands separators ("1,200").
func integer(s string) (int, bool) {
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	return n, err == nil
}
