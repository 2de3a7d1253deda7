#!/usr/bin/env python3
"""A random walk of editors' edits, each rebuilt the fast way and compared with a clean build.

    python tests/tools/edit_walk.py [--pairs 40] [--steps 60] [--seed 1] [--mode cli|preview|process]
                                    [--work DIR] [--keep-going]

The fast paths (bantin/quick.py for the command line, bantin/warm_edit.py for the preview)
answer an edit from the last build's records, and must give exactly the output a clean build
gives. tests/test_quick.py and tests/test_warm_edit.py check each case by hand; this walk
mixes them as a day of editing does: each step makes one to three random edits (``EDITS``: a
body, a summary, a title, a slug, tags, a tag spelt another way, authors, a date, ``lastmod``,
a cover, a figure or a stats or event block in a body, a link to another article, a draft, a
new article, page bundle or translation, a deleted or renamed file, a stats figure, an event's title or the
articles it links, the theme or the page size, a mistake), rebuilds (``cli``: ``build.py build``
in this process; ``process``: in a process of its own each time; ``preview``: the dev server's
build, told which files changed), builds the same sources clean into another folder and
compares the two trees byte for byte, and the messages. A step whose sources a clean build
refuses (a mistake, an event's article deleted) must be refused by the rebuild with the same
messages, leaving the output as it was; its edits are then undone and rebuilt.

The corpus is ``bench/gen_corpus.py``'s, small (``--pairs``) with three cards a page, so that
cards cross pages and tags come and go. Prints each step, which path answered (quick, or the
full build) and, at the end, how often each kind of edit was answered quickly; exits 1 at the
first difference (``--keep-going``: after the walk), leaving the work folder to look into.
Deterministic for a seed (the build's "now" is the machine's: articles dated after it are
scheduled). tests/test_edit_walk.py walks a seed each way in ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import build  # noqa: E402
import yaml  # noqa: E402
from bantin import pipeline, warm  # noqa: E402
from bantin.pipeline import BuildOptions, run  # noqa: E402
from bantin.slugs import slugify  # noqa: E402

ARTICLES = "content/articles"
FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)
NEW_TAGS = ["Thẻ thử một", "Thẻ thử hai", "Thẻ thử ba"]
NEW_AUTHORS = ["Tác Giả Mới"]


class Site:
    """The corpus being edited: its files, read and written as an editor would."""

    def __init__(self, root: Path, rng: random.Random):
        self.root = root
        self.rng = rng
        self.undo: dict[Path, bytes | None] = {}  # this step's files, as they were before it
        self.made = 0

    def articles(self, lang: str | None = None) -> list[str]:
        """The article files, by their paths in the articles' folder (a page bundle's: ``folder/index.vi.md``)."""
        folder = self.root / ARTICLES
        names = sorted(p.relative_to(folder).as_posix() for p in [*folder.glob("*.md"), *folder.glob("*/index.*.md")])
        return [n for n in names if lang is None or n.endswith(f".{lang}.md")]

    def path(self, name: str) -> Path:
        return self.root / ARTICLES / name

    def keep(self, path: Path) -> None:
        if path not in self.undo:
            self.undo[path] = path.read_bytes() if path.exists() else None

    def write(self, path: Path, text: str) -> None:
        self.keep(path)
        path.write_text(text, encoding="utf-8")

    def delete(self, path: Path) -> None:
        self.keep(path)
        path.unlink()

    def undo_step(self) -> None:
        for path, data in reversed(self.undo.items()):  # (a new folder after its files)
            if path.is_dir():
                path.rmdir()
            elif data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
        self.undo = {}

    def front(self, name: str) -> tuple[str, str]:
        text = self.path(name).read_text(encoding="utf-8")
        match = FRONT.match(text)
        return match.group(1), text[match.end():]

    def set_front(self, name: str, front: str, body: str) -> None:
        self.write(self.path(name), f"---\n{front}---\n{body}")

    def data_files(self, folder: str) -> list[Path]:
        """The files of ``content/FOLDER`` (stats, calendar)."""
        return sorted((self.root / "content" / folder).glob("*.yaml"))

    def data_file(self, folder: str) -> Path | None:
        """One of them, at random; None when there is none."""
        files = self.data_files(folder)
        return self.rng.choice(files) if files else None

    def terms(self, kind: str) -> list[str]:
        """Every tag or author the site's articles name now."""
        found = set()
        for name in self.articles():
            found.update(_list_field(self.front(name)[0], kind) or ())
        return sorted(found)


