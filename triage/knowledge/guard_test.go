package knowledge_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/triage/knowledge"
	"github.com/deskpool/deskpool/triage/settings"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

func TestDeflectionCeiling(t *testing.T) {
	s := newShop(t)
	s.order("2001", "fulfilled", "CN", true, nil)
	s.sold("2001", "d1")
	s.order("2002", "fulfilled", "CN", true, nil)
	s.sold("2002", "d2")
	first := s.say("d1", "Where is my order #2001?")
	if first.AIReply == nil {
		t.Fatal("the AI did not answer the first question")
	}
	// Every case is borderline and the ceiling is 50%: with the AI having
	// resolved the only conversation, the next one goes to a person.
	half, all := 0.5, 1.0
	err := postgres.Tx(s.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		_, err := settings.Save(ctx, tx, settings.Update{DeflectionCeiling: &half, BorderlineConfidence: &all})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	second := s.say("d2", "Where is my order #2002?")
	if second.AIReply != nil {
		t.Fatalf("above the ceiling the AI still answered: %q", second.AIReply.Body)
	}
	if got := s.handOver(second.ConversationID); got != knowledge.HandOverDeflection {
		t.Fatalf("hand-over reason %q", got)
	}
	t.Run("ConfidentCasesStillAnswered", func(t *testing.T) {
		low := 0.0
		err := postgres.Tx(s.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			_, err := settings.Save(ctx, tx, settings.Update{BorderlineConfidence: &low})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		s.order("2003", "fulfilled", "CN", true, nil)
		s.sold("2003", "d3")
		if third := s.say("d3", "Where is my order #2003?"); third.AIReply == nil {
			t.Fatal("a confident case was handed over")
		}
	})
}

func TestScenarioFlaggedWhenPeopleStepIn(t *testing.T) {
	s := newShop(t)
	var convs []uuid.UUID
	var scenario uuid.UUID
	for i, c := range []string{"f1", "f2", "f3"} {
		number := fmt.Sprintf("300%d", i+1)
		s.order(number, "fulfilled", "CN", true, nil)
		s.sold(number, c)
		out := s.say(c, "Where is my order #"+number+"?")
		if out.AIReply == nil || out.AIReply.ScenarioID == nil {
			t.Fatal("no AI answer")
		}
		convs, scenario = append(convs, out.ConversationID), *out.AIReply.ScenarioID
	}
	sc, err := s.kn.FindScenario(s.ctx, scenario)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Flagged || sc.Stats.Conversations != 3 {
		t.Fatalf("before people stepped in: %+v", sc.Stats)
	}
	// An agent answers in one of three conversations: 33% > 30%.
	s.exec(`INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body)
		VALUES (?, gen_random_uuid(), ?, 'outbound', 'agent', 'web', 'let me help')`, s.tenant(), convs[0])
	if sc, err = s.kn.FindScenario(s.ctx, scenario); err != nil {
		t.Fatal(err)
	}
	if !sc.Flagged || sc.Stats.Human != 1 || sc.HumanShare < 0.33 || sc.HumanShare > 0.34 {
		t.Fatalf("after one of three: flagged=%v share=%.2f stats=%+v", sc.Flagged, sc.HumanShare, sc.Stats)
	}
}

func TestScenarioCRUD(t *testing.T) {
	s := newShop(t)
	list, err := s.kn.FindScenarios(s.ctx, deskpool.Cursor{}, 50)
	if err != nil || len(list) != len(knowledge.Defaults()) {
		t.Fatalf("defaults: %d scenarios, %v", len(list), err)
	}
	name, intent := "Gift wrap", "product_question"
	in := knowledge.Input{Name: &name, Intent: &intent, Replies: map[string]string{"en": "Hi {{customer.name}}, gift wrap is free."}}
	sc, err := s.kn.CreateScenario(s.ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrConflict", func(t *testing.T) {
		if _, err := s.kn.CreateScenario(s.ctx, in); deskpool.ErrorCode(err) != deskpool.ECONFLICT {
			t.Fatalf("duplicate name: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad, tpl := "refund_everything", map[string]string{"en": "{{customer.password}}"}
		for _, in := range []knowledge.Input{{Name: &name, Intent: &bad, Replies: in.Replies}, {Name: &name, Intent: &intent, Replies: tpl}, {}} {
			if _, err := s.kn.CreateScenario(s.ctx, in); deskpool.ErrorCode(err) != deskpool.EINVALID {
				t.Errorf("%+v: %v", in, err)
			}
		}
	})
	t.Run("UpdateAndDelete", func(t *testing.T) {
		off := false
		up, err := s.kn.UpdateScenario(s.ctx, sc.ID, knowledge.Input{Enabled: &off})
		if err != nil || up.Enabled || up.Name != name {
			t.Fatalf("update: %+v %v", up, err)
		}
		if err := s.kn.DeleteScenario(s.ctx, sc.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.kn.FindScenario(s.ctx, sc.ID); deskpool.ErrorCode(err) != deskpool.ENOTFOUND {
			t.Fatalf("after delete: %v", err)
		}
	})
	t.Run("DefaultsNotReseeded", func(t *testing.T) {
		for _, d := range list {
			if err := s.kn.DeleteScenario(s.ctx, d.ID); err != nil {
				t.Fatal(err)
			}
		}
		again, _ := s.kn.FindScenarios(s.ctx, deskpool.Cursor{}, 50)
		if len(again) != 0 {
			t.Fatalf("%d deleted defaults came back", len(again))
		}
	})
	t.Run("OtherWorkspaceGetsNotFound", func(t *testing.T) {
		other := newShop(t)
		mine, _ := s.kn.CreateScenario(s.ctx, knowledge.Input{Name: &name, Intent: &intent, Replies: in.Replies})
		if _, err := other.kn.FindScenario(other.ctx, mine.ID); deskpool.ErrorCode(err) != deskpool.ENOTFOUND {
			t.Fatalf("read across workspaces: %v", err)
		}
		if err := other.kn.DeleteScenario(other.ctx, mine.ID); deskpool.ErrorCode(err) != deskpool.ENOTFOUND {
			t.Fatalf("delete across workspaces: %v", err)
		}
	})
}
