"""Every demo user can open every page their menu offers, and the menu offers no page they are refused."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kvitt.web.demo import DEMO_USERS, load_demo
from kvitt.web.nav import MENU

pytestmark = pytest.mark.django_db


def test_every_menu_link_opens_for_every_demo_user():
    load_demo()
    seen = set()
    for username, _, _ in DEMO_USERS:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        dashboard = client.get("/").content.decode()
        nav = dashboard.split('<nav class="main">', 1)[1].split("</nav>", 1)[0]
        for url in re.findall(r'href="([^"]+)"', nav):
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
            seen.add(url)
    # Every page in the menu table is reached by at least one demo role.
    from django.urls import reverse

    assert {reverse(name) for _, name, _, _ in MENU} <= seen
