"""State changes of the board: members, availability, conflicts of interest and bids.

Every function takes the acting user, audits, and flushes; the caller commits once.
"""

from collections.abc import Callable

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from icm_recruit.applications import rules as application_rules
from icm_recruit.applications.models import Application, ApplicationStatus
from icm_recruit.applications.publications import publications_by_user, publications_of
from icm_recruit.applications.rules import OWN_APPLICATION_MESSAGE
from icm_recruit.auth.models import Role, User
from icm_recruit.auth.operations import invite_user
from icm_recruit.board import rules, signals
from icm_recruit.board.conflict_reasons import describe
from icm_recruit.board.conflicts import (
    Affiliation,
    ApplicantProfile,
    ConflictCode,
    ConflictFinding,
    ConflictIndex,
    MemberProfile,
    Paper,
    Referee,
)
from icm_recruit.board.institutions import current_registry
from icm_recruit.board.models import (
    Bid,
    BidLevel,
    BoardMember,
    Conflict,
    ConflictDeclaration,
    ConflictSource,
    ConflictStatus,
    MemberCallSetting,
)
from icm_recruit.calls.models import Call
from icm_recruit.core import audit, locks
from icm_recruit.core.errors import DomainError
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db

PROFILE_FIELDS = ("affiliation", "past_affiliations", "country", "expertise_keywords",
                  "expertise_statement", "coauthors", "default_max_load", "digest")
# Sources detection writes; declared and manual conflicts come from people.
DETECTED_SOURCES = frozenset(c.value for c in ConflictCode) - {"declared", "manual"}
DEMO_MAIL_DOMAIN = "demo.icm-recruit.org"
MEMBER_UNIQUE = "uq_board_member_user_id"


class BoardError(DomainError):
    """A problem the user can understand; `code` says which."""

    messages = {
        "forbidden": _l("You cannot do this."),
        "own_application": OWN_APPLICATION_MESSAGE,
        "not_member": _l("Only board members have a board profile."),
        "reason_needed": _l("Give a reason."),
    }


# ---------------------------------------------------------------- members


def member_of(user: User) -> BoardMember | None:
    return db.session.scalar(select(BoardMember).where(BoardMember.user_id == user.id))


def _one_at_a_time(user_id: int) -> None:
    """Lock the member's board profile: their board rows (settings, answers, bids,
    conflicts) are looked up, then written, by one request at a time."""
    db.session.execute(select(BoardMember.id).where(BoardMember.user_id == user_id)
                       .with_for_update(key_share=True))


def _new_member(user: User) -> BoardMember | None:
    """Create the user's empty board profile; None if another request made it just now."""
    member = BoardMember(user_id=user.id, past_affiliations=[])
    return member if locks.inserted(member, constraint=MEMBER_UNIQUE) else None


def ensure_member(user: User) -> BoardMember:
    """Return the user's board profile, creating an empty one for a reviewer or chair."""
    member = member_of(user)
    if member is None:
        if not user.has_role(Role.REVIEWER, Role.CHAIR):
            raise BoardError("not_member")
        member = _new_member(user)
        if member is None:
            return member_of(user)
        audit.record("board.member_created", actor=user, obj=member, user_id=user.id)
    return member


def invite_member(*, email: str, name: str, locale: str, by: User) -> BoardMember:
    """Invite someone to the board: a reviewer account, a set-password link, a profile."""
    user = invite_user(email=email, name=name, roles={Role.REVIEWER}, locale=locale, by=by)
    member = member_of(user) or _new_member(user) or member_of(user)
    if not member.active:
        member.active, member.deactivated_at = True, None
    db.session.flush()
    audit.record("board.member_invited", actor=by, obj=member, user_id=user.id)
    return member


def update_profile(member: BoardMember, data: dict, *, by: User) -> None:
    if by.id != member.user_id:
        raise BoardError("forbidden")
    changed = []
    for name in PROFILE_FIELDS:
        if name in data and getattr(member, name) != data[name]:
            setattr(member, name, data[name])
            changed.append(name)
    db.session.flush()
    audit.record("board.profile_updated", actor=by, obj=member, fields=changed)


def set_call_setting(member: BoardMember, call: Call, *, available: bool, max_load: int,
                     by: User) -> MemberCallSetting:
    if by.id != member.user_id and not by.has_role(Role.ADMIN):
        raise BoardError("forbidden")
    _one_at_a_time(member.user_id)
    setting = db.session.scalar(select(MemberCallSetting).where(
        MemberCallSetting.board_member_id == member.id, MemberCallSetting.call_id == call.id))
    if setting is None:
        setting = MemberCallSetting(board_member_id=member.id, call_id=call.id)
        db.session.add(setting)
    setting.available, setting.max_load = available, max_load
    db.session.flush()
    audit.record("board.availability_set", actor=by, obj=member, call_id=call.id,
                 available=available, max_load=max_load)
    return setting


