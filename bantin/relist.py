"""The recorded pages of the last build (listing.py) planned again for an edit to one article's card,
without the rest of the site (quick.py, warm_edit.py): its card moved between tag and author
pages, or to its new place in date order across the news pages; a new or deleted article's card
put in or taken out of its news pages (the cards after it shift, the list may gain or lose a
page); and the sitemap's entries of a moved, re-dated, new or deleted article. Each function
returns None when the edit changes more than it can tell from those pages alone, and the full
build (or the preview's full rebuild) runs."""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import MappingProxyType
from typing import Callable, NamedTuple

from . import urls
from .assemble import shows_only, term_page_moved
from .config import SiteConfig
from .model import Article, ArticleCard, Term, TermPage
from .plan import SitemapEntry, TermCount, pagination, sitemap_entry
from .urls import output_path

SITEMAP = "sitemap.xml"  # (plan.plan_site_files)
# News pages a re-dated card may cross (each is read back from its record and rendered: about 1.5 ms
# a page at 10,000 pairs, 750 pages in 1.1 s); further, the full build, which renders on every core.
MAX_PAGES_CROSSED = 2000
# The term pages' "kind" (their data) -> the field of a card that names their term.
TERM_KINDS = {"tag": "tags", "author": "authors"}
PAGE_KINDS = {field: kind for kind, field in TERM_KINDS.items()}  # and back: "tags" -> "tag"


def counts_terms(page) -> bool:
    """Whether the page is an index of terms with their counts (a tag's count changes with a tag edit)."""
    terms = page.data.get("terms")
    return type(terms) is tuple and bool(terms) and type(terms[0]) is TermCount


def is_sitemap(page) -> bool:
    """Whether the page is the sitemap (its entries name every page's address: an article's new
    address changes it)."""
    entries = page.data.get("entries")
    return type(entries) is tuple and bool(entries) and type(entries[0]) is SitemapEntry


class TermChange(NamedTuple):
    """An edited article joining (+1) or leaving (-1) the page of one of its tags or authors."""

    article: Article
    delta: int
    term: Term  # as the article names it
    kind: str  # "tag" or "author" (the term page's data)
    url: str  # the term's page
    index: str  # the url of the index of its kind, in the article's language


def retermed_pages(pages: list, counted: dict[str, list[TermChange]]) \
        -> tuple[list, list[tuple[TermPage, str]], list[str]] | None:
    """(the pages read back, the tag and author pages of ``counted`` (by path) with each article's
    card put in its place or taken out, and the indexes with those terms' counts; the pages of
    terms new to the site, each with its kind; the addresses of the pages left empty), or None when a term's name
    would change (its newest article's spelling names it, on every page that names it) or a
    term's page was not read."""
    counts: dict[str, int] = {}  # term page url -> the articles it gains (or loses)
    arriving: list[tuple[TermPage, str]] = []
    left: list[str] = []
    found = []
    read = {page.path for page in pages}
    for page in pages:
        term_page, kind = page.data.get("term_page"), page.data.get("kind")
        if type(term_page) is TermPage and TERM_KINDS.get(kind) is None:
            return None  # (a term page of a kind not known here)
        if page.path in counted:
            if type(term_page) is not TermPage:
                return None
            for change in sorted(counted[page.path], key=lambda change: -change.delta):  # (joins first)
                if change.delta < 0 and shows_only(term_page, change.article.card):
                    term_page = None  # its last article left: the page goes
                    break
                term_page = term_page_moved(term_page, TERM_KINDS[kind], change.article.card, joins=change.delta > 0)
                if term_page is None:
                    return None
            counts[page.url] = sum(change.delta for change in counted[page.path])
            if term_page is None:
                left.append(page.url)
                continue
            page = dataclasses.replace(page, data=MappingProxyType({**page.data, "term_page": term_page}))
        if type(term_page) is TermPage and (not term_page.articles or term_page.term.name != next(
                (t.name for t in getattr(term_page.articles[0], TERM_KINDS[kind]) if t.slug == term_page.term.slug),
                None)):
            return None
        found.append(page)
    new_counts: dict[str, list[TermCount]] = {}  # index url -> the counts of its new terms
    for path, changes in counted.items():
        if path in read:
            continue
        if any(change.delta < 0 for change in changes):
            return None  # (a page the term should have)
        cards = sorted((change.article.card for change in changes), key=lambda card: card.sort_key)
        first = changes[0]
        newest = next(c for c in changes if c.article.card is cards[0])
        arriving.append((TermPage(newest.term, first.url, tuple(cards)), first.kind))
        new_counts.setdefault(first.index, []).append(TermCount(newest.term, first.url, len(cards)))
    for at, page in enumerate(found):
        if (counts or new_counts) and counts_terms(page):
            terms = [TermCount(count.term, count.url, count.count + counts.get(count.url, 0))
                     for count in page.data["terms"]]
            terms = sorted([count for count in terms if count.count > 0] + new_counts.pop(page.url, []),
                           key=lambda count: count.term.slug)
            found[at] = dataclasses.replace(page, data=MappingProxyType({**page.data, "terms": tuple(terms)}))
    if new_counts:
        return None  # (an index not read)
    return found, arriving, left


