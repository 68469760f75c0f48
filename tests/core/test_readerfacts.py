"""The reader's query: the request's first statement, sent outside any transaction, with
the facts the policies ask about the reader."""

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import literal, select

from icm_recruit.auth.models import Role
from icm_recruit.core import readerfacts
from icm_recruit.extensions import db
from tests.support import make_user

pytestmark = pytest.mark.services


def _raw():
    return db.session.connection().connection.driver_connection


def test_the_first_read_opens_no_transaction_and_a_later_one_joins_it(app, committed_db):
    with app.test_request_context():
        raw = _raw()
        assert raw.info.transaction_status == TransactionStatus.IDLE
        assert readerfacts.read_before_transaction(
            select(literal(1) + literal(2))).scalar() == 3
        # Nothing to end: no BEGIN was sent, and the session goes on as before.
        assert raw.info.transaction_status == TransactionStatus.IDLE
        assert raw.autocommit is False
        db.session.execute(select(literal(4)))
        assert raw.info.transaction_status == TransactionStatus.INTRANS
        # Once a transaction is under way, a read is part of it.
        assert readerfacts.read_before_transaction(
            select(literal(5), literal(6))).one() == (5, 6)
        assert raw.info.transaction_status == TransactionStatus.INTRANS
        assert raw.autocommit is False
        db.session.rollback()
        assert raw.info.transaction_status == TransactionStatus.IDLE


def test_a_failed_first_read_leaves_the_session_usable(app, committed_db):
    with app.test_request_context():
        raw = _raw()
        with pytest.raises(Exception, match="division by zero"):
            readerfacts.read_before_transaction(select(literal(1) / literal(0)))
        db.session.rollback()
        assert raw.autocommit is False
        assert db.session.execute(select(literal(7))).scalar() == 7
        db.session.rollback()


def test_the_facts_are_read_with_the_reader_on_each_request(app, committed_db):
    from tests.applications.factories import make_application, make_call

    def load(user_id: int):
        with app.test_request_context():
            user = app.login_manager._user_callback(session_id)
            return user.id, readerfacts.get("applied")

    with app.app_context():
        user = make_user("hr.facts@example.org", Role.ADMIN, Role.APPLICANT,
                         name="Fay Facts")
        db.session.commit()
        user_id, session_id = user.id, user.get_id()
    assert load(user_id) == (user_id, False)
    with app.app_context():
        make_application(make_call("facts-call"), db.session.get(type(user), user_id))
        db.session.commit()
    assert load(user_id) == (user_id, True)
