"""`hearth kb check|search`: the curated knowledge base the coach answers from."""

from __future__ import annotations

import click

from assistant.commands.common import json_option, out_json, read_jsonl, services, settings
from assistant.errors import HearthError, UsageError


@click.group("kb")
def kb_group() -> None:
    """Check or search the knowledge base."""


@kb_group.command("check")
def kb_check() -> None:
    """Check every article's format, sections, topics and links."""
    from assistant.kb.corpus import check, load

    s = settings()
    problems = check(s.knowledge_dir)
    for p in problems:
        click.echo(p, err=True)
    if problems:
        raise HearthError(f"knowledge base: {len(problems)} problem(s), see above")
    click.echo(f"knowledge base ok: {len(load(s.knowledge_dir).articles)} articles")


@kb_group.command("search")
@click.argument("query", nargs=-1)
@click.option("-k", "k", type=click.IntRange(min=1), default=4, show_default=True, help="how many sections")
@json_option
@click.option("--jsonl", is_flag=True, help='read {"id", "query"} lines on stdin')
def kb_search(query: tuple[str, ...], k: int, as_json: bool, jsonl: bool) -> None:
    """Show the sections retrieval finds for a query."""
    svc = services()
    if jsonl:
        for obj in read_jsonl(("id", "query")):
            out_json({"id": obj["id"], "results": [h.as_json() for h in svc.index.search(str(obj["query"]), k=k)]})
        return
    if not query:
        raise UsageError("kb search needs a QUERY (or --jsonl on stdin)")
    hits = svc.index.search(" ".join(query), k=k)
    if as_json:
        out_json([h.as_json() for h in hits])
        return
    for h in hits:
        click.echo(f"{h.score:.4f}  {h.article_id:36s} {h.title}")


@kb_group.command("show")
@click.argument("article_id")
def kb_show(article_id: str) -> None:
    """Print one article (by id, or a unique prefix of it)."""
    import difflib

    corpus = services().corpus
    ids = [a.id for a in corpus.articles]
    found = [i for i in ids if i == article_id] or [i for i in ids if i.startswith(article_id)]
    if len(found) != 1:
        near = difflib.get_close_matches(article_id, ids, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else " (see `hearth kb search`)"
        what = "several articles start with" if found else "no article"
        raise UsageError(f"{what} '{article_id}'{hint}")
    art = corpus.get(found[0])
    if art is None:  # the id came from the corpus itself; only a race with an edit gets here
        raise UsageError(f"no article '{article_id}'")
    click.echo(f"{art.title}\n\n{art.summary}\n\n{art.body.strip()}")
