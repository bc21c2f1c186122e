"""Names of the sheets and defined names the tool keeps in its workbooks."""

DATA_SHEET = "Seuranta"
SETTINGS_SHEET = "Asetukset"
ROUNDS_SHEET = "Kierrokset"
"""Hidden: one row per owner workbook issued (round, created, owner, file, …)."""
KEY_SHEET = "seuranta_avain"
"""Very hidden: the master's id and the key that signs owner workbooks' manifests."""
RETURNS_SHEET = "Palautukset"
"""Visible: one row per returned workbook merged (owner, file, received, applied, …)."""
LOG_SHEET = "Muutosloki"
"""Visible, append-only: every change a merge applied, and every one it did not."""
FINDINGS_SHEETS = ("Havainnot", "Findings")
"""The findings sheet ``validate --mark`` writes, in Finnish and in English."""
SUMMARY_SHEETS = {
    "overview": ("Yhteenveto", "Overview"),
    "returns": ("Palautustilanne", "Returns status"),
    "risks": ("Riskit", "Risks"),
    "movement": ("Muutokset", "Movement"),
    "council": ("Valtuustoraportti", "Council report"),
}
"""The summary sheets ``summary`` writes, (Finnish, English) by kind."""
MANIFEST_SHEET = "seuranta_manifesti"
"""Very hidden in owner workbooks: the signed manifest of the rows issued."""
TOOL_SHEETS = (
    *(name for pair in SUMMARY_SHEETS.values() for name in pair),
    SETTINGS_SHEET,
    ROUNDS_SHEET,
    KEY_SHEET,
    RETURNS_SHEET,
    LOG_SHEET,
    *FINDINGS_SHEETS,
    MANIFEST_SHEET,
)
"""Sheets that hold the tool's own data, never follow-up rows."""
SCALE_NAME = "Etenemisasteikko"
"""Workbook-scope defined name of the scale's list range, which the status dropdown uses."""
FORMAT_VERSION = 1

# owner workbooks
HELP_SHEET = "Ohje"
LIST_SHEET = "Asteikko"

# settings (Asetukset, columns C:D), matched by name in any case
SETTING_FORMAT = "seuranta-xl-muoto"
SETTING_DEADLINE = "Palautuksen määräpäivä"
SETTING_RETURN_ADDRESS = "Palautusosoite"
SETTING_PASSWORD = "Suojauksen salasana"
SETTING_NOTE = "Ohje vastaajille"
# issue 9: the Excel buttons' settings (folders relative to the master's folder)
SETTING_RETURNS_DIR = "Palautuskansio"
SETTING_OWNER_DIR = "Työkirjakansio"
SETTING_ROUND = "Kierros"
SETTING_LANG = "Kieli"
ROUNDS_HEADER = (
    "Kierros",
    "Luotu",
    "Vastuuhenkilö",
    "Tiedosto",
    "Rivejä",
    "Omia rivejä",
    "Sormenjälki",
    "Allekirjoitus",
    "Tiedoston SHA-256",
)
RETURNS_HEADER = (
    "Kierros",
    "Vastuuhenkilö",
    "Rivejä",
    "Tiedosto",
    "SHA-256",
    "Vastaanotettu",
    "Tallennettu",
    "Muutoksia",
    "Ristiriitoja",
    "Hylättyjä soluja",
    "Tulos",
)
LOG_HEADER = (
    "Aika",
    "Kierros",
    "Vastuuhenkilö",
    "Tiedosto",
    "SHA-256",
    "Koodi",
    "Kenttä",
    "Vanha arvo",
    "Uusi arvo",
    "Päätös",
)
