"""The client's address behind TRUSTED_PROXY_COUNT proxies; the one setting every limit follows."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.utils.module_loading import import_string
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from coalition.rules.client_address import client_ip

SOCKET = "10.0.0.9"  # what the site's own socket sees: the nearest proxy, or the client


def request(xff: str | None = None, remote: str = SOCKET):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("203.0.113.7")) == SOCKET
    assert client_ip(request()) == SOCKET


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.1.1.1, 2.2.2.2, 203.0.113.7", "203.0.113.7"),  # the client wrote the first two
        (2, "1.1.1.1, 198.51.100.4, 10.0.0.2", "198.51.100.4"),
        (2, "198.51.100.4", "198.51.100.4"),  # came in behind fewer proxies
        (1, "203.0.113.7:51234", "203.0.113.7"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "2001:DB8:0::1", "2001:db8::1"),
        (1, "unknown", SOCKET),  # not an address: the socket's
        (1, "", SOCKET),
    ],
)
def test_behind_n_proxies_the_nth_address_from_the_right_is_the_client(
    settings, proxies, xff, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request(xff)) == expected


def test_requests_without_a_usable_address_share_one_bucket_and_say_how_to_fix_it(settings, caplog):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(remote="")) == client_ip(request(remote="not-an-ip")) == "unknown"
    assert "TRUSTED_PROXY_COUNT" in caplog.text


@pytest.mark.parametrize("proxies", [0, 1, 2, 3])
@pytest.mark.parametrize(
    "xff",
    [None, "203.0.113.7", "1.1.1.1, 203.0.113.7", "9.9.9.9, 1.1.1.1, 198.51.100.4, 10.0.0.2"],
)
def test_drf_throttles_see_the_same_client(settings, proxies, xff):
    """DRF counts by its NUM_PROXIES arithmetic; set from the same setting, it agrees."""
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    assert proxies == api_settings.NUM_PROXIES
    req = request(xff)
    assert BaseThrottle().get_ident(req) == client_ip(req)


def test_every_rate_limit_reads_the_one_setting():
    assert django_settings.REST_FRAMEWORK["NUM_PROXIES"] == django_settings.TRUSTED_PROXY_COUNT
    assert django_settings.ALLAUTH_TRUSTED_PROXY_COUNT == django_settings.TRUSTED_PROXY_COUNT
    assert import_string(django_settings.RATELIMIT_IP_META_KEY) is client_ip


def test_the_setting_comes_from_the_environment_and_defaults_to_zero():
    code = (
        "from config.settings import base; "
        "print(base.TRUSTED_PROXY_COUNT, base.REST_FRAMEWORK['NUM_PROXIES'], "
        "base.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    env = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXY_COUNT"}
    cwd = django_settings.BASE_DIR
    run = [sys.executable, "-c", code]
    default = subprocess.run(run, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    two = subprocess.run(
        run,
        cwd=cwd,
        env={**env, "TRUSTED_PROXY_COUNT": "2"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert default.stdout.split() == ["0", "0", "0"], default.stderr
    assert two.stdout.split() == ["2", "2", "2"], two.stderr
