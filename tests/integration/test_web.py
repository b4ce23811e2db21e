"""The web page in a real browser: headless Chromium (Playwright) against the app under
uvicorn, over a real store holding examples/.

Without Chromium these tests skip, unless RAG_REQUIRE_BROWSER is set (as in CI), when
they fail. Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from rag.interfaces.api.app import create_app
from rag.interfaces.chat_text import quote_url
from rag.service import Service
from rag.types import Citation
from tests.integration.test_api import HAITI, ZELENSKYY_READOUT, fixture_records
from tests.support.browser import CHROMIUM_ARGS, find_chromium
from tests.support.keys import ADMIN_KEY, READ_KEY, with_keys
from tests.support.openai_server import OpenAIServer, label_of, reply
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
HAITI_ANYONE = "What was said about Haiti?"
SUPPORT_OFFICE = (
    "establishes a UN support office for the Multinational Security Support (MSS) mission in Haiti"
)
TIMEOUT_MS = 60_000


def chromium_path() -> str:
    found = find_chromium()
    if found:
        return found
    if os.environ.get("RAG_REQUIRE_BROWSER"):
        pytest.fail("Chromium is required (RAG_REQUIRE_BROWSER is set) but not installed")
    pytest.skip("Chromium is not installed (apt-get install chromium); CI sets RAG_REQUIRE_BROWSER")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(examples_service: Service) -> Iterator[str]:
    """The app over examples/: the seed, four White House statements, two UN speeches."""
    with running_app(create_app(examples_service)) as base:
        yield base


def open_page(browser: Browser, base: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    yield from open_page(browser, site)


def api_answer(site: str, question: str, **filters: str) -> dict[str, Any]:
    body: dict[str, Any] = {"question": question}
    if filters:
        body["filters"] = filters
    response = httpx.post(f"{site}/v1/ask", json=body, timeout=120)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def ask(page: Page, question: str, speaker: str = "") -> None:
    page.goto("/")
    page.get_by_label("Question").fill(question)
    page.get_by_label("Speaker").fill(speaker)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Checked against")


def words(text: str) -> str:
    return " ".join(text.split())


def shown_sources(page: Page) -> list[str]:
    return [words(t) for t in page.locator("#sources li").all_inner_texts()]


def check_answer_shown(page: Page, expected: dict[str, Any]) -> None:
    """The answer text, its citations and its sources, as the API gave them."""
    as_text = re.sub(r"(?m)^\s*[-*•]\s+", "", expected["answer"])  # list items are shown as such
    assert words(page.locator("#answer").inner_text()) == words(as_text)
    assert page.locator("#answer li").count() == len(re.findall(r"(?m)^- ", expected["answer"]))
    markers = page.locator("#answer button.cite")
    assert markers.count() >= 1
    expect(markers.first).to_have_text(re.compile(r"\[\d+\]"))
    assert page.locator("#citations li").count() == len(expected["citations"])
    rows = page.locator("#sources li")
    assert rows.count() == len(expected["sources"]) > 0
    for row, source in zip(rows.all(), expected["sources"], strict=True):
        expect(row.locator(".speaker")).to_have_text(", ".join(source["speakers"]))
        expect(row.locator(".date")).to_have_text(source["date"] or "undated")
        if source["source_url"]:
            expect(row.get_by_role("link")).to_have_attribute("href", source["source_url"])


def test_an_answer_cites_and_opens_the_quoted_words(page: Page, site: str) -> None:
    # Asked of anyone, the answer cites White House statements too, whose sources link out
    # (Ruto's own statements about Haiti have no URL).
    expected = api_answer(site, HAITI_ANYONE)
    assert expected["answerable"] and expected["citations"]
    first = expected["citations"][0]
    assert first["marker"] == 1
    statement = httpx.get(f"{site}/v1/statements/{first['statement_id']}").json()
    assert statement["text"][first["start"] : first["end"]] == first["quote"]

    with page.expect_response("**/v1/ask") as response:
        ask(page, HAITI_ANYONE)
    assert response.value.headers["content-type"].startswith("text/event-stream")
    check_answer_shown(page, expected)
    assert any(s["source_url"] for s in expected["sources"]), "no source with a link to check"

    page.locator("#answer button.cite[data-marker='1']").first.click()
    mark = page.locator("#viewer-text mark")
    expect(mark).to_have_count(1)
    assert mark.text_content() == first["quote"]
    assert page.locator("#viewer-text").text_content() == statement["text"]
    expect(mark).to_be_in_viewport()
    expect(page.locator("#viewer-heading")).to_be_focused()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-answer.png"), full_page=True)


def test_a_chat_apps_quote_link_opens_the_statement_on_the_quote(page: Page, site: str) -> None:
    """The link a Slack or Discord answer gives each quote (rag.interfaces.chat_text)."""
    first = api_answer(site, HAITI)["citations"][0]
    cited = Citation(
        0, first["statement_id"], "", first["start"], first["end"], "", None, None, None, None
    )
    link = quote_url(site, cited)
    assert link is not None
    page.goto(link)
    mark = page.locator("#viewer-text mark")
    expect(mark).to_have_count(1)
    assert mark.text_content() == first["quote"]
    expect(mark).to_be_in_viewport()
    expect(page.locator("#viewer-heading")).to_have_text(first["title"] or first["statement_id"])


def test_the_speaker_filter_narrows_the_answer(page: Page, site: str) -> None:
    everyone = api_answer(site, HAITI_ANYONE)
    sullivan = api_answer(site, HAITI_ANYONE, speaker="Sullivan")
    assert len(sullivan["sources"]) < len(everyone["sources"])

    ask(page, HAITI_ANYONE)
    check_answer_shown(page, everyone)
    ask(page, HAITI_ANYONE, speaker="Sullivan")
    check_answer_shown(page, sullivan)
    assert all("Jake Sullivan" in source for source in shown_sources(page))


def test_the_keyboard_asks_and_opens_a_citation(page: Page, site: str) -> None:
    expected = api_answer(site, HAITI)
    page.goto("/")
    page.get_by_label("Question").fill(HAITI)
    page.get_by_label("Question").press("Enter")
    expect(page.locator("#status")).to_contain_text("Checked against")
    page.locator("#answer button.cite").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#viewer-text mark")).to_have_count(1)
    marker = int(page.locator("#answer button.cite").first.get_attribute("data-marker") or 0)
    cited = next(c for c in expected["citations"] if c["marker"] == marker)
    assert page.locator("#viewer-text mark").text_content() == cited["quote"]
    page.keyboard.press("Escape")
    expect(page.locator("#viewer")).to_be_hidden()


def sse(*events: tuple[str, Any]) -> str:
    return "".join(f"event: {name}\r\ndata: {json.dumps(data)}\r\n\r\n" for name, data in events)


def test_a_streamed_draft_is_replaced_by_the_checked_answer(page: Page, site: str) -> None:
    """A draft that differs from the final answer (as an LLM's may), with \\r\\n line ends."""
    answer = api_answer(site, HAITI)
    draft = "A first draft that the checks will replace."
    sent: list[dict[str, Any]] = []

    def stream(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        body = sse(
            ("retrieval", {"passages": [{}] * 5, "interpreted": answer["interpreted"]}),
            *[("delta", {"text": piece}) for piece in re.split(r"(?<= )", draft)],
            ("answer", answer),
            ("done", {}),
        )
        route.fulfill(status=200, content_type="text/event-stream", body=body)

    page.route("**/v1/ask", stream)
    ask(page, HAITI)
    check_answer_shown(page, answer)
    assert sent[0]["stream"] is True
    assert draft not in page.locator("#answer").inner_text()


def test_an_llm_draft_is_shown_greyed_as_it_is_written_then_the_checked_answer(
    browser: Browser,
    make_service: Callable[..., Service],
    openai_server: OpenAIServer,
    examples_dir: Path,
) -> None:
    """The real app with a slow scripted LLM (a pause between chunks): the page shows the
    draft, greyed, while the model is still writing, then swaps in the checked answer."""
    good = "Ruto backed a UN support office for the MSS mission in Haiti [1]."
    openai_server.script = lambda request: reply(
        good, (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE)
    )
    openai_server.chunking = lambda content: [content[:45], content[45:90], content[90:]]
    openai_server.chunk_pause = 1.5
    service = make_service(
        data_dir=examples_dir,
        answerer="openai",
        llm_base_url=openai_server.base_url,
        llm_api_key="test-key",
    )
    with running_app(create_app(service)) as base:
        for page in open_page(browser, base):
            page.goto("/")
            page.get_by_label("Question").fill(HAITI)
            page.get_by_role("button", name="Ask", exact=True).click()

            draft = page.locator("#answer.draft")
            expect(draft).to_contain_text("Ruto backed")
            assert len(openai_server.chunk_times) < 3, "the draft came after the model finished"
            expect(page.locator("#status")).to_contain_text("Writing a draft")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "web-llm-draft.png"))

            expect(page.locator("#status")).to_contain_text("Checked against")
            expect(page.locator("#answer")).not_to_have_class(re.compile(r"\bdraft\b"))
            assert words(page.locator("#answer").inner_text()).startswith(good)
            expect(page.locator("#answer button.cite")).to_have_count(1)
            page.screenshot(path=str(ARTIFACTS / "web-llm-checked.png"))


