"""Watchlist file parsers: CSV, MISP event JSON and STIX 2.1 bundles (real pattern grammar), format
detection, invalid values, unknown and non-identity types, duplicates."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.watchlist_import import ImportFailed, detect, normal_form, parse

FIX = Path(__file__).parent / "fixtures" / "watchlists"


def load(name: str) -> bytes:
    return (FIX / name).read_bytes()


def kinds(parsed) -> set[tuple[str, str]]:
    return {(i.kind, i.normal) for i in parsed.indicators}


def test_formats_are_detected():
    assert detect(load("team.csv")) == "csv"
    assert detect(load("misp_event.json")) == "misp"
    assert detect(load("stix_bundle.json")) == "stix"
    with pytest.raises(ImportFailed, match="unknown format"):
        detect(b"hello,world\n1,2\n")
    with pytest.raises(ImportFailed, match="does not parse"):
        detect(b"{not json")


def test_csv_fixture():
    parsed = parse(load("team.csv"))
    assert parsed.format == "csv" and not parsed.invalid
    assert dict(parsed.skipped) == {"ip": 1, "sha256": 1}
    got = kinds(parsed)
    assert ("email", "recruit.ops@evil.example") in got
    assert ("phone", "+14155550199") in got
    assert ("wallet", "0x52908400098527886e0f7030069857d2e4169ee7") in got   # EVM: case-insensitive
    assert ("url", "portfolio.badsite.example/jane") in got
    assert ("name", "kim chol ryong") in got
    by_value = {i.normal: i for i in parsed.indicators}
    assert by_value["jane.doe@evil.example"].severity == "high"     # default
    assert by_value["sites.google.com"].severity == "medium"
    assert by_value["evil.example"].reference == "https://intel.example/inc/2026-14"


def test_misp_fixture_mixed_attributes_and_coin_address_object():
    parsed = parse(load("misp_event.json"))
    got = kinds(parsed)
    assert {("email", "hiring@ring7.example"), ("email", "reg@ring7.example"), ("domain", "ring7.example"),
            ("domain", "cv.ring7-talent.example"), ("phone", "+447700900123"), ("phone", "+14155550123"),
            ("github", "ring7-dev"), ("wallet", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
            ("wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")} <= got
    assert parsed.duplicates == 1                       # RING7.example == ring7.example
    assert parsed.skipped["ip-dst"] == 1 and parsed.skipped["md5"] == 1
    assert not parsed.invalid
    note = next(i.note for i in parsed.indicators if i.normal == "hiring@ring7.example")
    assert note == "sender of offer letters"


def test_stix_fixture_uses_the_pattern_grammar():
    parsed = parse(load("stix_bundle.json"))
    assert kinds(parsed) == {("email", "talent@stixring.example"), ("domain", "stixring.example"),
                             ("domain", "ring-jobs.example"), ("url", "stixring.example/portfolio/jdoe")}
    assert parsed.skipped["process"] == 1 and parsed.skipped["file"] == 1
    ref = next(i.reference for i in parsed.indicators if i.kind == "email")
    assert ref == "https://cert.example/adv/42"


def _bundle(*patterns: str) -> bytes:
    return json.dumps({"type": "bundle", "id": "bundle--1", "objects": [
        {"type": "indicator", "id": f"indicator--{n}", "pattern": p, "pattern_type": "stix"}
        for n, p in enumerate(patterns)]}).encode()


def test_stix_bad_pattern_and_escapes():
    parsed = parse(_bundle("[email-addr:value = 'o\\'neil@quote.example']", "[email-addr:value = ",
                           "[domain-name:value LIKE '%.evil.example']"))
    assert kinds(parsed) == {("email", "o'neil@quote.example")}
    reasons = dict(parsed.invalid)
    assert "does not parse" in reasons["indicator indicator--1"]
    assert "only = is supported" in reasons["indicator indicator--2"]


def test_csv_invalid_values_unknown_types_and_malformed_rows():
    data = (b"type,value,severity,note,reference\n"
            b"email,not-an-email,,,\n"
            b"frobnicator,x,,,\n"
            b"domain,ok.example,urgent,,\n"
            b"phone,12,,,\n"
            b"resume,abc,,,\n"
            b"email,a@b.example,,,,extra,fields\n"
            b"email,fine@ok.example,,,\n"
            b"email,FINE@ok.example,,,\n")
    parsed = parse(data, "csv")
    reasons = dict(parsed.invalid)
    assert "invalid email" in reasons["line 2"]
    assert "unknown type 'frobnicator'" in reasons["line 3"]
    assert "unknown severity" in reasons["line 4"]
    assert "invalid phone" in reasons["line 5"]
    assert "confirming fraud" in reasons["line 6"]
    assert "fields" in reasons["line 7"]
    assert kinds(parsed) == {("email", "fine@ok.example")} and parsed.duplicates == 1


def test_malformed_files_fail_whole():
    with pytest.raises(ImportFailed):
        parse(b"value,severity\nx,high\n", "csv")
    with pytest.raises(ImportFailed):
        parse(b"[1, 2", "misp")
    with pytest.raises(ImportFailed):
        parse(b'{"type": "report"}', "stix")


@pytest.mark.parametrize("kind,value,normal", [
    ("domain", "Bücher.Example.", "xn--bcher-kva.example"),
    ("email", "MAILTO:Ann@Evil.Example", "ann@evil.example"),
    ("github", "https://github.com/Octo-Cat/", "octo-cat"),
    ("phone", "0044 7700 900123", "+447700900123"),
])
def test_normal_forms_come_from_checks_normalize(kind, value, normal):
    assert normal_form(kind, value) == normal


@pytest.mark.parametrize("data,fmt,reason", [
    (load("stix_bundle.json"), "misp", "STIX 2.1 bundle, not a MISP event"),
    (b"{}", "misp", "not a MISP event"),
    (b"[]", "misp", "empty list: no events"),
    (b'{"Event": {}}', "misp", "no Attribute or Object list"),
    (b'{"Event": {"Attribute": {"type": "email"}}}', "misp", "Attribute is not a list"),
    (b'[{"Event": {"Attribute": []}}, 7]', "misp", "event #1 is not a JSON object"),
    (b'{"response": "nope"}', "misp", "not an event"),
    (b'{"type": "bundle", "id": "bundle--1", "objects": {"a": 1}}', "stix", '"objects" is not a list'),
    (b'"bundle"', "stix", "not a STIX 2.1 bundle"),
])
def test_files_without_the_structure_of_their_format_fail_with_the_reason(data, fmt, reason):
    with pytest.raises(ImportFailed, match=reason):
        parse(data, fmt)


def test_misp_and_stix_shapes_that_are_real_still_parse():
    attrs = {"response": {"Attribute": [{"type": "email", "value": "a@rest.example", "uuid": "u1"}]}}
    assert kinds(parse(json.dumps(attrs).encode(), "misp")) == {("email", "a@rest.example")}
    bare = parse(b'{"uuid": "5e1", "info": "an event with nothing in it yet"}', "misp")
    assert bare.indicators == [] and not bare.invalid
    objects = {"Event": {"Object": [{"name": "coin-address", "Attribute": "x", "uuid": "o1"}, 3]}}
    parsed = parse(json.dumps(objects).encode(), "misp")
    assert dict(parsed.invalid) == {"object o1": "not a MISP object with an Attribute list",
                                    "object #1": "not a MISP object with an Attribute list"}
    bundle = json.loads(_bundle("[email-addr:value = 'ok@stix.example']"))
    bundle["objects"] += ["junk", {"id": "x--1"}]
    parsed = parse(json.dumps(bundle).encode())
    assert kinds(parsed) == {("email", "ok@stix.example")}
    assert [w for w, _ in parsed.invalid] == ["object #1", "object #2"]
