"""The Slack face of vetcandidate: ``build_app(settings, services)`` in ``bot.slack.app``."""
