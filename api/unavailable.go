package api

import "github.com/deskpool/deskpool/postgres"

// retryAfterSeconds is what a 503 asks the client to wait before retrying.
const retryAfterSeconds = "1"

// connectionLost reports whether err means the database could not be
// reached or dropped the connection under the request: the same request is
// expected to succeed when retried (see postgres.ConnectionLost).
func connectionLost(err error) bool { return postgres.ConnectionLost(err) }
