"""Worksheet functions (UDFs) for Excel through xlwings: ``=SEURANTA_ASTE(F5)`` and others.

This module imports xlwings and is meant for xlwings' *Import Functions* (add-in setting
*UDF Modules*: ``seuranta_xl.udf``); the functions themselves live, plain and tested, in
``seuranta_xl.excel``, so nothing else needs xlwings. Excel names a UDF after its Python
function, and a VBA name cannot hold a dot: hence ``SEURANTA_ASTE``, not ``SEURANTA.ASTE``.
"""

from __future__ import annotations

import xlwings as xw

from . import excel


@xw.func(category="Seuranta")
def SEURANTA_ASTE(tila: object) -> int | None:
    """Etenemisasteen numero tekstistä, esim. "3 Toteutus on aloitettu" -> 3."""
    return excel.status_number(tila)


@xw.func(category="Seuranta")
def SEURANTA_TASO(koodi: object) -> int | None:
    """Koodin taso: 1 tavoite, 2 vuositavoite, 3 toimenpide."""
    return excel.code_level(koodi)


@xw.func(category="Seuranta")
def SEURANTA_YLATASO(koodi: object) -> str | None:
    """Koodin yläkoodi, esim. 01.03.01 -> 01.03."""
    return excel.code_parent(koodi)
