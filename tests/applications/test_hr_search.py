"""HR's search of a call's applications: the query language, tags, saved searches, CSV."""

import csv
import io

import pytest
from sqlalchemy import insert, select

from icm_recruit.applications.models import (
    Application,
    ApplicationStatus,
    ApplicationTag,
    SavedSearch,
)
from icm_recruit.applications.search import SearchError, Term, parse
from icm_recruit.assignment.models import Assignment, AssignmentStatus
from icm_recruit.auth.models import Role
from icm_recruit.core.audit import AuditEvent
from icm_recruit.extensions import db
from tests.applications.factories import make_application, make_call
from tests.applications.test_hr_list import _bulk, _count_queries
from tests.support import csrf_from, make_user

pytestmark = pytest.mark.services


@pytest.fixture
def hr(client, auth, ctx):
    user = make_user("hr@example.org", Role.ADMIN, name="Hélène RH")
    auth.login("hr@example.org")
    return user


@pytest.fixture
def world(hr):
    """Three applications of one call, one of them reviewed by Ann Smith."""
    call = make_call()
    amina = make_user("amina@example.org", Role.APPLICANT, name="Amina Diallo")
    lucas = make_user("lucas@example.org", Role.APPLICANT, name="Lucas Schmidt")
    sofia = make_user("sofia@uni.example", Role.APPLICANT, name="Sofia Rossi")
    ann = make_user("ann.smith@board.example", Role.REVIEWER, name="Ann Smith")
    apps = {
        "amina": make_application(call, amina, status=ApplicationStatus.UNDER_REVIEW,
                                  complete=True, title="Working memory in sleep"),
        "lucas": make_application(call, lucas, status=ApplicationStatus.SUBMITTED,
                                  complete=True, country="DE", keywords="vision, cortex",
                                  title="Cortical maps", institution="Max Planck"),
        "sofia": make_application(call, sofia, status=ApplicationStatus.SUBMITTED,
                                  complete=True, country="IT", keywords="memory, ageing",
                                  title="Memory and working dogs", institution="Sapienza"),
    }
    db.session.add(Assignment(application_id=apps["amina"].id, reviewer_id=ann.id,
                              status=AssignmentStatus.ACTIVE))
    db.session.commit()
    return call, apps


