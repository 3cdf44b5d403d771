"""Who may vet, and where. Checked at every entry point (command, modal submission and its target
channel, message shortcut). Unset lists mean unrestricted; when both are set both must pass."""
from __future__ import annotations

from bot.config import Settings
from bot.slack.errors import AccessDenied


def check_access(settings: Settings, user_id: str | None, channel_id: str | None) -> None:
    """Raise ``AccessDenied`` unless ``user_id`` may vet in ``channel_id``."""
    if settings.allowed_users and (user_id or "") not in settings.allowed_users:
        raise AccessDenied("user")
    if settings.allowed_channels and (channel_id or "") not in settings.allowed_channels:
        raise AccessDenied("channel")


def is_admin(settings: Settings, user_id: str | None) -> bool:
    return bool(user_id) and user_id in settings.admin_users
