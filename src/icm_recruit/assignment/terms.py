"""Terms of a text for lexical matching: folded words, stop words dropped, Snowball stems.

Each text is stemmed in its own language, English or French, guessed from which
language's stop words it uses more (a statement is written in one language; keywords
lists often have none and are taken as English). Snowball puts inflected forms of both
languages on one stem ("neurons", "neuronal" -> "neuron"; "neurones" -> "neuron";
"hippocampal", "hippocampe" -> "hippocamp"), so many French and English terms meet.
"""

from __future__ import annotations

import re
import threading

import Stemmer

from icm_recruit.board.normalize import fold

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
STOP_WORDS = ENGLISH_STOP_WORDS | FRENCH_STOP_WORDS | GENERIC_WORDS
_WORD = re.compile(r"[a-z][a-z0-9]+")
_ONLY_ENGLISH = ENGLISH_STOP_WORDS - FRENCH_STOP_WORDS
_ONLY_FRENCH = FRENCH_STOP_WORDS - ENGLISH_STOP_WORDS


# Words kept stemmed per language: a call's texts hold tens of thousands of distinct
# words, and the library's default of 10,000 made it stem most words again (twice the
# time); about 100 bytes a word.
STEM_CACHE_WORDS = 200_000
_stemmers = threading.local()  # a stemmer keeps state: one per thread, never shared


def _stemmer(language: str) -> Stemmer.Stemmer:
    by_language = getattr(_stemmers, "by_language", None)
    if by_language is None:
        by_language = _stemmers.by_language = {}
    stemmer = by_language.get(language)
    if stemmer is None:
        stemmer = by_language[language] = Stemmer.Stemmer(language, STEM_CACHE_WORDS)
    return stemmer


def language_of(words: list[str]) -> str:
    """Return "french" or "english" for folded words, by their stop words."""
    french = len([w for w in words if w in _ONLY_FRENCH])
    english = len([w for w in words if w in _ONLY_ENGLISH])
    return "french" if french > english else "english"


def stem(word: str, language: str = "english") -> str:
    """Return the Snowball stem of a folded word in the given language."""
    return _stemmer(language).stemWord(word)


def tokens(text: str) -> list[tuple[str, str]]:
    """Return (stem, surface word) pairs of a text, without stop words."""
    words = _WORD.findall(fold(text).replace("'", " ").replace("\u2019", " "))
    kept = [w for w in words if w not in STOP_WORDS and len(w) > 1]
    if not kept:
        return []
    stems = _stemmer(language_of(words)).stemWords(kept)
    return list(zip(stems, kept, strict=True))
