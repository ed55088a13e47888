"""The portal's files keep to what its Content-Security-Policy allows (infra/edge.yaml, and
scripts/local_portal.py locally): `script-src 'self'; style-src 'self'` without
`unsafe-inline` or `unsafe-eval`, and no third-party origin.

What a browser under that policy refuses, it refuses silently for the customer (only a
console error says so, and a page then looks or works broken), so each rule is checked
here on the files, before any browser sees them:

- HTML: a `<script>` without `src` (inline script), a `<style>` element, a `style=`
  attribute, an `on…=` event handler attribute and a `javascript:` URL are all blocked;
  a `src`/`<link href>` to another origin is a third-party request.
- JS: markup from strings (`innerHTML`/`outerHTML` with anything but a constant string without
  markup, `insertAdjacentHTML`, `document.write`, `createContextualFragment`) may carry `style=`
  and `on…=` attributes the policy drops, and with customer data in it is an injection
  hole; the portal builds nodes (`createElement`, `textContent`, `billing.el`).
  `setAttribute('style'|'on…')` and `style:`/`on…:` keys of an attributes object (the
  portal's `el()` helpers call `setAttribute` with them) are blocked as inline style and
  handlers. `eval`, `new Function` and string timers need `unsafe-eval`. A string URL to
  another origin is a third-party request (XML namespaces are names, not requests).
- JS, the portal's own modules: no writes to `.style`. CSSOM writes are NOT blocked by
  CSP; they are forbidden anyway so that every rule of presentation stays in
  css/portal.css (one place to check contrast, focus and 320 px reflow), and state shows
  through classes and `hidden`. A vendored library (`js/vendor/`) may style through CSSOM.

In the browser, tests/browser/test_accessibility_sweep.py opens every page under the
policy and fails on any console error, which is where a violation is reported.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
HTML = sorted(FRONTEND.rglob("*.html"))
SVG = sorted(FRONTEND.rglob("*.svg"))
JS = sorted(FRONTEND.rglob("*.js"))
OWN_JS = [path for path in JS if "vendor" not in path.relative_to(FRONTEND).parts]

EVENTS = (
    r"(?:abort|animation\w+|beforeunload|blur|change|click|close|contextmenu|dblclick|error"
    r"|focus|focusin|focusout|input|invalid|key\w+|load|mouse\w+|pointer\w+|reset|resize"
    r"|scroll|select|submit|toggle|touch\w+|transition\w+|unload|wheel)"
)
# A constant string without markup (`node.innerHTML = ''` empties a node).
CONSTANT = r"""(?:'[^'<\\\n]*'|"[^"<\\\n]*")"""

HTML_RULES = {
    "inline <script> (no src)": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style= attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "on…= event handler attribute": re.compile(rf"<[^>]*\son{EVENTS}\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "a script or stylesheet from another origin": re.compile(
        r"<(?:script|link|img|iframe|source|audio|video)\b[^>]*\s(?:src|href)\s*=\s*"
        r"[\"']?(?:https?:)?//",
        re.I,
    ),
}
SVG_RULES = {
    "<script> in an image": HTML_RULES["inline <script> (no src)"],
    "on…= event handler attribute": HTML_RULES["on…= event handler attribute"],
}
JS_RULES = {
    "innerHTML/outerHTML from a non-constant value": re.compile(
        rf"\.(?:inner|outer)HTML\s*(?:\+=|=(?!\s*{CONSTANT}\s*(?:;|$)))", re.M
    ),
    "HTML from a string": re.compile(
        r"insertAdjacentHTML|document\.write|createContextualFragment|DOMParser"
    ),
    "setAttribute('style' or 'on…')": re.compile(
        rf"setAttribute(?:NS)?\(\s*(?:[^,]+,\s*)?['\"](?:style|on{EVENTS})['\"]", re.I
    ),
    "style or on… key of an attributes object": re.compile(
        rf"[{{,]\s*['\"]?(?:style|on{EVENTS})['\"]?\s*:", re.I
    ),
    "eval or new Function": re.compile(r"\beval\s*\(|\bnew\s+Function\s*\("),
    "a timer from a string": re.compile(r"\bset(?:Timeout|Interval)\s*\(\s*['\"`]"),
    "a URL of another origin": re.compile(r"['\"`](?:https?:)?//(?!www\.w3\.org/)\w"),
}
OWN_JS_RULES = {
    "a write to .style (keep presentation in css/portal.css)": re.compile(
        r"\.style(?:\.[\w-]+|\[[^\]]+\])?\s*(?<![=!<>])=(?!=)|\.style\.(?:setProperty|cssText)"
    ),
}


def _offences(text: str, where: str, rules: dict[str, re.Pattern[str]], js: bool) -> list[str]:
    """Each match of a rule in `text` (a file's content), as "where:line: rule: match"."""
    if js:
        # Comments may name what they avoid ("no innerHTML here").
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        text = re.sub(r"(^|[^:'\"`])//[^\n]*", r"\1", text)
    else:
        text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    found = []
    for name, rule in rules.items():
        for match in rule.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{where}:{line}: {name}: {match.group(0)!r}")
    return found


