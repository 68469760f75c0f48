"""Readable reasons of conflict findings, in English and French.

``describe(finding, locale)`` renders the reason code and parameters of a finding; a
finding of an institution or an e-mail domain also says which written forms met and how
("TU München = Technical University of Munich, via the registry").
"""

from collections.abc import Mapping

from icm_recruit.board.conflicts import ConflictCode, ConflictFinding

_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "self": "The member is the applicant.",
        "declared": "The member declared a conflict of interest with this application.",
        "institution": "Same institution: {member_place} for the member, "
                       "{applicant_place} for the applicant.",
        "email_domain": "Same e-mail domain: {domain}.",
        "referee": "The member is one of the applicant's referees ({referee}).",
        "coauthor:declared": "The member lists {name} as a co-author or close collaborator.",
        "coauthor:publications": "The member ({name}) appears as an author in the "
                                 "applicant's publication list.",
        "coauthor:paper": "The member ({name}) is an author, as {author}, of the "
                          "applicant's paper \u201c{title}\u201d{year}.",
        "coauthor:member_paper": "The applicant ({name}) is an author, as {author}, of the "
                                 "member's paper \u201c{title}\u201d{year}.",
        "coauthor:shared_paper": "The member and the applicant both list the paper "
                                 "\u201c{title}\u201d{year}.",
        "requested_exclusion": "The applicant asked not to be reviewed by {name}.",
        "manual": "Added by HR: {reason}",
        "current": "{place} (current)",
        "until": "{place} (until {year})",
        "paper_year": " ({year})",
        "match": " ({match})",
        "via:registry": "{a} = {b}, via the registry",
        "via:registry_named": "{a} = {b}, via the registry: {entry}",
        "via:unit": "{a} = {b}, same research unit",
        "via:name": "{a} = {b}, same name once normalised",
        "via:acronym": "{a} = {b}, by its acronym",
        "via:domain": "{a} = {b}, by the e-mail domain",
        "email_domain:match": "E-mail domains of one institution: {match}.",
    },
    "fr": {
        "self": "Le membre est la personne candidate.",
        "declared": "Le membre a déclaré un conflit d’intérêts avec cette candidature.",
        "institution": "Même établissement\u00a0: {member_place} pour le membre, "
                       "{applicant_place} pour la personne candidate.",
        "email_domain": "Même domaine de messagerie\u00a0: {domain}.",
        "referee": "Le membre fait partie des référents de la personne candidate ({referee}).",
        "coauthor:declared": "Le membre déclare {name} comme co-auteur ou proche collaborateur.",
        "coauthor:publications": "Le membre ({name}) figure parmi les auteurs de la liste de "
                                 "publications de la personne candidate.",
        "coauthor:paper": "Le membre ({name}) est auteur, sous le nom {author}, de "
                          "l’article «\u00a0{title}\u00a0»{year} de la personne candidate.",
        "coauthor:member_paper": "La personne candidate ({name}) est autrice ou auteur, sous "
                                 "le nom {author}, de l’article «\u00a0{title}\u00a0»{year} "
                                 "du membre.",
        "coauthor:shared_paper": "Le membre et la personne candidate citent tous deux "
                                 "l’article «\u00a0{title}\u00a0»{year}.",
        "requested_exclusion": "La personne candidate a demandé à ne pas être évaluée par "
                               "{name}.",
        "manual": "Ajouté par les RH\u00a0: {reason}",
        "current": "{place} (actuel)",
        "until": "{place} (jusqu’en {year})",
        "paper_year": " ({year})",
        "match": " ({match})",
        "via:registry": "{a} = {b}, d’après le registre des établissements",
        "via:registry_named": "{a} = {b}, d’après le registre des établissements\u00a0: "
                              "{entry}",
        "via:unit": "{a} = {b}, même unité de recherche",
        "via:name": "{a} = {b}, même nom une fois normalisé",
        "via:acronym": "{a} = {b}, par son sigle",
        "via:domain": "{a} = {b}, d’après le domaine de messagerie",
        "email_domain:match": "Domaines de messagerie d’un même établissement\u00a0: {match}.",
    },
}


def _place(messages: Mapping[str, str], place: str, until: str) -> str:
    """Render an affiliation with its period."""
    if until:
        return messages["until"].format(place=place, year=until)
    return messages["current"].format(place=place)


def describe(finding: ConflictFinding, locale: str = "en") -> str:
    """Return the reason of a finding in English ('en') or French ('fr')."""
    messages = _MESSAGES["fr" if locale.lower().startswith("fr") else "en"]
    params = dict(finding.params)
    key = finding.code.value
    if finding.code is ConflictCode.COAUTHOR:
        key = f"coauthor:{params.get('via', 'declared')}"
    if finding.code is ConflictCode.COAUTHOR and "title" in params:
        params["year"] = messages["paper_year"].format(year=params["year"]) if params.get(
            "year") else ""
    match = _match(messages, params)
    if finding.code is ConflictCode.EMAIL_DOMAIN and match and params.get("via") != "domain":
        return messages["email_domain:match"].format(match=match)
    if finding.code is not ConflictCode.INSTITUTION:
        return messages[key].format(**params)
    params["member_place"] = _place(messages, params["member_affiliation"],
                                    params["member_until"])
    params["applicant_place"] = _place(messages, params["applicant_institution"],
                                       params["applicant_until"])
    text = messages[key].format(**params)
    if match:
        text = text[:-1] + messages["match"].format(match=match) + "."
    return text


def _match(messages: Mapping[str, str], params: Mapping[str, str]) -> str:
    """Say which written forms met and how: 'TU München = Technical University of Munich,
    via the registry'; empty for findings stored before matches explained themselves."""
    how = params.get("via")
    if not how or "member_match" not in params:
        return ""
    a, b, entry = params["member_match"], params["applicant_match"], params.get("entry", "")
    if how == "registry" and entry and entry not in (a, b):
        how = "registry_named"
    return messages[f"via:{how}"].format(a=a, b=b, entry=entry)
