"""Data Docs: GX's static HTML site of suites and validation results, made readable
offline.

GX's templates pull Bootstrap, jQuery, Vega and Font Awesome from CDNs; the Monev
machines often have no internet, and a report reader opening the folder from a share
should not depend on it. After each build every remote <script>/<link> is removed and
a small inline stylesheet (below) takes Bootstrap's place; the content itself is
rendered server-side by GX, so tables and results stay readable without the scripts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from monev.config import settings

_MARK = "<!-- monev:offline -->"
_REMOTE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I | re.S
)
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I | re.S)
_STYLE = """<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;
color:#212529;background:#fff;line-height:1.45;font-size:14px}
.container,.container-fluid{padding:0 1.5rem;max-width:1400px;margin:0 auto}
.row{display:flex;flex-wrap:wrap;gap:1rem}.col,[class*="col-"]{flex:1 1 0;min-width:0}
nav,.navbar{background:#0b4f8a;color:#fff;padding:.6rem 1.5rem}nav a,.navbar a{color:#fff}
h1,h2,h3,h4,h5{margin:1rem 0 .5rem;font-weight:600}a{color:#0b4f8a}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #dee2e6;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f1f3f5}.card{border:1px solid #dee2e6;border-radius:4px;margin:.75rem 0;
padding:.5rem .75rem}.card-header{font-weight:600;border-bottom:1px solid #dee2e6;
margin-bottom:.5rem;padding-bottom:.35rem}.text-danger,.fa-times{color:#c0392b}
.text-success,.fa-check-circle{color:#1e8449}.badge{display:inline-block;padding:.1rem .4rem;
border-radius:3px;background:#e9ecef}.badge-danger{background:#f5c6cb}
.badge-success{background:#c3e6cb}pre,code{background:#f8f9fa;white-space:pre-wrap;
font-size:12px}.sticky{position:static}.d-none,.modal{display:none}
</style>"""


def make_offline(html: str) -> str:
    """Strip CDN scripts/stylesheets and inline a minimal stylesheet instead."""
    if _MARK in html:
        return html
    html = _REMOTE_SCRIPT.sub("", html)
    html = _REMOTE_LINK.sub("", html)
    inject = f"{_MARK}\n{_STYLE}\n"
    if re.search(r"</head>", html, re.I):
        return re.sub(r"</head>", lambda _: inject + "</head>", html, count=1, flags=re.I)
    return inject + html


def offline_site(folder: Path) -> int:
    """Rewrite every page of the site in `folder`; return how many were changed."""
    changed = 0
    for page in folder.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = make_offline(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def build_data_docs(context: Any | None = None, only: list[Any] | None = None) -> Path:
    """Build the site into settings().data_docs_dir from every stored validation result
    (the gate stores one per batch) and make it readable offline; return index.html.
    `only`: validation result ids to (re)render — the gate adds just its own pages."""
    from monev.quality.context import DOCS_SITE, gx_context

    context = context or gx_context()
    context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=only)
    folder = settings().data_docs_dir
    offline_site(folder)
    return folder / "index.html"