def _file_offences(path: Path, rules: dict[str, re.Pattern[str]], js: bool) -> list[str]:
    where = str(path.relative_to(FRONTEND))
    return _offences(path.read_text(encoding="utf-8"), where, rules, js)


def test_there_are_files_to_check() -> None:
    assert len(HTML) >= 16 and len(OWN_JS) >= 16 and SVG


@pytest.mark.parametrize("path", HTML, ids=lambda p: str(p.relative_to(FRONTEND)))
def test_html_has_nothing_inline(path: Path) -> None:
    assert _file_offences(path, HTML_RULES, js=False) == []
    # Each page loads its own module, same origin, absolute path (nested pages work).
    scripts = re.findall(r"<script\b[^>]*>", path.read_text(encoding="utf-8"))
    assert scripts == [f'<script type="module" src="/js/pages/{_module_name(path)}.js">'], scripts


def _module_name(path: Path) -> str:
    return path.relative_to(FRONTEND).as_posix().removesuffix(".html").replace("/", "-")


@pytest.mark.parametrize("path", SVG, ids=lambda p: str(p.relative_to(FRONTEND)))
def test_images_carry_no_script(path: Path) -> None:
    assert _file_offences(path, SVG_RULES, js=False) == []


@pytest.mark.parametrize("path", JS, ids=lambda p: str(p.relative_to(FRONTEND)))
def test_scripts_do_nothing_the_policy_blocks(path: Path) -> None:
    rules = {**JS_RULES, **(OWN_JS_RULES if path in OWN_JS else {})}
    assert _file_offences(path, rules, js=True) == []


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        ("<script>alert(1)</script>", "inline <script> (no src)"),
        ('<script type="module">go()</script>', "inline <script> (no src)"),
        ("<style>p{}</style>", "<style> element"),
        ('<p class="x" style="color:red">', "style= attribute"),
        ('<button onclick="go()">', "on…= event handler attribute"),
        ('<a href="javascript:go()">', "javascript: URL"),
        ('<script src="https://cdn.example/x.js">', "a script or stylesheet from another origin"),
        (
            '<link rel="stylesheet" href="//fonts.example/x.css">',
            "a script or stylesheet from another origin",
        ),
    ],
)
def test_the_html_rules_catch(snippet: str, rule: str) -> None:
    offences = _offences(snippet, "x.html", HTML_RULES, js=False)
    assert any(f": {rule}: " in offence for offence in offences), offences


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        ("node.innerHTML = `<b>${name}</b>`;", "innerHTML/outerHTML from a non-constant value"),
        ("node.innerHTML = text;", "innerHTML/outerHTML from a non-constant value"),
        ("node.innerHTML += '<i>';", "innerHTML/outerHTML from a non-constant value"),
        (
            "node.innerHTML = '<b style=\"color:red\">';",
            "innerHTML/outerHTML from a non-constant value",
        ),
        ("node.insertAdjacentHTML('beforeend', x);", "HTML from a string"),
        ("node.setAttribute('style', 'color:red');", "setAttribute('style' or 'on…')"),
        ("node.setAttribute(\"onclick\", 'go()');", "setAttribute('style' or 'on…')"),
        ("el('p', { style: 'color:red' }, 'x');", "style or on… key of an attributes object"),
        ("el('a', { class: 'x', onclick: 'go()' });", "style or on… key of an attributes object"),
        ("eval(code);", "eval or new Function"),
        ("setTimeout('go()', 10);", "a timer from a string"),
        ("fetch('https://api.example/x');", "a URL of another origin"),
        ("import('//cdn.example/lib.js');", "a URL of another origin"),
        ("node.style.width = '10px';", "a write to .style (keep presentation in css/portal.css)"),
        ("node.style.cssText = 'x';", "a write to .style (keep presentation in css/portal.css)"),
        ("node.style = 'x';", "a write to .style (keep presentation in css/portal.css)"),
    ],
)
def test_the_js_rules_catch(snippet: str, rule: str) -> None:
    rules = {**JS_RULES, **OWN_JS_RULES}
    offences = _offences(snippet, "x.js", rules, js=True)
    assert any(f": {rule}: " in offence for offence in offences), offences


@pytest.mark.parametrize(
    "snippet",
    [
        "node.innerHTML = '';",
        "node.textContent = `${name}`;",
        "if (node.style.display === 'none') go();",
        "const SVG = 'http://www.w3.org/2000/svg';",
        "// never innerHTML = value here",
        "el('p', { class: 'online' }, 'x'); const kinds = { online: 'płatność online' };",
        "node.addEventListener('click', go);",
    ],
)
def test_the_js_rules_let_through(snippet: str) -> None:
    rules = {**JS_RULES, **OWN_JS_RULES}
    assert _offences(snippet, "x.js", rules, js=True) == []
