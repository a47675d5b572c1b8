package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Targets of the simulated brands' SLA policy, in simulated seconds.
const (
	simFirstResponse = 300   // 5 minutes
	simNextResponse  = 600   // 10 minutes
	simResolution    = 86400 // a day
	simBrands        = 50
	simPoolAgents    = 10
	simDrain         = 6 * 3600 // after the day, at most this long for the last first replies
)

// simTriager triages every simulated message for a person (the AI
// answers none: the simulation measures the people's first response).
var simTriager = helpdesk.TriagerFunc(func(ctx context.Context, in helpdesk.TriageInput) helpdesk.Triage {
	return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Sentiment: "neutral", Level: "L3", Route: "human", Language: "zh", Confidence: 0.9}
})

// benchPoolSim replays one simulated day, the same day for two sets of
// 50 brands side by side: the brands alone, and the brands as members of
// an alliance whose pool of 10 agents takes overflow. See BENCHMARKS.md
// for the model and how time is compressed.
func benchPoolSim(ctx context.Context, out io.Writer, seed uint64, speedup int) error {
	if speedup < 1 || simFirstResponse%speedup != 0 || simNextResponse%speedup != 0 || simResolution%speedup != 0 {
		return fmt.Errorf("bench pool-sim: --speedup must divide 300 (the 5-minute first-response target in whole real seconds): 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 25, 30, 50, 60, 75, 100, 150 or 300")
	}
	m, env, err := benchMain(ctx, "poolsim", "serve", func(m *Main) {
		m.StubTriage = simTriager
		m.Config.DBMaxConns = max(m.Config.DBMaxConns, 40)
	})
	if err != nil {
		return err
	}
	defer env.Close()
	defer m.Close()
	day := newSimDay(seed, simBrands)
	s := &simRun{m: m, day: day, speedup: speedup, convs: map[uuid.UUID]int{}}
	for _, pooled := range []bool{false, true} {
		sc, err := s.seed(ctx, pooled)
		if err != nil {
			return err
		}
		s.scenarios = append(s.scenarios, sc)
	}
	agents := 0
	for _, b := range day.Brands {
		agents += b.Agents
	}
	fmt.Fprintf(out, "bench pool-sim: seed %d, %d brands (%d agents), %d conversations in the day (%d during live streams), "+
		"one simulated day in %v of real time (x%d)\n", seed, simBrands, agents, len(day.Arrivals), liveCount(day),
		time.Duration(float64(86400)/float64(speedup)*float64(time.Second)), speedup)
	if err := s.run(ctx); err != nil {
		return err
	}
	return s.report(ctx, out)
}

func liveCount(d simDay) int {
	n := 0
	for _, a := range d.Arrivals {
		if a.Live {
			n++
		}
	}
	return n
}

// simTenant is one simulated brand's workspace and its agents.
type simTenant struct {
	ID     uuid.UUID
	Agents []uuid.UUID
}

// simScenario is one set of 50 brands: alone, or in the alliance.
type simScenario struct {
	Name       string
	Brands     []simTenant
	AllianceID uuid.UUID   // pooled only
	PoolAgents []uuid.UUID // pooled only
}

// simRun is a running simulation.
type simRun struct {
	m         *Main
	day       simDay
	speedup   int
	clock     simClock
	scenarios []*simScenario

	inboxes atomic.Pointer[simInboxes]
	route   map[uuid.UUID]chan struct{} // alliance -> its router's kick

	mu      sync.Mutex
	convs   map[uuid.UUID]int // conversation -> its arrival
	ingests []time.Duration   // real time of each ingest
	errs    map[string]int    // errors by operation
	firstE  map[string]error
}

// fail records an error of operation op.
func (s *simRun) fail(op string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.errs == nil {
		s.errs, s.firstE = map[string]int{}, map[string]error{}
	}
	s.errs[op]++
	if s.firstE[op] == nil {
		s.firstE[op] = err
	}
}

// arrivalOf returns the arrival of conversation id, if it is one of the
// simulation's.
func (s *simRun) arrivalOf(id uuid.UUID) (simArrival, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.convs[id]
	if !ok {
		return simArrival{}, false
	}
	return s.day.Arrivals[i], true
}

