package api

// retryAfterSeconds is what a 503 asks the client to wait before retrying
// (a lost database connection: postgres.ConnectionLost).
const retryAfterSeconds = "1"
