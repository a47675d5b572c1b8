package learning_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/triage/learning"
	"gorm.io/gorm"
)

// cartPing are messages in a brand's own slang for a restock alert, which
// the built-in model does not know.
var cartPing = []string{"cart ping for the blue mug please", "can you set a cart ping on the red kettle",
	"cart ping me when size M is back", "I want a cart ping for the linen shirt", "cart ping on the green teapot pls"}

func TestWorkspaceLearnsFromItsCorrections(t *testing.T) {
	ls := newLearning(t)
	b := newBrand(t, ls, false)
	for i, text := range cartPing {
		in := b.say(fmt.Sprint("c", i), "Ann Lee", text)
		b.correct(in, "stock", "low")
	}
	m, err := ls.RetrainWorkspace(b.ctx)
	if err != nil || m == nil || !m.Active || m.Version != 1 {
		t.Fatalf("retrain: %+v %v", m, err)
	}
	probe := b.say("p1", "Bo", "could you add a cart ping for the oak tray")
	if probe.Triage.Intent != "stock" || !slices.ContainsFunc(probe.Triage.Reasons, func(r string) bool { return strings.HasPrefix(r, "model:workspace:") }) {
		t.Fatalf("after learning: %s %v", probe.Triage.Intent, probe.Triage.Reasons)
	}
	t.Run("NothingNewNothingTrained", func(t *testing.T) {
		if again, err := ls.RetrainWorkspace(b.ctx); err != nil || again != nil {
			t.Fatalf("retrain without new corrections: %+v %v", again, err)
		}
	})
	t.Run("OtherWorkspaceUnchanged", func(t *testing.T) {
		other := newBrand(t, ls, false)
		if r := other.say("o1", "Cy", "could you add a cart ping for the oak tray"); slices.ContainsFunc(r.Triage.Reasons, func(r string) bool { return strings.HasPrefix(r, "model:workspace:") }) {
			t.Fatalf("another workspace's adjustment was applied: %v", r.Triage.Reasons)
		}
	})
	t.Run("NoPoolWithoutOptIn", func(t *testing.T) {
		var n int64
		env.System.Raw(`SELECT count(*) FROM triage_pool_examples`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d examples pooled without opt-in", n)
		}
	})
}

// A workspace without any correction has nothing to learn: retraining it
// (as the scheduled task does) trains nothing and does not fail.
func TestRetrainWithoutCorrections(t *testing.T) {
	ls := newLearning(t)
	b := newBrand(t, ls, false)
	b.say("n1", "Dee", "where is my order")
	if m, err := ls.RetrainWorkspace(b.ctx); err != nil || m != nil {
		t.Fatalf("retrain without corrections: %+v %v", m, err)
	}
}

func TestPooledModelFromOptedInWorkspaces(t *testing.T) {
	ls := newLearning(t)
	a := newBrand(t, ls, true)
	for i, text := range cartPing {
		in := a.say(fmt.Sprint("c", i), "Wang Fang", text+", call Wang Fang on 13800138000 about order #88123")
		a.correct(in, "stock", "low")
	}
	if _, err := ls.RetrainWorkspace(a.ctx); err != nil {
		t.Fatal(err)
	}
	var texts []string
	env.System.Raw(`SELECT text FROM triage_pool_examples`).Scan(&texts)
	if len(texts) != len(cartPing) {
		t.Fatalf("%d pooled examples, want %d", len(texts), len(cartPing))
	}
	for _, text := range texts {
		for _, secret := range []string{"Wang", "Fang", "13800138000", "88123"} {
			if strings.Contains(text, secret) {
				t.Fatalf("pooled text %q keeps %q", text, secret)
			}
		}
	}
	m, err := ls.RetrainPool(context.Background())
	if err != nil || m == nil || m.Workspaces != 1 || m.Holdout.N < 200 {
		t.Fatalf("pool retrain: %+v %v", m, err)
	}
	if !m.Active {
		t.Fatalf("pooled model not activated: %+v", m)
	}
	if again, err := ls.RetrainPool(context.Background()); err != nil || again != nil {
		t.Fatalf("an unchanged pool retrained: %+v %v", again, err)
	}
	cur, err := learning.CurrentPooledModel(env.App)
	if err != nil || cur == nil || cur.Version != m.Version {
		t.Fatalf("current pooled model %+v %v", cur, err)
	}
	t.Run("NewWorkspaceBenefits", func(t *testing.T) {
		// A message of the kind the pool learned (the slang, and a call
		// about an order), from another customer of another brand: the
		// pool's examples carry their de-identified tail, so a probe
		// without one leans on the base model alone.
		b := newBrand(t, ls, false)
		r := b.say("n1", "Dee", "could you add a cart ping for the oak tray, call Dee on 13900139000 about order #77001")
		if r.Triage.Intent != "stock" || !slices.Contains(r.Triage.Reasons, "model:pooled:"+m.Version) {
			t.Fatalf("pooled model not used: %s %v", r.Triage.Intent, r.Triage.Reasons)
		}
	})
	t.Run("OptOutWithdraws", func(t *testing.T) {
		off := false
		a.tx(func(ctx context.Context, tx *gorm.DB) error {
			_, err := settingsSave(ctx, tx, off)
			return err
		})
		in := a.say("late", "Wang Fang", "one more cart ping for the mug")
		a.correct(in, "stock", "low")
		if _, err := ls.RetrainWorkspace(a.ctx); err != nil {
			t.Fatal(err)
		}
		var n int64
		env.System.Raw(`SELECT count(*) FROM triage_pool_examples`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d examples left in the pool after opting out", n)
		}
	})
	t.Run("ApplicationRoleCannotTouchThePool", func(t *testing.T) {
		err := postgres.Tx(a.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			var n int64
			return tx.Raw(`SELECT count(*) FROM triage_pool_examples`).Scan(&n).Error
		})
		if err == nil {
			t.Fatal("the application role read the pool")
		}
		if err := env.App.Exec(`UPDATE triage_models SET active = false`).Error; err == nil {
			t.Fatal("the application role changed a pooled model")
		}
	})
}

func TestSchedulerQueuesDueWorkspaces(t *testing.T) {
	ls := newLearning(t)
	b := newBrand(t, ls, false)
	in := b.say("s1", "Eve", cartPing[0])
	b.correct(in, "stock", "low")
	n, err := ls.ScheduleOnce(context.Background())
	if err != nil || n < 2 { // the workspace and the pool
		t.Fatalf("scheduled %d: %v", n, err)
	}
	if again, err := ls.ScheduleOnce(context.Background()); err != nil || again != 0 {
		t.Fatalf("a second scan queued %d more: %v", again, err)
	}
}
