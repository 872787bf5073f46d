"""Pure functions from service results to Slack messages (Block Kit); Slack's limits are enforced here."""
