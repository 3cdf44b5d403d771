"""vetcandidate delivery: CLI, Slack app, persistence and jobs."""
