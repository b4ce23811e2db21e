"""The Discord bot: /ask over the Interactions endpoint (install_discord), and the command's
registration (commands, register)."""

from rag.interfaces.discord.commands import can_register, commands, register
from rag.interfaces.discord.interactions import install_discord

__all__ = ["can_register", "commands", "install_discord", "register"]