def _list_field(front: str, key: str) -> list[str] | None:
    match = re.search(rf"^{key}: (\[.*\])$", front, re.M)
    return [str(v) for v in yaml.safe_load(match.group(1))] if match else None


def _set_list(front: str, key: str, values: list[str]) -> str:
    line = f"{key}: {json.dumps(values, ensure_ascii=False)}"
    if re.search(rf"^{key}: ", front, re.M):
        return re.sub(rf"^{key}: .*$", lambda _: line, front, count=1, flags=re.M)
    return front + line + "\n"


def _date_of(front: str) -> dt.datetime:
    value = re.search(r'^date: "?([^"\n]+)"?$', front, re.M).group(1)
    return dt.datetime.fromisoformat(value) if "T" in value else dt.datetime.fromisoformat(value + "T00:00")


def _set_date(front: str, when: dt.datetime) -> str:
    return re.sub(r"^date: .*$", f'date: "{when:%Y-%m-%dT%H:%M}"', front, count=1, flags=re.M)


# --- the edits: each returns a short description, or None when it does not apply -------------------

def edit_body(site: Site, name: str) -> str:
    front, body = site.front(name)
    site.set_front(name, front, body + f"\nĐoạn thêm số {site.rng.randrange(1000)}.\n")
    return f"body of {name}"


def edit_summary(site: Site, name: str) -> str | None:
    front, body = site.front(name)
    if not re.search(r"^summary: ", front, re.M):
        return None
    front = re.sub(r"^summary: .*$", f'summary: "Tóm tắt mới {site.rng.randrange(1000)}."', front, count=1, flags=re.M)
    site.set_front(name, front, body)
    return f"summary of {name}"


def edit_title(site: Site, name: str) -> str:
    front, body = site.front(name)
    front = re.sub(r'^title: "(.*)"$', lambda m: f'title: "{m.group(1)[:40]} số {site.rng.randrange(1000)}"',
                   front, count=1, flags=re.M)
    site.set_front(name, front, body)
    return f"title of {name}"


def edit_tags(site: Site, name: str) -> str | None:
    front, body = site.front(name)
    tags = _list_field(front, "tags") or []
    choice = site.rng.choice(["drop", "swap", "new"] if tags else ["swap", "new"])
    if choice == "drop":
        tags.pop(site.rng.randrange(len(tags)))
    else:
        pool = NEW_TAGS if choice == "new" else [t for t in site.terms("tags") if t not in tags]
        tag = site.rng.choice(pool)
        if tag in tags:
            return None
        if tags and site.rng.random() < 0.5:
            tags[site.rng.randrange(len(tags))] = tag
        else:
            tags.append(tag)
    site.set_front(name, _set_list(front, "tags", tags), body)
    return f"tags of {name} ({choice})"


def edit_authors(site: Site, name: str) -> str | None:
    front, body = site.front(name)
    authors = _list_field(front, "authors") or []
    pool = [a for a in site.terms("authors") + NEW_AUTHORS if a not in authors]
    if not pool:
        return None
    authors = [site.rng.choice(pool)] if site.rng.random() < 0.5 or not authors else authors + [site.rng.choice(pool)]
    site.set_front(name, _set_list(front, "authors", authors), body)
    return f"authors of {name}"


def edit_date(site: Site, name: str) -> str:
    front, body = site.front(name)
    days = site.rng.choice([-3, -1, 1, 5, -40, 60, -400, 365 * 3])
    when = _date_of(front) + dt.timedelta(days=days, minutes=site.rng.randrange(60))
    site.set_front(name, _set_date(front, when), body)
    return f"date of {name} {days:+d} days"


