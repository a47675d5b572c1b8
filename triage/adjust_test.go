package triage

import (
	"bytes"
	"slices"
	"testing"
)

func TestAdjustmentLearnsCorrections(t *testing.T) {
	c := Default()
	// A workspace whose customers call a restock alert "cart ping": the
	// pooled model does not know the phrase.
	var exs []Example
	for _, text := range []string{"cart ping for the blue mug please", "can you set a cart ping on the red kettle",
		"cart ping me when size M is back", "I want a cart ping for item 5512"} {
		exs = append(exs, Example{Text: text, Intent: "stock", Urgency: "low"})
	}
	probe := "please add a cart ping for the green teapot"
	before := c.Classify(probe, Context{})
	adj, err := TrainAdjustment(c, nil, exs, AdjustOptions{Seed: 1, Version: "ws-1"})
	if err != nil {
		t.Fatal(err)
	}
	after := c.ClassifyWith(probe, Context{}, Options{Adjust: []*Adjustment{adj}})
	if after.Intent != "stock" {
		t.Fatalf("after learning, %q = %s (before %s)", probe, after.Intent, before.Intent)
	}
	t.Run("HeldOutAccuracyKept", func(t *testing.T) {
		base := c.Evaluate(nil, HeldOut())
		with := c.Evaluate([]*Adjustment{adj}, HeldOut())
		if base.N < 200 || with.IntentAccuracy < base.IntentAccuracy-0.02 {
			t.Fatalf("held-out accuracy %.3f -> %.3f (n=%d)", base.IntentAccuracy, with.IntentAccuracy, base.N)
		}
	})
	t.Run("RoundTripIsExact", func(t *testing.T) {
		b, err := adj.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		back, err := UnmarshalAdjustment(b)
		if err != nil {
			t.Fatal(err)
		}
		b2, _ := back.MarshalBinary()
		if !bytes.Equal(b, b2) || back.Version() != "ws-1" || back.Features() != adj.Features() {
			t.Fatal("adjustment did not survive a round trip")
		}
		if r := c.ClassifyWith(probe, Context{}, Options{Adjust: []*Adjustment{back}}); r.Intent != after.Intent {
			t.Fatal("decoded adjustment classifies differently")
		}
	})
	t.Run("Deterministic", func(t *testing.T) {
		again, _ := TrainAdjustment(c, nil, exs, AdjustOptions{Seed: 1, Version: "ws-1"})
		a, _ := adj.MarshalBinary()
		b, _ := again.MarshalBinary()
		if !bytes.Equal(a, b) {
			t.Fatal("same corrections and seed gave different adjustments")
		}
	})
	t.Run("ErrMalformed", func(t *testing.T) {
		if _, err := UnmarshalAdjustment([]byte("nope")); err == nil {
			t.Fatal("garbage decoded")
		}
		if _, err := TrainAdjustment(c, nil, []Example{{Text: "x"}}, AdjustOptions{}); err == nil {
			t.Fatal("no labels trained")
		}
	})
}

func TestAdjustmentCannotBypassRules(t *testing.T) {
	c := Default()
	text := "someone stole my card and paid with it"
	var exs []Example
	for range 20 {
		exs = append(exs, Example{Text: text, Intent: "order_status"})
	}
	adj, err := TrainAdjustment(c, nil, exs, AdjustOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	r := c.ClassifyWith(text, Context{}, Options{Adjust: []*Adjustment{adj}})
	if r.Route == RouteAI {
		t.Fatalf("an adjustment sent a fund-safety message to the AI: %+v", r)
	}
	o := c.ClassifyWith(text, Context{}, Options{Intent: "order_status", IntentConfidence: 0.99})
	if o.Route == RouteAI {
		t.Fatalf("an intent override sent a fund-safety message to the AI: %+v", o)
	}
	if bad := c.ClassifyWith("where is my parcel", Context{}, Options{Intent: "transfer_money"}); bad.Intent == "transfer_money" {
		t.Fatal("an unknown intent label was accepted")
	}
}

// BenchmarkClassifyAdjusted measures triage with a pooled and a workspace
// adjustment on top (the built-in classification runs twice: the guard
// compares with the unadjusted hand-over).
func BenchmarkClassifyAdjusted(b *testing.B) {
	c := Default()
	var exs []Example
	for i, ex := range HeldOut() {
		if i%3 == 0 {
			exs = append(exs, ex)
		}
	}
	pool, _ := TrainAdjustment(c, nil, exs, AdjustOptions{Seed: 1})
	ws, _ := TrainAdjustment(c, []*Adjustment{pool}, exs[:20], AdjustOptions{Seed: 2})
	opt := Options{Adjust: []*Adjustment{pool, ws}}
	texts := HeldOut()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c.ClassifyWith(texts[i%len(texts)].Text, Context{}, opt)
	}
}

// The same examples in another order (a pool read in the order of its
// random example ids) train the same adjustment, so a retrain of an
// unchanged pool or workspace gives the same answers.
func TestAdjustmentIgnoresTheOrderOfItsExamples(t *testing.T) {
	exs := []Example{
		{Text: "cart ping for the blue mug please", Intent: "stock", Urgency: "low"},
		{Text: "can you set a cart ping on the red kettle", Intent: "stock", Urgency: "low"},
		{Text: "where is my parcel, tracking says nothing", Intent: "order_status", Urgency: "medium"},
		{Text: "cart ping me when size M is back", Intent: "stock"},
		{Text: "the lid of my flask leaks", Intent: "quality_issue", Urgency: "high"},
	}
	reversed := slices.Clone(exs)
	slices.Reverse(reversed)
	var blobs [2][]byte
	for i, set := range [][]Example{exs, reversed} {
		adj, err := TrainAdjustment(Default(), nil, set, AdjustOptions{Seed: 1, Version: "order"})
		if err != nil {
			t.Fatal(err)
		}
		if blobs[i], err = adj.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(blobs[0], blobs[1]) {
		t.Fatal("the same examples in reverse order trained another adjustment")
	}
}
