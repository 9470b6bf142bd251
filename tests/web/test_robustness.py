"""Faults and attacks: a store that cannot be read, a store that blocks, oversized bodies, foreign Host
headers; the security headers and the favicon."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import urllib.request
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from aiceberg.web import create_app
from aiceberg.web.guard import HEADERS

OTHER_PAGES = ["/", "/training?hardware=a100&count=8&hours=24&location=FR", "/cases", "/cases/bloom-training",
               "/my-ai-day", "/api"]


def _client(app) -> TestClient:
    return TestClient(app, base_url="http://localhost")


def _broken_stores(tmp_path: Path) -> dict[str, str]:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a SQLite database, it only has its name" * 100)
    return {"corrupt": str(corrupt),
            # nothing listens on port 1: the PostgreSQL server is down
            "postgres-down": "postgresql://aiceberg@127.0.0.1:1/aiceberg"}


@pytest.mark.parametrize("kind", ["corrupt", "postgres-down"])
def test_a_store_that_cannot_be_read_is_a_503_page_and_json_and_the_rest_works(tmp_path, kind):
    from aiceberg.errors import StoreError
    from aiceberg.web.runs import default_opener

    target = _broken_stores(tmp_path)[kind]
    with pytest.raises(StoreError) as what:  # what the store itself says, in both languages
        default_opener(target)
    with _client(create_app(target)) as c:
        for lang, title in (("en", "The run store cannot be read"), ("fr", "La base des exécutions est illisible")):
            r = c.get(f"/runs?lang={lang}")
            assert r.status_code == 503
            text = unescape(r.text)
            assert 'id="store-error"' in r.text and title in text
            assert what.value.render(lang) in text
            assert (urlsplit(target).hostname if "://" in target else target) in text  # names the store
            assert "--db" in text  # says how to fix it
        assert c.get("/runs/run-aaaa").status_code == 503
        api = c.get("/api/runs?lang=fr")
        assert api.status_code == 503
        detail = api.json()["detail"]
        assert [d["field"] for d in detail] == ["store"] and "AICEBERG_DB" in detail[0]["accepted"]
        assert detail[0]["code"] == what.value.code and detail[0]["message"] == what.value.render("fr")
        for path in OTHER_PAGES:
            assert c.get(path).status_code == 200, path
        assert c.post("/api/estimate/training", json={"hardware": "a100", "hours": 1}).status_code == 200


def test_a_locked_store_is_a_503_not_a_hang(store_path, tmp_path, monkeypatch):
    from aiceberg.web import runs

    monkeypatch.setattr(runs, "BUSY_TIMEOUT_S", 0.2)
    locked = tmp_path / "locked.db"
    locked.write_bytes(store_path.read_bytes())
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with _client(create_app(str(locked))) as c:
            r = c.get("/runs")
            assert r.status_code == 503 and "locked" in r.text
            assert c.get("/").status_code == 200
    finally:
        holder.close()


class SlowStore:
    """A real store whose listing waits until the test releases it (a slow disk, a long lock)."""

    def __init__(self, inner, entered: threading.Event, release: threading.Event) -> None:
        self.inner, self.entered, self.release = inner, entered, release

    def list_runs(self, *args, **kwargs):
        self.entered.set()
        self.release.wait(60)
        return self.inner.list_runs(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_a_slow_store_does_not_hold_the_other_pages(store_path, serve):
    from aiceberg.web.runs import default_opener

    entered, release = threading.Event(), threading.Event()
    app = create_app(str(store_path), store_opener=lambda p: SlowStore(default_opener(p), entered, release))
    with serve(app) as url:
        got: dict[str, int] = {}
        th = threading.Thread(target=lambda: got.update(runs=urllib.request.urlopen(url + "/runs", timeout=90).status))
        th.start()
        try:
            assert entered.wait(30), "the /runs request never reached the store"
            # /runs is now inside the store; with the event loop held, this request would never be answered
            for path in ("/", "/training?hardware=a100&count=8&hours=24&location=FR"):
                assert urllib.request.urlopen(url + path, timeout=30).status == 200
            assert th.is_alive() and "runs" not in got  # /runs was still waiting all along
        finally:
            release.set()
        th.join(60)
    assert got["runs"] == 200


def _raw(url: str, head: bytes, chunks: list[bytes]) -> bytes:
    """Send ``head`` and ``chunks`` (never the whole body the head announces), then read the answer."""
    u = urlsplit(url)
    with socket.create_connection((u.hostname, u.port), timeout=30) as s:
        s.sendall(head)
        for chunk in chunks:
            s.sendall(chunk)
        data = b""
        try:
            while part := s.recv(65536):  # the server closes the connection after a 413
                data += part
        except ConnectionResetError:  # closed with some of our bytes unread: its answer came before
            pass
        return data


def test_an_announced_huge_body_is_refused_before_it_is_sent(app, serve):
    with serve(app) as url:
        head = (b"POST /api/estimate/training HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1073741824\r\n\r\n")
        answer = _raw(url, head, [])  # 1 GiB announced, nothing sent: the answer comes first
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"field":"body"' in answer.replace(b" ", b"")


def test_a_streamed_body_is_refused_once_past_the_limit(app, serve):
    from aiceberg.web.app import MAX_BODY

    chunk = b" " * 16384
    n = MAX_BODY // len(chunk) + 1  # the last chunk passes the limit, and the body never ends (no last chunk)
    with serve(app) as url:
        head = (b"POST /api/estimate/training HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        answer = _raw(url, head, [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * n)
    assert answer.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize("host", ["evil.example.com", "evil.example.com:8000", "127.0.0.1.evil.example.com",
                                  "localhost.evil.example.com", "0.0.0.0"])
def test_a_foreign_host_is_refused(app, host):
    with _client(app) as c:
        r = c.get("/runs?lang=fr", headers={"Host": host})
        assert r.status_code == 400 and "DNS rebinding" in r.text and "<table" not in r.text
        api = c.post("/api/estimate/training", json={"hardware": "a100", "hours": 1}, headers={"Host": host})
        assert api.status_code == 400 and api.json()["detail"][0]["field"] == "host"
        assert api.headers["content-security-policy"] == HEADERS["Content-Security-Policy"]


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:49152", "[::1]:8000", "LOCALHOST"])
def test_this_machine_names_are_accepted(app, host):
    with _client(app) as c:
        assert c.get("/", headers={"Host": host}).status_code == 200


def test_allowed_hosts_add_names(store_path):
    with _client(create_app(str(store_path), allowed_hosts=["ai.example.org"])) as c:
        assert c.get("/", headers={"Host": "ai.example.org:8000"}).status_code == 200
        assert c.get("/", headers={"Host": "ai.example.org.evil.com"}).status_code == 400


@pytest.mark.parametrize("method,path,body,status", [
    ("GET", "/", None, 200),
    ("POST", "/api/estimate/training", {"hardware": "a100", "hours": 1}, 200),
    ("POST", "/api/estimate/training", {"hardware": "a100"}, 422),
    ("GET", "/api/cases", None, 200),
    ("GET", "/api/nope", None, 404),
    ("GET", "/openapi.json", None, 200),
    ("GET", "/favicon.ico", None, 200),
])
def test_every_answer_has_the_security_headers(client, method, path, body, status):
    r = client.request(method, path, json=body)
    assert r.status_code == status
    for name, value in HEADERS.items():
        assert r.headers[name] == value, (path, name)


def test_the_favicon_is_an_svg_iceberg(client):
    for path in ("/favicon.ico", "/favicon.svg"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text.startswith("<svg") and r.text.count("<path") == 3
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in client.get("/").text


def test_the_api_answers_json_errors_not_html(client):
    r = client.get("/api/estimate/training")  # GET on a POST endpoint
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert json.loads(r.text)["detail"][0]["field"] == "path"


def test_an_unknown_run_is_a_404_and_an_unreadable_summary_a_503(store_path, tmp_path):
    broken = tmp_path / "broken-summary.db"
    broken.write_bytes(store_path.read_bytes())
    with sqlite3.connect(broken) as db:
        db.execute("UPDATE runs SET summary_json = '{not json' WHERE run_id = 'run-cccc-0003'")
    with _client(create_app(str(broken))) as c:
        assert c.get("/runs/run-zzzz").status_code == 404
        assert c.get("/runs/run-").status_code == 404  # a prefix of several runs names none
        r = c.get("/runs/run-cccc-0003?lang=fr")
        assert r.status_code == 503 and "run-cccc-0003" in r.text
        assert c.get("/runs/run-bbbb-0002").status_code == 200


def test_a_bug_is_said_in_words_never_a_bare_500(store_path):
    def broken_opener(path):
        raise RuntimeError("a bug in the store layer")

    app = create_app(str(store_path), store_opener=broken_opener)
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as c:
        r = c.get("/runs?lang=fr")
        assert r.status_code == 500 and "Une erreur est survenue" in r.text and "RuntimeError" in r.text
        assert r.headers["content-security-policy"] == HEADERS["Content-Security-Policy"]
        api = c.get("/api/runs")
        assert api.status_code == 500 and api.json()["detail"][0]["code"] == "web.error.internal"
        assert c.get("/").status_code == 200