def termed_in_sitemap(pages: list, arriving: list, left: set[str]) -> list | None:
    """The pages read back, the sitemap without the entries of the term pages ``left`` (their
    addresses) and with those of the ``arriving`` pages (planned), each after the entry of the
    term before it in its index (among ``pages``; or the index's own entry, for the first), as
    the full build lists them; None when one is not where it should be."""
    indexes = [page for page in pages if counts_terms(page)]
    found = []
    for page in pages:
        if is_sitemap(page):
            entries = [entry for entry in page.data["entries"] if entry.url not in left]
            if len(entries) != len(page.data["entries"]) - len(left):
                return None
            for new in sorted(arriving, key=lambda new: new.data["term_page"].term.slug):
                index = next((index for index in indexes if any(c.url == new.url for c in index.data["terms"])), None)
                if index is None:
                    return None
                urls_in_order = [count.url for count in index.data["terms"]]
                before = urls_in_order.index(new.url)
                anchor = urls_in_order[before - 1] if before else index.url
                at = next((i for i, entry in enumerate(entries) if entry.url == anchor), None)
                if at is None:
                    return None
                entries.insert(at + 1, sitemap_entry(new))
            page = dataclasses.replace(page, data=MappingProxyType({**page.data, "entries": tuple(entries)}))
        found.append(page)
    return found


def years_kept(facts: dict[str, dict], dated: dict[str, Article | None], changed: dict[str, Article],
                config: SiteConfig) -> bool:
    """Whether the last year the site has content for (the calendar shows its yearly events up to it:
    a section's fact "last_year") stays the same with the new dates (``dated``: file -> the article
    as it was, None for a new one), as far as can be told without the other articles: no new date
    after it, and no article taken out of it."""
    for fact in facts.values():
        last = fact.get("last_year") if isinstance(fact, dict) else None
        if last is None:
            continue
        for rel, old in dated.items():
            before, now = (a.published.astimezone(config.timezone).year if a else None for a in (old, changed[rel]))
            if now > last or (before == last and now < last):
                return False
    return True


def last_year_stays(facts: dict[str, dict], removed: dict[str, Article],
                    newest: Callable[[], list[dt.datetime] | None], config: SiteConfig) -> bool:
    """Whether the last year the site has content for (a section's fact "last_year": the calendar shows
    its yearly events up to it) stays with the ``removed`` articles gone: none was in it, or the
    newest article left is (``newest``: the date of each language's newest article now, asked for
    only then; None when it cannot be told)."""
    lasts = {fact.get("last_year") for fact in facts.values() if isinstance(fact, dict)} - {None}
    if not any(old.published.astimezone(config.timezone).year in lasts for old in removed.values()):
        return True
    years = [when.astimezone(config.timezone).year for when in newest() or ()]
    return bool(years) and all(max(years) == last for last in lasts)


