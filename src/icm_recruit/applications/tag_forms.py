"""Forms of HR's tags and saved searches on a call's applications."""

from wtforms import HiddenField, IntegerField, RadioField, StringField
from wtforms.validators import InputRequired, Length

from icm_recruit.applications.models import TAG_MAX_LENGTH
from icm_recruit.core.forms import AppForm
from icm_recruit.core.i18n import lazy_gettext as _l

TAG_TOO_LONG = _l("A tag has %(n)d characters at most.", n=TAG_MAX_LENGTH)


def _tag_field():
    return StringField(_l("Tag"), validators=[
        InputRequired(message=_l("Write the tag to add or remove.")),
        Length(max=TAG_MAX_LENGTH, message=TAG_TOO_LONG)])


class TagForm(AppForm):
    tag = _tag_field()


class ListFiltersForm(AppForm):
    """The filters of the list, carried in hidden fields so that a form returns to them."""

    q = HiddenField(validators=[Length(max=300)])
    status = HiddenField(validators=[Length(max=40)])
    country = HiddenField(validators=[Length(max=2)])
    tag = HiddenField(validators=[Length(max=TAG_MAX_LENGTH)])
    sort = HiddenField(validators=[Length(max=20)])

    # query-string name -> field holding it
    carried_filters = {"q": "q", "status": "status", "country": "country", "tag": "tag",
                     "sort": "sort"}

    def filters(self) -> dict:
        """The list's filters that were set, as query-string arguments."""
        return {key: value for key, name in self.carried_filters.items()
                if (value := (self[name].data or "").strip())}


class BulkTagForm(ListFiltersForm):
    """The ticked rows come as `application_id` values, read with int32_list."""

    # The tag to put on or take off; the list's tag filter comes as `list_tag`.
    tag = _tag_field()
    list_tag = HiddenField(validators=[Length(max=TAG_MAX_LENGTH)])
    action = RadioField(_l("Action"), choices=[
        ("add", _l("Add the tag to the selected")),
        ("remove", _l("Remove the tag from the selected"))],
        default="add", validators=[InputRequired()])
    carried_filters = {**ListFiltersForm.carried_filters, "tag": "list_tag"}


class SaveSearchForm(ListFiltersForm):
    name = StringField(_l("Name of the search"), validators=[
        InputRequired(message=_l("Give the search a name.")),
        Length(max=80, message=_l("80 characters at most."))])


class DeleteSearchForm(AppForm):
    search_id = IntegerField(validators=[InputRequired()])
