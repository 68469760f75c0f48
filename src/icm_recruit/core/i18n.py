"""Translation lookups cheap enough for a page that asks for hundreds of strings.

Flask-Babel finds the current catalog anew at every string: the request's Babel context
through `g` (three context-local lookups), the locale, its identifier as a string, then the
domain's cache. A page of the audit trail asks for 340 strings, and those lookups cost more
than the page's SQL. Here the catalog is found from the locale Flask-Babel settled on for
the application context (`force_locale` included, since it swaps that same attribute), and
kept per locale in the application for the life of the process: the catalogs on disk do not
change under a running server.

`gettext`, `ngettext` and `lazy_gettext` behave as Flask-Babel's; the templates' `_()`
and `ngettext()` use the same lookups (`install`).
"""

from babel.support import NullTranslations
from flask.globals import _cv_app
from flask_babel import LazyString, get_translations

_NULL = NullTranslations()
_CACHE = "icm_translations"


def translations():
    """The catalog of the locale in force, or the identity outside an application context."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return _NULL
    babel_context = app_context.g.__dict__.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    if locale is None:  # the first string of this context: let Flask-Babel choose the locale
        return get_translations()
    cache = app_context.app.extensions.get(_CACHE)
    if cache is None:  # an application built without `install`
        return get_translations()
    key = (locale.language, locale.territory, locale.script, locale.variant)
    found = cache.get(key)
    if found is None:
        found = cache[key] = get_translations()
    return found


def gettext(string: str, **variables) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def pgettext(context: str, string: str, **variables) -> str:
    """The string as it reads in one context (a count of applications, not a status)."""
    text = translations().upgettext(context, string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    return LazyString(gettext, string, **variables)


def install(app) -> None:
    """Give the templates' i18n extension these lookups in place of Flask-Babel's."""
    app.extensions[_CACHE] = {}
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)
