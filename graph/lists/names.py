"""The normalised names records and nodes are compared by: script, case, punctuation and legal forms set aside.

:func:`name_key` folds a name to the form resolution compares: case, accents,
punctuation and ``&``/``and`` do not count; Traditional Chinese is read as
Simplified (OpenCC's ``t2s``), so 華為 is 华为; for people the order of the
name's parts does not count either (OFAC's ``TANG, Chris`` is ``Chris Tang``)
and neither do titles (rigour's person prefixes: ``Mr``, ``Dr``). For
organisations, legal forms are set aside: rigour's table of legal forms across
jurisdictions (``Co., Ltd.``, ``GmbH``, ``OOO``, ``LLC``), the generic words it
leaves alone (``Corporation``, ``Company``, ``S.A.``) and the Chinese ones
(``有限公司``). A name is stripped only when two words or more are left:
``CNOOC Limited`` keeps its form (``cnooc ltd``), so it never meets the bare
acronym ``CNOOC`` its parent goes by, while ``CNOOC Ltd.`` still meets it.

Example
-------
>>> name_key("HUAWEI TECHNOLOGIES CO., LTD."), name_key("華為技術有限公司")
('huawei technologies', '华为技术')
>>> name_key("TANG, Chris", person=True) == name_key("Chris Tang", person=True)
True
>>> name_key("CNOOC Limited"), name_key("CNOOC Ltd."), name_key("CNOOC")
('cnooc ltd', 'cnooc ltd', 'cnooc')
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc
from rigour.names import remove_org_types, remove_person_prefixes, replace_org_types_compare
from rigour.text import is_stopword

_WORD = re.compile(r"[^\W_]+")
# Words of a company's name that say what it is, not who: rigour leaves these to the caller. Each is compared
# in its long form, so that "ZTE Corp" meets "ZTE Corporation".
_GENERIC_TAILS = {("corporation",): "corporation", ("corp",): "corporation", ("company",): "company",
                  ("co",): "company", ("s", "a"): "sa"}  # fmt: skip
_CJK_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司")
_TO_SIMPLIFIED = opencc.OpenCC("t2s")
# Arabic name connectors, which rigour's stopwords (al, el, de ...) leave out: "Abd al-Aziz" is one given name.
_CONNECTORS = frozenset({"abd", "abdul", "abdel", "abdal", "abu", "bin", "ibn", "bint", "ben"})


@functools.lru_cache(maxsize=1 << 17)
def name_parts(key: str) -> int:
    """How many words of a person's normalised name say who: not particles or connectors.

    >>> name_parts("abd al aziz"), name_parts("abdul aziz nuristani"), name_parts("chris tang")
    (1, 2, 2)
    """
    return sum(1 for word in key.split() if word not in _CONNECTORS and not is_stopword(word))


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese (CJK unified) character.

    >>> has_cjk("中兴 ZTE"), has_cjk("ZTE")
    (True, False)
    """
    return not text.isascii() and any("\u3400" <= c <= "\u9fff" for c in text)


def cjk_count(key: str) -> int:
    """How many Chinese characters ``key`` holds."""
    return 0 if key.isascii() else sum(1 for c in key if "\u3400" <= c <= "\u9fff")


def _folded(name: str) -> str:
    """``name`` lower-cased, accents dropped, Traditional Chinese as Simplified."""
    if name.isascii():
        return name.lower()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _TO_SIMPLIFIED.convert(text) if has_cjk(text) else text


def _strip_tail(tokens: list[str]) -> tuple[list[str], str | None]:
    """``tokens`` less a trailing generic word, and that word's long form (None when there is none)."""
    for form, long_form in _GENERIC_TAILS.items():
        if len(tokens) > len(form) and tuple(tokens[-len(form):]) == form:
            return tokens[: -len(form)], long_form
    return tokens, None


@functools.lru_cache(maxsize=1 << 17)
def name_key(name: str, person: bool = False) -> str:
    """The normalised form names are compared by (empty when nothing is left)."""
    tokens = _WORD.findall(_folded(name).replace("&", " and "))
    if person:
        return " ".join(sorted(_WORD.findall(remove_person_prefixes(" ".join(tokens))) or tokens))
    if not tokens:
        return ""
    if len(tokens) == 1 and has_cjk(tokens[0]):
        word = tokens[0]
        for form in _CJK_LEGAL_FORMS:
            if word.endswith(form) and len(word) > len(form):
                return word[: -len(form)]
        return word
    text = " ".join(tokens)
    core, tail = _strip_tail(_WORD.findall(remove_org_types(text)))
    while tail is not None:  # legal forms gone; now the generic tails
        core, tail = _strip_tail(core)
    if len(core) >= 2:
        return " ".join(core)
    # One word would be left: the legal form stays, in rigour's compare form ("cnooc ltd", "zte corporation").
    compared, tail = _strip_tail(_WORD.findall(replace_org_types_compare(text)))
    return " ".join([*compared, tail] if tail else compared)
