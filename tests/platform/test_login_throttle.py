"""Log-in throttling and lockout (45 CFR 164.312(d)): per account, a lock after consecutive failures that an
administrator lifts; per client address, 429 with Retry-After; the same answer whether the account exists; every
attempt audited without the password. The page and the API token endpoint go through the same log-in."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt import clock
from nemt.domain.actors import Actor
from nemt.services.platform import accounts, auth, throttle
from nemt.services.platform.errors import NotFound, TooManyRequests
from tests.web.helpers import csrf_of

RIGHT, WRONG = "agent-demo-2026", "not-the-password"


def _token(client, username: str, password: str):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def _page_login(client, username: str, password: str):
    form = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
                       follow_redirects=False)


def _audit(uow_factory) -> list[tuple[str, str, str, dict]]:
    with uow_factory() as uow:
        return [(e.username, e.action, e.entity, e.detail) for e in reversed(uow.audit.recent(1000))
                if e.entity in ("account", "api-token")]


def test_five_wrong_passwords_lock_the_account_until_an_administrator_lifts_it(client, uow_factory):
    earlier = {"Authorization": f"Bearer {_token(client, 'agent', RIGHT).json()['token']}"}
    for _ in range(5):
        r = _token(client, "agent", WRONG)
        assert r.status_code == 401 and r.json()["rule"] == "log-in"
    r = _token(client, "agent", RIGHT)  # the right password no longer opens it
    assert r.status_code == 401 and r.json()["detail"] == auth.WRONG
    assert _page_login(client, "agent", RIGHT).status_code == 401  # nor through the page
    # The lock stops new log-ins; a token the owner already had still works (guessing cannot lock its owner out).
    assert client.get("/api/v1/me", headers=earlier).status_code == 200
    trail = _audit(uow_factory)
    assert [a for u, a, _, _ in trail if u == "agent"][2:] == ["log-in failed"] * 5 + ["lock"] + ["log-in failed"] * 2
    assert all(WRONG not in str(detail) and RIGHT not in str(detail) for *_, detail in trail)
    with uow_factory() as uow:
        admin = auth.actor_of(uow.users.by_username("admin"))
        accounts.lift_lockout(uow, admin, "agent")
    assert _token(client, "agent", RIGHT).status_code == 200
    assert [a for u, a, _, _ in _audit(uow_factory)][-3:] == ["lift lockout", "log-in", "issue"]


def test_a_success_starts_the_count_again(client):
    for _ in range(4):
        assert _token(client, "agent", WRONG).status_code == 401
    assert _token(client, "agent", RIGHT).status_code == 200
    for _ in range(4):
        assert _token(client, "agent", WRONG).status_code == 401
    assert _token(client, "agent", RIGHT).status_code == 200


def test_only_an_administrator_of_the_program_lifts_a_lockout(demo):
    with demo() as uow:
        with pytest.raises(Exception) as caught:
            accounts.lift_lockout(uow, auth.actor_of(uow.users.by_username("dispatcher")), "agent")
        assert caught.value.status == 403
        with pytest.raises(NotFound):  # another program's administrator does not see the user
            accounts.lift_lockout(uow, Actor(999, "ct-admin", "administrator", 999, "department", "CT"), "agent")


def test_the_answer_is_the_same_whether_the_account_exists(client):
    unknown, known = _token(client, "nobody-here", WRONG), _token(client, "agent", WRONG)
    assert unknown.status_code == known.status_code == 401
    assert unknown.json() == known.json()
    assert _page_login(client, "nobody-here", WRONG).text.count(auth.WRONG) == 1


def test_too_many_failures_from_one_address_get_429_with_retry_after(client, monkeypatch, uow_factory):
    for i in range(20):  # different accounts (none locked): the address is what is counted
        assert _token(client, f"guess-{i}", WRONG).status_code == 401
    r = _token(client, "agent", RIGHT)
    assert r.status_code == 429 and r.json()["rule"] == "log-in throttle per address"
    assert 1 <= int(r.headers["Retry-After"]) <= 15 * 60
    r = _page_login(client, "agent", RIGHT)
    assert r.status_code == 429 and "Retry-After" in r.headers
    monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + dt.timedelta(minutes=16))
    assert _token(client, "agent", RIGHT).status_code == 200  # the window has passed
    with uow_factory() as uow:
        assert uow.accounts.failures_from("testclient", clock.now() - dt.timedelta(hours=1))[0] == 22


def test_the_throttle_counts_a_window(monkeypatch):
    limit = throttle.Limit("a rule", 3, dt.timedelta(minutes=10), "slow down")
    limit.check(2, clock.now())
    with pytest.raises(TooManyRequests) as caught:
        limit.check(3, clock.now() - dt.timedelta(minutes=4))
    assert caught.value.rule == "a rule" and caught.value.status == 429
    assert 359 <= caught.value.retry_after <= 361


def _search(client, headers, medicaid_id: str):
    return client.post("/api/v1/members/search", json={"medicaid_id": medicaid_id}, headers=headers)


def test_a_facility_reads_a_limited_number_of_members_an_hour(client, token_for, monkeypatch, settings_env):
    settings_env(NEMT_MEMBER_LOOKUPS_PER_HOUR="3")
    facility = token_for("facility")
    ids = ["D100001", "D100002", "D100003", "D100004"]
    for medicaid_id in ids[:3]:
        assert _search(client, facility, medicaid_id).status_code == 200
    assert _search(client, facility, ids[0]).status_code == 200  # one already read does not count again
    r = _search(client, facility, ids[3])
    assert r.status_code == 429 and r.json()["rule"] == "member look-ups per hour"
    assert int(r.headers["Retry-After"]) > 0
    agent = token_for("agent")
    assert _search(client, agent, ids[3]).status_code == 200  # other roles are not limited by this rule
    monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + dt.timedelta(minutes=61))
    assert _search(client, facility, ids[3]).status_code == 200


def test_concurrent_wrong_passwords_all_count_and_lock_once(demo, engine):
    """20 wrong passwords at once (a scripted guesser): every failure is counted (no lost update of the count), the
    account is locked, with one lock record, and the right password is then refused."""
    if engine.dialect.name != "postgresql":
        pytest.skip("races are tested on PostgreSQL")
    import threading
    from concurrent.futures import ThreadPoolExecutor

    barrier = threading.Barrier(20, timeout=30)

    def guess(i: int) -> int:
        with demo() as uow:
            barrier.wait()
            try:
                auth.log_in(uow, "agent", f"wrong-{i}", f"10.0.0.{i}", via="api")
            except Exception as exc:  # noqa: BLE001 - the status is what is checked
                return getattr(exc, "status", 500)
            return 200

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(guess, range(20)))
    assert statuses == [401] * 20
    with demo() as uow:
        user = uow.users.by_username("agent")
        assert user.locked_at is not None and user.failed_logins >= 5
        locks = [e for e in uow.audit.recent(200) if e.entity == "account" and e.action == "lock"]
        assert len(locks) == 1
        with pytest.raises(Exception) as caught:
            auth.log_in(uow, "agent", RIGHT, "10.0.1.1", via="api")
        assert caught.value.status == 401
