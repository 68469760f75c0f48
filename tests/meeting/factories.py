"""A reviewed call with a ranking, a chair, HR, members (one of them conflicted), a meeting."""

from dataclasses import dataclass, field
from datetime import timedelta

from icm_recruit.auth.models import Role
from icm_recruit.board.models import BoardMember, Conflict, ConflictSource, ConflictStatus
from icm_recruit.core.timeutil import utcnow
from icm_recruit.extensions import db
from icm_recruit.meeting import operations as ops
from icm_recruit.selection.ranking import build_snapshot
from tests.selection.factories import quick_user, reviewed_application, selection_call


@dataclass
class MeetingWorld:
    call: object
    chair: object
    chair2: object
    hr: object
    member: object
    conflicted: object
    reviewers: list
    applications: list
    snapshot: object
    meeting: object = None
    extra: dict = field(default_factory=dict)

    @property
    def target(self):
        """The application the conflicted member is conflicted with."""
        return self.applications[0]

    def item_of(self, application):
        return next(i for i in self.meeting.items if i.application_id == application.id)


def _review(application, reviewer, call, score, feedback):
    from icm_recruit.assignment.models import Assignment, AssignmentStatus
    from icm_recruit.reviews.models import Recommendation, Review, ReviewScore, ReviewStatus

    assignment = Assignment(application_id=application.id, reviewer_id=reviewer.id,
                            status=AssignmentStatus.DONE, published_at=utcnow())
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Review(
        assignment_id=assignment.id, status=ReviewStatus.SUBMITTED,
        recommendation=Recommendation.DISCUSS, confidence=4, submitted_at=utcnow(),
        comments_to_board=f"Board note on {application.reference} by {reviewer.name}.",
        feedback_for_applicant=feedback,
        scores=[ReviewScore(criterion_id=c.id, scale_min=c.scale_min, scale_max=c.scale_max,
                            score=score) for c in call.criteria]))


def build(*, locale: str = "en", with_meeting: bool = True) -> MeetingWorld:
    call = selection_call("meeting-2027")
    chair = quick_user("chair@example.org", Role.CHAIR, Role.REVIEWER, name="Helen Chair",
                       locale=locale)
    chair2 = quick_user("cochair@example.org", Role.CHAIR, Role.REVIEWER, name="Otto Cochair",
                        locale=locale)
    hr = quick_user("hr@example.org", Role.ADMIN, name="Claire HR", locale=locale)
    member = quick_user("member@example.org", Role.REVIEWER, name="Maria Member",
                        locale=locale)
    conflicted = quick_user("conflicted@example.org", Role.REVIEWER, name="Carl Conflicted",
                            locale=locale)
    reviewers = [quick_user(f"rev{n}@example.org", Role.REVIEWER, name=name)
                 for n, name in enumerate(["Prof. Ada Quill", "Prof. Bruno Vance"])]
    for user in [chair, chair2, member, conflicted, *reviewers]:
        db.session.add(BoardMember(user_id=user.id))
    applications = [reviewed_application(call, f"cand{n}@example.org", name=name)
                    for n, name in enumerate(["Zoe Target", "Yann Second", "Xavier Third"])]
    for application, title in zip(applications, ["Hidden cortex maps", "Second project",
                                                  "Third project"], strict=True):
        application.title = title
    for index, application in enumerate(applications):
        for reviewer in reviewers:
            _review(application, reviewer, call, 5 - index,
                    f"Feedback {index} from {reviewer.name}: a clear project.")
    db.session.add(Conflict(reviewer_id=conflicted.id, application_id=applications[0].id,
                            source=ConflictSource.INSTITUTION, status=ConflictStatus.CONFIRMED,
                            reason="Same lab as Zoe Target, a secret reason"))
    db.session.commit()
    snapshot = build_snapshot(call, by=hr)
    db.session.commit()
    world = MeetingWorld(call, chair, chair2, hr, member, conflicted, reviewers, applications,
                         snapshot)
    if with_meeting:
        world.meeting = ops.create_meeting(
            call, snapshot=snapshot, starts_at=utcnow() + timedelta(hours=1), duration=120,
            location="Room 1", video_url="", by=chair,
            member_ids=[chair.id, chair2.id, member.id, conflicted.id])
        db.session.commit()
    return world


# What of the target application must never reach a member out of the room.
def secrets_of(world: MeetingWorld) -> list[str]:
    target = world.target
    return [target.reference, target.applicant.name, target.title,
            f"Board note on {target.reference}", "Feedback 0 from"]
