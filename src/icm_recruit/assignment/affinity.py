"""Score how well a board member fits an application, and say why.

The score is the cosine of TF-IDF vectors: the application's title, keywords and
summary against the member's keywords and expertise statement. Keywords count three
times, a title twice. Tokens are folded (lowercase, no accents), English and French
stop words dropped, plurals lightly stemmed ("neurons"/"neurone" stay apart, but
"networks"/"network" and "cérébraux"/"cérébral" meet). IDF is fitted on the call's
own texts (applications and members together), so terms common in this call weigh less.

Member bids move the score: ``eager`` +0.15, ``willing`` +0.05, ``not_willing`` -1.0.
A cosine lies in [0, 1], so "not willing" puts a pair below every pair without bids:
the solver uses it only when nothing else satisfies the constraints.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import sparse

from icm_recruit.board.normalize import fold

TITLE_WEIGHT = 2.0
KEYWORD_WEIGHT = 3.0
TEXT_WEIGHT = 1.0

ENGLISH_STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    either etc few for from further had has have having he her here hers him his how however
    i if in into is it its itself just may me might more most must my no nor not of off on
    once only or other our ours out over own per same shall she should so some such than that
    the their theirs them then there these they this those through thus to too under until up
    upon us very via was we were what when where whether which while who whom whose why will
    with within without would yet you your""".split()
)
FRENCH_STOP_WORDS = frozenset(
    """a afin ai ainsi alors au aucun aussi autre aux avec avoir avons c ca car ce ceci cela
    celle celles celui ces cet cette chaque chez comme comment d dans de depuis des deux doit
    donc dont du elle elles en encore entre est et etaient etait ete etre eu fait faire il ils
    j je l la le les leur leurs lors lui m ma mais me meme mes moi mon n ne ni nos notre nous
    on ont ou par parce pas peu peut plus pour pourquoi qu quand que quel quelle quelles quels
    qui sa sans se selon ses si sien son sont sous sur ta te tel telle tes toi ton tous tout
    toute toutes tres tu un une vers via vos votre vous y""".split()
)
# Words every application uses; they would only add noise to the explanations.
GENERIC_WORDS = frozenset(
    """study studies research project projects aim aims using use used new novel approach
    approaches role based work team lab laboratory propose proposed will etude recherche
    projet equipe nouvelle nouveau nouveaux approche objectif""".split()
)
_STOP = ENGLISH_STOP_WORDS | FRENCH_STOP_WORDS | GENERIC_WORDS
_TOKEN = re.compile(r"[a-z][a-z0-9]+")


class Bid(StrEnum):
    """A member's wish to review an application."""

    EAGER = "eager"
    WILLING = "willing"
    NOT_WILLING = "not_willing"


BID_ADJUSTMENT: Mapping[Bid, float] = {Bid.EAGER: 0.15, Bid.WILLING: 0.05, Bid.NOT_WILLING: -1.0}


@dataclass(frozen=True)
class ApplicationText:
    """The texts of an application used for matching."""

    id: int
    title: str
    keywords: Sequence[str] = ()
    summary: str = ""


@dataclass(frozen=True)
class MemberText:
    """The texts of a board member used for matching."""

    id: int
    keywords: Sequence[str] = ()
    statement: str = ""
    publications: Sequence[str] = ()


@dataclass(frozen=True)
class SharedTerm:
    """A term shared by an application and a member, and its share of the cosine."""

    term: str
    contribution: float


@dataclass(frozen=True)
class AffinityModel:
    """TF-IDF vectors (rows L2-normalised) of a call's applications and members."""

    terms: tuple[str, ...]
    applications: sparse.csr_matrix
    members: sparse.csr_matrix
    application_ids: tuple[int, ...]
    member_ids: tuple[int, ...]


