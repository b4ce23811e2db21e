"""dateparser against rag.answering.relative_dates on dates relative to a statement's own.

    .venv/bin/python benchmarks/relative_dates.py

Why the claim checks read relative dates with their own rules (rag/answering/relative_dates.py
on rag.question.date_atoms) and not with dateparser (installed here as a dependency of
trafilatura/htmldate): for each expression in a statement of Thursday 2024-03-07, the span of
days a reader means, against dateparser's single date and ours; then the CPU time to find the
dates of one passage.
"""

import datetime as dt
import time
import warnings

import dateparser
from dateparser.search import search_dates

from rag.answering.relative_dates import resolve

warnings.filterwarnings("ignore")

base = dt.datetime(2024, 3, 7)
cases = {  # expression -> the span a reader means
    "yesterday": (dt.date(2024, 3, 6),) * 2,
    "on Tuesday": (dt.date(2024, 3, 5),) * 2,
    "last Tuesday": (dt.date(2024, 3, 5),) * 2,
    "last week": (dt.date(2024, 2, 26), dt.date(2024, 3, 3)),
    "last month": (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    "last year": (dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    "earlier this month": (dt.date(2024, 3, 1), dt.date(2024, 3, 7)),
    "two days ago": (dt.date(2024, 3, 5),) * 2,
    "next week": (dt.date(2024, 3, 11), dt.date(2024, 3, 17)),
    "tomorrow": (dt.date(2024, 3, 8),) * 2,
    "this year": (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    "on Friday": (dt.date(2024, 3, 8),) * 2,
}
ok_dp = ok_me = 0
for text, (lo, hi) in cases.items():
    got = dateparser.parse(
        text.removeprefix("on "), settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    )
    dp_ok = got is not None and lo == hi == got.date()  # a point can only stand for a one-day span
    me = resolve(text, base.date())
    me_ok = (lo, hi) in me
    ok_dp += dp_ok
    ok_me += me_ok
    print(
        f"{text:20} dateparser {got.date() if got else None!s:12} "
        f"{'ok' if dp_ok else '--'}   ours {'ok' if me_ok else '--'}"
    )
print(f"right: dateparser {ok_dp}/{len(cases)}, ours {ok_me}/{len(cases)}")
passage = (
    "On Tuesday, the President met the Prime Minister. Last week, the two spoke by phone "
    "about the summit in May and the 2,500 officers."
)
for name, fn in [
    ("dateparser.search_dates", lambda: search_dates(passage, settings={"RELATIVE_BASE": base})),
    ("ours (resolve)", lambda: resolve.__wrapped__(passage, base.date())),
]:
    t = time.process_time()
    for _ in range(50):
        fn()
    print(f"{name}: {(time.process_time() - t) / 50 * 1000:.2f} ms CPU per passage")
print(search_dates(passage, settings={"RELATIVE_BASE": base}))