def redated(pages: list, dated: dict[str, Article], changed: dict[str, Article], config: SiteConfig,
             read: Callable[[set[str]], list | None]) -> tuple[list, dict[str, tuple[int, int]]] | None:
    """The pages read back with each re-dated article's card in its new place: in date order on the
    tag and author pages that show it, and on the news pages from its old page to the one of its
    new place (those between read here by ``read``: paths -> their pages), with the home page when
    the first news page changes; and file -> (its place before the edit, its place once every card
    moved) among its language's articles, newest first (the sitemap lists them in that order). None
    when the card would cross more than ``MAX_PAGES_CROSSED`` news pages, or a term would be named
    anew (its newest article names it)."""
    by_path = {page.path: page for page in pages}

    def holding(article: Article):
        """The news page that shows the card of ``article`` now; None unless there is one."""
        same = (article.base, article.lang)
        found = [page for page in by_path.values() if page.lang == article.lang and news_number(page)
                 and any((c.base, c.lang) == same for c in page.data["articles"])]
        return found[0] if len(found) == 1 else None

    def place(article: Article) -> int | None:
        """Where the card of ``article`` is among its language's, on the news pages as they are now."""
        page = holding(article)
        if page is None:
            return None
        cards = [(c.base, c.lang) for c in page.data["articles"]]
        return (news_number(page) - 1) * config.per_page + cards.index((article.base, article.lang))

    # (each card moves on the pages as the ones before left them: the places that count are the first
    # and the last, which the sitemap's entries take)
    moving = [rel for rel, old in dated.items() if old.sort_key != changed[rel].sort_key]
    places_before = {rel: place(dated[rel]) for rel in moving}
    for rel, old in dated.items():
        article = changed[rel]
        card, same = article.card, (article.base, article.lang)
        for path, page in list(by_path.items()):
            term_page, kind = page.data.get("term_page"), page.data.get("kind")
            if type(term_page) is TermPage and any((c.base, c.lang) == same for c in term_page.articles):
                term_page = term_page_moved(term_page, TERM_KINDS[kind], card, joins=True)
                if term_page is None:
                    return None
                by_path[path] = dataclasses.replace(page, data=MappingProxyType({**page.data, "term_page": term_page}))
        if old.sort_key == article.sort_key:
            continue  # (a new 'updated' date alone: the same places)
        lang = config.language(article.lang)
        page = holding(article)
        if page is None:
            return None
        number = first = last = news_number(page)
        count = page.data["pagination"]["count"]
        loaded = {number: page}
        new_key = article.sort_key

        def others(at: int) -> list[ArticleCard]:
            return [c for c in loaded[at].data["articles"] if (c.base, c.lang) != same]

        while True:  # widen the pages loaded toward the new place
            if first > 1 and (not others(first) or others(first)[0].sort_key > new_key):
                first -= 1
                at = first
            elif last < count and (not others(last) or others(last)[-1].sort_key < new_key):
                last += 1
                at = last
            else:
                break
            if last - first >= MAX_PAGES_CROSSED:
                return None
            path = output_path(urls.news(lang, at))
            page = by_path.get(path) or read_one(read, path)
            if page is None or news_number(page) != at:
                return None
            loaded[at] = by_path[path] = page
        cards = [c for at in range(first, last + 1) for c in others(at)]
        at_place = next((i for i, c in enumerate(cards) if c.sort_key > new_key), len(cards))
        cards.insert(at_place, card)
        start = 0
        for at in range(first, last + 1):
            page = loaded[at]
            chunk = tuple(cards[start : start + len(page.data["articles"])])
            start += len(chunk)
            by_path[page.path] = dataclasses.replace(page, data=MappingProxyType({**page.data, "articles": chunk}))
            if at == 1 and not _home_shows(by_path, lang, chunk, read):
                return None
    places = {rel: (places_before[rel], place(changed[rel])) for rel in moving}
    if any(None in both for both in places.values()):
        return None
    return list(by_path.values()), places