def set_member_active(member: BoardMember, active: bool, *, by: User) -> None:
    """Deactivate (history stays, no new assignments) or reactivate a member."""
    if not by.has_role(Role.ADMIN):
        raise BoardError("forbidden")
    if member.active == active:
        return
    member.active = active
    member.deactivated_at = None if active else utcnow()
    db.session.flush()
    if not active:
        signals.member_deactivated.send(None, user_id=member.user_id, by=by)
    audit.record("board.member_activated" if active else "board.member_deactivated",
                 actor=by, obj=member, user_id=member.user_id)


# ---------------------------------------------------------------- detection


def _papers(rows) -> tuple[Paper, ...]:
    return tuple(Paper(row.title, row.year, tuple(row.authors or ())) for row in rows or ())


def member_profile(member: BoardMember, publications=None) -> MemberProfile:
    """What detection knows of a member; ``publications``: their imported list, if read."""
    past = tuple(Affiliation(p.get("name", ""), p.get("end_year"))
                 for p in member.past_affiliations or [] if p.get("name"))
    if publications is None:
        publications = publications_of(member.user_id)
    return MemberProfile(
        user_id=member.user_id, name=member.user.name, email=member.user.email,
        affiliation=member.affiliation, past_affiliations=past,
        coauthors=tuple(line.strip() for line in member.coauthors.splitlines() if line.strip()),
        papers=_papers(publications))


def applicant_profile(application: Application, publications=None) -> ApplicantProfile:
    """What detection knows of an applicant; ``publications``: their imported list."""
    if publications is None:
        publications = publications_of(application.applicant_id)
    return ApplicantProfile(
        user_id=application.applicant_id, name=application.applicant.name,
        email=application.applicant.email, institution=application.institution,
        publications=application.publications or "", papers=_papers(publications),
        referees=tuple(Referee(r.name, r.email) for r in application.active_referees()),
        excluded_names=tuple(n for n in application.excluded_reviewers or [] if n))


def active_members() -> list[BoardMember]:
    return list(db.session.scalars(
        select(BoardMember).join(BoardMember.user)
        .where(BoardMember.active, User.active)
        .options(selectinload(BoardMember.user))))


def _call_applications(call: Call) -> list[Application]:
    return list(db.session.scalars(
        select(Application)
        .where(Application.call_id == call.id,
               Application.status.in_(ApplicationStatus.seen_by_board))
        .options(selectinload(Application.applicant),
                 selectinload(Application.referee_requests))
        .order_by(Application.id)))


def _ignored_mail_domains() -> set[str]:
    """Domains shared by unrelated people: configured ones, and the demo's made-up one."""
    domains = set(current_app.config.get("CONFLICT_IGNORED_MAIL_DOMAINS", ()))
    if current_app.config.get("DEMO"):
        domains.add(DEMO_MAIL_DOMAIN)
    return domains


def _ignored(domain: str | None, ignored: set[str]) -> bool:
    """Tell whether a finding rests on an ignored domain (or a domain above or below it)."""
    return bool(domain) and any(domain == d or domain.endswith(f".{d}") or d.endswith(
        f".{domain}") for d in ignored)


def _findings_by_key(call: Call, members, applications, progress) -> dict:
    """Return {(member user id, application id, source): [findings]} for a call."""
    papers = publications_by_user([m.user_id for m in members]
                                  + [a.applicant_id for a in applications])
    index = ConflictIndex([member_profile(m, papers.get(m.user_id, [])) for m in members],
                          reference_year=call.reference_year, registry=current_registry())
    ignored = _ignored_mail_domains()
    found: dict[tuple[int, int, str], list[ConflictFinding]] = {}
    for position, application in enumerate(applications, start=1):
        applicant = applicant_profile(application, papers.get(application.applicant_id, []))
        for finding in index.conflicts_for(applicant):
            if _ignored(finding.params.get("domain"), ignored):
                continue
            found.setdefault((finding.member_id, application.id, finding.source),
                             []).append(finding)
        if progress and position % 25 == 0:
            progress(int(80 * position / len(applications)))
    return found


