package sla

// Hooks for the package's external tests.

// DefaultPoliciesFor is the default policies when the plans lanes have
// the VIP lanes.
var DefaultPoliciesFor = defaultPolicies

// BuiltinID is the stable id of the built-in policy named name.
var BuiltinID = builtinID
