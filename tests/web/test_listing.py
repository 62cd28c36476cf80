"""The subjects list: search, filters, sorting and pages over a portfolio."""

from __future__ import annotations

import re

import pytest

from zhili.demo.crowd import subjects
from zhili.web.listing import SubjectQuery


def ids(html: str) -> list[str]:
    return re.findall(r'<a href="/subjects/([^"]+)">', html)


def test_pages_split_the_list_and_together_hold_every_subject(console):
    client, counts, _ = console
    seen: list[str] = []
    for page in (1, 2, 3):
        html = client.get(f"/subjects?sort=id&per_page=25&page={page}").text
        seen += ids(html)
    assert len(seen) == sum(counts.values()) == len(set(seen))
    assert seen == sorted(seen)


def test_search_finds_by_id_name_and_licence(console):
    client, _, _ = console
    pack, sid, subject = next(iter(subjects(60)))
    assert subject.name and subject.licence
    for needle in (sid, subject.name, subject.licence[-6:]):
        found = ids(client.get("/subjects", params={"q": needle}).text)
        assert sid in found, needle


def test_filters_keep_only_matching_subjects(console):
    client, counts, _ = console
    tmall = ids(client.get("/subjects?pack=tmall_global&per_page=100").text)
    assert len(tmall) == counts["tmall_global"] and all(s.startswith("tg-") for s in tmall)
    sanctioned = client.get("/subjects?sanctioned=1&per_page=100").text
    rows = re.findall(r"<tr class=\"(alert|)\">", sanctioned)
    assert rows and set(rows) == {"alert"}
    expiring = client.get("/subjects?expiring=1&per_page=100").text
    assert ids(expiring) and "expiring" in expiring or "即将" in expiring


def test_sorting_descending_reverses_ascending(console):
    client, _, _ = console
    up = ids(client.get("/subjects?sort=id&per_page=100").text)
    down = ids(client.get("/subjects?sort=id&order=desc&per_page=100").text)
    assert up == list(reversed(down))


@pytest.mark.parametrize("params, field", [
    ({"page": "two"}, "page"), ({"page": "0"}, "page"), ({"per_page": "7"}, "per_page"),
    ({"sort": "name; drop"}, "sort"), ({"q": "x" * 101}, "q"), ({"pack": "nope"}, "pack"),
])
def test_a_bad_parameter_is_named(console, params, field):
    client, _, _ = console
    page = client.get("/subjects", params=params)
    assert page.status_code == 422 and field in page.text


def test_links_keep_the_query_and_leave_defaults_out():
    query = SubjectQuery.parse({"q": "星河 店", "sanctioned": "on", "page": "2"})
    assert query.link(page=3) == "?q=%E6%98%9F%E6%B2%B3%20%E5%BA%97&sanctioned=1&page=3"
    assert SubjectQuery().link() == "?"
