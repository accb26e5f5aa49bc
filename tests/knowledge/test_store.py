"""The parsed-knowledge cache: fast when fresh, never stale, harmless when unwritable."""

import os

from smtp_tutor.knowledge import store


def load_uncached(name: str):
    return store.load.__wrapped__(name)


def test_a_second_load_comes_from_the_cache_and_equals_the_parse(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_TUTOR_CACHE", str(tmp_path))
    parsed = load_uncached("ui")
    cached_files = list(tmp_path.glob("ui-*.marshal"))
    assert len(cached_files) == 1
    assert load_uncached("ui") == parsed


def test_an_edited_source_is_parsed_again_and_the_old_cache_removed(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "ui.toml").write_text('[en]\nhello = "one"\n')
    monkeypatch.setattr(store, "DATA_DIR", str(data))
    monkeypatch.setenv("SMTP_TUTOR_CACHE", str(tmp_path / "cache"))
    assert load_uncached("ui") == {"en": {"hello": "one"}}
    (data / "ui.toml").write_text('[en]\nhello = "two, longer"\n')
    os.utime(data / "ui.toml", ns=(1, 1))
    assert load_uncached("ui") == {"en": {"hello": "two, longer"}}
    assert len(list((tmp_path / "cache").glob("ui-*.marshal"))) == 1


def test_a_corrupt_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_TUTOR_CACHE", str(tmp_path))
    expected = load_uncached("ui")
    for path in tmp_path.glob("ui-*.marshal"):
        path.write_bytes(b"\x00garbage")
    assert load_uncached("ui") == expected


def test_caching_can_be_turned_off_and_an_unwritable_cache_costs_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_TUTOR_CACHE", "")
    assert load_uncached("ui")["explanation"]["en"]
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SMTP_TUTOR_CACHE", str(blocker / "cache"))
    assert load_uncached("ui")["explanation"]["en"]