def stem(token: str) -> str:
    """Return a light stem: plural endings removed, nothing more."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith("aux"):
        return token[:-3] + "al"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> list[tuple[str, str]]:
    """Return (stem, surface word) pairs of a text, without stop words."""
    words = _TOKEN.findall(fold(text).replace("'", " "))
    return [(stem(w), w) for w in words if w not in _STOP and len(w) > 1]


def _weighted_counts(
    fields: Iterable[tuple[str, float]], surfaces: dict[str, Counter[str]]
) -> Counter[str]:
    """Count stems over weighted fields, remembering how each stem was written."""
    counts: Counter[str] = Counter()
    for text, weight in fields:
        for stem_, word in tokens(text):
            counts[stem_] += weight
            surfaces[stem_][word] += 1
    return counts


def _application_fields(app: ApplicationText) -> list[tuple[str, float]]:
    """Return the weighted texts of an application."""
    return [(app.title, TITLE_WEIGHT), (" ".join(app.keywords), KEYWORD_WEIGHT),
            (app.summary, TEXT_WEIGHT)]


def _member_fields(member: MemberText) -> list[tuple[str, float]]:
    """Return the weighted texts of a member."""
    return [(" ".join(member.keywords), KEYWORD_WEIGHT), (member.statement, TEXT_WEIGHT),
            *((text, TEXT_WEIGHT) for text in member.publications)]


def _to_matrix(docs: list[Counter[str]], vocabulary: Mapping[str, int]) -> sparse.csr_matrix:
    """Stack term counts into a sparse matrix with sublinear term frequency."""
    indptr, indices, data = [0], [], []
    for counts in docs:
        indices.extend(vocabulary[t] for t in counts)
        data.extend(counts.values())
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.log1p(np.asarray(data, dtype=np.float64)), indices, indptr),
        shape=(len(docs), len(vocabulary)),
    )
    matrix.sum_duplicates()
    return matrix


def _l2_normalise(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """Scale each row to unit length (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


def build_model(
    applications: Sequence[ApplicationText], members: Sequence[MemberText]
) -> AffinityModel:
    """Fit TF-IDF on a call's applications and members and vectorise both."""
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    app_docs = [_weighted_counts(_application_fields(a), surfaces) for a in applications]
    member_docs = [_weighted_counts(_member_fields(m), surfaces) for m in members]
    stems = sorted(surfaces)
    vocabulary = {s: i for i, s in enumerate(stems)}
    app_matrix = _to_matrix(app_docs, vocabulary)
    member_matrix = _to_matrix(member_docs, vocabulary)
    n_docs = len(app_docs) + len(member_docs)
    df = np.bincount(app_matrix.indices, minlength=len(stems)) + np.bincount(
        member_matrix.indices, minlength=len(stems))
    idf = sparse.diags(np.log((1.0 + n_docs) / (1.0 + df)) + 1.0)
    return AffinityModel(
        terms=tuple(surfaces[s].most_common(1)[0][0] for s in stems),
        applications=_l2_normalise(app_matrix @ idf),
        members=_l2_normalise(member_matrix @ idf),
        application_ids=tuple(a.id for a in applications),
        member_ids=tuple(m.id for m in members),
    )


def similarity(model: AffinityModel) -> np.ndarray:
    """Return the dense cosine matrix, applications x members."""
    return np.asarray((model.applications @ model.members.T).toarray())


def apply_bids(
    model: AffinityModel, scores: np.ndarray, bids: Mapping[tuple[int, int], Bid]
) -> np.ndarray:
    """Return a copy of a dense score matrix with bids (keyed by ids) applied."""
    adjusted = np.array(scores, dtype=np.float64, copy=True)
    app_index = {a: i for i, a in enumerate(model.application_ids)}
    member_index = {m: j for j, m in enumerate(model.member_ids)}
    for (app_id, member_id), bid in bids.items():
        if app_id in app_index and member_id in member_index:
            adjusted[app_index[app_id], member_index[member_id]] += BID_ADJUSTMENT[Bid(bid)]
    return adjusted


def affinity_matrix(
    model: AffinityModel, bids: Mapping[tuple[int, int], Bid] | None = None
) -> np.ndarray:
    """Return the dense score matrix (cosine plus bid adjustments)."""
    scores = similarity(model)
    return apply_bids(model, scores, bids) if bids else scores


def top_candidates(
    model: AffinityModel, per_application: int, *, chunk_size: int = 1024
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (application index, member index, cosine) of each application's best members."""
    n_apps, n_members = model.applications.shape[0], model.members.shape[0]
    keep = min(per_application, n_members)
    members_t = sparse.csc_matrix(model.members.T)
    rows, cols, vals = [], [], []
    for start in range(0, n_apps, chunk_size):
        block = (model.applications[start:start + chunk_size] @ members_t).toarray()
        best = np.argpartition(-block, keep - 1, axis=1)[:, :keep] if keep < n_members else (
            np.broadcast_to(np.arange(n_members), block.shape))
        rows.append(np.repeat(np.arange(start, start + block.shape[0]), keep))
        cols.append(best.ravel())
        vals.append(np.take_along_axis(block, best, axis=1).ravel())
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols).astype(np.int64), np.concatenate(vals)


def shared_terms(
    model: AffinityModel, app_index: int, member_index: int, top: int = 5
) -> tuple[SharedTerm, ...]:
    """Return the terms that contribute most to one pair's cosine, largest first."""
    contributions = model.applications[app_index].multiply(model.members[member_index]).tocoo()
    order = np.argsort(-contributions.data, kind="stable")[:top]
    return tuple(
        SharedTerm(model.terms[contributions.col[i]], float(contributions.data[i]))
        for i in order
        if contributions.data[i] > 0
    )


def explain(
    model: AffinityModel, application_id: int, member_id: int, top: int = 5
) -> tuple[SharedTerm, ...]:
    """Return the top shared terms of a pair given by ids."""
    return shared_terms(model, model.application_ids.index(application_id),
                        model.member_ids.index(member_id), top)
