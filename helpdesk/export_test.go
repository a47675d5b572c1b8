package helpdesk

// DueWorkspacesSQL is the rules' sweep's query for the workspaces with a
// conversation due, for tests that read its plan.
const DueWorkspacesSQL = dueWorkspacesSQL
