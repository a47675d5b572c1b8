package helpdesk

import (
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/tenant"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Config holds the helpdesk's workspace-independent settings.
type Config struct {
	ReopenWindow time.Duration // a resolved conversation reopens on a new message within this window
	MaxBody      int           // largest message body in bytes
}

// DefaultConfig returns the defaults: reopen within 7 days, bodies up to 64 KiB.
func DefaultConfig() Config { return Config{ReopenWindow: 7 * 24 * time.Hour, MaxBody: 64 << 10} }

// Service holds the helpdesk operations.
type Service struct {
	db        *gorm.DB
	events    Emitter
	outbox    *jobs.Outbox
	cfg       Config
	triager   Triager
	observers []Lifecycle
	presence  []PresenceObserver
	flags     []FlagsObserver
	orders    OrderLookup
	answerer  Answerer
	facts     *tenant.Cache[workspaceFacts] // nil: read with each message
	seats     SeatPlan                      // nil: every member holds a seat
	lanes     LaneGate                      // nil: no VIP lanes
}

// NewService returns the helpdesk service; events receives every event,
// outbox carries follow-up tasks such as assignment.
func NewService(db *gorm.DB, events Emitter, outbox *jobs.Outbox, triager Triager, cfg Config) *Service {
	return &Service{db: db, events: events, outbox: outbox, triager: timedTriager{triager}, cfg: cfg}
}

// Register adds the helpdesk's task handlers to the worker mux.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TaskAssign, s.handleAssign)
	mux.HandleFunc(TaskWake, s.handleWake)
}
