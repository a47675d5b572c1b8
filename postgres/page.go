package postgres

import (
	"github.com/deskpool/deskpool"
	"gorm.io/gorm"
)

// NewestFirst narrows q to one page of a list ordered newest first by
// (column, id): the rows strictly after the cursor, at most limit of them.
// Keyset pages stay stable while rows are inserted.
func NewestFirst(q *gorm.DB, column string, cur deskpool.Cursor, limit int) *gorm.DB {
	if !cur.IsZero() {
		q = q.Where("("+column+", id) < (?, ?)", cur.Time, cur.ID)
	}
	return q.Order(column + " DESC, id DESC").Limit(limit)
}
