"""The selection's filter of HR's application search: `flag:disagreement`.

An application is flagged when its row in the call's latest ranking shows the reviewers
disagreeing (their scores spread past the ranking's threshold).
"""

from sqlalchemy import exists, func, select

from icm_recruit.applications.models import Application
from icm_recruit.applications.search import SearchError, register_field
from icm_recruit.core.i18n import lazy_gettext as _l
from icm_recruit.selection.models import RankingRow, RankingSnapshot

FLAGS = ("disagreement",)


def flagged(value: str):
    """The application carries the flag in the latest ranking of its call."""
    if value.lower() not in FLAGS:
        raise SearchError(_l("Unknown flag “%(value)s”. Flags: %(known)s.", value=value,
                             known=", ".join(FLAGS)))
    latest = (select(func.max(RankingSnapshot.id))
              .where(RankingSnapshot.call_id == Application.call_id).scalar_subquery())
    return exists(select(RankingRow.id).where(
        RankingRow.application_id == Application.id, RankingRow.snapshot_id == latest,
        RankingRow.disagreement))


register_field("flag", flagged, private=True)