// seed creates the scenario's 50 brands (premium: custom SLA and alliance
// overflow), their agents (offline until their shift), their SLA policy
// (targets compressed by the speedup) and, pooled, the alliance, its 10
// pool agents and each brand's overflow rule: offer when no agent of the
// brand is online, and when the first-response clock reaches half its
// target.
func (s *simRun) seed(ctx context.Context, pooled bool) (*simScenario, error) {
	sc := &simScenario{Name: "brands alone"}
	if pooled {
		sc.Name, sc.AllianceID = "alliance pool (10 agents)", deskpool.NewID()
	}
	run := uuid.NewString()[:8]
	err := postgres.System(ctx, s.m.SysDB, "poolsim:seed", func(ctx context.Context, tx *gorm.DB) error {
		user := func(email string) (uuid.UUID, error) {
			id := deskpool.NewID()
			return id, tx.Exec(`INSERT INTO users (id, email, password_hash) VALUES (?, ?, 'x')`, id, email).Error
		}
		if pooled {
			admin, err := user("sim-admin-" + run + "@bench.example")
			if err != nil {
				return err
			}
			if err := tx.Exec(`INSERT INTO alliances (id, name, created_by) VALUES (?, 'Simulated alliance', ?)`, sc.AllianceID, admin).Error; err != nil {
				return err
			}
			for i := range simPoolAgents {
				id, err := user(fmt.Sprintf("sim-pool-%s-%d@bench.example", run, i))
				if err != nil {
					return err
				}
				if err := tx.Exec(`INSERT INTO alliance_staff (alliance_id, user_id, role, languages, capacity, status)
					VALUES (?, ?, 'pool_agent', '{zh,en}', 4, 'offline')`, sc.AllianceID, id).Error; err != nil {
					return err
				}
				sc.PoolAgents = append(sc.PoolAgents, id)
			}
		}
		for b, sb := range s.day.Brands {
			t := simTenant{ID: deskpool.NewID()}
			if err := tx.Exec(`INSERT INTO tenants (id, slug, name, plan) VALUES (?, ?, ?, 'premium')`,
				t.ID, fmt.Sprintf("sim-%s-%d", run, b), fmt.Sprintf("Sim brand %d", b)).Error; err != nil {
				return err
			}
			for a := range sb.Agents {
				id, err := user(fmt.Sprintf("sim-%s-%d-%d@bench.example", run, b, a))
				if err != nil {
					return err
				}
				if err := tx.Exec(`INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, 'agent')`, t.ID, id).Error; err != nil {
					return err
				}
				if err := tx.Exec(`INSERT INTO agent_profiles (tenant_id, user_id, status, capacity, languages) VALUES (?, ?, 'offline', 3, '{zh,en}')`,
					t.ID, id).Error; err != nil {
					return err
				}
				t.Agents = append(t.Agents, id)
			}
			if pooled {
				if err := tx.Exec(`INSERT INTO alliance_members (tenant_id, alliance_id, status, invited_by, accepted_at, overflow_enabled,
						when_no_agent, sla_share) SELECT ?, id, 'active', created_by, now(), true, true, 50 FROM alliances WHERE id = ?`,
					t.ID, sc.AllianceID).Error; err != nil {
					return err
				}
			}
			sc.Brands = append(sc.Brands, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed pool-sim: %w", err)
	}
	name := "Simulated day"
	k := int64(s.speedup)
	for _, t := range sc.Brands {
		in := sla.PolicyInput{Name: &name, Rule: &sla.RuleDoc{}, Targets: &sla.TargetsDoc{FirstResponse: simFirstResponse / k,
			NextResponse: simNextResponse / k, Resolution: simResolution / k}}
		if _, err := s.m.SLA.CreatePolicy(tenantCtx(ctx, t.ID, uuid.Nil), in); err != nil {
			return nil, fmt.Errorf("seed pool-sim policy: %w", err)
		}
	}
	return sc, nil
}

// tenantCtx acts for the workspace tenantID, as the person user (uuid.Nil:
// the shop's integration).
func tenantCtx(ctx context.Context, tenantID, user uuid.UUID) context.Context {
	role := "agent"
	if user == uuid.Nil {
		role = "integration"
	}
	return deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tenantID, UserID: user, Role: role})
}