def test_an_error_event_is_shown(page: Page) -> None:
    def failing(route: Route) -> None:
        error = {"error": "llm_failed", "message": "the model endpoint timed out", "hint": "retry"}
        body = sse(("retrieval", {"passages": [], "interpreted": None}), ("error", error))
        route.fulfill(status=200, content_type="text/event-stream", body=body)

    page.route("**/v1/ask", failing)
    page.goto("/")
    page.get_by_label("Question").fill(HAITI)
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.locator("#error")).to_have_text("the model endpoint timed out (retry)")


def test_a_server_without_streaming_answers_in_one_piece(page: Page, site: str) -> None:
    """Whether or not the server streams, a plain JSON answer is rendered at once."""
    expected = api_answer(site, HAITI)

    def plain_json(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        body.pop("stream", None)
        route.fulfill(response=route.fetch(post_data=json.dumps(body)))

    page.route("**/v1/ask", plain_json)
    ask(page, HAITI)
    check_answer_shown(page, expected)


@pytest.fixture
def empty_site(make_service: Callable[..., Service]) -> Iterator[str]:
    """An empty store with the test keys configured: uploads need the admin key."""
    with running_app(create_app(make_service(**with_keys()))) as base:
        yield base


def test_an_upload_on_the_ingest_page_stores_the_statement(
    browser: Browser, empty_site: str
) -> None:
    [record] = fixture_records(ZELENSKYY_READOUT)
    upload = {
        "name": "zelenskyy.jsonl",
        "mimeType": "application/jsonl",
        "buffer": (json.dumps(record) + "\n").encode(),
    }
    bad = {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7"}
    for page in open_page(browser, empty_site):
        page.goto("/ingest")
        page.get_by_label("Statement files").set_input_files([upload])
        page.get_by_role("button", name="Upload and add").click()
        expect(page.locator("#upload-error")).to_contain_text("an API key is required")

        page.get_by_label("API key").fill(ADMIN_KEY)
        page.get_by_label("Statement files").set_input_files([bad])
        page.get_by_role("button", name="Upload and add").click()
        expect(page.locator("#upload-error")).to_contain_text("notes.pdf: not a readable PDF")

        page.get_by_label("Statement files").set_input_files([upload])
        page.get_by_role("button", name="Upload and add").click()
        expect(page.locator("#upload-status")).to_have_text("Done: 1 statement from 1 file.")
        expect(page.locator("#upload-result dd[data-count='added']")).to_have_text("1")
        expect(page.locator("#upload-error")).to_be_hidden()
        assert page.locator("#upload-bar").get_attribute("value") == "100"

    stored = httpx.get(f"{empty_site}/v1/statements/{ZELENSKYY_READOUT}")
    assert stored.status_code == 200, stored.text
    assert stored.json()["text"] == record["text"]


def test_the_key_field_sends_the_key_when_keys_are_required(
    browser: Browser, make_service: Callable[..., Service], examples_dir: Path
) -> None:
    """With reads closed, the page answers once a read key is entered; the key stays for
    the tab (sessionStorage), so a reload keeps it."""
    service = make_service(**with_keys(data_dir=examples_dir, open_read=False))
    with running_app(create_app(service)) as base:
        for page in open_page(browser, base):
            page.goto("/")
            page.get_by_label("Question").fill(HAITI)
            page.get_by_role("button", name="Ask", exact=True).click()
            expect(page.locator("#error")).to_contain_text("an API key is required")

            page.get_by_label("API key").fill(READ_KEY)
            page.reload()
            expect(page.get_by_label("API key")).to_have_value(READ_KEY)
            ask(page, HAITI)
            expect(page.locator("#answer button.cite").first).to_be_visible()


def test_a_pdf_uploaded_on_the_ingest_page_is_cited_with_its_page(
    browser: Browser, empty_site: str
) -> None:
    transcript = REPO / "tests/fixtures/documents/remarks-joint-press-conference.pdf"
    data = transcript.read_bytes()
    upload = {"name": transcript.name, "mimeType": "application/pdf", "buffer": data}
    for page in open_page(browser, empty_site):
        page.goto("/ingest")
        page.get_by_label("API key").fill(ADMIN_KEY)
        page.get_by_label("Statement files").set_input_files([upload])
        page.get_by_role("button", name="Upload and add").click()
        expect(page.locator("#upload-status")).to_have_text(
            "Done: 1 statement from 1 file.", timeout=TIMEOUT_MS
        )

        # The answer is on page 7 of the transcript (tests/integration/test_ingest_documents.py
        # checks the page against the PDF's own text).
        ask(page, "What did Ruto say about insecurity in the North Rift?")
        expect(page.locator("#citations")).to_contain_text("page 7")