def _list(client, call, **params) -> str:
    response = client.get(f"/admin/calls/{call.id}/applications", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _names(page: str) -> set[str]:
    return {name for name in ("Amina Diallo", "Lucas Schmidt", "Sofia Rossi") if name in page}


def _tag(app_, tag: str, by) -> None:
    db.session.add(ApplicationTag(application_id=app_.id, tag=tag, created_by_id=by.id))
    db.session.commit()


def _post(client, page_url: str, url: str, data: dict, **kwargs):
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


@pytest.mark.parametrize("query,expected", [
    ("memory", {"Amina Diallo", "Sofia Rossi"}),
    ("diallo", {"Amina Diallo"}),
    ("sofia@uni", {"Sofia Rossi"}),
    ("planck", {"Lucas Schmidt"}),
    ('"working memory"', {"Amina Diallo"}),
    ("working memory", {"Amina Diallo", "Sofia Rossi"}),
    ("status:under_review", {"Amina Diallo"}),
    ("status:submitted -country:de", {"Sofia Rossi"}),
    ("country:FR", {"Amina Diallo"}),
    ("kw:cortex", {"Lucas Schmidt"}),
    ("keyword:ageing", {"Sofia Rossi"}),
    ('reviewer:"Ann Smith"', {"Amina Diallo"}),
    ("reviewer:ann.smith@board.example", {"Amina Diallo"}),
    ("-reviewer:smith", {"Lucas Schmidt", "Sofia Rossi"}),
    ("-memory", {"Lucas Schmidt"}),
])
def test_each_kind_of_term_filters_the_list(client, world, query, expected):
    call, _apps = world
    assert _names(_list(client, call, q=query)) == expected


def test_tag_terms_negation_and_the_tag_select(client, hr, world):
    call, apps = world
    _tag(apps["amina"], "strong", hr)
    _tag(apps["lucas"], "check eligibility", hr)
    assert _names(_list(client, call, q="tag:strong")) == {"Amina Diallo"}
    assert _names(_list(client, call, q="TAG:Strong")) == {"Amina Diallo"}
    assert _names(_list(client, call, q="-tag:strong")) == {"Lucas Schmidt", "Sofia Rossi"}
    assert _names(_list(client, call, q='tag:"check eligibility"')) == {"Lucas Schmidt"}
    page = _list(client, call, tag="check eligibility")
    assert _names(page) == {"Lucas Schmidt"}
    assert '<option value="strong"' in page and '<option value="check eligibility"' in page


def test_selects_combine_with_the_query(client, world):
    call, _apps = world
    assert _names(_list(client, call, status="submitted", q="memory")) == {"Sofia Rossi"}
    assert _names(_list(client, call, country="DE", q="memory")) == set()


def test_the_stage_filter_and_its_links_on_a_call_in_stages(client, hr, world):
    from icm_recruit.calls.models import CallStage

    call, apps = world
    assert "stage:1" not in _list(client, call)  # a call of one stage has no stage links
    for position, name in ((1, "Synopsis"), (2, "Full proposal")):
        db.session.add(CallStage(call_id=call.id, position=position, name_en=name,
                                 name_fr=name))
    apps["amina"].stage = 2
    db.session.commit()
    page = _list(client, call)
    assert "applications?q=stage:2" in page and "2. Full proposal" in page
    assert "Stage</th>" in page
    assert _names(_list(client, call, q="stage:2")) == {"Amina Diallo"}
    assert _names(_list(client, call, q="-stage:2 memory")) == {"Sofia Rossi"}


def test_sorting_is_done_by_the_database(client, world):
    call, _apps = world
    page = _list(client, call, sort="name")
    assert page.index("Amina Diallo") < page.index("Lucas Schmidt") < page.index("Sofia Rossi")
    page = _list(client, call, sort="-name")
    assert page.index("Sofia Rossi") < page.index("Lucas Schmidt") < page.index("Amina Diallo")
    assert _list(client, call, sort="nonsense; drop table")  # ignored, newest first


@pytest.mark.parametrize("query,message", [
    ("colour:blue", "Unknown filter “colour:”"),
    ('"unclosed phrase', "A quotation mark is not closed."),
    ("status:sleeping", "Unknown status “sleeping”"),
    ("country:France", "two-letter code"),
    ("tag:", "Give a value after “tag:”"),
    ("stage:two", "A stage is its number, such as stage:2."),
])
def test_an_invalid_query_says_why_keeps_the_query_and_lists_unfiltered(client, world,
                                                                         query, message):
    call, _apps = world
    page = _list(client, call, q=query)
    assert message in page
    assert "The search was not applied." in page
    assert 'value="' + query.replace('"', "&#34;") + '"' in page
    assert _names(page) == {"Amina Diallo", "Lucas Schmidt", "Sofia Rossi"}


def test_parse_splits_terms():
    assert parse('-tag:"to check"  Memory kw:x') == [
        Term("tag", "to check", True), Term(None, "Memory"), Term("kw", "x")]
    with pytest.raises(SearchError):
        parse("x " * 200)


def test_tags_on_the_application_page_are_normalised_audited_and_removable(client, hr, world):
    _call, apps = world
    page_url = f"/admin/applications/{apps['amina'].id}"
    response = _post(client, page_url, page_url + "/tags", {"tag": "  Check   Eligibility "},
                     follow_redirects=True)
    assert "check eligibility" in response.get_data(as_text=True)
    _post(client, page_url, page_url + "/tags", {"tag": "check eligibility"})  # again: one row
    rows = db.session.scalars(select(ApplicationTag.tag)
                              .where(ApplicationTag.application_id == apps["amina"].id)).all()
    assert rows == ["check eligibility"]
    too_long = _post(client, page_url, page_url + "/tags", {"tag": "x" * 41})
    assert too_long.status_code == 422
    assert "40 characters at most" in too_long.get_data(as_text=True)
    assert 'value="' + "x" * 41 + '"' in too_long.get_data(as_text=True)
    _post(client, page_url, page_url + "/tags/remove", {"tag": "check eligibility"})
    assert db.session.scalar(select(ApplicationTag.id)) is None
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "application",
        AuditEvent.object_id == str(apps["amina"].id),
        AuditEvent.action.like("application.%tagged"))).all()
    assert actions == ["application.tagged", "application.untagged"]


