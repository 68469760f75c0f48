"""Score how well a board member fits an application, and say why.

Two views of the same texts, combined:

* lexical: the cosine of TF-IDF vectors over Snowball stems (`terms.py`). Keywords count
  three times, a title twice; IDF is fitted on the call's own texts, so terms common in
  this call weigh less. The explanations ("shared terms") come from this view.
* dense: the cosine of multilingual-e5-small embeddings (`embeddings.py`), which puts
  French and English in one space and sees related topics that share no word. Its
  cosines sit high (unrelated texts score about 0.75), so they are rescaled from
  DENSE_FLOOR..1 onto 0..1.

A member is several documents: the profile (keywords and expertise statement) and each
publication. Each document is scored against the application (a weighted blend of both
views) and the member's score is the mean of their TOP_DOCUMENTS best documents: one
paper on the exact topic counts, a long list of unrelated ones does not dilute it.
Without an encoder (`build_model(..., encoder=None)`) only the lexical view is used.

Member bids move the score: ``eager`` +0.15, ``willing`` +0.05, ``not_willing`` -1.0.
Scores lie in [0, 1], so "not willing" puts a pair below every pair without bids: the
solver uses it only when nothing else satisfies the constraints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import sparse

from icm_recruit.assignment.embeddings import Encoder
from icm_recruit.assignment.terms import stem, tokens  # noqa: F401  (re-exported)

TITLE_WEIGHT = 2.0
KEYWORD_WEIGHT = 3.0
TEXT_WEIGHT = 1.0
# Weight of the lexical cosine in a document's score; the rest goes to the dense one.
LEXICAL_WEIGHT = 0.59
DENSE_FLOOR = 0.75
TOP_DOCUMENTS = 5
# Publications kept per member (the first ones given: the import lists recent first).
MAX_PUBLICATIONS = 50
# Scores computed per block: about this many (application, document) cells at once.
BLOCK_CELLS = 8_000_000


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
    project: str = ""  # text of the research project's first pages


@dataclass(frozen=True)
class MemberText:
    """The texts of a board member used for matching."""

    id: int
    keywords: Sequence[str] = ()
    statement: str = ""
    publications: Sequence[str] = ()  # one text per publication (title, abstract)


@dataclass(frozen=True)
class SharedTerm:
    """A term shared by an application and a member, and its share of the cosine."""

    term: str
    contribution: float


@dataclass(frozen=True)
class AffinityModel:
    """Vectors of a call's applications and of its members' documents."""

    terms: tuple[str, ...]
    applications: sparse.csr_matrix  # TF-IDF rows, L2-normalised
    members: sparse.csr_matrix  # one TF-IDF row per member, all texts together
    documents: sparse.csr_matrix  # one TF-IDF row per member document
    slots: np.ndarray  # members x documents-per-member: row in `documents`, -1 if none
    application_ids: tuple[int, ...]
    member_ids: tuple[int, ...]
    application_vectors: np.ndarray | None = None  # dense embeddings, or None
    document_vectors: np.ndarray | None = None


def _application_fields(app: ApplicationText) -> list[tuple[str, float]]:
    return [(app.title, TITLE_WEIGHT), (" ".join(app.keywords), KEYWORD_WEIGHT),
            (app.summary, TEXT_WEIGHT), (app.project, TEXT_WEIGHT)]


def _member_documents(member: MemberText) -> list[list[tuple[str, float]]]:
    """Return a member's documents as weighted fields: the profile, then publications."""
    profile = [(" ".join(member.keywords), KEYWORD_WEIGHT), (member.statement, TEXT_WEIGHT)]
    papers = [[(text, TEXT_WEIGHT)] for text in member.publications[:MAX_PUBLICATIONS]
              if text.strip()]
    has_profile = any(text.strip() for text, _ in profile)
    return ([profile] if has_profile or not papers else []) + papers


def _plain(fields: Sequence[tuple[str, float]]) -> str:
    """Return the text of weighted fields as the dense model reads it."""
    return "\n".join(text.strip() for text, _ in fields if text.strip())


