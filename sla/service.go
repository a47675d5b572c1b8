package sla

// Service keeps conversations' SLA clocks, timers and escalations.
type Service struct{}