def _toggle(site: Site, name: str, key: str, value) -> bool:
    """Take the front matter's ``key`` line out when it has one (True), else add ``key: VALUE()``."""
    front, body = site.front(name)
    if re.search(rf"^{key}: ", front, re.M):
        site.set_front(name, re.sub(rf"^{key}: .*\n", "", front, flags=re.M), body)
        return True
    site.set_front(name, front + f"{key}: {value(front)}\n", body)
    return False


def edit_draft(site: Site, name: str) -> str:
    if _toggle(site, name, "draft", lambda front: "true"):
        return f"{name} published again"
    return f"{name} made a draft"


def new_article(site: Site, _name: str) -> str:
    site.made += 1
    rng = site.rng
    when = dt.datetime(rng.choice([2016, 2020, 2024, 2024, 2025]), rng.randrange(1, 13), rng.randrange(1, 28),
                       rng.randrange(24), rng.randrange(60))
    stem = f"{when:%Y-%m-%d}-bai-moi-so-{rng.randrange(10_000)}"
    tags = rng.sample(site.terms("tags"), 2) + ([rng.choice(NEW_TAGS)] if rng.random() < 0.3 else [])
    authors = [rng.choice(site.terms("authors") or NEW_AUTHORS)]
    front = (f'title: "Bài mới số {site.made} về BHXH tự nguyện"\ndate: "{when:%Y-%m-%dT%H:%M}"\n'
             f"authors: {json.dumps(authors, ensure_ascii=False)}\ntags: {json.dumps(tags, ensure_ascii=False)}\n"
             f'summary: "Tóm tắt bài mới số {site.made}."\n')
    site.write(site.path(stem + ".vi.md"), f"---\n{front}---\n\nNội dung bài mới số {site.made}.\n")
    if rng.random() < 0.4:
        front_en = (f'title: "New article {site.made} on voluntary insurance"\ndate: "{when:%Y-%m-%dT%H:%M}"\n'
                    f"authors: {json.dumps(authors, ensure_ascii=False)}\n")
        site.write(site.path(stem + ".en.md"), f"---\n{front_en}---\n\nBody of new article {site.made}.\n")
        return f"new article {stem} with its translation"
    return f"new article {stem}"


def new_bundle(site: Site, _name: str) -> str:
    """A new article as a page bundle: a folder with its text and the photo its body shows."""
    rng = site.rng
    site.made += 1
    when = dt.datetime(rng.choice([2017, 2022, 2024]), rng.randrange(1, 13), rng.randrange(1, 28), rng.randrange(24))
    folder = site.root / ARTICLES / f"{when:%Y-%m-%d}-goi-bai-{rng.randrange(10_000)}"
    folder.mkdir()
    site.undo.setdefault(folder, None)  # (taken out by an undo, after its files)
    image = folder / "anh-rieng.svg"
    site.write(image, (site.root / "content/media/minh-hoa-2.svg").read_text(encoding="utf-8"))
    tags = json.dumps(rng.sample(site.terms("tags"), 2), ensure_ascii=False)
    site.write(folder / "index.vi.md", f'---\ntitle: "Gói bài số {site.made}"\ndate: "{when:%Y-%m-%dT%H:%M}"\n'
               f'tags: {tags}\n---\n\nThân bài.\n\n![Ảnh riêng của bài](anh-rieng.svg "Chú thích ảnh riêng")\n')
    return f"new page bundle {folder.name}"


def new_translation(site: Site, _name: str) -> str | None:
    alone = [n for n in site.articles("vi") if not site.path(n.replace(".vi.md", ".en.md")).exists()]
    if not alone:
        return None
    name = site.rng.choice(alone)
    front, _ = site.front(name)
    when = _date_of(front)
    site.write(site.path(name.replace(".vi.md", ".en.md")),
               f'---\ntitle: "Translation {site.rng.randrange(1000)}"\ndate: "{when:%Y-%m-%dT%H:%M}"\n---\n\nBody.\n')
    return f"new translation of {name}"


def delete_article(site: Site, name: str) -> str:
    site.delete(site.path(name))
    return f"{name} deleted"


def rename_article(site: Site, name: str) -> str | None:
    if "/" in name:
        return None  # (a page bundle's file: its folder names it)
    stem, lang = name[: -len(".vi.md")], name[-len("vi.md"):]
    new = re.sub(r"^(\d{4}-\d\d-\d\d)-", rf"\1-doi-ten-{site.rng.randrange(100)}-", stem) + "." + lang
    text = site.path(name).read_text(encoding="utf-8")
    site.delete(site.path(name))
    site.write(site.path(new), text)
    return f"{name} renamed {new}"


