"""The Slack app: answers in channels, threads, direct messages and a slash command, over the
Events API (install_slack) or Socket Mode (run_socket_mode)."""

from rag.interfaces.slack.transports import check_socket_mode, install_slack, run_socket_mode

__all__ = ["check_socket_mode", "install_slack", "run_socket_mode"]
