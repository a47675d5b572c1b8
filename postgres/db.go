package postgres

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// OpenDB connects to PostgreSQL through gorm with a bounded pool. Database
// errors such as unique violations are translated to gorm's sentinel errors.
func OpenDB(dsn string, maxConns int) (*gorm.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database address: %w", err)
	}
	pool := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(registerTypes))
	dialector := unexplained{postgres.New(postgres.Config{Conn: pool}).(*postgres.Dialector)}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if maxConns <= 0 {
		maxConns = 10
	}
	sqlDB.SetMaxOpenConns(maxConns)
	sqlDB.SetMaxIdleConns(maxConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// unexplained is the PostgreSQL dialector without Explain, which writes a
// statement out with its arguments for a log. The logger here discards
// statements, yet gorm's Scan records each one so explained, a tenth of
// the CPU of a message's ingest; the statement is recorded as it is.
type unexplained struct{ *postgres.Dialector }

func (unexplained) Explain(sql string, _ ...any) string { return sql }
