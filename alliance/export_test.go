package alliance

import (
	"context"

	"gorm.io/gorm"
)

// ReturnPooled is returnPooled for the tests: it reports how many entries
// ended.
func ReturnPooled(ctx context.Context, tx *gorm.DB, where string, args ...any) (int, error) {
	rows, err := returnPooled(ctx, tx, where, args...)
	return len(rows), err
}
