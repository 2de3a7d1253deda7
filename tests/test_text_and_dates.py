"""Vietnamese first: slugs, NFC, CLDR dates and numbers, and the YAML loader's guarantees."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from bantin.assemble import aware
from bantin.config import load_config
from bantin.diagnostics import Diagnostics
from bantin.i18n import Formatter
from bantin.slugs import slugify
from bantin.yamlfile import BadScalar, MarkedMap, YamlProblem, load

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def config():
    return load_config(REPO, Diagnostics())


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”", "ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan"),
        ("Diễu hành trên các trục đường chính", "dieu-hanh-tren-cac-truc-duong-chinh"),
        ("ĐỒNG CHÍ Dương Xuân Huyên", "dong-chi-duong-xuan-huyen"),
        ("Quyết định 1676/QĐ-TTg", "quyet-dinh-1676-qd-ttg"),
        ("Lạng Sơn’s 2020 target", "lang-sons-2020-target"),
    ],
)
def test_slugs_fold_diacritics_and_d(title, slug):
    assert slugify(title) == slug
    assert slugify(unicodedata.normalize("NFD", title)) == slug


def test_dates_through_babel(config):
    vi = Formatter(config.language("vi"), config)
    en = Formatter(config.language("en"), config)
    day = dt.date(2020, 5, 23)
    assert vi.date(day) == "Thứ Bảy, 23/05/2020"
    assert en.date(day) == "Saturday, May 23, 2020"
    assert vi.short_date(day) == "23/05/2020"
    assert en.short_date(day) == "May 23, 2020"
    assert (vi.number(61649), en.number(61649)) == ("61.649", "61,649")


def test_a_utc_time_is_shown_on_the_local_day(config):
    vi = Formatter(config.language("vi"), config)
    late_utc = dt.datetime(2020, 5, 22, 20, 0, tzinfo=dt.timezone.utc)  # 03:00 on the 23rd in Hà Nội
    assert vi.date(late_utc) == "Thứ Bảy, 23/05/2020"


def test_dates_without_offset_are_in_the_site_time_zone(config):
    assert aware(dt.date(2020, 5, 23), config).isoformat() == "2020-05-23T00:00:00+07:00"
    assert aware(dt.datetime(2020, 5, 23, 8, 30), config).isoformat() == "2020-05-23T08:30:00+07:00"


def test_plural_forms(config):
    strings = {"n_one": "{count} article", "n_other": "{count} articles"}
    en = Formatter(config.language("en"), config)
    vi = Formatter(config.language("vi"), config)
    assert (en.count(strings, "n", 1), en.count(strings, "n", 1200)) == ("1 article", "1,200 articles")
    assert vi.count({"n_other": "{count} bài"}, "n", 1200) == "1.200 bài"


def test_yaml_keeps_positions_and_normalizes_to_nfc():
    data = load("title: " + unicodedata.normalize("NFD", "Lạng Sơn") + "\ntags:\n  - a\n  - b\n")
    assert isinstance(data, MarkedMap)
    assert data["title"] == "Lạng Sơn" and unicodedata.is_normalized("NFC", data["title"])
    assert (data.key_pos["tags"].line, data["tags"].item_pos[1].line, data["tags"].item_pos[1].col) == (2, 4, 5)


def test_yaml_billion_laughs_is_refused_at_the_first_anchor():
    bomb = 'a: &a ["lol","lol"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
    with pytest.raises(YamlProblem) as problem:
        load(bomb)
    assert (problem.value.line, problem.value.col) == (1, 4)


def test_yaml_impossible_date_is_kept_for_the_checker():
    assert load("date: 2020-02-30\n")["date"] == BadScalar("2020-02-30", "day is out of range for month")


def test_yaml_11_surprises_are_visible_as_types():
    data = load("time: 18:30\nvalue: 61.649\nflag: no\n")
    assert (data["time"], data["value"], data["flag"]) == (1110, 61.649, False)


def test_a_data_file_parsed_once_comes_back_from_the_cache_as_it_was_parsed(tmp_path):
    """The build cache keeps parsed data files by their text (yamlfile.ParsedFiles): what comes back
    is the very value, positions and typed text included; a value without a JSON form is not kept."""
    from bantin.cache import KeyValueTable
    from bantin.yamlfile import ParsedFiles, encode_value

    text = (REPO / "content/stats/lang-son-2020-05.yaml").read_text(encoding="utf-8") + (
        "extra:\n  when: 2020-05-23T08:30:00+07:00\n  share: 0.605\n  bad: 2020-02-30\n  none:\n"
        "  list: [1, two, 3.0]\n")
    value = load(text)
    table = KeyValueTable(tmp_path / "cache.sqlite", "data_files")
    ParsedFiles(table).put(text, value)
    table.keep_only_used()
    again = ParsedFiles(KeyValueTable(tmp_path / "cache.sqlite", "data_files")).get(text)
    assert again == value and repr(again) == repr(value)
    assert encode_value(again) == encode_value(value)  # every position and typed text
    assert again["figures"].item_pos == value["figures"].item_pos
    assert again["extra"]["bad"] == BadScalar("2020-02-30", value["extra"]["bad"].problem)
    assert ParsedFiles(KeyValueTable(tmp_path / "cache.sqlite", "data_files")).get(text + "\n# khác") is None
    binary = "data: !!binary aGVsbG8=\n"
    store = ParsedFiles(KeyValueTable(tmp_path / "other.sqlite", "data_files"))
    store.put(binary, load(binary))
    assert store.get(binary) is None  # bytes have no JSON form here: parsed again each time