def detect_call_conflicts(call: Call, *, by: User | None = None,
                          progress: Callable[[int], None] | None = None) -> dict:
    """Upsert suggested conflicts for a call; dismissed ones stay dismissed."""
    members, applications = active_members(), _call_applications(call)
    found = _findings_by_key(call, members, applications, progress)
    existing = {(c.reviewer_id, c.application_id, c.source.value): c for c in db.session.scalars(
        select(Conflict).join(Application, Application.id == Conflict.application_id)
        .where(Application.call_id == call.id,
               Conflict.source.in_(sorted(DETECTED_SOURCES))))}
    counts = {"new": 0, "kept_dismissed": 0, "updated": 0, "removed": 0}
    blocked, removed = [], []
    for key, findings in found.items():
        reason = " ".join(describe(f, "en") for f in findings)
        params = {"findings": [dict(f.params) for f in findings]}
        conflict = existing.get(key)
        if conflict is None:
            db.session.add(Conflict(reviewer_id=key[0], application_id=key[1],
                                    source=ConflictSource(key[2]), reason=reason, params=params,
                                    status=ConflictStatus.SUGGESTED))
            counts["new"] += 1
            blocked.append(key[:2])
        elif conflict.status == ConflictStatus.DISMISSED:
            counts["kept_dismissed"] += 1
        elif conflict.params != params:
            conflict.reason, conflict.params = reason, params
            counts["updated"] += 1
    for key, conflict in existing.items():
        if key not in found and conflict.status == ConflictStatus.SUGGESTED:
            db.session.delete(conflict)
            counts["removed"] += 1
            removed.append(key[:2])
    db.session.flush()
    _announce(blocked=blocked, maybe_lifted=removed, by=by)
    audit.record("conflicts.detected", actor=by, obj=call, members=len(members),
                 applications=len(applications), **counts)
    return counts


def conflict_reason(conflict: Conflict, locale: str) -> str:
    """Return a conflict's reason in the reader's language."""
    source = conflict.source.value
    findings = (conflict.params or {}).get("findings")
    if source in DETECTED_SOURCES and findings:
        return " ".join(describe(ConflictFinding(ConflictCode(source), conflict.reviewer_id, 0,
                                                 params), locale) for params in findings)
    if source == "declared":
        text = describe(ConflictFinding(ConflictCode.DECLARED, conflict.reviewer_id, 0), locale)
        return f"{text} {conflict.reason}".strip()
    if source == "manual":
        return describe(ConflictFinding(ConflictCode.MANUAL, conflict.reviewer_id, 0,
                                        {"reason": conflict.reason}), locale)
    return conflict.reason


# ---------------------------------------------------------------- members declare and bid


def _require_on_title_list(user: User, application: Application) -> None:
    if not rules.can_declare(user, application):
        raise BoardError("forbidden")


def declare(user: User, application: Application, *, has_conflict: bool,
            reason: str = "") -> ConflictDeclaration:
    """Record a member's own answer; a declared conflict blocks at once (confirmed)."""
    _require_on_title_list(user, application)
    _one_at_a_time(user.id)
    reason = reason.strip()[:1000]
    declaration = db.session.scalar(select(ConflictDeclaration).where(
        ConflictDeclaration.reviewer_id == user.id,
        ConflictDeclaration.application_id == application.id))
    if declaration is None:
        declaration = ConflictDeclaration(reviewer_id=user.id, application_id=application.id,
                                          has_conflict=has_conflict)
        db.session.add(declaration)
    declaration.has_conflict, declaration.reason = has_conflict, reason
    declaration.declared_at = utcnow()
    conflict = _conflict(user.id, application.id, ConflictSource.DECLARED)
    if has_conflict:
        conflict = conflict or _new_conflict(user.id, application.id, ConflictSource.DECLARED,
                                             created_by=user)
        conflict.reason = reason
        _decide(conflict, ConflictStatus.CONFIRMED, user, reason)
    elif conflict is not None and conflict.status != ConflictStatus.DISMISSED:
        _decide(conflict, ConflictStatus.DISMISSED, user, "withdrawn by the member")
    db.session.flush()
    audit.record("conflict.declared", actor=user, obj=application, has_conflict=has_conflict,
                 reason=reason)
    pair = [(user.id, application.id)]
    _announce(blocked=pair if has_conflict else [], maybe_lifted=[] if has_conflict else pair,
              by=user)
    return declaration


def set_bid(user: User, application: Application, level: BidLevel | None) -> None:
    _require_on_title_list(user, application)
    _one_at_a_time(user.id)
    bid = db.session.scalar(select(Bid).where(Bid.reviewer_id == user.id,
                                              Bid.application_id == application.id))
    if level is None:
        if bid is not None:
            db.session.delete(bid)
    elif bid is None:
        db.session.add(Bid(reviewer_id=user.id, application_id=application.id, level=level))
    else:
        bid.level = level
    db.session.flush()
    audit.record("bid.set", actor=user, obj=application, level=level.value if level else None)


# ---------------------------------------------------------------- HR decides


def _require_hr_on(by: User, application: Application) -> None:
    if application_rules.is_applicant(by, application):
        raise BoardError("own_application")
    if not application_rules.can_act_as_hr_on(by, application):
        raise BoardError("forbidden")


