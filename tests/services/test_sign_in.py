"""Sign-in with argon2id, lockout across desks, and account management by administrators."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.people import Actor, PermissionDenied, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.sign_in import (
    NOT_RECOGNISED,
    SESSION_LOCKED,
    UNLOCKED,
    SignInRefused,
    record_session_event,
    sign_in,
)
from supervisor_app.services.users import add_user, list_users, set_active, set_password, unlock
from supervisor_app.store.engine import make_engine, writer
from supervisor_app.store.models import AuditEvent, User

ADMIN = Actor.of("admin.one", [Role.ADMINISTRATOR], "desk-0")
PASSWORD = "river-lantern-42-copper"


@pytest.fixture
def accounts(engine: Engine) -> Engine:
    with Session(writer(engine)) as session:
        add_user(session, ADMIN, "aino.virtanen", "Aino Virtanen", ["supervisor", "operator"], PASSWORD)
    return engine


def _sign_in(engine: Engine, pack: OrganisationPack, password: str, desk: str = "desk-1",
             username: str = "aino.virtanen", **options: object) -> Actor:
    with Session(writer(engine)) as session:
        return sign_in(session, username, password, desk, timezone=pack.timezone, **options)  # type: ignore[arg-type]


def _events(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [(e.action, e.detail.get("reason", "")) for e in
                session.scalars(select(AuditEvent).order_by(AuditEvent.chain_seq))]


def test_the_right_password_signs_in_with_the_accounts_roles(accounts: Engine, pack: OrganisationPack) -> None:
    actor = _sign_in(accounts, pack, PASSWORD)
    assert (actor.username, actor.roles, actor.desk) == ("aino.virtanen", {Role.SUPERVISOR, Role.OPERATOR}, "desk-1")
    assert _events(accounts)[-1] == ("auth.signed_in", "")
    with Session(accounts) as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "aino.virtanen")).one()
    assert stored and stored.startswith("$argon2id$") and PASSWORD not in stored


def test_unknown_user_and_wrong_password_get_the_same_answer(accounts: Engine, pack: OrganisationPack) -> None:
    for username, password in (("nobody.here", PASSWORD), ("aino.virtanen", "not-the-password-1")):
        with pytest.raises(SignInRefused) as refused:
            _sign_in(accounts, pack, password, username=username)
        assert str(refused.value) == NOT_RECOGNISED
    assert _events(accounts)[-2:] == [("auth.failed", "unknown username"), ("auth.failed", "wrong password")]


def test_five_failures_lock_the_account_at_every_desk_until_the_period_ends(
    accounts: Engine, pack: OrganisationPack, db_url: str
) -> None:
    period = timedelta(seconds=1.5)
    other_desk = make_engine(db_url)  # a second desk, with its own connections
    for attempt in range(5):
        engine = accounts if attempt % 2 else other_desk  # alternating desks does not help
        with pytest.raises(SignInRefused):
            _sign_in(engine, pack, f"wrong-guess-{attempt}-xyz", desk=f"desk-{attempt % 2 + 1}",
                     lockout_period=period)
    for engine in (accounts, other_desk):  # locked everywhere, even with the right password
        with pytest.raises(SignInRefused, match="locked until"):
            _sign_in(engine, pack, PASSWORD)
    assert ("auth.locked", "") in _events(accounts)
    time.sleep(period.total_seconds() + 0.3)
    assert _sign_in(other_desk, pack, PASSWORD).username == "aino.virtanen"  # the period is over
    other_desk.dispose()


def test_an_administrator_unlocks_and_disables(accounts: Engine, pack: OrganisationPack) -> None:
    for attempt in range(5):
        with pytest.raises(SignInRefused):
            _sign_in(accounts, pack, f"wrong-guess-{attempt}-xyz")
    with Session(writer(accounts)) as session:
        unlock(session, ADMIN, "aino.virtanen")
    assert _sign_in(accounts, pack, PASSWORD).username == "aino.virtanen"
    with Session(writer(accounts)) as session:
        set_active(session, ADMIN, "aino.virtanen", False)
    with pytest.raises(SignInRefused, match="disabled"):
        _sign_in(accounts, pack, PASSWORD)
    with Session(writer(accounts)) as session:
        set_active(session, ADMIN, "aino.virtanen", True)
    with Session(writer(accounts)) as session:
        set_password(session, ADMIN, "aino.virtanen", "a-brand-new-passphrase-7")
    with pytest.raises(SignInRefused):
        _sign_in(accounts, pack, PASSWORD)
    assert _sign_in(accounts, pack, "a-brand-new-passphrase-7").username == "aino.virtanen"
    with Session(writer(accounts)) as session:
        (summary,) = [u for u in list_users(session, ADMIN) if u.username == "aino.virtanen"]
    assert summary.active and summary.has_password and summary.roles == ("operator", "supervisor")


@pytest.mark.parametrize(
    ("password", "expected"),
    [("short-1", "at least 12 characters"), ("aino.virtanen-2026!", "does not contain the username"),
     ("aaaaaaaaaaaaaaab", "more than a few different characters")],
)
def test_weak_passwords_are_refused_and_nothing_is_written(accounts: Engine, password: str, expected: str) -> None:
    with Session(accounts) as session:
        before = session.scalars(select(User.password_hash).where(User.username == "aino.virtanen")).one()
    with Session(writer(accounts)) as session, pytest.raises(InvalidValue, match=expected) as refused:
        set_password(session, ADMIN, "aino.virtanen", password)
    assert password not in str(refused.value)  # a password is never echoed
    with Session(accounts) as session:
        assert session.scalars(select(User.password_hash).where(User.username == "aino.virtanen")).one() == before


def test_only_administrators_manage_accounts(accounts: Engine) -> None:
    supervisor = Actor.of("sup.one", [Role.SUPERVISOR], "desk-1")
    with Session(writer(accounts)) as session, pytest.raises(PermissionDenied, match=r"user\.manage"):
        add_user(session, supervisor, "new.person", "New Person", ["operator"], PASSWORD)


def test_unlocking_and_locking_are_audited_and_failed_unlocks_count_to_the_lockout(
    accounts: Engine, pack: OrganisationPack
) -> None:
    actor = _sign_in(accounts, pack, PASSWORD)
    with Session(writer(accounts)) as session:
        record_session_event(session, actor, SESSION_LOCKED, reason="idle")
    for _ in range(4):
        with pytest.raises(SignInRefused):
            _sign_in(accounts, pack, "not my password at all", success_event=UNLOCKED)
    _sign_in(accounts, pack, PASSWORD, success_event=UNLOCKED)
    events = _events(accounts)
    assert events[-6:] == [("auth.session_locked", "idle")] + [("auth.failed", "wrong password")] * 4 + [
        ("auth.unlocked", "")
    ]
    for _ in range(5):
        with pytest.raises(SignInRefused):
            _sign_in(accounts, pack, "not my password at all", success_event=UNLOCKED)
    with pytest.raises(SignInRefused, match="locked until"):
        _sign_in(accounts, pack, PASSWORD, success_event=UNLOCKED)


def test_unknown_session_events_are_refused(accounts: Engine, pack: OrganisationPack) -> None:
    actor = _sign_in(accounts, pack, PASSWORD)
    with Session(writer(accounts)) as session, pytest.raises(ValueError, match="unknown session event"):
        record_session_event(session, actor, "auth.anything")
    with pytest.raises(ValueError, match="unknown sign-in event"):
        _sign_in(accounts, pack, PASSWORD, success_event="auth.whatever")