def edit_figure(site: Site, _name: str) -> str | None:
    path = site.data_file("stats")
    if path is None:
        return None
    text = path.read_text(encoding="utf-8")
    values = list(re.finditer(r"^    value: (\d+)$", text, re.M))
    match = site.rng.choice(values)
    site.write(path, text[: match.start(1)] + str(int(match.group(1)) + site.rng.randrange(1, 500)) + text[match.end(1):])
    return f"a figure of {path.name}"


def edit_event(site: Site, _name: str) -> str | None:
    path = site.data_file("calendar")
    if path is None:
        return None
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'^  vi: "(.*)"$', lambda m: f'  vi: "{m.group(1)[:30]} {site.rng.randrange(1000)}"', text,
                  count=1, flags=re.M)
    site.write(path, text)
    return f"the title of event {path.name}"


def edit_lastmod(site: Site, name: str) -> str:
    def later(front: str) -> str:
        return f'"{_date_of(front) + dt.timedelta(days=site.rng.choice([1, 30, 400])):%Y-%m-%dT%H:%M}"'

    return f"lastmod of {name} taken out" if _toggle(site, name, "lastmod", later) else f"lastmod of {name}"


def edit_slug(site: Site, name: str) -> str:
    taken_out = _toggle(site, name, "slug", lambda front: f"duong-dan-rieng-{site.rng.randrange(1000)}")
    return f"slug of {name} taken out" if taken_out else f"slug of {name}"


def edit_figure_in_body(site: Site, name: str) -> str:
    """A captioned image added to a body, or the first one taken out."""
    front, body = site.front(name)
    figure = re.search(r"^!\[.*\n", body, re.M)
    if figure and site.rng.random() < 0.5:
        site.set_front(name, front, body[: figure.start()] + body[figure.end():])
        return f"a figure taken out of {name}"
    image = site.rng.choice(["minh-hoa-1.svg", "minh-hoa-2.svg", "minh-hoa-3.svg", "minh-hoa-4.svg"])
    site.set_front(name, front, body + f'\n![Ảnh minh hoạ số {site.rng.randrange(100)}]({image} "Chú thích mới")\n')
    return f"a figure in {name} ({image})"


def edit_cover(site: Site, name: str) -> str:
    front, body = site.front(name)
    image = site.rng.choice(["minh-hoa-1.svg", "minh-hoa-2.svg", "minh-hoa-3.svg", "minh-hoa-4.svg"])
    if re.search(r"^image: ", front, re.M):
        if site.rng.random() < 0.3:
            front = re.sub(r"^image(_alt|_caption)?: .*\n", "", front, flags=re.M)
            site.set_front(name, front, body)
            return f"cover of {name} taken out"
        front = re.sub(r"^image: .*$", f"image: {image}", front, count=1, flags=re.M)
    else:
        front += f'image: {image}\nimage_alt: "Ảnh bìa"\n'
    site.set_front(name, front, body)
    return f"cover of {name} ({image})"


def edit_shortcode(site: Site, name: str) -> str | None:
    """A stats or event block added to a body, or one taken out."""
    front, body = site.front(name)
    block = re.search(r"^\{\{< .*\n", body, re.M)
    if block and site.rng.random() < 0.5:
        site.set_front(name, front, body[: block.start()] + body[block.end():])
        return f"a block taken out of {name}"
    folder, kind = site.rng.choice([("stats", "stats"), ("calendar", "event")])
    ids = [path.stem for path in site.data_files(folder)]
    if not ids:
        return None
    ident = site.rng.choice(ids)
    site.set_front(name, front, body + f'\n{{{{< {kind} "{ident}" >}}}}\n')
    return f"a {kind} block {ident} in {name}"


