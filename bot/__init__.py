"""Deal Coach: a Slack bot that keeps B2B sales reps from giving deals away."""
