"""Deterministic synthetic follow-up sheets, for tests and benchmarks at scale.

Shaped like the sample: goals without owner over annual goals and actions with owners,
Finnish-looking titles, risks and commentaries of realistic length, statuses on the 1-5
scale with some missing and some spelled the old way. The same seed gives the same sheet.
Pure.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from .layout import CANONICAL_HEADERS_FI
from .model import FIELD_ORDER, Field, StatusScale

_VERBS = (
    "Vahvistamme",
    "Kehitämme",
    "Uudistamme",
    "Edistämme",
    "Toteutamme",
    "Varmistamme",
    "Parannamme",
    "Selvitämme",
    "Otamme käyttöön",
    "Tiivistämme",
    "Laadimme",
    "Viemme",
)
_OBJECTS = (
    "asukaslähtöisiä palveluita",
    "kunnan taloutta",
    "elinvoimaa ja työpaikkoja",
    "digitaalisia palveluita",
    "kestävää kehitystä",
    "yhteistyötä kuntien välillä",
    "henkilöstön osaamista",
    "kylien elinvoimaa",
    "lasten ja nuorten hyvinvointia",
    "ikäihmisten palveluita",
    "liikenneyhteyksiä",
    "kaavoitusta ja maankäyttöä",
    "kuntalaisten osallisuutta",
    "ympäristön tilaa",
    "tilojen yhteiskäyttöä",
)
_TAILS = (
    "yhdessä kuntalaisten kanssa",
    "valtuustokauden aikana",
    "toteutusohjelman mukaisesti",
    "osana kuntastrategiaa",
    "vuoden 2022 loppuun mennessä",
    "mittareilla seuraten",
)
_WORDS = (
    "työ",
    "on",
    "jatkunut",
    "suunnitellusti",
    "ja",
    "valmistelu",
    "etenee",
    "kevään",
    "aikana",
    "hankkeen",
    "toteutus",
    "käynnistyi",
    "yhteistyössä",
    "toimialojen",
    "kanssa",
    "resursointi",
    "aikataulu",
    "tavoite",
    "vaatii",
    "lisää",
    "päätöksiä",
    "talous",
    "henkilöstö",
    "asukkaat",
    "palvelut",
    "kehittäminen",
    "arviointi",
    "seuranta",
    "raportti",
    "valtuustolle",
    "syksyllä",
    "selvitys",
    "valmistuu",
    "kesäkuussa",
)
_TITLES = (
    "Kansliapäällikkö",
    "Talousjohtaja",
    "Henkilöstöjohtaja",
    "Sivistysjohtaja",
    "Kasvun ja ympäristön toimialajohtaja",
    "Kaupunkikehitysjohtaja",
    "Viestintäjohtaja",
    "Hyvinvointikoordinaattori",
    "Elinvoimajohtaja",
    "Tietohallintopäällikkö",
)


_WORD_BITS = len(_WORDS).bit_length()


def _sentence(rng: random.Random, words: int) -> str:
    # the words rng.choice(_WORDS) draws, drawn as it draws them (random bits, a draw past
    # the end drawn again), inline: a large synthetic master draws a million words
    n, bits = len(_WORDS), rng.getrandbits
    picked = []
    for _ in range(words):
        r = bits(_WORD_BITS)
        while r >= n:
            r = bits(_WORD_BITS)
        picked.append(_WORDS[r])
    body = " ".join(picked)
    return body[:1].upper() + body[1:] + "."


def _text(rng: random.Random, low: int, high: int) -> str:
    """A paragraph of ``low``..``high`` characters or so."""
    target = rng.randint(low, high)
    parts: list[str] = []
    length = 0
    while length < target:
        parts.append(_sentence(rng, rng.randint(6, 14)))
        length += len(parts[-1]) + 1
    return " ".join(parts)


def owner_names(count: int) -> list[str]:
    """Distinct owner names: titles, then titles with a unit number."""
    names = list(_TITLES[: min(count, len(_TITLES))])
    n = 1
    while len(names) < count:
        names.append(f"{_TITLES[n % len(_TITLES)]} {n // len(_TITLES) + 1}. yksikkö")
        n += 1
    return names


def synthetic_rows(
    owners: int = 10,
    rows_per_owner: int = 20,
    *,
    seed: int = 2021,
    scale: StatusScale | None = None,
    annual_per_goal: int = 25,
) -> Iterator[list[object]]:
    """Data rows (A..H, master column order) for ``owners`` owners with ``rows_per_owner``
    rows each: every owner holds one annual goal and its actions; goals (without owner)
    group ``annual_per_goal`` annual goals. Codes stay within two digits a level."""
    from .scale import default_scale

    if rows_per_owner < 1 or rows_per_owner > 100:
        raise ValueError("rows_per_owner must be 1..100")
    if annual_per_goal < 1 or annual_per_goal > 99:
        raise ValueError("annual_per_goal must be 1..99")
    scale = scale or default_scale()
    rng = random.Random(seed)
    names = owner_names(owners)
    goals = -(-owners // annual_per_goal)
    if goals > 99:
        raise ValueError("too many owners for two-digit goal codes; raise annual_per_goal")
    index = {f: i for i, f in enumerate(FIELD_ORDER)}

    def row(**values: object) -> list[object]:
        out: list[object] = [""] * len(FIELD_ORDER)
        for name, value in values.items():
            out[index[Field(name)]] = value
        return out

    def status() -> str:
        roll = rng.random()
        if roll < 0.08:
            return ""
        value = rng.choice(scale.values)
        return scale.display(value)

    owner_index = 0
    for g in range(1, goals + 1):
        title = f"{rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}"
        yield row(goal=f"{g:02d}. {title}")
        for a in range(1, annual_per_goal + 1):
            if owner_index >= owners:
                break
            owner = names[owner_index]
            owner_index += 1
            yield row(
                annual_goal=f"{g:02d}.{a:02d} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}",
                risks=_text(rng, 60, 240) if rng.random() < 0.7 else "",
                status=status(),
                commentary=_text(rng, 120, 600),
                owner=owner,
            )
            for t in range(1, rows_per_owner):
                yield row(
                    action=f"{g:02d}.{a:02d}.{t:02d} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} "
                    f"{rng.choice(_TAILS)}",
                    risks=_text(rng, 40, 200) if rng.random() < 0.5 else "",
                    status=status(),
                    commentary=_text(rng, 80, 500) if rng.random() < 0.9 else "",
                    owner=owner,
                )


def synthetic_grid(
    owners: int = 10, rows_per_owner: int = 20, *, seed: int = 2021
) -> list[list[object]]:
    """A whole sheet: the canonical header, then ``synthetic_rows``."""
    header: list[object] = [CANONICAL_HEADERS_FI[f] for f in FIELD_ORDER]
    return [header, *synthetic_rows(owners, rows_per_owner, seed=seed)]
