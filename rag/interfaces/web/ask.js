// The ask page: question and filters -> POST /v1/ask, streamed (SSE over fetch) when the
// server streams, else one JSON answer; numbered citations open the statement with the
// quoted words highlighted. Statement text is only ever set as text, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("ask-form");
  const fields = { question: $("question"), speaker: $("speaker"), since: $("since"), until: $("until") };
  const button = $("ask-button");
  const result = $("result");
  const statusLine = $("status");
  const errorBox = $("error");
  const answerBox = $("answer");
  const notesLine = $("notes");
  const viewer = $("viewer");
  const viewerHeading = $("viewer-heading");
  const viewerMeta = $("viewer-meta");
  const viewerStatus = $("viewer-status");
  const viewerText = $("viewer-text");

  let inFlight = null; // the AbortController of the running question
  let citations = new Map(); // marker -> citation of the answer shown
  let viewing = 0; // a counter, so a slow statement fetch cannot overwrite a newer one

  // ---- small helpers ------------------------------------------------------------------

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(typeof child === "string" ? document.createTextNode(child) : child);
      }
    }
    return node;
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
  }

  // Ids may contain "/": each segment is encoded on its own.
  function statementUrl(id) {
    return "/v1/statements/" + id.split("/").map(encodeURIComponent).join("/");
  }

  // The server counts offsets in code points; JavaScript strings index UTF-16 units.
  function unitIndex(text, codePoints) {
    if (!/[\uD800-\uDFFF]/.test(text)) return Math.min(codePoints, text.length);
    let units = 0;
    for (let seen = 0; seen < codePoints && units < text.length; seen++) {
      units += text.codePointAt(units) > 0xffff ? 2 : 1;
    }
    return units;
  }

  function errorText(body, status) {
    if (body && typeof body.message === "string") {
      return body.hint ? `${body.message} (${body.hint})` : body.message;
    }
    return `The server answered ${status}.`;
  }

  function showError(message) {
    errorBox.textContent = message;
    show(errorBox, true);
    statusLine.textContent = "";
  }

  // ---- asking -------------------------------------------------------------------------

  function requestBody() {
    const body = { question: fields.question.value.trim() };
    const filters = {};
    if (fields.speaker.value.trim()) filters.speaker = fields.speaker.value.trim();
    if (fields.since.value) filters.since = fields.since.value;
    if (fields.until.value) filters.until = fields.until.value;
    if (Object.keys(filters).length) body.filters = filters;
    return body;
  }

  function post(body, signal) {
    return fetch("/v1/ask", {
      method: "POST",
      headers: window.apiKey.headers({
        "content-type": "application/json",
        accept: "text/event-stream, application/json",
      }),
      body: JSON.stringify(body),
      signal,
    });
  }

  // Ask for a stream; a server without streaming rejects the field, so ask again without it.
  async function askServer(body, signal) {
    const response = await post({ ...body, stream: true }, signal);
    if (response.status === 422) {
      const error = await response.clone().json().catch(() => null);
      if (error && error.field === "stream") return post(body, signal);
    }
    return response;
  }

  function resetAnswer() {
    citations = new Map();
    answerBox.replaceChildren();
    answerBox.classList.remove("draft");
    for (const id of ["citations", "sources", "timeline"]) $(id).replaceChildren();
    for (const id of ["citations-block", "sources-block", "timeline-block"]) show($(id), false);
    show(notesLine, false);
    show(errorBox, false);
    show(viewer, false);
  }

  async function ask(event) {
    event.preventDefault();
    const body = requestBody();
    if (!body.question) {
      fields.question.focus();
      return;
    }
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    resetAnswer();
    show(result, true);
    statusLine.textContent = "Searching…";
    result.setAttribute("aria-busy", "true");
    button.disabled = true;
    remember(body);
    try {
      const response = await askServer(body, controller.signal);
      const type = response.headers.get("content-type") || "";
      if (!response.ok) {
        showError(errorText(await response.json().catch(() => null), response.status));
      } else if (type.startsWith("text/event-stream")) {
        await readStream(response);
      } else {
        renderAnswer(await response.json());
      }
    } catch (error) {
      if (error.name !== "AbortError") showError(`The question could not be sent: ${error.message}`);
    } finally {
      if (inFlight === controller) {
        inFlight = null;
        button.disabled = false;
        result.removeAttribute("aria-busy");
      }
    }
  }

  // ---- server-sent events over fetch (EventSource cannot POST) -------------------------

  function parseFrame(frame) {
    let event = "message";
    const data = [];
    for (const line of frame.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (name === "event") event = value;
      else if (name === "data") data.push(value);
    }
    return { event, data: data.join("\n") };
  }

  async function readStream(response) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const state = { draft: "", attempt: 0, finished: false };
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      // Lines may end in \r\n, \r or \n; keep a final \r until we see what follows it.
      const keep = buffer.endsWith("\r") ? 1 : 0;
      buffer = buffer.slice(0, buffer.length - keep).replace(/\r\n?/g, "\n") + (keep ? "\r" : "");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (onEvent(parseFrame(frame), state)) return;
      }
    }
    if (buffer.trim()) onEvent(parseFrame(buffer.replace(/\r/g, "\n")), state);
    if (!state.finished) showError("The answer stream ended before the answer was complete.");
  }

  // Handles one event; true when the stream is over.
  function onEvent({ event, data }, state) {
    if (!data) return false;
    const payload = JSON.parse(data);
    if (event === "retrieval") {
      const n = (payload.passages || []).length;
      statusLine.textContent = `Found ${plural(n, "passage")}. Writing the answer…`;
    } else if (event === "delta") {
      // An LLM's draft (draft: true) is shown greyed as the model writes it, and starts over
      // when the model is asked again (attempt 2); the checked answer replaces it.
      if (payload.draft && payload.attempt !== state.attempt) {
        state.attempt = payload.attempt;
        state.draft = "";
        statusLine.textContent =
          payload.attempt > 1
            ? "The draft did not hold up against the statements; asking again…"
            : "Writing a draft; it is checked against the statements before it is the answer…";
      }
      state.draft += payload.text || "";
      answerBox.classList.add("draft");
      answerBox.textContent = state.draft;
    } else if (event === "answer") {
      state.finished = true;
      renderAnswer(payload);
    } else if (event === "error") {
      state.finished = true;
      showError(errorText(payload, "an error"));
      return true;
    } else if (event === "done") {
      if (!state.finished) showError("The answer stream ended without an answer.");
      state.finished = true;
      return true;
    }
    return false;
  }

  // ---- rendering the answer -----------------------------------------------------------

  function citeButton(marker) {
    const citation = citations.get(marker);
    const label = citation && citation.title ? `: ${citation.title}` : "";
    return el("button", {
      type: "button",
      class: "cite",
      "data-marker": String(marker),
      "aria-label": `Citation ${marker}${label}. Open the statement`,
      text: `[${marker}]`,
      onclick: () => openCitation(marker),
    });
  }

  // Answer text with its [n] markers as buttons; text stays text.
  function withMarkers(text) {
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(/\[(\d+)\]/g)) {
      const marker = Number(match[1]);
      if (!citations.has(marker)) continue;
      parts.push(text.slice(last, match.index), citeButton(marker));
      last = match.index + match[0].length;
    }
    parts.push(text.slice(last));
    return parts;
  }

  // A block of the answer: "- " lines become a list, other lines paragraphs.
  function block(text) {
    const nodes = [];
    let list = null;
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      const item = /^\s*[-*•]\s+(.*)$/.exec(line);
      if (item) {
        if (!list) nodes.push((list = el("ul")));
        list.append(el("li", {}, ...withMarkers(item[1])));
      } else {
        list = null;
        nodes.push(el("p", {}, ...withMarkers(line)));
      }
    }
    return nodes;
  }

  function meta(item) {
    const who = item.speakers && item.speakers.length ? item.speakers.join(", ") : item.speaker;
    const page = item.page ? `page ${item.page}` : null;
    return [who, item.date || "undated", page].filter(Boolean).join(" · ");
  }

  // A statement's source_url is whatever its file said: only http(s) becomes a link
  // (never javascript:, data: or the like); anything else is shown as text.
  function sourceLink(item) {
    if (!item.source_url) return null;
    let url = null;
    try {
      url = new URL(item.source_url);
    } catch {
      // not a full URL: show it as it is
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      return el("span", { class: "source-url" }, item.source_url);
    }
    const props = { href: item.source_url, rel: "noopener noreferrer", target: "_blank" };
    return el("a", { ...props, title: item.source_url }, url.hostname);
  }

  function renderAnswer(answer) {
    citations = new Map(answer.citations.map((c) => [c.marker, c]));
    answerBox.classList.remove("draft");
    answerBox.replaceChildren(...block(answer.answer));
    answerBox.classList.toggle("declined", !answer.answerable);
    statusLine.textContent = answer.answerable
      ? `Checked against ${plural(answer.citations.length, "citation")}.`
      : "The statements found do not answer this.";
    renderNotes(answer);
    renderTimeline(answer.timeline || []);
    renderCitations(answer.citations);
    renderSources(answer.sources || []);
  }

  // What the answer text does not say itself: a filter dropped, a fallback answer.
  function renderNotes(answer) {
    const notes = [];
    const read = answer.interpreted;
    const favoured = read ? [...(read.speakers || []), ...(read.countries || [])] : [];
    if (favoured.length) {
      notes.push(`Read as asking for the words of ${favoured.join(" and ")}: their statements are ranked first.`);
    }
    if (answer.fallback) notes.push("The model's answer failed the checks; this one is drawn from the text.");
    notesLine.textContent = notes.join(" ");
    show(notesLine, notes.length > 0);
  }

  function renderTimeline(entries) {
    $("timeline").replaceChildren(
      ...entries.map((entry) =>
        el("li", {}, el("strong", { text: entry.date || "undated" }), " ", entry.title || entry.statement_id, " ", citeButton(entry.citation.marker))
      )
    );
    show($("timeline-block"), entries.length > 0);
  }

  function renderCitations(list) {
    $("citations").replaceChildren(
      ...list.map((c) =>
        el(
          "li",
          { id: `citation-${c.marker}`, value: String(c.marker) },
          citeButton(c.marker),
          " ",
          el("span", { class: "title", text: c.title || c.statement_id }),
          el("span", { class: "meta", text: ` — ${meta(c)}` }),
          el("blockquote", { class: "quote", text: c.quote })
        )
      )
    );
    show($("citations-block"), list.length > 0);
  }

  function renderSources(list) {
    $("sources").replaceChildren(
      ...list.map((s) => {
        const link = sourceLink(s);
        return el(
          "li",
          { class: "source" },
          el("span", { class: "title", text: s.title || s.statement_id }),
          el("span", { class: "speaker", text: (s.speakers || []).join(", ") || "speaker unknown" }),
          el("span", { class: "date", text: s.date || "undated" }),
          link
        );
      })
    );
    show($("sources-block"), list.length > 0);
  }

  // ---- the statement viewer -----------------------------------------------------------

  async function openCitation(marker) {
    const citation = citations.get(marker);
    if (citation) await openQuote(citation, `Citation ${marker}`);
  }

  // A quote shown in the viewer: from a [n] button, or from a link (?statement=&start=&end=,
  // as Slack and Discord answers carry) that opens the page on the quote.
  async function openQuote(citation, label) {
    const ticket = ++viewing;
    show(viewer, true);
    viewerHeading.textContent = citation.title || citation.statement_id;
    viewerMeta.replaceChildren(meta(citation));
    viewerText.replaceChildren();
    viewerStatus.textContent = `Opening ${label.toLowerCase()}…`;
    let statement;
    try {
      const response = await fetch(statementUrl(citation.statement_id), {
        headers: window.apiKey.headers({ accept: "application/json" }),
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) throw new Error(errorText(body, response.status));
      statement = body;
    } catch (error) {
      if (ticket === viewing) viewerStatus.textContent = `The statement could not be opened: ${error.message}`;
      return;
    }
    if (ticket !== viewing) return;
    if (!citation.title) viewerHeading.textContent = statement.title || citation.statement_id;
    const text = statement.text;
    const start = unitIndex(text, citation.start);
    const end = unitIndex(text, citation.end);
    const mark = el("mark", { id: "cited", text: text.slice(start, end) });
    viewerText.replaceChildren(text.slice(0, start), mark, text.slice(end));
    const link = sourceLink(statement);
    viewerMeta.replaceChildren(meta(statement), ...(link ? [" · ", link] : []));
    viewerStatus.textContent = `${label}: the quoted words are highlighted.`;
    viewerHeading.focus({ preventScroll: true });
    mark.scrollIntoView({ block: "center" });
  }

  $("viewer-close").addEventListener("click", () => {
    show(viewer, false);
    const back = answerBox.querySelector("button.cite");
    if (back) back.focus();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !viewer.hidden) $("viewer-close").click();
  });

  // ---- the address bar holds the question, so an answer can be shared -----------------

  function remember(body) {
    const params = new URLSearchParams({ q: body.question });
    for (const [key, value] of Object.entries(body.filters || {})) params.set(key, value);
    history.replaceState(null, "", `?${params}`);
  }

  function restore() {
    const params = new URLSearchParams(location.search);
    if (!params.get("q")) return false;
    fields.question.value = params.get("q");
    for (const key of ["speaker", "since", "until"]) fields[key].value = params.get(key) || "";
    return true;
  }

  async function loadSpeakers() {
    try {
      const response = await fetch("/v1/speakers?limit=500", { headers: window.apiKey.headers() });
      if (!response.ok) return;
      const { speakers } = await response.json();
      $("speaker-names").replaceChildren(...speakers.map((s) => el("option", { value: s.canonical })));
    } catch {
      // suggestions are a convenience; typing a name works without them
    }
  }

  function linkedQuote() {
    const params = new URLSearchParams(location.search);
    const [start, end] = [Number(params.get("start")), Number(params.get("end"))];
    if (!params.get("statement") || !Number.isInteger(start) || !Number.isInteger(end) || end <= start) {
      return null;
    }
    return { statement_id: params.get("statement"), start, end };
  }

  form.addEventListener("submit", ask);
  loadSpeakers();
  const quote = linkedQuote();
  if (quote) openQuote(quote, "The quote");
  else if (restore()) form.requestSubmit();
})();
