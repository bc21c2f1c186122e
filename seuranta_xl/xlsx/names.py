"""Names of the sheets and defined names the tool keeps in a master workbook."""

DATA_SHEET = "Seuranta"
SETTINGS_SHEET = "Asetukset"
FINDINGS_SHEETS = ("Havainnot", "Findings")
"""The findings sheet ``validate --mark`` writes, in Finnish and in English."""
SCALE_NAME = "Etenemisasteikko"
"""Workbook-scope defined name of the scale's list range, which the status dropdown uses."""
FORMAT_VERSION = 1
