package segments

import (
	"strconv"
	"strings"
)

// replace puts part in place of the marker of a statement.
func replace(sql, marker, part string) string { return strings.Replace(sql, marker, part, 1) }

// itoa formats a small index.
func itoa(i int) string { return strconv.Itoa(i) }
