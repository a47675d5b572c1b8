package learning

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/triage"
	"gorm.io/gorm"
)

// poolExample is a de-identified correction on its way to the pool.
type poolExample struct {
	Key     []byte
	Text    string
	Intent  string
	Urgency string
}

// deidentified prepares a workspace's corrections for the pool.
func deidentified(cs []correction) []poolExample {
	out := make([]poolExample, 0, len(cs))
	for _, c := range cs {
		k := sha256.Sum256(c.ID[:])
		out = append(out, poolExample{Key: k[:], Text: Deidentify(c.Body, c.CustomerName), Intent: c.Intent, Urgency: c.Urgency})
	}
	return out
}

// contribute replaces the workspace's examples in the pool with ex (none
// when it did not opt in); only de-identified text crosses to the platform
// table, on the system path.
func (s *Service) contribute(ctx context.Context, optIn bool, ex []poolExample) error {
	source := hex.EncodeToString(sourceOf(deskpool.TenantIDFromContext(ctx)))
	return postgres.System(ctx, s.sysdb, "triage:pool_contribution", func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM triage_pool_examples WHERE source = decode(?, 'hex')`, source).Error; err != nil || !optIn {
			return err
		}
		for _, e := range ex {
			if err := tx.Exec(`INSERT INTO triage_pool_examples (source, example, text, intent, urgency) VALUES (decode(?, 'hex'), decode(?, 'hex'), ?, ?, ?)
				ON CONFLICT DO NOTHING`, source, hex.EncodeToString(e.Key), e.Text, e.Intent, e.Urgency).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// PooledModel is one version of the pooled model.
type PooledModel struct {
	Version     string    `json:"version"`
	BaseVersion string    `json:"base_version"`
	Examples    int       `json:"examples"`
	Workspaces  int       `json:"workspaces"`
	Holdout     Holdout   `json:"holdout"`      // the blind hand-written held-out set
	PoolHoldout Holdout   `json:"pool_holdout"` // held-out pooled corrections
	Active      bool      `json:"active"`
	TrainedAt   time.Time `json:"trained_at"`
}

type pooledScores struct {
	Holdout     Holdout `json:"holdout"`
	PoolHoldout Holdout `json:"pool_holdout"`
}

// RetrainPool learns a new pooled adjustment from the pool's de-identified
// examples, scores it on the blind hand-written held-out set and on one
// pooled example in five it did not train on, and stores it as a new
// version; it becomes active when it loses no more than one point on the
// hand-written set and does no worse on the held-out corrections. It does
// nothing when the pool has not changed since the last version.
func (s *Service) RetrainPool(ctx context.Context) (*PooledModel, error) {
	var out *PooledModel
	err := postgres.System(ctx, s.sysdb, "triage:pool_retrain", func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(hashtext('triage:pool_retrain'))`).Error; err != nil {
			return err
		}
		var rows []struct {
			Source, Example []byte
			Text            string
			Intent, Urgency string
		}
		if err := tx.Raw(`SELECT source, example, text, intent, urgency FROM triage_pool_examples ORDER BY source, example`).Scan(&rows).Error; err != nil {
			return err
		}
		sum := sha256.New()
		sources := map[string]bool{}
		var train, hold []triage.Example
		for _, r := range rows {
			sum.Write(r.Source)
			sum.Write(r.Example)
			fmt.Fprintf(sum, "%s|%s|%s;", r.Text, r.Intent, r.Urgency)
			sources[string(r.Source)] = true
			ex := triage.Example{Text: r.Text, Intent: r.Intent, Urgency: r.Urgency}
			if len(rows) >= 10 && heldOut(r.Example) {
				hold = append(hold, ex)
			} else {
				train = append(train, ex)
			}
		}
		fingerprint := hex.EncodeToString(sum.Sum(nil))
		var seen int64
		if err := tx.Raw(`SELECT count(*) FROM triage_models WHERE fingerprint = ?`, fingerprint).Scan(&seen).Error; err != nil {
			return err
		}
		if seen > 0 || len(train) == 0 || len(sources) < s.cfg.MinPoolSource {
			return nil
		}
		m := &PooledModel{Version: "pool-" + time.Now().UTC().Format("20060102T150405") + "-" + fingerprint[:6],
			BaseVersion: s.base.Version(), Examples: len(train), Workspaces: len(sources), TrainedAt: time.Now().UTC()}
		adj, err := triage.TrainAdjustment(s.base, nil, train, triage.AdjustOptions{Seed: 1, Version: m.Version})
		if err != nil {
			return err
		}
		m.Holdout = score(s.base, adj, triage.HeldOut())
		m.PoolHoldout = score(s.base, adj, hold)
		m.Active = m.Holdout.IntentAccuracy >= m.Holdout.BaseIntentAccuracy-0.01 &&
			(m.PoolHoldout.N == 0 || m.PoolHoldout.IntentAccuracy >= m.PoolHoldout.BaseIntentAccuracy)
		blob, err := adj.MarshalBinary()
		if err != nil {
			return err
		}
		scores, _ := json.Marshal(pooledScores{m.Holdout, m.PoolHoldout})
		if m.Active {
			if err := tx.Exec(`UPDATE triage_models SET active = false WHERE active`).Error; err != nil {
				return err
			}
		}
		out = m
		return tx.Exec(`INSERT INTO triage_models (version, base_version, model, examples, workspaces, fingerprint, holdout, active, trained_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.Version, m.BaseVersion, blob, m.Examples, m.Workspaces, fingerprint,
			string(scores), m.Active, m.TrainedAt).Error
	})
	if err == nil {
		s.Forget()
	}
	return out, err
}

// score compares the base classifier with and without adj on examples.
func score(base *triage.Classifier, adj *triage.Adjustment, exs []triage.Example) Holdout {
	b, n := base.Evaluate(nil, exs), base.Evaluate([]*triage.Adjustment{adj}, exs)
	return Holdout{N: len(exs), BaseIntentAccuracy: b.IntentAccuracy, IntentAccuracy: n.IntentAccuracy,
		BaseUrgency: b.UrgencyAccuracy, UrgencyAccuracy: n.UrgencyAccuracy}
}

// CurrentPooledModel returns the active pooled version, or nil.
func CurrentPooledModel(tx *gorm.DB) (*PooledModel, error) {
	var rows []struct {
		Version, BaseVersion string
		Examples, Workspaces int
		Holdout              []byte
		TrainedAt            time.Time
	}
	if err := tx.Raw(`SELECT version, base_version, examples, workspaces, holdout, trained_at FROM triage_models WHERE active`).
		Scan(&rows).Error; err != nil || len(rows) == 0 {
		return nil, err
	}
	r := rows[0]
	m := &PooledModel{Version: r.Version, BaseVersion: r.BaseVersion, Examples: r.Examples, Workspaces: r.Workspaces, Active: true, TrainedAt: r.TrainedAt}
	var sc pooledScores
	_ = json.Unmarshal(r.Holdout, &sc)
	m.Holdout, m.PoolHoldout = sc.Holdout, sc.PoolHoldout
	return m, nil
}