def test_bulk_tagging_of_the_ticked_rows_returns_to_the_same_search(client, hr, world):
    call, apps = world
    list_url = f"/admin/calls/{call.id}/applications?q=memory"
    chosen = [str(apps["amina"].id), str(apps["sofia"].id)]
    response = _post(client, list_url, f"/admin/calls/{call.id}/applications/tags",
                     {"tag": "Strong", "action": "add", "application_id": chosen, "q": "memory"})
    assert response.status_code == 302 and "q=memory" in response.headers["Location"]
    assert _names(_list(client, call, q="tag:strong")) == {"Amina Diallo", "Sofia Rossi"}
    _post(client, list_url, f"/admin/calls/{call.id}/applications/tags",
          {"tag": "strong", "action": "remove", "application_id": chosen[:1]})
    assert _names(_list(client, call, q="tag:strong")) == {"Sofia Rossi"}
    nothing = _post(client, list_url, f"/admin/calls/{call.id}/applications/tags",
                    {"tag": "strong", "action": "add"})
    assert nothing.status_code == 422
    assert "Select at least one application" in nothing.get_data(as_text=True)


def test_saved_searches_are_per_user_listed_as_links_and_deletable(client, auth, hr, world):
    call, _apps = world
    list_url = f"/admin/calls/{call.id}/applications"
    response = _post(client, list_url, f"/admin/calls/{call.id}/searches",
                     {"name": "German vision", "q": "kw:vision", "country": "DE"})
    assert response.status_code == 302
    page = _list(client, call)
    assert "German vision" in page and ("q=kw:vision" in page or "q=kw%3Avision" in page)
    saved = db.session.scalar(select(SavedSearch))
    assert saved.params == {"q": "kw:vision", "country": "DE"}
    assert _names(_list(client, call, **saved.params)) == {"Lucas Schmidt"}
    unnamed = _post(client, list_url, f"/admin/calls/{call.id}/searches", {"q": "memory"})
    assert unnamed.status_code == 422 and "Give the search a name." in unnamed.get_data(True)

    make_user("hr2@example.org", Role.ADMIN)
    auth.logout()
    auth.login("hr2@example.org")
    assert "German vision" not in _list(client, call)
    theirs = _post(client, list_url, f"/admin/calls/{call.id}/searches/delete",
                   {"search_id": saved.id})
    assert theirs.status_code == 404
    auth.logout()
    auth.login("hr@example.org")
    _post(client, list_url, f"/admin/calls/{call.id}/searches/delete", {"search_id": saved.id})
    assert db.session.scalar(select(SavedSearch)) is None


