"""Security headers on every response, /docs without a CDN, and bounded uploads (issue: the "smaller" findings)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nemt import settings as settings_module
from nemt.http.headers import PAGE_POLICY, script_hash
from nemt.services.platform import csv_files
from nemt.services.platform.csv_files import MAX_LISTED_ERRORS
from nemt.services.platform.errors import ImportRejected, RowError
from nemt.settings import MEGABYTE, Settings
from tests.interfaces.conftest import bare_client

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "nemt" / "web" / "templates"


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def test_every_response_has_the_security_headers(plain_client):
    for path in ("/login", "/api/v1/members/00000000000000000000000000000000", "/health", "/static/app.css"):
        r = plain_client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "no-referrer", path
        assert r.headers["content-security-policy"] == PAGE_POLICY, path
        assert "strict-transport-security" not in r.headers, path
    policy = _directives(PAGE_POLICY)
    assert policy["frame-ancestors"] == ["'none'"] and policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and "'unsafe-inline'" not in PAGE_POLICY


def test_pages_and_api_answers_are_not_stored_static_files_may_be(plain_client):
    assert plain_client.get("/login").headers["cache-control"] == "no-store"
    assert plain_client.get("/api/v1/me").headers["cache-control"] == "no-store"
    assert "no-store" not in plain_client.get("/static/app.css").headers.get("cache-control", "")


def test_hsts_when_served_over_https(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(settings_module, "_current", Settings(database_url="sqlite://", https_only=True))
    with bare_client(tmp_path) as client:
        hsts = client.get("/login").headers["strict-transport-security"]
    assert hsts.startswith("max-age=31536000")


def test_the_templates_have_no_inline_script_so_the_policy_allows_none():
    """No inline event handler, <script> block or style in any template: the pages' policy allows scripts from the
    app's origin only, without 'unsafe-inline' or 'unsafe-hashes' (the manifest's print button: /static/print.js)."""
    handlers, blocks = set(), []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        handlers.update(re.findall(r'\son[a-z]+=', text))
        blocks += re.findall(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=", text)
    assert not handlers and not blocks
    assert _directives(PAGE_POLICY)["script-src"] == ["'self'"]
    assert "'unsafe-hashes'" not in PAGE_POLICY and "'unsafe-inline'" not in PAGE_POLICY


def test_the_manifest_print_button_is_wired_by_a_static_script(plain_client):
    manifest = (TEMPLATES / "dispatch" / "manifest.html").read_text()
    assert "data-print" in manifest and '<script src="/static/print.js"' in manifest
    script = plain_client.get("/static/print.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "button[data-print]" in script.text and "window.print()" in script.text


def test_docs_are_served_by_the_app_without_any_external_host(plain_client):
    r = plain_client.get("/docs")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert not re.search(r"(https?:)?//[a-z0-9.-]+", r.text, re.IGNORECASE), "an external host in /docs"
    assets = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert {"/static/docs/swagger-ui-bundle.js", "/static/docs/swagger-ui.css"} <= set(assets)
    for asset in assets:
        got = plain_client.get(asset)
        assert got.status_code == 200 and len(got.content) > 100, asset
    policy = _directives(r.headers["content-security-policy"])
    (inline,) = re.findall(r"<script>(.*?)</script>", r.text, re.DOTALL)
    assert script_hash(inline) in policy["script-src"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert plain_client.get("/openapi.json").status_code == 200
    assert plain_client.get("/redoc").status_code == 404  # ReDoc needs a CDN and inline styles: not offered


def test_upload_limit_comes_from_the_settings():
    assert Settings.from_environ({}).max_upload_bytes == 5 * MEGABYTE
    assert Settings.from_environ({"NEMT_MAX_UPLOAD_MB": "12"}).max_upload_bytes == 12 * MEGABYTE
    with pytest.raises(ValueError, match="NEMT_MAX_UPLOAD_MB"):
        Settings.from_environ({"NEMT_MAX_UPLOAD_MB": "lots"})


def test_a_too_large_upload_is_refused_before_parsing(client, token_for, monkeypatch):
    monkeypatch.setattr(settings_module, "_current", Settings(database_url="sqlite://", max_upload_bytes=1000))
    big = b"medicaid_id\n" + b"=HYPERLINK(1)\n" * 200
    r = client.post("/api/v1/members/import", headers=token_for("admin"), data={"program": "CO"},
                    files={"file": ("members.csv", big, "text/csv")})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["field"] == "file" and body["rule"] == "maximum upload size" and "errors" not in body
    assert len(r.content) < 1000
    r = client.post("/api/v1/claims/remittances", headers=token_for("provider"),
                    files={"file": ("r.835", b"ISA*" + b"x" * 2000, "text/plain")})
    assert r.status_code == 413 and r.json()["rule"] == "maximum upload size"


def test_a_file_with_thousands_of_bad_rows_lists_the_first_fifty(client, token_for):
    header = "medicaid_id,first_name,last_name,birth_date,address_line,city,state,zip,county,plan,coverage_start," \
             "coverage_end\n"
    rows = "".join(f"X{i},A,B,not-a-date,1 Main St,Denver,CO,80204,Denver,standard,2026-01-01,\n" for i in range(3000))
    r = client.post("/api/v1/members/import", headers=token_for("admin"), data={"program": "CO"},
                    files={"file": ("members.csv", (header + rows).encode(), "text/csv")})
    assert r.status_code == 422
    body = r.json()
    errors = body["errors"]
    assert len(errors) == MAX_LISTED_ERRORS + 1 and errors[0]["line"] == 2
    total = int(re.search(r"(\d+) bad row", body["detail"]).group(1))
    more = total - MAX_LISTED_ERRORS
    assert more > 0 and errors[-1] == {"line": errors[-1]["line"], "field": "(file)",
                                       "reason": f"{more} more bad row(s) not listed"}
    assert len(r.content) < 20_000


def test_capping_keeps_a_short_list_and_the_full_count():
    short = ImportRejected("f.csv", [RowError(2, "zip", "is required")])
    assert csv_files.capped(short) is short
    long = ImportRejected("f.csv", [RowError(n, "zip", "is required") for n in range(2, 102)])
    cut = csv_files.capped(long, 10)
    assert len(cut.errors) == 11 and cut.errors[-1] == RowError(12, "(file)", "90 more bad row(s) not listed")
    assert cut.message == long.message and "100 bad row(s)" in str(cut)