def _weighted_counts(
    fields: Iterable[tuple[str, float]], written: Counter[tuple[str, str]]
) -> Counter[str]:
    """Count stems over weighted fields; `written` counts each (stem, word) as written."""
    counts: Counter[str] = Counter()
    for text, weight in fields:
        pairs = tokens(text)
        written.update(pairs)
        # Each distinct stem once: a 750-word project repeats most of its words.
        for stem_, n in Counter(stem_ for stem_, _word in pairs).items():
            counts[stem_] += weight * n
    return counts


def _shown_words(written: Counter[tuple[str, str]]) -> dict[str, str]:
    """Per stem, the word it was most often written as (the first seen of equals)."""
    best: dict[str, tuple[str, int]] = {}
    for (stem_, word), n in written.items():
        if stem_ not in best or n > best[stem_][1]:
            best[stem_] = (word, n)
    return {stem_: word for stem_, (word, _n) in best.items()}


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


def _slots(owners: list[int], n_members: int) -> np.ndarray:
    """Return, per member, the rows of their documents (padded with -1)."""
    width = max(Counter(owners).values(), default=1)
    slots = np.full((n_members, width), -1, dtype=np.int64)
    filled = np.zeros(n_members, dtype=np.int64)
    for row, owner in enumerate(owners):
        slots[owner, filled[owner]] = row
        filled[owner] += 1
    return slots


def dense_texts(applications: Sequence[ApplicationText], members: Sequence[MemberText]
                ) -> list[str]:
    """Return the texts the dense model reads: applications first, then member documents."""
    return [_plain(_application_fields(a)) for a in applications] + [
        _plain(fields) for m in members for fields in _member_documents(m)]


def build_model(
    applications: Sequence[ApplicationText], members: Sequence[MemberText],
    encoder: Encoder | None = None,
) -> AffinityModel:
    """Vectorise a call's applications and members (TF-IDF fitted on the call, embeddings)."""
    written: Counter[tuple[str, str]] = Counter()
    app_fields = [_application_fields(a) for a in applications]
    app_docs = [_weighted_counts(f, written) for f in app_fields]
    member_fields, owners = [], []
    for j, member in enumerate(members):
        for fields in _member_documents(member):
            member_fields.append(fields)
            owners.append(j)
    member_docs = [_weighted_counts(f, written) for f in member_fields]
    shown = _shown_words(written)
    stems = sorted(shown)
    vocabulary = {s: i for i, s in enumerate(stems)}
    app_matrix = _to_matrix(app_docs, vocabulary)
    doc_matrix = _to_matrix(member_docs, vocabulary)
    n_docs = len(app_docs) + len(member_docs)
    df = np.bincount(app_matrix.indices, minlength=len(stems)) + np.bincount(
        doc_matrix.indices, minlength=len(stems))
    idf = sparse.diags(np.log((1.0 + n_docs) / (1.0 + df)) + 1.0)
    ownership = sparse.csr_matrix((np.ones(len(owners)), (owners, np.arange(len(owners)))),
                                  shape=(len(members), len(owners)))
    app_vectors = doc_vectors = None
    if encoder is not None:
        encoded = encoder.encode(dense_texts(applications, members))
        app_vectors, doc_vectors = encoded[:len(app_fields)], encoded[len(app_fields):]
    return AffinityModel(
        terms=tuple(shown[s] for s in stems),
        applications=_l2_normalise(app_matrix @ idf),
        members=_l2_normalise(ownership @ doc_matrix @ idf),
        documents=_l2_normalise(doc_matrix @ idf),
        slots=_slots(owners, len(members)),
        application_ids=tuple(a.id for a in applications),
        member_ids=tuple(m.id for m in members),
        application_vectors=app_vectors,
        document_vectors=doc_vectors,
    )