class NewsPage(NamedTuple):
    """A page a new article adds at the end of its language's news list (the caller plans it)."""

    lang: str
    number: int
    count: int  # the list's pages now
    cards: tuple[ArticleCard, ...]


class SitemapInsert(NamedTuple):
    """A page new to the sitemap, put next to the entry of a page it had: right before it, or after it."""

    url: str
    anchor: str
    after: bool


class Restacked(NamedTuple):
    """The news pages with new articles' cards put in and deleted ones' taken out (``restacked``)."""

    pages: list  # the pages read back, those changed in their new versions (not those left out)
    more: list[NewsPage]  # the pages added at the end of a list (the caller plans them)
    left: list  # the pages left out at the end of a list (as the last build made them)
    inserts: list[SitemapInsert]  # where the new articles' and pages' entries go in the sitemap, in order
    order: dict[str, tuple[int, list[ArticleCard]]]  # language -> (a place, its cards from there on, now)


def restacked(pages: list, new: list[Article], gone: list[Article], config: SiteConfig,
              read: Callable[[set[str]], list | None]) -> Restacked | None:
    """The cards of the articles ``new`` to the site put in their places on their languages' news
    pages, and those of the ``gone`` ones taken out (``pages``, read back, hold the pages that show
    them). Every card after the first place that changes moves, so the news pages change from that
    page to the last, and every page when the list gets a page more or fewer (they all show the
    page count); the home page follows the first. A new card's place is found by a binary search
    over the recorded pages (the first page first: the newest article, most often). Its sitemap
    entry goes before the next card's that stays (the sitemap lists a language's articles, and its
    news pages, in the lists' order). None when more than ``MAX_PAGES_CROSSED`` news pages would
    change, or one was not read."""
    by_path = {page.path: page for page in pages}
    found = Restacked([], [], [], [], {})
    for lang in config.languages:
        cards_new = sorted((article.card for article in new if article.lang == lang.code),
                           key=lambda card: card.sort_key)
        leaving = {(article.base, article.lang) for article in gone if article.lang == lang.code}
        if not cards_new and not leaving:
            continue
        # news page number -> the page as the last build made it (those read already first)
        seen: dict[int, object] = {news_number(page): page for page in by_path.values()
                                   if page.lang == lang.code and news_number(page)}

        def news_page(number: int, lang=lang, seen=seen):
            if number not in seen:
                path = output_path(urls.news(lang, number))
                seen[number] = read_one(read, path)
            page = seen[number]
            return page if page is not None and news_number(page) == number else None

        def read_pages(numbers: range, lang=lang, seen=seen) -> bool:
            unread = {output_path(urls.news(lang, number)) for number in numbers if number not in seen}
            for page in read(unread) or () if unread else ():
                seen[news_number(page)] = page
            return all(news_page(number) is not None for number in numbers)

        first_page = news_page(1)
        if first_page is None:
            return None
        count = first_page.data["pagination"]["count"]
        first = min([number for number, page in seen.items()
                     if any((c.base, c.lang) in leaving for c in page.data["articles"])], default=count)
        if leaving and first == count and (count not in seen or not any(
                (c.base, c.lang) in leaving for c in seen[count].data["articles"])):
            return None  # (a page that shows a deleted card was not read)
        if cards_new:
            newest = cards_new[0].sort_key
            low, high = 1, min(first, count)  # the first page whose last card comes after the newest card
            if first_page.data["articles"] and newest < first_page.data["articles"][-1].sort_key:
                high = 1
            while low < high:
                middle = (low + high) // 2
                page = news_page(middle)
                if page is None:
                    return None
                if page.data["articles"] and newest < page.data["articles"][-1].sort_key:
                    high = middle
                else:
                    low = middle + 1
            first = low
        if not read_pages(range(first, count + 1)):
            return None
        shown = [card for number in range(first, count + 1) for card in seen[number].data["articles"]]
        cards = [card for card in shown if (card.base, card.lang) not in leaving]
        if len(shown) - len(cards) != len(leaving):
            return None
        for card in cards_new:
            cards.insert(next((at for at, c in enumerate(cards) if c.sort_key > card.sort_key), len(cards)), card)
        total = (first - 1) * config.per_page + len(cards)
        new_count = max(1, -(-total // config.per_page))
        start = 1 if new_count != count else first  # (a page more or fewer: every page shows the count)
        if max(count, new_count) - start + 1 > MAX_PAGES_CROSSED or not read_pages(range(start, first)):
            return None
        found.order[lang.code] = ((first - 1) * config.per_page, cards)
        for number in range(start, max(count, new_count) + 1):
            if number > count:
                found.more.append(NewsPage(lang.code, number, new_count, _chunk(cards, number, first, config)))
                found.inserts.append(SitemapInsert(urls.news(lang, number), urls.news(lang, number - 1), True))
            elif number > new_count:
                found.left.append(seen[number])
                by_path.pop(seen[number].path, None)
            elif not _paged_again(by_path, seen[number], lang, first, new_count, cards, total, config, read):
                return None
        new_ones = {id(card) for card in cards_new}
        for at, card in enumerate(cards):
            if id(card) in new_ones:
                after = next((c for c in cards[at + 1:] if id(c) not in new_ones), None)
                if after is not None:
                    found.inserts.append(SitemapInsert(card.url, after.url, False))
                elif at:
                    found.inserts.append(SitemapInsert(card.url, cards[at - 1].url, True))
                else:
                    return None  # (the language's first article: where its entries start is not known here)
    found.pages.extend(by_path.values())
    return found


def _chunk(cards: list[ArticleCard], number: int, first: int, config: SiteConfig) -> tuple[ArticleCard, ...]:
    """The cards news page ``number`` shows, of ``cards``: those of page ``first`` and after."""
    return tuple(cards[(number - first) * config.per_page:][: config.per_page])


def _paged_again(by_path: dict, page, lang, first: int, count: int, cards: list[ArticleCard], total: int,
                 config: SiteConfig, read: Callable[[set[str]], list | None]) -> bool:
    """Puts in ``by_path`` the news ``page`` as one of ``count`` (its cards from ``cards`` when it is page
    ``first`` or after), and the home page with the first page's cards (``total``: the language's
    articles); False when the home page cannot be read."""
    number = news_number(page)
    data = {"pagination": pagination(lang, number, count)}
    if number >= first:
        data["articles"] = _chunk(cards, number, first, config)
    by_path[page.path] = page = dataclasses.replace(page, data=MappingProxyType({**page.data, **data}))
    return number != 1 or _home_shows(by_path, lang, page.data["articles"], read, total > config.per_page)


def _home_shows(by_path: dict, lang, cards: tuple[ArticleCard, ...], read: Callable[[set[str]], list | None],
                has_more: bool | None = None) -> bool:
    """Puts in ``by_path`` the home page of ``lang`` with the first news page's ``cards`` (and
    ``has_more``, unless None: the list's length as it was); False when it cannot be read."""
    home = output_path(urls.home(lang))
    found = by_path.get(home) or read_one(read, home)
    if found is None or type(found.data.get("articles")) is not tuple:
        return False
    more = {} if has_more is None else {"has_more": has_more}
    by_path[home] = dataclasses.replace(found, data=MappingProxyType({**found.data, "articles": cards, **more}))
    return True


def read_one(read: Callable[[set[str]], list | None], path: str):
    """The recorded page at ``path`` by ``read`` (paths -> pages, or None), or None."""
    return next(iter(read({path}) or ()), None)


def added_in_sitemap(pages: list, planned: list, inserts: list[SitemapInsert]) -> list | None:
    """The pages read back, the sitemap with the entries of the pages ``planned`` here put in as
    ``inserts`` say (in place of the entry a deleted article had at the same address: a renamed
    file); None when an entry to put one next to is not there."""
    entry_of = {page.url: sitemap_entry(page) for page in planned if page.in_sitemap}
    found = []
    for page in pages:
        if is_sitemap(page):
            entries = list(page.data["entries"])
            for insert in inserts:
                if insert.url not in entry_of:
                    return None
                was_at = next((i for i, entry in enumerate(entries) if entry.url == insert.url), None)
                if was_at is not None:  # (a deleted article's entry, whose address the new one takes)
                    del entries[was_at]
                at = next((i for i, entry in enumerate(entries) if entry.url == insert.anchor), None)
                if at is None:
                    return None
                entries.insert(at + insert.after, entry_of[insert.url])
            page = dataclasses.replace(page, data=MappingProxyType({**page.data, "entries": tuple(entries)}))
        found.append(page)
    return found


def news_number(page) -> int | None:
    """The number of a news page (its pagination), None for another page."""
    pagination = page.data.get("pagination")
    return pagination.get("number") if isinstance(pagination, (dict, MappingProxyType)) else None



def redated_feed(entries: tuple[Article, ...], old: Article | None, article: Article,
                  size: int) -> tuple[Article, ...] | None:
    """A feed's newest ``size`` entries with ``article`` re-dated (``old``: as it was; None, new to
    the site), from the last build's; None when it would leave a full feed (the next article, which
    takes its place, is not known)."""
    others = [entry for entry in entries if (entry.base, entry.lang) != (article.base, article.lang)]
    was_in = len(others) < len(entries)
    # (A new one already in: a deleted article's place, taken in from the news pages after it.)
    if was_in and len(entries) == size and others and article.sort_key > others[-1].sort_key \
            and old is not None and article.sort_key > old.sort_key:
        return None
    return tuple(sorted(others + [article], key=lambda entry: entry.sort_key)[:size])


def dated_in_sitemap(pages: list, planned: list, places: dict[str, tuple[int, int]],
                      urls_dated: set[str]) -> list | None:
    """The pages read back, the sitemap's entry of each re-dated article made again (its date) and
    moved to its new place among its language's articles (``places``: url -> (its place before the
    edit, its place once every re-dated card moved); one not there keeps its place)."""
    entry_of = {page.url: sitemap_entry(page) for page in planned if page.in_sitemap and "article" in page.data}
    found = []
    for page in pages:
        if is_sitemap(page):
            entries = list(page.data["entries"])
            at = {entry.url: i for i, entry in enumerate(entries)}
            if not all(url in at and url in entry_of for url in urls_dated | places.keys()):
                return None
            for url in urls_dated - places.keys():
                entries[at[url]] = entry_of[url]
            # Where each language's articles start -> the entries that move among them. Each moving entry
            # is taken out, then put in at its last place, in the order of those places: the others keep
            # their order, and the length of the stretch is kept (another language's places hold).
            stretches: dict[int, list[str]] = {}
            for url, (before, _) in places.items():
                stretches.setdefault(at[url] - before, []).append(url)
            for start, moving in stretches.items():
                for url in sorted(moving, key=at.__getitem__, reverse=True):
                    del entries[at[url]]
                for url in sorted(moving, key=lambda url: places[url][1]):
                    entries.insert(start + places[url][1], entry_of[url])
            page = dataclasses.replace(page, data=MappingProxyType({**page.data, "entries": tuple(entries)}))
        found.append(page)
    return found


def moved_in_sitemap(pages: list, planned: list, moved_to: dict[str, str]) -> list | None:
    """The pages read back, the sitemap's entries of the articles planned here made again (a new
    address, or the new address of a translation); None when the sitemap lacks a moved one."""
    entry_of = {page.url: sitemap_entry(page) for page in planned if page.in_sitemap and "article" in page.data}
    found = []
    for page in pages:
        if is_sitemap(page):
            entries = page.data["entries"]
            if sum(entry.url in moved_to for entry in entries) != len(moved_to):
                return None
            entries = tuple(entry_of.get(moved_to.get(entry.url, entry.url), entry) for entry in entries)
            page = dataclasses.replace(page, data=MappingProxyType({**page.data, "entries": entries}))
        found.append(page)
    return found
