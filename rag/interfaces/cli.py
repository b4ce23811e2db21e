"""The `rag` command: thin commands over the service. Errors become exit codes here only."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.errors import InputError, RagError
from rag.interfaces import allocator

if TYPE_CHECKING:
    from rag.service import Service
    from rag.types import Filters

RETRIEVAL_MODES = {
    "dense": {"hybrid": False, "understand_questions": False},
    "hybrid": {"hybrid": True, "understand_questions": False},
    "full": {"hybrid": True, "understand_questions": True},
    # A backend without keyword search (RAG_SEARCH_BACKEND=chroma on single-node Chroma) is
    # compared with the in-memory one in this mode.
    "full-dense": {"hybrid": False, "understand_questions": True},
}
EXIT_INPUT = 2
EXIT_FAILURE = 1


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2023-10-03") from None


def _add_question_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("question")
    p.add_argument("--k", type=int, default=None, help="passages to retrieve")
    p.add_argument("--speaker", help="only statements by this speaker ('Ruto')")
    p.add_argument("--since", type=_date, help="earliest date, YYYY-MM-DD")
    p.add_argument("--until", type=_date, help="latest date, YYYY-MM-DD")
    p.add_argument(
        "--statement-id", action="append", default=[], help="only this statement (repeatable)"
    )
    p.add_argument("--json", action="store_true", help="print the JSON the API returns")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag", description="Ask questions about statements and get verified citations."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "ingest", help="ingest statement files or folders: text, JSON, web pages, PDF, Word, feeds"
    )
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--json", action="store_true")
    _add_question_args(sub.add_parser("ask", help="answer a question with citations"))
    _add_question_args(sub.add_parser("search", help="show the passages a question retrieves"))
    keys = sub.add_parser("keys", help="API keys for the HTTP API").add_subparsers(
        dest="keys_command", required=True
    )
    p = keys.add_parser("new", help="print a new random key and its RAG_API_KEYS entry")
    p.add_argument("--name", default="default", help="who the key is for (letters, digits, -_.@)")
    p.add_argument("--scope", choices=["read", "admin"], default="read")
    p = keys.add_parser("hash", help="print the RAG_API_KEYS entry of a key read from stdin")
    p.add_argument("--name", default="default")
    p.add_argument("--scope", choices=["read", "admin"], default="read")
    p = sub.add_parser("serve", help="run the HTTP API")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    sub.add_parser("mcp", help="serve the tools to an MCP host (agent) over stdin/stdout")
    sub.add_parser(
        "slack", help="answer in Slack over Socket Mode (SLACK_BOT_TOKEN, SLACK_APP_TOKEN)"
    )
    discord = sub.add_parser("discord", help="the Discord bot").add_subparsers(
        dest="discord_command", required=True
    )
    discord.add_parser(
        "register",
        help="print the /ask command's JSON; send it when DISCORD_APPLICATION_ID and "
        "DISCORD_BOT_TOKEN are set",
    )
    p = sub.add_parser("delete", help="delete a statement by id")
    p.add_argument("statement_id")
    p = sub.add_parser("list", help="list stored statements")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("show", help="print a stored statement")
    p.add_argument("statement_id")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("speakers", help="list the speaker index")
    p.add_argument("name", nargs="?", help="only entries this name resolves to")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("quotes", help="direct quotations: who said what, where and when")
    p.add_argument("text", nargs="?", help="what the quotation is about")
    p.add_argument("--speaker", help="who said it ('Ruto')")
    p.add_argument("--since", type=_date)
    p.add_argument("--until", type=_date)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("timeline", help="how a position evolved: statements by date")
    p.add_argument("--speaker", help="whose statements ('Ruto')")
    p.add_argument("--topic", help="about what ('Haiti')")
    p.add_argument("--since", type=_date)
    p.add_argument("--until", type=_date)
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("stats", help="what the store holds")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("eval", help="run an eval suite on a fresh store and report metrics")
    p.add_argument("suite", type=Path, help="a suite .jsonl file (see evals/README.md)")
    p.add_argument("--corpus", type=Path, nargs="+", required=True, help="corpus files")
    p.add_argument("--answerer", choices=["extractive", "openai"], default=None)
    p.add_argument("--k", type=int, default=None, help="passages per answer")
    p.add_argument(
        "--retrieval",
        choices=sorted(RETRIEVAL_MODES),
        default="full",
        help="dense only; dense+BM25; dense+BM25 with speakers and dates read from questions "
        "(full); or dense with them (full-dense)",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="default: evals/runs/<suite>-<answerer>-<retrieval>"
    )
    p.add_argument("--baseline", type=Path, help="a report.json to compare with")
    p.add_argument(
        "--fail-under",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="exit 1 if a metric is below VALUE (repeatable), e.g. hit@5=0.9",
    )
    return parser


def _service(load_model_now: bool = False) -> Service:
    from rag.settings import load_settings
    from rag.wiring import build_service

    return build_service(load_settings(), load_model_now=load_model_now)


def _filters(args: argparse.Namespace) -> Filters:
    from rag.types import Filters

    return Filters(
        speaker=args.speaker,
        since=args.since,
        until=args.until,
        statement_ids=tuple(args.statement_id),
    )


def _print_json(model: Any) -> None:
    print(json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False))


def _ingest(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from rag.ingest import load_paths
    from rag.interfaces.output import IngestOut
    from rag.settings import load_settings
    from rag.wiring import build_service

    settings = load_settings()
    statements = load_paths(args.paths, settings.file_read_limits)
    service = build_service(settings)
    with tqdm(
        total=len(statements), unit="stmt", desc="ingest", disable=None, file=sys.stderr
    ) as bar:
        report = service.ingest(statements, bar.update)
    service.persist_index()
    if args.json:
        _print_json(IngestOut.of(report))
        return
    print(
        f"{report.statements} statements ({report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged), {report.passages} passages written, "
        f"{report.seconds:.1f} s"
    )


def _ask_or_search(args: argparse.Namespace) -> None:
    from rag.interfaces import render
    from rag.interfaces.output import AnswerOut, SearchOut

    service = _service(load_model_now=True)
    query = service.query(args.question, args.k, _filters(args))
    if args.command == "ask":
        answer = service.ask(query)
        _print_json(AnswerOut.of(answer)) if args.json else print(render.answer(answer))
    else:
        result = service.search(query)
        _print_json(SearchOut.of(result)) if args.json else print(render.search(result))


def _serve(args: argparse.Namespace) -> None:
    from rag.settings import load_settings
    from rag.wiring import build_service

    allocator.tune()  # before torch loads: a long-lived process that embeds
    gc.disable()  # while the model and the index load (see _ONE_SHOT)
    # The flags are settings too: the app's /mcp endpoint checks Host headers against the host.
    bind = {name: value for name, value in (("host", args.host), ("port", args.port)) if value}
    settings = load_settings(**bind)
    service = build_service(settings, load_model_now=True)  # loads while the web parts import
    import uvicorn

    from rag.interfaces.api.app import create_app, uvicorn_options

    app = create_app(service, after_warm_up=_collect_from_now_on)
    print(
        f"serving on http://{settings.host}:{settings.port} (API docs at /docs, MCP at /mcp)",
        file=sys.stderr,
    )
    uvicorn.run(app, log_level="info", **uvicorn_options(settings))


def _collect_from_now_on() -> None:
    """After the warm-up: what was loaded lives as long as the server, so the cyclic GC is
    told never to walk it (gc.freeze), and collects what requests leave behind. Garbage the
    loading left in reference cycles (with the GC off) is collected first: frozen, it would
    be kept for the life of the server. Then what loading freed goes back to the system."""
    gc.collect()
    gc.freeze()
    gc.enable()
    allocator.release()


def _keys(args: argparse.Namespace) -> None:
    """The key goes to stdout once; only its hash belongs in the configuration."""
    from rag.interfaces.access import ApiKey, Scope, hash_key, new_key, parse_entry

    scope = Scope(args.scope)
    if args.keys_command == "new":
        key, entry = new_key(args.name, scope)
    else:
        key = sys.stdin.readline().strip()
        if not key:
            raise InputError("no key on stdin", hint="echo -n KEY | rag keys hash")
        entry = ApiKey(args.name, scope, hash_key(key))
    parse_entry(entry.entry)  # the name must fit the format too
    if args.keys_command == "new":
        print(f"key (shown once; give it to the client): {key}")
    print(f"RAG_API_KEYS entry (comma-separate several): {entry.entry}")


def _mcp(args: argparse.Namespace) -> None:
    from rag.interfaces.mcp_server import serve_stdio

    serve_stdio(_service())


def _slack(args: argparse.Namespace) -> None:
    import threading

    from rag.interfaces.slack import check_socket_mode, run_socket_mode
    from rag.settings import load_settings

    check_socket_mode(load_settings())  # before the model loads
    service = _service(load_model_now=True)
    print("answering in Slack over Socket Mode (Ctrl-C stops)", file=sys.stderr)
    run_socket_mode(service, service.settings, threading.Event())


def _discord(args: argparse.Namespace) -> None:
    from rag.interfaces.discord import can_register, commands, register
    from rag.settings import load_settings

    settings = load_settings()
    print(json.dumps(commands(), indent=2))
    if not can_register(settings):
        print(
            "not sent: set DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN to register it",
            file=sys.stderr,
        )
        return
    count = register(settings)
    print(
        f"registered with Discord: {count} command(s) for application "
        f"{settings.discord_application_id}",
        file=sys.stderr,
    )


def _show(args: argparse.Namespace) -> None:
    from rag.interfaces import render
    from rag.interfaces.output import StatementOut

    stored = _service().get_statement(args.statement_id)
    if args.json:
        _print_json(StatementOut.of_stored(stored))
        return
    info = stored.info
    print(render.statement_header(info))
    if info.source_url:
        print(info.source_url)
    print()
    print(stored.text)


def _list(args: argparse.Namespace) -> None:
    from rag.interfaces import render
    from rag.interfaces.output import StatementInfoOut, StatementListOut

    page = _service().list_statements(args.offset, args.limit)
    if args.json:
        infos = [StatementInfoOut.of(i) for i in page.statements]
        _print_json(
            StatementListOut(
                statements=infos, total=page.total, offset=page.offset, limit=page.limit
            )
        )
        return
    for info in page.statements:
        date = info.date.text if info.date else None
        print(f"{info.id}\t{render.source_line(info.speakers, date, info.title, info.id)}")
    shown = f"{page.offset + 1}-{page.offset + len(page.statements)}" if page.statements else "none"
    print(f"({shown} of {page.total})", file=sys.stderr)


def _speakers(args: argparse.Namespace) -> None:
    from rag.interfaces.output import SpeakerOut, SpeakersOut

    entries = _service().speakers(args.name)
    shown = entries[: args.limit]
    if args.json:
        _print_json(SpeakersOut(speakers=[SpeakerOut.of(e) for e in shown], total=len(entries)))
        return
    for e in shown:
        aliases = ", ".join(a for a in e.aliases if a != e.canonical)
        print(f"{e.canonical}  ({e.statements} statements, {e.passages} passages)  {aliases}")
    print(f"({len(shown)} of {len(entries)} speakers)", file=sys.stderr)


def _quotes(args: argparse.Namespace) -> None:
    from rag.interfaces import render
    from rag.interfaces.output import QuoteOut, QuotesOut

    found = _service().quotes(args.speaker, args.text, args.since, args.until, args.limit)
    if args.json:
        _print_json(QuotesOut(quotes=[QuoteOut.of(q) for q in found], total=len(found)))
        return
    print(render.quotes(found))


def _timeline(args: argparse.Namespace) -> None:
    from rag.interfaces import render
    from rag.interfaces.output import AnswerOut

    service = _service()
    answer = service.timeline(
        service.timeline_query(args.speaker, args.topic, args.since, args.until)
    )
    _print_json(AnswerOut.of(answer)) if args.json else print(render.answer(answer))


def _stats(args: argparse.Namespace) -> None:
    from rag.interfaces.output import StatsOut

    stats = _service().stats()
    if args.json:
        _print_json(StatsOut.of(stats))
        return
    span = f"{stats.first_date} to {stats.last_date}" if stats.first_date else "no dates"
    print(
        f"{stats.statements} statements, {stats.passages} passages, {stats.speakers} speakers, "
        f"{span}\nstore: {stats.location}\nvectors: {stats.vectors}; embedding with "
        f"{stats.encoder}"
    )


def _eval(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from rag.evaluation import report
    from rag.evaluation.runner import run_suite
    from rag.evaluation.suite import load_suite
    from rag.settings import load_settings

    suite = load_suite(args.suite)
    thresholds = report.parse_thresholds(args.fail_under)
    baseline = report.load_baseline(args.baseline) if args.baseline else None
    overrides: dict[str, object] = dict(RETRIEVAL_MODES[args.retrieval])
    if args.answerer:
        overrides["answerer"] = args.answerer
    settings = load_settings(**overrides)
    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            bars[stage] = tqdm(total=total, desc=stage, unit="", disable=None, file=sys.stderr)
        bars[stage].update(done)

    run = run_suite(suite, args.corpus, settings, k=args.k, on_progress=progress)
    for bar in bars.values():
        bar.close()
    out = args.out or Path("evals") / "runs" / f"{suite.name}-{run.answerer}-{args.retrieval}"
    report.write_report(run, out)
    print(f"suite {suite.name}: {len(suite.cases)} cases, answerer {run.answerer}, k={run.k}")
    if suite.note:
        print(suite.note)
    print(report.table(run, baseline))
    print(f"report: {out / 'report.md'}")
    below = report.failures(run, thresholds)
    for line in below:
        print(f"FAIL: {line}", file=sys.stderr)
    return EXIT_FAILURE if below else 0


def _delete(args: argparse.Namespace) -> None:
    service = _service()
    service.delete(args.statement_id)
    service.persist_index()
    print(f"deleted {args.statement_id}")


_COMMANDS: dict[str, Callable[[argparse.Namespace], int | None]] = {
    "ingest": _ingest,
    "ask": _ask_or_search,
    "search": _ask_or_search,
    "serve": _serve,
    "mcp": _mcp,
    "slack": _slack,
    "discord": _discord,
    "delete": _delete,
    "list": _list,
    "show": _show,
    "speakers": _speakers,
    "quotes": _quotes,
    "timeline": _timeline,
    "stats": _stats,
    "eval": _eval,
    "keys": _keys,
}


# Commands that answer once and exit. For them the cyclic GC is only cost: loading the
# model and the index creates ~a million objects that live until exit, and the collector
# walks them again and again (~1.3 s of a 7 s cold start at 90k passages).
_ONE_SHOT = frozenset({"ask", "search", "list", "show", "speakers", "quotes", "timeline", "stats"})


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    collecting = gc.isenabled()
    if args.command in _ONE_SHOT:
        gc.disable()
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        status = _COMMANDS[args.command](args)
    except RagError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_INPUT if isinstance(exc, InputError) else EXIT_FAILURE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if collecting:
            gc.enable()
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