def edit_events_named(site: Site, name: str) -> str | None:
    """The events an article's front matter names."""
    front, body = site.front(name)
    ids = [path.stem for path in site.data_files("calendar")]
    events = _list_field(front, "events") or []
    if events and site.rng.random() < 0.5:
        events.pop()
    elif ids:
        events = sorted(set(events) | {site.rng.choice(ids)})
    site.set_front(name, _set_list(front, "events", events) if events else re.sub(r"^events: .*\n", "", front,
                                                                                  flags=re.M), body)
    return f"events of {name}"


def edit_event_articles(site: Site, _name: str) -> str | None:
    """The articles an event links: one added (a base name the site has) or the last taken out."""
    path = site.data_file("calendar")
    if path is None:
        return None
    text = path.read_text(encoding="utf-8")
    listed = re.findall(r"^  - (.*)$", text, re.M)
    if listed and site.rng.random() < 0.5:
        text = text.replace(f"  - {listed[-1]}\n", "", 1)
        if len(listed) == 1:
            text = text.replace("articles:\n", "", 1)
    else:
        base = site.rng.choice(site.articles("vi"))[: -len(".vi.md")]
        if base in listed:
            return None
        text = text + f"  - {base}\n" if listed else text + f"articles:\n  - {base}\n"
    site.write(path, text)
    return f"the articles of event {path.name}"


def edit_tag_spelling(site: Site, name: str) -> str | None:
    """A tag the site has, spelt another way (another case, no accents): the same page, or another."""
    front, body = site.front(name)
    tags = _list_field(front, "tags") or []
    others = [t for t in site.terms("tags") if t not in tags]
    if not others:
        return None
    tag = site.rng.choice(others)
    spelt = site.rng.choice([tag.lower(), tag.upper(), unicodedata.normalize("NFD", tag),
                             "".join(c for c in unicodedata.normalize("NFD", tag) if not unicodedata.combining(c))])
    site.set_front(name, _set_list(front, "tags", tags + [spelt]), body)
    return f"tag {tag!r} spelt {spelt!r} in {name}"


def link_article(site: Site, name: str) -> str | None:
    """A body links another article's page by its address (which a later title edit may move)."""
    front, body = site.front(name)
    target = site.rng.choice(site.articles("vi"))
    title = re.search(r'^title: "(.*)"$', site.front(target)[0], re.M)
    slug = re.search(r"^slug: (.*)$", site.front(target)[0], re.M)
    if not title:
        return None
    address = slug.group(1) if slug else slugify(title.group(1))
    site.set_front(name, front, body + f"\nXem thêm [bài liên quan](/tin-tuc/{address}/).\n")
    return f"{name} links {target}"


MISTAKES = [  # (what is replaced in an article, by what): each an error a clean build reports
    (re.compile(r'^title: "', re.M), 'title: "Tiêu đề chưa đóng ngoặc\nx: "'),
    (re.compile(r"^date: .*$", re.M), "date: 2020-13-45"),
    (re.compile(r"\n\Z"), '\n\n{{< stats "khong-co-so-lieu-nay" >}}\n'),
    (re.compile(r"\n\Z"), "\n\n![](minh-hoa-1.svg)\n"),
    (re.compile(r"\n\Z"), "\n\n![Ảnh](khong-co-anh-nay.svg)\n"),
    (re.compile(r"^tags: .*$", re.M), "tags: {a: b}"),
]


def make_mistake(site: Site, name: str) -> str:
    text = site.path(name).read_text(encoding="utf-8")
    pattern, wrong = site.rng.choice(MISTAKES)
    if not pattern.search(text):
        text = text.rstrip("\n") + "\n"
        pattern, wrong = MISTAKES[2]
    site.write(site.path(name), pattern.sub(lambda _: wrong, text, count=1))
    return f"a mistake in {name} ({wrong.strip()[:30]!r})"