def _announce(*, blocked, maybe_lifted, by: User | None) -> None:
    """Tell the features above which pairs are now blocked, and which are free again.

    A pair is free again only when no other blocking conflict joins it; the listeners end
    (or restore) assignments, panel seats and whatever else hangs on the pair.
    """
    lifted = [pair for pair in maybe_lifted
              if not db.session.scalar(select(rules.pair_conflicted(*pair)))]
    if blocked or lifted:
        signals.conflicts_changed.send(None, blocked=list(blocked), lifted=lifted, by=by)


def _conflict(reviewer_id: int, application_id: int, source: ConflictSource) -> Conflict | None:
    return db.session.scalar(select(Conflict).where(
        Conflict.reviewer_id == reviewer_id, Conflict.application_id == application_id,
        Conflict.source == source))


def _new_conflict(reviewer_id, application_id, source, *, created_by) -> Conflict:
    conflict = Conflict(reviewer_id=reviewer_id, application_id=application_id, source=source,
                        created_by_id=created_by.id, params={})
    db.session.add(conflict)
    return conflict


def _decide(conflict: Conflict, status: ConflictStatus, by: User, reason: str) -> None:
    conflict.status = status
    conflict.decided_by_id, conflict.decided_at = by.id, utcnow()
    conflict.decision_reason = reason


def decide_conflict(conflict: Conflict, *, confirm: bool, reason: str, by: User) -> None:
    """HR confirms or dismisses a conflict, with a reason."""
    _require_hr_on(by, db.session.get(Application, conflict.application_id))
    if not reason.strip():
        raise BoardError("reason_needed")
    before = conflict.status
    _decide(conflict, ConflictStatus.CONFIRMED if confirm else ConflictStatus.DISMISSED, by,
            reason.strip()[:2000])
    db.session.flush()
    audit.record("conflict.confirmed" if confirm else "conflict.dismissed", actor=by,
                 obj=conflict, reviewer_id=conflict.reviewer_id,
                 application_id=conflict.application_id, source=conflict.source.value,
                 before=before.value, reason=conflict.decision_reason)
    pair = [(conflict.reviewer_id, conflict.application_id)]
    _announce(blocked=pair if confirm else [], maybe_lifted=[] if confirm else pair, by=by)


def add_manual_conflict(*, reviewer: User, application: Application, reason: str,
                        by: User) -> Conflict:
    _require_hr_on(by, application)
    if not reason.strip():
        raise BoardError("reason_needed")
    _one_at_a_time(reviewer.id)
    conflict = _conflict(reviewer.id, application.id, ConflictSource.MANUAL) or _new_conflict(
        reviewer.id, application.id, ConflictSource.MANUAL, created_by=by)
    conflict.reason = reason.strip()[:2000]
    _decide(conflict, ConflictStatus.CONFIRMED, by, conflict.reason)
    db.session.flush()
    audit.record("conflict.added", actor=by, obj=conflict, reviewer_id=reviewer.id,
                 application_id=application.id, reason=conflict.reason)
    _announce(blocked=[(reviewer.id, application.id)], maybe_lifted=[], by=by)
    return conflict


def decide_conflicts(conflicts: list[Conflict], *, confirm: bool, reason: str,
                     by: User) -> tuple[list[Conflict], list[Conflict]]:
    """HR confirms or dismisses many conflicts with one reason, announcing all pairs once.

    Returns (decided, skipped): a conflict on HR's own application is skipped, as is one
    already in the requested status.
    """
    reason = reason.strip()[:2000]
    if not reason:
        raise BoardError("reason_needed")
    status = ConflictStatus.CONFIRMED if confirm else ConflictStatus.DISMISSED
    applications = {a.id: a for a in db.session.scalars(select(Application).where(
        Application.id.in_({c.application_id for c in conflicts})))}
    decided, skipped = [], []
    for conflict in conflicts:
        application = applications[conflict.application_id]
        if not application_rules.can_act_as_hr_on(by, application) or conflict.status == status:
            skipped.append(conflict)
            continue
        before = conflict.status
        _decide(conflict, status, by, reason)
        audit.record("conflict.confirmed" if confirm else "conflict.dismissed", actor=by,
                     obj=conflict, reviewer_id=conflict.reviewer_id,
                     application_id=conflict.application_id, source=conflict.source.value,
                     before=before.value, reason=reason, bulk=True)
        decided.append(conflict)
    db.session.flush()
    pairs = list(dict.fromkeys((c.reviewer_id, c.application_id) for c in decided))
    _announce(blocked=pairs if confirm else [], maybe_lifted=[] if confirm else pairs, by=by)
    return decided, skipped