def _document_scores(model: AffinityModel, rows: slice,
                     documents_t: sparse.csr_matrix | None = None) -> np.ndarray:
    """Return the blended score of each application in `rows` against every document
    (each at least 0: cosines of non-negative TF-IDF, and dense cosines clipped to 0..1).

    `documents_t` is `model.documents.T` as rows, made once for many blocks."""
    if documents_t is None:
        documents_t = model.documents.T.tocsr()
    lexical = np.asarray((model.applications[rows] @ documents_t).toarray())
    if model.application_vectors is None or model.document_vectors is None:
        return lexical
    cosine = model.application_vectors[rows] @ model.document_vectors.T
    dense = np.clip((cosine - DENSE_FLOOR) / (1.0 - DENSE_FLOOR), 0.0, 1.0)
    return LEXICAL_WEIGHT * lexical + (1.0 - LEXICAL_WEIGHT) * dense


def _member_scores(model: AffinityModel, documents: np.ndarray) -> np.ndarray:
    """Reduce document scores to member scores: the mean of each member's best few.

    A member without a document scores 0. As no score is below 0, an empty slot counted
    as 0 never displaces a document's score from the best few, so the mean is the sum of
    the best few over min(documents, few), a count fixed per member.
    """
    n_rows, (n_members, width) = documents.shape[0], model.slots.shape
    if n_members == 0 or documents.shape[1] == 0:
        return np.zeros((n_rows, n_members))
    valid = model.slots >= 0
    if width == 1:  # one document per member (a profile alone): no mean to take
        column = model.slots[:, 0]
        if valid.all():
            same_order = column.size == documents.shape[1] and bool(
                (column == np.arange(column.size)).all())
            return documents if same_order else documents[:, column]
        return np.where(valid[:, 0], documents[:, np.clip(column, 0, None)], 0.0)
    gathered = documents[:, np.clip(model.slots, 0, None)]
    if not valid.all():
        gathered *= valid
    keep = min(TOP_DOCUMENTS, width)
    if keep < width:
        gathered = -np.partition(-gathered, keep - 1, axis=2)[:, :, :keep]
    counted = np.minimum(valid.sum(axis=1), keep)
    return gathered.sum(axis=2) / np.maximum(counted, 1)


def score_blocks(model: AffinityModel) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (first application index, applications x members scores) block by block."""
    n_apps = model.applications.shape[0]
    per_row = max(model.documents.shape[0] + model.slots.size, 1)
    size = max(1, BLOCK_CELLS // per_row)
    documents_t = model.documents.T.tocsr()
    for start in range(0, n_apps, size):
        rows = slice(start, min(start + size, n_apps))
        yield start, _member_scores(model, _document_scores(model, rows, documents_t))


def similarity(model: AffinityModel) -> np.ndarray:
    """Return the dense score matrix, applications x members (no bids)."""
    out = np.zeros((model.applications.shape[0], len(model.member_ids)))
    for start, block in score_blocks(model):
        out[start:start + block.shape[0]] = block
    return out


def pair_score(model: AffinityModel, application_id: int, member_id: int) -> float:
    """Return the score of one pair given by ids."""
    row = model.application_ids.index(application_id)
    documents = _document_scores(model, slice(row, row + 1))
    return float(_member_scores(model, documents)[0, model.member_ids.index(member_id)])


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
    """Return the dense score matrix (scores plus bid adjustments)."""
    scores = similarity(model)
    return apply_bids(model, scores, bids) if bids else scores


def top_candidates(
    model: AffinityModel, per_application: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (application index, member index, score) of each application's best members."""
    n_members = len(model.member_ids)
    keep = min(per_application, n_members)
    rows, cols, vals = [], [], []
    for start, block in score_blocks(model):
        best = np.argpartition(-block, keep - 1, axis=1)[:, :keep] if keep < n_members else (
            np.broadcast_to(np.arange(n_members), block.shape))
        rows.append(np.repeat(np.arange(start, start + block.shape[0]), keep))
        cols.append(best.ravel())
        vals.append(np.take_along_axis(block, best, axis=1).ravel())
    if not rows or keep == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(rows), np.concatenate(cols).astype(np.int64), np.concatenate(vals)


def shared_terms(
    model: AffinityModel, app_index: int, member_index: int, top: int = 5
) -> tuple[SharedTerm, ...]:
    """Return the terms that contribute most to one pair's lexical cosine, largest first."""
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
