"""The bot's slash command, as Discord registers it, and its registration (`rag discord
register`): the JSON is always printed; it is sent (a bulk overwrite of the application's
global commands) only when DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN are set."""

from __future__ import annotations

from typing import Any

import httpx

from rag.errors import ConfigError, RagError
from rag.settings import Settings

ASK = "ask"
STRING_OPTION, CHAT_INPUT = 3, 1
REGISTER_TIMEOUT_SECONDS = 15


def commands() -> list[dict[str, Any]]:
    def option(name: str, description: str, required: bool = False, **more: Any) -> dict[str, Any]:
        return {
            "type": STRING_OPTION,
            "name": name,
            "description": description,
            "required": required,
            **more,
        }

    return [
        {
            "name": ASK,
            "type": CHAT_INPUT,
            "description": "Ask the official statements; every quote in the answer is checked",
            "options": [
                option("question", "What did Ruto say about Haiti?", True, max_length=2000),
                option("speaker", "Only statements by this speaker (Ruto)", max_length=200),
                option("since", "Earliest date, YYYY-MM-DD", min_length=10, max_length=10),
                option("until", "Latest date, YYYY-MM-DD", min_length=10, max_length=10),
            ],
        }
    ]


def can_register(settings: Settings) -> bool:
    return bool(settings.discord_application_id and settings.discord_bot_token)


def register(settings: Settings) -> int:
    """Send the commands; returns how many Discord now has. Needs the application id and
    the bot token (see `can_register`)."""
    if not (settings.discord_application_id and settings.discord_bot_token):
        raise ConfigError(
            "registering needs the application id and the bot token",
            hint="set DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN",
        )
    url = (
        f"{settings.discord_api_url.rstrip('/')}/applications/"
        f"{settings.discord_application_id}/commands"
    )
    token = settings.discord_bot_token.get_secret_value()
    try:
        response = httpx.put(
            url,
            json=commands(),
            headers={"Authorization": f"Bot {token}"},
            timeout=REGISTER_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as exc:
        raise RagError(
            f"cannot reach Discord to register the commands ({type(exc).__name__})",
            hint="check the network (and RAG_DISCORD_API_URL), then run it again",
        ) from None
    if response.is_error:
        raise RagError(
            f"Discord refused the commands: HTTP {response.status_code}",
            hint="check DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN",
        )
    registered = response.json()
    return len(registered) if isinstance(registered, list) else 0
