"""The Slack app: answers in channels, threads, direct messages and a slash command, over the
Events API (install_slack) or Socket Mode (run_socket_mode)."""

from rag.interfaces.slack.transports import install_slack, run_socket_mode

__all__ = ["install_slack", "run_socket_mode"]