def test_csv_follows_the_search(client, hr, world):
    call, apps = world
    _tag(apps["sofia"], "strong", hr)
    response = client.get(f"/admin/calls/{call.id}/applications.csv",
                          query_string={"q": "memory tag:strong"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[3] for row in rows[1:]] == ["Sofia Rossi"]
    invalid = client.get(f"/admin/calls/{call.id}/applications.csv", query_string={"q": '"x'})
    assert invalid.status_code == 302 and "/applications?" in invalid.headers["Location"]


def test_list_queries_do_not_grow_with_tags_and_a_search(client, hr):
    call = make_call()
    url = f"/admin/calls/{call.id}/applications?q=bulk+-tag:weak+kw:memory&tag=strong"

    def tag_all():
        ids = db.session.scalars(select(Application.id).where(
            Application.call_id == call.id, ~Application.id.in_(
                select(ApplicationTag.application_id)))).all()
        db.session.execute(insert(ApplicationTag), [
            {"application_id": i, "tag": "strong", "created_by_id": hr.id} for i in ids])
        db.session.commit()

    _bulk(call, 40)
    tag_all()
    small = _count_queries(client, url)
    _bulk(call, 2000, offset=40)
    tag_all()
    large = _count_queries(client, url)
    assert small == large, (small, large)
    plain = _count_queries(client, f"/admin/calls/{call.id}/applications")
    assert plain == small


def test_hr_who_applied_neither_sees_nor_sets_tags_on_their_own_application(client, auth,
                                                                             hr, world):
    call, apps = world
    hr_applicant = make_user("hr.applicant@example.org", Role.ADMIN, Role.APPLICANT,
                             name="Hugo Candidat")
    own = make_application(call, hr_applicant, status=ApplicationStatus.SUBMITTED,
                           complete=True)
    _tag(own, "weak", hr)
    _tag(apps["amina"], "weak", hr)
    auth.logout()
    auth.login(hr_applicant)
    page = _list(client, call)
    assert own.reference in page and "Your own application" in page
    assert page.count('me-1">weak<') == 1  # Amina's tag only
    assert f'value="{own.id}"' not in page  # no checkbox on one's own row
    assert own.reference not in _list(client, call, q="tag:weak")
    assert own.reference not in _list(client, call, tag="weak")
    assert own.reference in _list(client, call, q="-tag:weak")
    list_url = f"/admin/calls/{call.id}/applications"
    refused = _post(client, list_url, f"/admin/applications/{own.id}/tags", {"tag": "x"})
    assert refused.status_code == 403
    bulk = _post(client, list_url, f"/admin/calls/{call.id}/applications/tags",
                 {"tag": "x", "action": "add", "application_id": [own.id, apps["amina"].id]})
    assert bulk.status_code == 403
    assert db.session.scalar(select(ApplicationTag.id).where(ApplicationTag.tag == "x")) is None


def test_applicants_never_see_tags(client, auth, hr, world):
    _call, apps = world
    _tag(apps["amina"], "secret-label", hr)
    auth.logout()
    auth.login("amina@example.org")
    page = client.get(f"/applications/{apps['amina'].id}/status").get_data(as_text=True)
    assert "secret-label" not in page


def test_search_messages_and_tag_forms_in_french(client, auth, world):
    call, apps = world
    make_user("rh@example.org", Role.ADMIN, locale="fr")
    auth.logout()
    auth.login("rh@example.org")
    page = _list(client, call, q="couleur:bleu")
    assert "Filtre inconnu" in page and "La recherche n’a pas été appliquée." in page
    assert "Enregistrer cette recherche" in page
    assert "Ajouter l’étiquette à la sélection" in page
    show = client.get(f"/admin/applications/{apps['amina'].id}").get_data(as_text=True)
    assert "Étiquettes" in show


def _ranking(call, flagged: list) -> None:
    from icm_recruit.selection.models import RankingRow, RankingSnapshot

    snapshot = RankingSnapshot(call_id=call.id, method="mean", disagreement_threshold=3.0)
    db.session.add(snapshot)
    db.session.flush()
    for rank, (application, disagreement) in enumerate(flagged, start=1):
        db.session.add(RankingRow(
            snapshot_id=snapshot.id, application_id=application.id, n_reviews=2, mean=5.0,
            median=5.0, std=2.0, score_range=4.0 if disagreement else 1.0, calibrated=5.0,
            raw_rank=rank, calibrated_rank=rank, disagreement=disagreement))
    db.session.commit()


def test_flag_filter_reads_the_latest_ranking_of_the_call(client, world):
    call, apps = world
    _ranking(call, [(apps["lucas"], True), (apps["amina"], False)])
    _ranking(call, [(apps["amina"], True), (apps["lucas"], False)])
    assert _names(_list(client, call, q="flag:disagreement")) == {"Amina Diallo"}
    assert _names(_list(client, call, q="-flag:disagreement")) == {"Lucas Schmidt",
                                                                   "Sofia Rossi"}
    page = _list(client, call, q="flag:sleepy")
    assert "Unknown flag “sleepy”" in page and _names(page) == {
        "Amina Diallo", "Lucas Schmidt", "Sofia Rossi"}