def edit_theme(site: Site, _name: str) -> str:
    """A template (the article page's, a card's), a UI string or the page size edited: the full build."""
    rng = site.rng
    choice = rng.choice(["article", "card", "string", "per_page"])
    if choice == "per_page":
        path = site.root / "site_config.yaml"
        text = path.read_text(encoding="utf-8")
        site.write(path, re.sub(r"^per_page: \d+", f"per_page: {rng.choice([2, 3, 4])}", text, count=1, flags=re.M))
    elif choice == "string":
        path = site.root / "templates/i18n/vi.yaml"
        text = path.read_text(encoding="utf-8")
        site.write(path, re.sub(r"^latest_news: .*$", f"latest_news: Tin mới {rng.randrange(100)}", text, count=1,
                                flags=re.M))
    else:
        path = site.root / ("templates/article.html" if choice == "article" else "templates/partials/article_card.html")
        text = path.read_text(encoding="utf-8")
        site.write(path, text.rstrip("\n") + f"\n<!-- {rng.randrange(1000)} -->\n")
    return f"the theme ({choice})"


EDITS = {  # kind -> (edit, weight)
    "body": (edit_body, 5), "summary": (edit_summary, 3), "title": (edit_title, 3), "tags": (edit_tags, 4),
    "authors": (edit_authors, 2), "date": (edit_date, 3), "draft": (edit_draft, 2), "new": (new_article, 3),
    "translation": (new_translation, 1), "delete": (delete_article, 2), "rename": (rename_article, 1),
    "figure": (edit_figure, 2), "event": (edit_event, 2), "lastmod": (edit_lastmod, 1), "slug": (edit_slug, 1),
    "image": (edit_figure_in_body, 2), "cover": (edit_cover, 1), "block": (edit_shortcode, 2),
    "events": (edit_events_named, 1), "linked": (edit_event_articles, 1), "spelling": (edit_tag_spelling, 1),
    "link": (link_article, 1), "mistake": (make_mistake, 1),
    "theme": (edit_theme, 1), "bundle": (new_bundle, 2),
}
DATA_KINDS = {"figure", "event"}


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
            and not str(p.relative_to(folder)).startswith("pagefind/")}


