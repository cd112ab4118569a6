"""Production's security headers, Content-Security-Policy first, and pages that live with it:
no inline script, event handler or style anywhere, so script-src and style-src stay 'self'.

The headers come from config.settings.production, loaded fresh in a subprocess as in
tests/test_deploy.py (settings are read once per process); that process builds a throwaway
SQLite test database and fetches the pages with Django's test client.
"""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import GrievanceFactory, OrganiserFactory
from tests.test_deploy import PRODUCTION_ENV

BASE_DIR = Path(__file__).resolve().parents[1]

PAGES = ["/", "/grievances/", "/accounts/login/", "/accounts/signup/", "/report/"]
API = ["/api/v1/platforms/", "/api/schema/"]
DOCS = ["/api/docs/", "/api/redoc/"]

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}

FETCH = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.runner import DiscoverRunner
from django.test.utils import override_settings, setup_test_environment

setup_test_environment()
runner = DiscoverRunner(verbosity=0, interactive=False)
databases = runner.setup_databases()
# Neither changes a header: the manifest needs collectstatic, and no Redis is needed to GET.
local = override_settings(
    STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
)
out = {}
with local:
    client = Client()
    for url in json.loads(sys.argv[1]):
        response = client.get(url, secure=True, HTTP_HOST="coalition.example")
        out[url] = {
            "status": response.status_code,
            "headers": dict(response.headers),
            "body": response.content.decode("utf-8", "replace"),
        }
runner.teardown_databases(databases)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production_responses(tmp_path_factory) -> dict:
    urls = [*PAGES, *API, *DOCS, "/api/docs/?script="]
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    # Always a private SQLite file: a test database on a shared server must not collide.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('csp') / 'db.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-c", FETCH, json.dumps(urls)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def policy(response: dict) -> dict[str, list[str]]:
    header = response["headers"]["Content-Security-Policy"]
    directives = [part.strip().split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.mark.parametrize("url", PAGES + API)
def test_every_page_and_api_answer_carries_the_policy(production_responses, url):
    response = production_responses[url]
    assert response["status"] == 200, response["body"][:500]
    assert policy(response) == POLICY


@pytest.mark.parametrize("url", PAGES + API + DOCS + ["/api/docs/?script="])
def test_no_page_may_run_inline_script(production_responses, url):
    directives = policy(production_responses[url])
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-eval'" not in directives["script-src"]


@pytest.mark.parametrize("url", PAGES)
def test_the_other_security_headers(production_responses, url):
    headers = production_responses[url]["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("url", PAGES)
def test_production_pages_have_no_inline_script_or_style(production_responses, url):
    assert inline_code(production_responses[url]["body"]) == []


@pytest.mark.parametrize("url", DOCS)
def test_the_api_docs_run_from_files_and_only_their_styles_are_relaxed(production_responses, url):
    response = production_responses[url]
    assert response["status"] == 200
    directives = policy(response)
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert {k: v for k, v in directives.items() if k not in {"style-src", "worker-src"}} == {
        k: v for k, v in POLICY.items() if k != "style-src"
    }
    assert [f for f in inline_code(response["body"]) if f.startswith("<script")] == []
    assert "fonts.googleapis.com" not in response["body"]


def test_swagger_ui_starts_from_a_script_file(production_responses):
    page = production_responses["/api/docs/"]["body"]
    assert 'src="/api/docs/?script="' in page
    script = production_responses["/api/docs/?script="]
    assert script["status"] == 200
    assert script["headers"]["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script["body"]


# --- the templates themselves, with data, in the test settings -----------------------------


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [
            f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")
        ]


def inline_code(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


@pytest.fixture
def organised(db, organiser, platform):
    from coalition.models import Grievance

    grievance = GrievanceFactory(platform=platform, visibility=Grievance.Visibility.UNLISTED)
    OrganiserFactory(grievance=grievance, seller=organiser)
    return grievance


def test_the_pages_sellers_use_have_no_inline_script_or_style(client, organiser, organised):
    client.force_login(organiser.user)
    urls = [
        reverse("home"),
        reverse("coalition:grievance_list"),
        reverse("coalition:grievance_create"),
        organised.get_absolute_url(),  # with the share link an organiser copies
        reverse("coalition:grievance_edit", args=[organised.pk]),
        reverse("coalition:store_list"),
        reverse("coalition:profile"),
        reverse("coalition:report_new"),
        reverse("appeals:board"),
        reverse("appeals:my_cases"),
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if hits := inline_code(response.content.decode()):
            found[url] = hits
    assert found == {}
