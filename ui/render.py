"""The one path by which text a person wrote reaches the page.

Entries, shared-space posts, chat messages, profile names and status lines are rendered as
text, never as markup: HTML is escaped, and in Markdown contexts every character Markdown
would act on is backslash-escaped too, so `![x](http://...)`, `<svg><a href=javascript:...>`,
`<img srcset=...>` and `<form>` all arrive on screen as the characters that were typed. Nothing
in user text can run script, load a remote resource or submit a form. (Gradio's own sanitiser
let an SVG `javascript:` link through; we no longer depend on it.)

Only Hearth's own text (articles, explanations, resource lines) is rendered as Markdown.
"""

from __future__ import annotations

import html
import re

# Everything CommonMark/GFM gives meaning to, plus the characters of autolinks and entities.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:=@/])")
_CITATION = re.compile(r"(\[\d+\])")


def text_html(text: str) -> str:
    """User text for an HTML component: escaped, line breaks kept."""
    return html.escape(text, quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def md_text(text: str) -> str:
    """User text for a Markdown component: shown literally, character for character."""
    # Markdown escapes first, then HTML's: the entities html.escape adds must stay intact.
    escaped = html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False)
    # Two spaces + newline is Markdown's hard break; keep the person's line breaks.
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def answer_md(text: str, anchor: str = "source") -> str:
    """A coach answer (which may echo the person's words) with its [n] markers as in-page
    links to the numbered sources (`#<anchor>-<n>`); everything else literal."""
    parts = _CITATION.split(text)
    out = []
    for part in parts:
        if _CITATION.fullmatch(part):
            n = part[1:-1]
            out.append(f"[\\[{n}\\]](#{anchor}-{n})")
        else:
            out.append(md_text(part))
    return "".join(out)


def name(text: str) -> str:
    """A profile name inside Hearth's own Markdown (status lines)."""
    return md_text(text)
