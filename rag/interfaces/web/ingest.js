// The ingest page: files -> POST /v1/uploads (XHR, for upload progress) -> poll the job.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("upload-form");
  const input = $("files");
  const button = $("upload-button");
  const panel = $("progress");
  const uploadBar = $("upload-bar");
  const ingestBar = $("ingest-bar");
  const statusLine = $("upload-status");
  const errorBox = $("upload-error");
  const counts = $("upload-result");
  const POLL_MS = 400;

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
  }

  function megabytes(bytes) {
    return `${(bytes / 1e6).toFixed(bytes < 1e6 ? 2 : 1)} MB`;
  }

  function fail(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    statusLine.textContent = "Nothing was stored.";
    button.disabled = false;
  }

  function failJob(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    statusLine.textContent = "The job failed.";
    button.disabled = false;
  }

  function errorText(body, status) {
    if (body && typeof body.message === "string") {
      return body.hint ? `${body.message} (${body.hint})` : body.message;
    }
    return `The server answered ${status}.`;
  }

  function showCounts(job) {
    const report = job.report;
    const rows = [
      ["Statements", report.statements],
      ["Added", report.added],
      ["Updated", report.updated],
      ["Unchanged", report.unchanged],
      ["Passages", report.passages],
      ["Seconds", report.seconds],
    ];
    counts.replaceChildren(
      ...rows.flatMap(([name, value]) => {
        const term = document.createElement("dt");
        term.textContent = name;
        const detail = document.createElement("dd");
        detail.textContent = String(value);
        detail.dataset.count = name.toLowerCase();
        return [term, detail];
      })
    );
    counts.hidden = false;
  }

  async function poll(jobId) {
    let job;
    try {
      const response = await fetch(`/v1/uploads/${encodeURIComponent(jobId)}`, {
        headers: window.apiKey.headers(),
      });
      job = await response.json();
      if (!response.ok) return failJob(errorText(job, response.status));
    } catch (error) {
      return failJob(`Lost contact with the server: ${error.message}`);
    }
    ingestBar.max = Math.max(job.statements_total, 1);
    ingestBar.value = job.statements_done;
    if (job.state === "done") {
      ingestBar.value = ingestBar.max;
      statusLine.textContent = `Done: ${plural(job.report.statements, "statement")} from ${plural(job.files.length, "file")}.`;
      showCounts(job);
      button.disabled = false;
      return;
    }
    if (job.state === "failed") return failJob(job.error || "The job failed.");
    statusLine.textContent =
      job.state === "queued"
        ? "Waiting for an earlier upload to finish…"
        : `Storing statements: ${job.statements_done} of ${job.statements_total}…`;
    setTimeout(() => poll(jobId), POLL_MS);
  }

  function upload(event) {
    event.preventDefault();
    const files = Array.from(input.files);
    if (!files.length) {
      input.focus();
      return;
    }
    const data = new FormData();
    for (const file of files) data.append("files", file, file.name);
    panel.hidden = false;
    errorBox.hidden = true;
    counts.hidden = true;
    uploadBar.value = 0;
    ingestBar.value = 0;
    button.disabled = true;
    const size = files.reduce((sum, file) => sum + file.size, 0);
    statusLine.textContent = `Uploading ${plural(files.length, "file")} (${megabytes(size)})…`;

    const request = new XMLHttpRequest();
    request.open("POST", "/v1/uploads");
    request.responseType = "json";
    for (const [name, value] of Object.entries(window.apiKey.headers({ accept: "application/json" }))) {
      request.setRequestHeader(name, value);
    }
    request.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      uploadBar.value = Math.round((100 * e.loaded) / e.total);
      statusLine.textContent = `Uploading: ${megabytes(e.loaded)} of ${megabytes(e.total)}…`;
    });
    request.addEventListener("load", () => {
      if (request.status !== 202) return fail(errorText(request.response, request.status));
      uploadBar.value = 100;
      statusLine.textContent = "Uploaded; checking and storing…";
      poll(request.response.job_id);
    });
    request.addEventListener("error", () => fail("The upload failed: the server could not be reached."));
    request.send(data);
  }

  form.addEventListener("submit", upload);
})();
