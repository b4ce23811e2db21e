"""What the chat apps share (rag/interfaces/team_chat.py), Slack's question reading
(rag/interfaces/slack/replies.py), the feedback log as a suite (rag/evaluation/feedback.py)
and the chat settings, including the platforms' standard variable names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from rag.errors import EmbeddingError, InputError, LLMError, StoreError
from rag.evaluation.feedback import Feedback, FeedbackCitation, FeedbackLog
from rag.evaluation.suite import load_suite
from rag.interfaces.slack.replies import plain_question
from rag.interfaces.team_chat import (
    INTERNAL,
    LLM_FAILED,
    NOT_ALLOWED_CHANNEL,
    NOT_ALLOWED_USER,
    UNAVAILABLE,
    Place,
    TeamChat,
    problem_text,
)
from rag.settings import load_settings
from rag.types import Filters

REPO = Path(__file__).resolve().parents[2]


def chat(**settings: Any) -> TeamChat:
    return TeamChat(service=None, settings=load_settings(_env_file=None, **settings))  # type: ignore[arg-type]


def test_allow_lists_by_channel_id_or_name_and_by_user() -> None:
    team = chat(allowed_channels="C1,#kenya-desk", allowed_users="U1,U2")
    assert team.refusal(Place("slack", "C1", "U1")) is None
    assert team.refusal(Place("slack", "C9", "U2", "Kenya-Desk")) is None
    assert team.refusal(Place("slack", "C9", "U1", "random")) == NOT_ALLOWED_CHANNEL
    assert team.refusal(Place("slack", "C1", "U3")) == NOT_ALLOWED_USER


def test_the_rate_limit_is_per_user_and_platform() -> None:
    team = chat(chat_rate_limit_per_minute=2)
    alice = Place("slack", "C1", "U1")
    assert team.refusal(alice) is None and team.refusal(alice) is None
    refused = team.refusal(alice)
    assert refused is not None and "2 questions a minute" in refused
    assert team.refusal(Place("slack", "C1", "U2")) is None
    assert team.refusal(Place("discord", "C1", "U1")) is None
    assert chat(chat_rate_limit_per_minute=0).refusal(alice) is None


def test_channel_defaults_by_id_or_name_with_given_filters_on_top(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    defaults = {
        "#kenya-desk": {"speaker": "Ruto", "since": "2023-01-01"},
        "C7": {"until": "2020-01-01"},
    }
    monkeypatch.setenv("RAG_CHANNEL_DEFAULTS", json.dumps(defaults))  # JSON, as in .env
    team = chat()
    kenya = Place("slack", "C1", "U1", "kenya-desk")
    assert team.filters(kenya) == Filters(speaker="Ruto", since=dt.date(2023, 1, 1))
    assert team.filters(kenya, Filters(speaker="Biden")) == Filters(
        speaker="Biden", since=dt.date(2023, 1, 1)
    )
    assert team.filters(Place("slack", "C7", "U1")).until == dt.date(2020, 1, 1)
    assert team.filters(Place("slack", "C2", "U1")) == Filters()


def test_problems_are_short_sentences_without_internals() -> None:
    assert (
        problem_text(InputError("the question is empty"))
        == "I can't ask that: the question is empty."
    )
    assert problem_text(LLMError("HTTP 503 from http://10.0.0.1/v1")) == LLM_FAILED
    assert problem_text(StoreError("chroma at /srv/data failed")) == UNAVAILABLE
    assert problem_text(EmbeddingError("model missing")) == UNAVAILABLE
    assert problem_text(KeyError("boom")) == INTERNAL


def test_standard_variable_names_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cr3t")
    monkeypatch.setenv("DISCORD_PUBLIC_KEY", "ab" * 32)
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "123")
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "bot")
    settings = load_settings(_env_file=None)
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-1"
    assert "xoxb-1" not in repr(settings) and "s3cr3t" not in repr(settings)
    assert settings.discord_public_key == "ab" * 32 and settings.discord_application_id == "123"
    monkeypatch.setenv("RAG_SLACK_BOT_TOKEN", "xoxb-2")
    assert load_settings(_env_file=None).slack_bot_token.get_secret_value() == "xoxb-2"  # type: ignore[union-attr]


def test_bad_chat_settings_are_config_errors() -> None:
    from rag.errors import ConfigError

    with pytest.raises(ConfigError):
        load_settings(_env_file=None, discord_public_key="not-hex")
    with pytest.raises(ConfigError):
        load_settings(_env_file=None, channel_defaults={"c": {"speaker": "x", "typo": 1}})
    with pytest.raises(ConfigError):
        load_settings(_env_file=None, slack_command="statements")


def test_slack_text_becomes_the_question() -> None:
    text = (
        "<@UBOT> what did <@U2|bob> say in <#C1|kenya-desk> about <https://x.org|this> &amp; Haiti?"
    )
    assert (
        plain_question(text, "UBOT") == "what did @someone say in #kenya-desk about this & Haiti?"
    )
    assert plain_question("<!here> Ruto &lt;Haiti&gt;", "UBOT") == "Ruto <Haiti>"


def entry(verdict: str, question: str, answerable: bool = True, **more: Any) -> Feedback:
    cited = (FeedbackCitation(1, "ruto-rubio-call", 10, 40, "a quote"),) if answerable else ()
    return Feedback(
        verdict=verdict,  # type: ignore[arg-type]
        question=question,
        answerable=answerable,
        answer="text [1]",
        citations=cited,
        platform="slack",
        channel="C1",
        user="U1",
        **more,
    )


def test_a_feedback_log_reads_as_a_suite_of_its_latest_thumbs_up(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "logs" / "feedback.jsonl")
    log.append(entry("down", "What did Ruto say about Haiti?"))
    log.append(entry("up", "what did ruto say about  Haiti?"))  # the same question, later: 👍
    log.append(entry("up", "What did Ruto say about bitcoin?", answerable=False))
    log.append(entry("up", "What did Biden say?", filters={"speaker": "Biden"}))
    log.append(entry("up", "What about DRC?"))
    log.append(entry("down", "What about DRC?"))  # later 👎: left out
    lines = (tmp_path / "logs" / "feedback.jsonl").read_text().splitlines()
    assert len(lines) == 6 and all(json.loads(line)["at"] for line in lines)

    suite = load_suite(tmp_path / "logs" / "feedback.jsonl")
    by_question = {c.question: c for c in suite.cases}
    assert set(by_question) == {
        "what did ruto say about  Haiti?",
        "What did Ruto say about bitcoin?",
        "What did Biden say?",
    }
    haiti = by_question["what did ruto say about  Haiti?"]
    assert haiti.answerable and haiti.gold_doc_ids == ("ruto-rubio-call",)
    assert haiti.gold_quotes == ("a quote",)
    assert not by_question["What did Ruto say about bitcoin?"].answerable
    assert by_question["What did Biden say?"].filters.speaker == "Biden"
    assert "1 questions left out" in suite.note


def test_rag_slack_says_which_token_is_missing_before_loading_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rag.interfaces.cli import main

    monkeypatch.chdir(tmp_path)  # no .env
    assert main(["slack"]) == 1
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    assert main(["slack"]) == 1
    assert "SLACK_APP_TOKEN" in capsys.readouterr().err


def test_the_slack_manifest_matches_what_the_app_listens_to() -> None:
    import yaml

    manifest = yaml.safe_load((REPO / "docs" / "slack-app-manifest.yaml").read_text())
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == load_settings(_env_file=None).slack_command
    assert command["url"].endswith("/slack/commands")
    events = manifest["settings"]["event_subscriptions"]
    assert events["request_url"].endswith("/slack/events")
    assert {"app_mention", "message.channels", "message.im"} <= set(events["bot_events"])
    assert manifest["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert {"app_mentions:read", "chat:write", "commands", "im:history"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )
