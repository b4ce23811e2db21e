"""Real statements rendered as a press office publishes them: web pages, PDFs, Word files, feeds.

Used to build the committed fixtures (tests/fixtures/documents/build.py) and by
benchmarks/extractors.py, which renders many more statements in memory to measure the
extractors. The statements' text comes from ../shared/data (pandoc Markdown); `Source.plain`
is what a reader of the published page sees, the reference the extracted text is checked
against. Rendering needs the `fixtures` extra (jinja2, reportlab, pyphen, python-docx,
pypdfium2); reading the committed fixtures needs none of it.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["p", "h", "li"]

_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!'\"$|<>~^&@])")
_BULLET = re.compile(r"^(?:-|\*|\d+\.)\s+")
_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|\*(\S(?:.*?\S)?)\*")


@dataclass(frozen=True)
class Paragraph:
    kind: Kind
    text: str
    """Plain text, as a reader sees it."""
    markup: str
    """The same text as inline HTML (links, bold, italics), escaped."""


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    date: dt.date
    published: str
    """ISO date-time of publication, e.g. 2023-10-03T17:21:06-04:00."""
    url: str
    category: str
    paragraphs: tuple[Paragraph, ...]
    author: str | None = None
    related: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """Other statements' (title, url), for the page's "Related" box."""

    @property
    def plain(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs)

    @property
    def slug(self) -> str:
        return self.id.rsplit("/", 1)[-1][11:]

    @property
    def long_date(self) -> str:
        return f"{self.date:%B} {self.date.day}, {self.date.year}"


def _inline(text: str) -> tuple[str, str]:
    """(plain, html) of one paragraph of pandoc Markdown."""
    plain_parts: list[str] = []
    html_parts: list[str] = []
    at = 0
    for match in _LINK.finditer(text):
        plain_parts.append(text[at : match.start()])
        html_parts.append(html.escape(text[at : match.start()], quote=False))
        plain_parts.append(match.group(1))
        url = html.escape(match.group(2))
        html_parts.append(f'<a href="{url}">{html.escape(match.group(1), quote=False)}</a>')
        at = match.end()
    plain_parts.append(text[at:])
    html_parts.append(html.escape(text[at:], quote=False))

    def clean(s: str, markup: bool) -> str:
        def emphasis(m: re.Match[str]) -> str:
            strong, em = m.group(1), m.group(2)
            if not markup:
                return strong if strong is not None else em
            return f"<strong>{strong}</strong>" if strong is not None else f"<em>{em}</em>"

        s = _EMPHASIS.sub(emphasis, s).replace("**", "")
        s = _ESCAPE.sub(r"\1", s)
        return " ".join(s.split())

    return clean("".join(plain_parts), False), clean("".join(html_parts), True)


def paragraphs(markdown: str) -> tuple[Paragraph, ...]:
    """Pandoc Markdown -> paragraphs, headings and list items (what the page shows)."""
    blocks: list[tuple[Kind, list[str]]] = []
    open_block = False
    for raw in markdown.replace("\xa0", " ").split("\n"):
        line = raw.strip()
        if not line:
            open_block = False
            continue
        kind: Kind = "p"
        if line.startswith("#") and re.match(r"#{1,6}\s", line):
            kind, line = "h", line.lstrip("#").strip()
        elif _BULLET.match(line) and not re.match(r"\d{4}\.", line):
            kind, line = "li", _BULLET.sub("", line)
        if open_block and kind == "p":
            blocks[-1][1].append(line)
        else:
            blocks.append((kind, [line]))
        open_block = kind != "h" and not raw.endswith("  ")
    result = []
    for kind, lines in blocks:
        plain, markup = _inline(" ".join(lines))
        if plain.strip("#* ") or plain == "###":
            result.append(Paragraph(kind, plain, markup))
    return tuple(result)


def source(record: dict[str, Any], author: str | None = None) -> Source:
    published = str(record.get("published_time") or record["date"]).replace(" ", "T")
    return Source(
        id=record["id"],
        title=" ".join(record["title"].split()),
        date=dt.date.fromisoformat(record["date"]),
        published=published,
        url=record["source_url"],
        category=record.get("category", "statements-releases"),
        paragraphs=paragraphs(record["text"]),
        author=author,
    )


# ---- HTML ----------------------------------------------------------------------------------

_PRESS_OFFICE = """<!doctype html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ s.title }} | The White House</title>
<link rel="canonical" href="{{ s.url }}">
<meta name="description" content="{{ description }}">
<meta property="og:type" content="article">
<meta property="og:title" content="{{ s.title }}">
<meta property="og:url" content="{{ s.url }}">
<meta property="og:site_name" content="The White House">
<meta property="article:published_time" content="{{ s.published }}">
{% if s.author %}<meta name="author" content="{{ s.author }}">{% endif %}
<link rel="alternate" type="application/rss+xml" title="Briefing Room" href="/briefing-room/feed/">
<link rel="stylesheet" href="/wp-content/themes/whitehouse/assets/css/main.css">
<script type="application/ld+json">{{ ld_json }}</script>
</head>
<body class="post-template-default single single-post">
<div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookie consent">
  <p>We use cookies and similar technologies to understand how visitors use this website and to
  improve your experience. You can accept all cookies or reject those that are not essential.
  See our <a href="/privacy-policy/">Privacy Policy</a>.</p>
  <button type="button" class="accept">Accept all cookies</button>
  <button type="button" class="reject">Reject non-essential cookies</button>
</div>
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header">
  <a class="site-logo" href="/">The White House</a>
  <nav class="primary-nav" aria-label="Main menu">
    <ul>
      <li><a href="/administration/">Administration</a></li>
      <li><a href="/briefing-room/">Briefing Room</a>
        <ul class="sub-menu">
          <li><a href="/briefing-room/speeches-remarks/">Speeches and Remarks</a></li>
          <li><a href="/briefing-room/press-briefings/">Press Briefings</a></li>
          <li><a href="/briefing-room/statements-releases/">Statements and Releases</a></li>
          <li><a href="/briefing-room/presidential-actions/">Presidential Actions</a></li>
        </ul>
      </li>
      <li><a href="/priorities/">Priorities</a></li>
      <li><a href="/the-record/">The Record</a></li>
      <li><a href="/get-involved/">Get Involved</a></li>
      <li><a href="/contact/">Contact Us</a></li>
    </ul>
    <form class="search" action="/" role="search"><label for="s">Search</label>
      <input id="s" name="s" type="search" placeholder="Search the White House"></form>
  </nav>
</header>
<main id="content">
  <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/">Home</a> &rsaquo;
    <a href="/briefing-room/">Briefing Room</a> &rsaquo;
    <a href="/briefing-room/{{ s.category }}/">{{ category }}</a></nav>
  <article class="post">
    <header class="page-header">
      <p class="post-category"><a href="/briefing-room/{{ s.category }}/">{{ category }}</a></p>
      <h1 class="page-title">{{ s.title }}</h1>
      <div class="post-meta">
        {% if s.author %}<span class="byline">By <span class="author">{{ s.author }}</span></span>{% endif %}
        <time class="posted-on" datetime="{{ s.published }}">{{ s.long_date }}</time>
      </div>
    </header>
    <div class="share-tools" aria-label="Share">
      <span>Share this:</span>
      <a class="share-x" href="https://x.com/intent/tweet?url={{ s.url }}">Share on X</a>
      <a class="share-facebook" href="https://www.facebook.com/sharer.php?u={{ s.url }}">Share on Facebook</a>
      <a class="share-email" href="mailto:?subject={{ s.title }}&amp;body={{ s.url }}">Email</a>
      <button type="button" class="copy-link">Copy link</button>
    </div>
    <section class="body-content">
{{ body }}
    </section>
  </article>
  <aside class="related-posts" aria-labelledby="related-heading">
    <h2 id="related-heading">Related</h2>
    <ul>
    {% for title, url in s.related %}<li><a href="{{ url }}">{{ title }}</a></li>
    {% endfor %}</ul>
  </aside>
</main>
<footer class="site-footer">
  <section class="newsletter">
    <h2>Stay connected</h2>
    <p>Sign up for updates from the White House: news, announcements and events.</p>
    <form><label for="email">Email address</label><input id="email" type="email">
      <button type="submit">Subscribe</button></form>
  </section>
  <nav class="footer-nav" aria-label="Footer">
    <ul>
      <li><a href="/privacy-policy/">Privacy Policy</a></li>
      <li><a href="/copyright-policy/">Copyright Policy</a></li>
      <li><a href="/accessibility/">Accessibility Statement</a></li>
      <li><a href="/disclosures/">Disclosures</a></li>
      <li><a href="/contact/">Contact</a></li>
    </ul>
  </nav>
  <p class="address">The White House, 1600 Pennsylvania Ave NW, Washington, DC 20500</p>
</footer>
<script>
document.querySelectorAll('#cookie-consent button').forEach(function (b) {
  b.addEventListener('click', function () { document.getElementById('cookie-consent').hidden = true; });
});
</script>
</body>
</html>
"""

_MINISTRY = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{{ s.title }} - Press Releases</title>
<link rel="canonical" href="{{ s.url }}">
<link rel="stylesheet" type="text/css" href="/css/site.css">
</head>
<body>
<div id="wrapper">
 <div id="top">
  <div class="logo"><img src="/img/logo.gif" alt="Office of the Press Secretary"></div>
  <div class="topmenu"><a href="/">Home</a> | <a href="/about">About the Office</a> |
   <a href="/press">Press Releases</a> | <a href="/speeches">Speeches</a> |
   <a href="/media">Photos and Videos</a> | <a href="/contact">Contact</a> | <a href="/fr">Français</a></div>
 </div>
 <div class="cookiebar">This website uses cookies to ensure you get the best experience.
  <a href="/cookies">Learn more</a> <a href="#" class="ok">Got it!</a></div>
 <table width="100%" cellpadding="0" cellspacing="0" border="0"><tr>
  <td class="leftcol" width="210" valign="top">
   <div class="box"><b>Quick links</b><br>
    <a href="/press/2024">Press releases 2024</a><br><a href="/press/2023">Press releases 2023</a><br>
    <a href="/speeches">Speeches and remarks</a><br><a href="/factsheets">Fact sheets</a><br>
    <a href="/travel">Travel schedule</a></div>
   <div class="box"><b>Latest news</b><br>
   {% for title, url in s.related %}<a href="{{ url }}">{{ title }}</a><br>
   {% endfor %}</div>
  </td>
  <td class="maincol" valign="top">
   <div class="crumbs">You are here: <a href="/">Home</a> &gt; <a href="/press">Press Releases</a></div>
   <div class="pagetitle">{{ s.title }}</div>
   <div class="pubdate">Released on {{ s.long_date }}</div>
   <div class="text">
{{ body }}
   </div>
   <div class="sharethis">Share this page: <a href="#">Facebook</a> <a href="#">Twitter</a>
    <a href="#">WhatsApp</a> <a href="#">Print</a></div>
  </td>
 </tr></table>
 <div id="footer">&copy; {{ s.date.year }} Office of the Press Secretary. All rights reserved.
  | <a href="/terms">Terms of use</a> | <a href="/sitemap">Sitemap</a> | <a href="/rss">RSS</a></div>
</div>
</body>
</html>
"""

_EMPTY_PAGE_BODY = ""

CATEGORY_NAMES = {
    "statements-releases": "Statements and Releases",
    "speeches-remarks": "Speeches and Remarks",
    "briefings-statements": "Briefings and Statements",
    "releases": "Releases",
}


def body_html(s: Source) -> str:
    lines: list[str] = []
    in_list = False
    for p in s.paragraphs:
        if p.kind == "li" and not in_list:
            lines.append("<ul>")
            in_list = True
        elif p.kind != "li" and in_list:
            lines.append("</ul>")
            in_list = False
        tag = {"p": "p", "h": "h2", "li": "li"}[p.kind]
        lines.append(f"<{tag}>{p.markup}</{tag}>")
    if in_list:
        lines.append("</ul>")
    return "\n".join(lines)


def page_html(s: Source, template: Literal["press-office", "ministry"] = "press-office") -> str:
    """The statement as a web page, with the site's navigation, banners and footer."""
    import json

    import jinja2

    env = jinja2.Environment(autoescape=True)
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": s.title,
        "datePublished": s.published,
        "url": s.url,
        "publisher": {"@type": "Organization", "name": "The White House"},
    }
    if s.author:
        ld["author"] = {"@type": "Person", "name": s.author}
    text = _PRESS_OFFICE if template == "press-office" else _MINISTRY
    return env.from_string(text).render(
        s=s,
        body=jinja2.utils.markupsafe.Markup(body_html(s)),
        category=CATEGORY_NAMES.get(s.category, s.category),
        description=s.paragraphs[0].text[:200] if s.paragraphs else "",
        ld_json=jinja2.utils.markupsafe.Markup(json.dumps(ld).replace("</", "<\\/")),
    )


# ---- PDF -----------------------------------------------------------------------------------

PdfLayout = Literal["release", "two-column", "transcript"]


def pdf(s: Source, layout: PdfLayout = "release", password: str | None = None) -> bytes:
    """The statement as a PDF press release (reportlab): letterhead, running header and footer.

    "two-column": the title and first paragraph across the page, the rest in two justified,
    hyphenated columns. "transcript": a speech over many pages, page numbers in the footer.
    """
    from reportlab.lib import enums, pagesizes, styles
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        FrameBreak,
        NextPageTemplate,
        PageTemplate,
        Spacer,
    )
    from reportlab.platypus import (
        Paragraph as RLParagraph,
    )

    width, height = pagesizes.LETTER
    margin = 2.2 * cm
    sheet = styles.getSampleStyleSheet()
    justified = layout == "two-column"
    body = styles.ParagraphStyle(
        "body",
        parent=sheet["BodyText"],
        fontName="Times-Roman",
        fontSize=11,
        leading=14,
        spaceAfter=7,
        alignment=enums.TA_JUSTIFY if justified else enums.TA_LEFT,
        hyphenationLang="en_US" if justified else None,
        embeddedHyphenation=1,
        uriWasteReduce=0.3,
    )
    heading = styles.ParagraphStyle(
        "heading", parent=body, fontName="Times-Bold", spaceBefore=6, alignment=enums.TA_LEFT
    )
    item = styles.ParagraphStyle("item", parent=body, leftIndent=14, bulletIndent=4)
    title = styles.ParagraphStyle(
        "title", parent=sheet["Title"], fontName="Times-Bold", fontSize=15, leading=19
    )
    letterhead = styles.ParagraphStyle(
        "letterhead", parent=body, fontName="Helvetica", fontSize=9, alignment=enums.TA_CENTER
    )
    running_title = s.title if len(s.title) <= 80 else s.title[:77].rsplit(" ", 1)[0] + " …"

    def header_footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(
            margin, height - 1.3 * cm, "THE WHITE HOUSE · Office of the Press Secretary"
        )
        canvas.drawRightString(width - margin, height - 1.3 * cm, running_title)
        canvas.line(margin, height - 1.45 * cm, width - margin, height - 1.45 * cm)
        canvas.drawString(margin, 1.2 * cm, f"{s.long_date} · whitehouse.gov")
        canvas.drawRightString(width - margin, 1.2 * cm, f"Page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=pagesizes.LETTER,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=2.2 * cm,
        bottomMargin=2.2 * cm,
        title=s.title,
        author=s.author or "The White House",
        subject=s.url,
        creator="reportlab (tests/support/published.py)",
        encrypt=password,
        invariant=1,  # the same bytes on every build (the date is in the text, not the info)
    )
    full = Frame(margin, margin, width - 2 * margin, height - 2 * margin, id="full")
    gap = 0.8 * cm
    column = (width - 2 * margin - gap) / 2
    top_height = 9.5 * cm
    templates = [PageTemplate("single", [full], onPage=header_footer)]
    if layout == "two-column":
        below = height - 2 * margin - top_height
        top = Frame(margin, height - margin - top_height, width - 2 * margin, top_height, id="top")
        left = Frame(margin, margin, column, below, id="left")
        right = Frame(margin + column + gap, margin, column, below, id="right")
        templates.insert(0, PageTemplate("columns", [top, left, right], onPage=header_footer))
    doc.addPageTemplates(templates)

    story: list[Any] = [
        RLParagraph("THE WHITE HOUSE<br/>Office of the Press Secretary", letterhead),
        RLParagraph(f"FOR IMMEDIATE RELEASE · {s.long_date}", letterhead),
        Spacer(1, 8),
        RLParagraph(html.escape(s.title, quote=False), title),
    ]
    rest = list(s.paragraphs)
    if layout == "two-column":
        story.append(RLParagraph(html.escape(rest.pop(0).text, quote=False), body))
        story += [NextPageTemplate("single"), FrameBreak()]
    for p in rest:
        # Plain text: a PDF has no links, and the corpus's Markdown emphasis can nest badly.
        text = html.escape(p.text, quote=False)
        if p.kind == "h":
            story.append(RLParagraph(text, heading))
        elif p.kind == "li":
            story.append(RLParagraph(text, item, bulletText="•"))
        else:
            story.append(RLParagraph(text, body))
    doc.build(story)
    return buffer.getvalue()


def scanned_pdf(pdf_bytes: bytes, dpi: int = 110) -> bytes:
    """A PDF whose pages are pictures of `pdf_bytes`' pages: what a scanner makes (no text)."""
    import pypdfium2
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    document = pypdfium2.PdfDocument(pdf_bytes)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for page in document:
        w, h = page.get_size()
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        canvas.setPageSize((w, h))
        canvas.drawImage(ImageReader(image), 0, 0, w, h)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# ---- Word ----------------------------------------------------------------------------------


def docx(s: Source) -> bytes:
    """The statement as a Word file: title, paragraphs and lists; core properties set."""
    import docx as python_docx

    document = python_docx.Document()
    props = document.core_properties
    props.title = s.title
    props.author = s.author or "The White House"
    # The office's wall-clock time: a UTC time would move an evening release to the next day.
    props.created = dt.datetime.fromisoformat(s.published).replace(tzinfo=None)
    props.modified = props.created
    props.subject = s.url
    props.comments = (
        "Rendered from the White House Briefing Room text by tests/support/published.py"
    )
    document.add_heading(s.title, level=1)
    for p in s.paragraphs:
        if p.kind == "h":
            document.add_heading(p.text, level=2)
        elif p.kind == "li":
            document.add_paragraph(p.text, style="List Bullet")
        else:
            document.add_paragraph(p.text)
    section = document.sections[0]
    section.header.paragraphs[0].text = "THE WHITE HOUSE · Office of the Press Secretary"
    section.footer.paragraphs[0].text = "whitehouse.gov"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---- Feeds ---------------------------------------------------------------------------------


def _rfc822(s: Source) -> str:
    from email.utils import format_datetime

    return format_datetime(dt.datetime.fromisoformat(s.published))


def rss(sources: Sequence[Source], full_content: bool = True) -> str:
    """An RSS 2.0 feed; with `full_content`, each item carries the page body (content:encoded)."""
    items = []
    for s in sources:
        content = (
            f"<content:encoded><![CDATA[{body_html(s)}]]></content:encoded>" if full_content else ""
        )
        items.append(
            f"""  <item>
    <title>{html.escape(s.title)}</title>
    <link>{html.escape(s.url)}</link>
    <guid isPermaLink="true">{html.escape(s.url)}</guid>
    <pubDate>{_rfc822(s)}</pubDate>
    <category>{html.escape(CATEGORY_NAMES.get(s.category, s.category))}</category>
    <description>{html.escape(s.paragraphs[0].text)}</description>
    {content}
  </item>"""
        )
    newest = max((s for s in sources), key=lambda s: s.published, default=None)
    built = f"\n  <lastBuildDate>{_rfc822(newest)}</lastBuildDate>" if newest else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>Briefing Room – The White House</title>
  <link>https://www.whitehouse.gov/briefing-room/</link>
  <atom:link href="https://www.whitehouse.gov/briefing-room/feed/" rel="self" type="application/rss+xml"/>
  <description>Statements and releases from the Briefing Room</description>
  <language>en-US</language>{built}
{chr(10).join(items)}
</channel>
</rss>
"""


def atom(sources: Sequence[Source]) -> str:
    """An Atom feed whose entries carry a summary only (the first paragraph), as many do."""
    entries = []
    for s in sources:
        author = f"<author><name>{html.escape(s.author)}</name></author>" if s.author else ""
        entries.append(
            f"""  <entry>
    <title>{html.escape(s.title)}</title>
    <link rel="alternate" type="text/html" href="{html.escape(s.url)}"/>
    <id>{html.escape(s.url)}</id>
    <published>{s.published}</published>
    <updated>{s.published}</updated>
    {author}
    <summary type="text">{html.escape(s.paragraphs[0].text)}</summary>
  </entry>"""
        )
    updated = max((s.published for s in sources), default="2024-01-01T00:00:00Z")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Statements and Releases</title>
  <link rel="self" href="https://www.whitehouse.gov/briefing-room/statements-releases/feed/atom/"/>
  <link rel="alternate" href="https://www.whitehouse.gov/briefing-room/statements-releases/"/>
  <id>https://www.whitehouse.gov/briefing-room/statements-releases/</id>
  <updated>{updated}</updated>
{chr(10).join(entries)}
</feed>
"""


# ---- Measuring an extraction ---------------------------------------------------------------


def _words(text: str) -> list[str]:
    return re.findall(r"\w+(?:[-'’.]\w+)*|[^\w\s]", text.replace("\u00ad", ""))


def recovery(reference: str, extracted: str) -> tuple[float, float]:
    """(recovered, leaked): the share of the reference's characters found in the extracted
    text in the same order, whitespace aside; and the share of the extracted text's
    characters that are not in the reference (boilerplate let through).

    Compared word by word (punctuation marks count as words), weighted by length, with
    difflib's longest matching blocks, so text out of order counts as missing.
    """
    import difflib

    ref, got = _words(reference), _words(extracted)
    matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    matched = sum(
        len(w)
        for block in matcher.get_matching_blocks()
        for w in ref[block.a : block.a + block.size]
    )
    ref_chars = sum(map(len, ref)) or 1
    got_chars = sum(map(len, got))
    return matched / ref_chars, (got_chars - matched) / got_chars if got_chars else 0.0
