"""Scheduled jobs: the scheduler lock, and the runner that sweeps on APScheduler while holding it."""