def in_process(args: list[str]) -> tuple[int, list[str]]:
    """``build.py ARGS`` in this process: its exit code and the lines it wrote to stderr."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = build.main(args)
    return code, err.getvalue().splitlines()


def messages(lines: list[str]) -> list[str]:
    return sorted(line for line in lines if ": warning: " in line or ": error: " in line)


class Walk:
    """The rebuilds of one walk: in this process, each telling whether a fast path answered (the
    pipeline's calls to them are watched while the walk runs, and given back after)."""

    def __init__(self, work: Path, mode: str):
        self.work, self.mode = work, mode
        self.root = work / "site"
        self.out = self.root / ".preview" if mode == "preview" else work / "out"
        self.answers: list = []
        self.options = BuildOptions(root=self.root, out=self.out, refresh_search=False, warm=warm.WarmModel())
        self._real = pipeline.quick_rebuild, pipeline.warm_edit

    def __enter__(self) -> "Walk":
        def watched(real):
            def call(*args, **kwargs):
                answer = real(*args, **kwargs)
                self.answers.append(answer)
                return answer
            return call

        pipeline.quick_rebuild, pipeline.warm_edit = map(watched, self._real)
        return self

    def __exit__(self, *exc) -> None:
        pipeline.quick_rebuild, pipeline.warm_edit = self._real

    def build(self, changed: list[Path]) -> tuple[int, list[str], bool]:
        """The rebuild: (exit code, messages, whether a fast path answered)."""
        self.answers = []
        args = ["--root", str(self.root), "build", "--out", str(self.out), "--quiet"]
        if self.mode == "process":  # as editors and CI run it: nothing kept in memory between builds
            done = subprocess.run([sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True)
            return done.returncode, messages(done.stderr.splitlines()), False
        if self.mode == "cli":
            code, lines = in_process(args)
            return code, messages(lines), any(a is not None for a in self.answers)
        self.options.warm.note_changes(self.root, frozenset(str(p) for p in changed))
        result = run(self.options)
        lines = [d.format() for d in result.diagnostics.items]
        return (0 if result.ok else 1), messages(lines), any(a is not None for a in self.answers)

    def clean(self) -> tuple[int, list[str], dict[str, bytes]]:
        clean = self.work / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        code, lines = in_process(["--root", str(self.root), "build", "--out", str(clean), "--quiet", "--clean"])
        return code, messages(lines), (tree(clean) if code == 0 else {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mode", choices=("cli", "preview", "process"), default="cli",
                        help="cli: build.py's build in this process; preview: the dev server's build, told "
                             "what changed; process: build.py in a process of its own each time (which path "
                             "answered is not known then)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bantin-edit-walk"))
    parser.add_argument("--keep-going", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    result = walk(args.work, args.pairs, args.steps, args.seed, args.mode, args.keep_going,
                  (lambda line: None) if args.quiet else print)
    print("answered quickly, by the kinds of edit in a step:")
    for label in sorted(result.tried):
        print(f"  {label:40} {result.quick[label]}/{result.tried[label]}")
    print(f"{result.differences} difference(s)")
    return 1 if result.differences else 0


def make_corpus(work: Path, pairs: int) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    root = work / "site"
    subprocess.run([sys.executable, str(REPO / "bench" / "gen_corpus.py"), str(pairs), str(root), "--per-page", "3"],
                   check=True, capture_output=True)
    config = root / "site_config.yaml"
    text = re.sub(r"^search: true", "search: false", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(re.sub(r"^feed_entries: \d+", "feed_entries: 3", text, flags=re.M), encoding="utf-8")
    return root


@dataclass
class WalkResult:
    differences: int = 0
    tried: Counter = field(default_factory=Counter)  # by the kinds of edit in a step: how many steps
    quick: Counter = field(default_factory=Counter)  # ... and how many a fast path answered


def walk(work: Path, pairs: int, steps: int, seed: int, mode: str, keep_going: bool = False,
         say=print) -> WalkResult:
    make_corpus(work, pairs)
    with Walk(work, mode) as walker:
        return _walk(walker, Site(work / "site", random.Random(seed)), steps, keep_going, say)


def _walk(walker: Walk, site: Site, steps: int, keep_going: bool, say) -> WalkResult:
    rng, result = site.rng, WalkResult()
    code, found, _ = walker.build([])
    assert code == 0, found
    clock = time.time() - 3600  # the edits' stamps: in the past (trusted), each later than the last

    def stamp(paths) -> None:
        nonlocal clock
        clock += 1
        for path in paths:
            if path.exists():
                os.utime(path, (clock, clock))

    for step in range(1, steps + 1):
        done, kinds = [], []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            kind = rng.choices(list(EDITS), weights=[w for _, w in EDITS.values()])[0]
            said = EDITS[kind][0](site, rng.choice(site.articles()))
            if said:
                done.append(said)
                kinds.append(kind)
        if not done:
            continue
        changed = list(site.undo)
        stamp(changed)
        before = tree(walker.out)
        code, found, fast = walker.build(changed)
        clean_code, clean_found, clean_tree = walker.clean()
        label = "+".join(sorted(set(kinds)))
        if clean_code != 0:
            # Sources a clean build refuses: the rebuild must refuse them too, with the same messages,
            # and leave the output as it was; then the step is undone and rebuilt.
            same = code == clean_code and found == clean_found and tree(walker.out) == before
            say(f"{step:3} refused   {'ok  ' if same else 'DIFF'} {'; '.join(done)}")
            if not same:
                result.differences += 1
                say(f"    rebuild: {code} {found}\n    clean:   {clean_code} {clean_found}")
                if not keep_going:
                    return result
            site.undo_step()
            stamp(changed)
            code, found, fast = walker.build(changed)
            clean_code, clean_found, clean_tree = walker.clean()
            label, done = "undo", ["undo of step"]
        site.undo = {}
        result.tried[label] += 1
        result.quick[label] += fast
        ours = tree(walker.out) if code == 0 else {}
        same = code == clean_code and found == clean_found and ours == clean_tree
        say(f"{step:3} {'quick' if fast else 'full '}     {'ok  ' if same else 'DIFF'} {'; '.join(done)}")
        if not same:
            result.differences += 1
            say(f"    rebuild: {code} {found}\n    clean:   {clean_code} {clean_found}")
            for path in sorted(ours.keys() | clean_tree.keys()):
                if ours.get(path) != clean_tree.get(path):
                    say(f"    differs: {path}" + ("" if path in ours else " (missing)") +
                        ("" if path in clean_tree else " (extra)"))
            if not keep_going:
                return result
    return result


if __name__ == "__main__":
    sys.exit(main())
