package helpdesk

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"time"
)

// afterAnswer is the conversation c as the answer's writes (see apply)
// leave it, at: the facts merged as jsonb's || merges them, the urgency
// the facts raised, and for a reply one more message, the last message
// and, unless a person takes over, the first response and no longer
// waiting; a hand-over routes it to a person. Nothing else writes the row
// then (no trigger writes back to it), so this is the row as it would be
// read.
func afterAnswer(c *Conversation, ans *Answer, at time.Time) (*Conversation, error) {
	out := *c
	out.Tags, out.OrderRefs = slices.Clone(c.Tags), slices.Clone(c.OrderRefs)
	if len(ans.Facts) > 0 {
		facts, err := mergeFacts(c.Facts, ans.Facts)
		if err != nil {
			return nil, err
		}
		out.Facts = facts
	}
	if ans.Urgency != "" {
		out.Urgency = ans.Urgency
	}
	if ans.Body != "" {
		out.MessageCount++
		if out.FirstResponseAt == nil && ans.HandOver == "" {
			first := at
			out.FirstResponseAt = &first
		}
		out.LastMessageAt, out.UpdatedAt = at, at
		if ans.HandOver == "" {
			out.WaitingSince = nil
		}
	}
	if ans.Body == "" || ans.HandOver != "" {
		out.Route = "agent"
	}
	return &out, nil
}

// mergeFacts is the jsonb object old || add: add's keys replace old's, and
// the keys are in jsonb's order (shorter first, then bytewise).
func mergeFacts(old json.RawMessage, add map[string]any) (json.RawMessage, error) {
	fields := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(old)) > 0 && !bytes.Equal(bytes.TrimSpace(old), []byte("null")) {
		if err := json.Unmarshal(old, &fields); err != nil {
			return nil, err
		}
	}
	for k, v := range add {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		fields[k] = bytes.TrimSpace(b.Bytes())
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b)) })
	var out bytes.Buffer
	out.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			out.WriteString(", ")
		}
		name, _ := json.Marshal(k)
		out.Write(name)
		out.WriteString(": ")
		out.Write(fields[k])
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}
