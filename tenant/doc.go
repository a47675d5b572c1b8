// Package tenant owns identity: workspaces, users, memberships,
// invitations, sessions, API keys, roles and permissions (RBAC) and the
// audit log. Transactions are package postgres's.
package tenant
