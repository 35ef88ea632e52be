"""The pages' half of the campaign: every page a role may open, with odd keys and query values (a NUL, 600
characters, right-to-left and emoji characters, dates at the ends of the calendar, huge and negative limits), answers
with a page — never a server error, never the API's problem+json — for every role of the demo (issue 14, item 7).
Which pages there are comes from the application itself (the walk of ``tests/test_permissions.py``)."""

from __future__ import annotations

import re
from collections import Counter

from nemt.services.platform.permissions import PERMISSIONS
from tests.test_permissions import USERS, _routes
from tests.web.helpers import sign_in

KEYS = ["%00", "x" * 600, "%E2%80%AE%F0%9F%98%80", "9999-12-31", "-1"]
QUERIES = [
    {"day": "9999-12-31", "date": "0001-01-01", "start": "0001-01-01", "end": "9999-12-31", "limit": "-5"},
    {"day": "\x00", "date": "\x00", "start": "\x00", "end": "\x00", "limit": str(10**40), "status": "\x00",
     "program": "\x00"},
]


def test_every_page_answers_odd_input_with_a_page(client):
    statuses: Counter[int] = Counter()
    problems = []
    for role, username in USERS.items():
        sign_in(client, username)
        for method, path, actions, page in _routes(client.app):
            if not page or method != "GET" or not actions or not all(role in PERMISSIONS[a] for a in actions):
                continue
            for key in KEYS:
                url = re.sub(r"\{(\w+)(:\w+)?\}", key, path)
                for query in QUERIES:
                    r = client.get(url, params=query, follow_redirects=False)
                    statuses[r.status_code] += 1
                    if r.status_code >= 500 or r.status_code >= 400 and "text/html" not in r.headers["content-type"]:
                        problems.append(f"{role} GET {path} ({key[:12]!r}): {r.status_code} {r.text[:120]}")
    assert sum(statuses.values()) > 500 and statuses[200] and statuses[422], statuses
    assert not problems, "\n".join(problems)
