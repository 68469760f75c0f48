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
    does); `items` holds the page's rows only."""

    def __init__(self, stmt, page: int | None, per_page: int):
        from sqlalchemy import func, select

        from icm_recruit.extensions import db

        self.total = db.session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        self.per_page = per_page
        self.pages = max(1, ceil(self.total / per_page))
        self.page = min(max(page or 1, 1), self.pages)
        self.items = list(db.session.scalars(
            stmt.limit(per_page).offset((self.page - 1) * per_page)).unique())
