"""Pages of an in-memory list or of a select, with the interface of Flask-SQLAlchemy's
pagination."""

from math import ceil


class ListPage:
    def __init__(self, items: list, page: int | None, per_page: int):
        self.total = len(items)
        self.per_page = per_page
        self.pages = max(1, ceil(self.total / per_page))
        self.page = min(max(page or 1, 1), self.pages)
        start = (self.page - 1) * per_page
        self.items = items[start:start + per_page]

    def iter_pages(self, edge: int = 2, around: int = 2):
        """Yield page numbers, with None where a run of pages is skipped."""
        last = 0
        for number in range(1, self.pages + 1):
            if (number <= edge or number > self.pages - edge
                    or abs(number - self.page) <= around):
                if last and number - last > 1:
                    yield None
                yield number
                last = number


class QueryPage(ListPage):
    """One page of a select, counted and cut in SQL (the page number clamped as ListPage
    does); `items` holds the page's rows only: entities, or with `rows=True` the selected
    columns as rows. `total` may be given when the caller has already counted."""

    def __init__(self, stmt, page: int | None, per_page: int, *, rows: bool = False,
                 total: int | None = None):
        from sqlalchemy import func, select

        from icm_recruit.extensions import db

        if total is None:
            total = db.session.scalar(
                select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        self.total = total
        self.per_page = per_page
        self.pages = max(1, ceil(self.total / per_page))
        self.page = min(max(page or 1, 1), self.pages)
        cut = stmt.limit(per_page).offset((self.page - 1) * per_page)
        self.items = (list(db.session.execute(cut)) if rows
                      else list(db.session.scalars(cut).unique()))
