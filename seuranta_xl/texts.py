"""What the tool says, in Finnish (default) and English.

Rule and error messages are templates filled from a finding's or an error's parameters.
"""

from __future__ import annotations

import string
from datetime import date, datetime
from typing import Any

LANGS = ("fi", "en")
DEFAULT_LANG = "fi"

# rule id -> (Finnish title, English title, Finnish template, English template)
RULES: dict[str, tuple[str, str, str, str]] = {
    "code.missing": (
        "Rivillä ei ole koodia",
        "Row without a code",
        "Rivillä on tietoja, mutta tavoite-, vuositavoite- ja toimenpidesarakkeet ovat tyhjiä.",
        "The row has data but its goal, annual goal and action columns are empty.",
    ),
    "code.unparseable": (
        "Koodia ei tunnistettu",
        "Code not recognised",
        "Solun alussa ei ole koodia (esim. 01.03): {text!r}.",
        "The cell does not start with a code (e.g. 01.03): {text!r}.",
    ),
    "code.format": (
        "Koodi ei ole vakiomuodossa",
        "Code not in its standard form",
        "Koodi {written!r} tulkittiin koodiksi {canonical}: {issues_fi}. Korjaa muotoon {canonical}.",
        "Code {written!r} was read as {canonical}: {issues_en}. Write it as {canonical}.",
    ),
    "code.depth": (
        "Koodissa liikaa tasoja",
        "Code too deep",
        "Koodissa {code} on {depth} tasoa; enintään 3 (tavoite, vuositavoite, toimenpide).",
        "Code {code} has {depth} levels; at most 3 (goal, annual goal, action).",
    ),
    "code.column": (
        "Koodi väärässä sarakkeessa",
        "Code in the wrong column",
        "Tason {level} koodi {code} on sarakkeessa {column} ({column_name}); "
        "sen paikka on sarake {expected} ({expected_name}).",
        "Level-{level} code {code} stands in column {column} ({column_name}); "
        "it belongs in column {expected} ({expected_name}).",
    ),
    "row.several_levels": (
        "Rivillä useampi taso",
        "Row on several levels",
        "Rivillä on tekstiä sekä sarakkeessa {first} että {column}; rivin koodiksi luettiin {first}.",
        "The row has text in both column {first} and column {column}; "
        "the row's code was read from {first}.",
    ),
    "code.duplicate": (
        "Sama koodi kahdesti",
        "Duplicate code",
        "Koodi {code} on jo rivillä {first_row}.",
        "Code {code} already stands on row {first_row}.",
    ),
    "hierarchy.parent_missing": (
        "Yläkoodi puuttuu",
        "Parent code missing",
        "Koodin {code} yläkoodia {parent} ei ole taulukossa.",
        "The parent {parent} of code {code} is not in the sheet.",
    ),
    "hierarchy.parent_after": (
        "Yläkoodi on alempana",
        "Parent comes later",
        "Koodin {code} yläkoodi {parent} on vasta rivillä {parent_row}; sen pitää olla ennen.",
        "The parent {parent} of code {code} only comes on row {parent_row}; it must come first.",
    ),
    "hierarchy.prefix": (
        "Koodi väärän yläkoodin alla",
        "Code under the wrong parent",
        "Koodi {code} on kohdan {above} alla (rivi {above_row}), mutta sen yläkoodi on {parent}.",
        "Code {code} stands under {above} (row {above_row}), but its parent is {parent}.",
    ),
    "hierarchy.order": (
        "Koodit eivät ole järjestyksessä",
        "Codes out of order",
        "Koodi {code} tulee koodin {previous} (rivi {previous_row}) jälkeen, vaikka sen pitäisi olla ennen.",
        "Code {code} comes after {previous} (row {previous_row}) but should come before it.",
    ),
    "title.missing": (
        "Otsikko puuttuu",
        "Title missing",
        "Koodilla {code} ei ole otsikkoa.",
        "Code {code} has no title.",
    ),
    "status.unknown": (
        "Etenemisaste ei ole asteikolla",
        "Status not on the scale",
        "Etenemisaste {value!r} ei ole asteikolla ({scale}).",
        "Status {value!r} is not on the scale ({scale}).",
    ),
    "status.label": (
        "Etenemisasteen selite poikkeaa asteikosta",
        "Status label differs from the scale",
        "Etenemisasteen {number} selite poikkeaa asteikosta. Solussa: {written!r}; asteikolla: "
        "{expected!r}. Arvoksi luetaan {number}.",
        "The label of status {number} differs from the scale. In the cell: {written!r}; on the "
        "scale: {expected!r}. The value is read as {number}.",
    ),
    "status.format": (
        "Etenemisaste ei ole asteikon muodossa",
        "Status not written as on the scale",
        "Etenemisaste {written!r} luettiin arvoksi {expected!r}.",
        "Status {written!r} was read as {expected!r}.",
    ),
    "status.missing": (
        "Etenemisaste puuttuu",
        "Status missing",
        "Etenemisaste puuttuu ({level_lower}).",
        "No progress status ({level_lower}).",
    ),
    "status.no_owner": (
        "Etenemisaste rivillä, jolla ei ole vastuuhenkilöä",
        "Status on a row without owner",
        "Koodilla {code} on etenemisaste, mutta ei vastuuhenkilöä.",
        "Code {code} has a status but no owner.",
    ),
    "owner.missing": (
        "Vastuuhenkilö puuttuu",
        "Owner missing",
        "Vastuuhenkilö puuttuu ({level_lower}), joten riviä ei lähetetä kenellekään täytettäväksi.",
        "No owner ({level_lower}), so nobody will be asked to fill in this row.",
    ),
    "text.too_long": (
        "Teksti on liian pitkä",
        "Text too long",
        "Solussa on {length} merkkiä; Excel säilyttää solussa enintään 32 767 merkkiä.",
        "The cell holds {length} characters; Excel keeps at most 32,767 in a cell.",
    ),
    "text.control": (
        "Tekstissä on ohjausmerkkejä",
        "Text holds control characters",
        "Solussa on näkymättömiä ohjausmerkkejä, joita työkirja ei voi tallentaa; ne jätetään pois.",
        "The cell holds invisible control characters a workbook cannot store; they are left out.",
    ),
    "text.formula": (
        "Teksti näyttää kaavalta",
        "Text looks like a formula",
        "Teksti alkaa merkillä {first!r}, joten Excel voi tulkita sen kaavaksi: {text!r}. "
        "Se säilytetään tekstinä.",
        "The text starts with {first!r}, so Excel may take it for a formula: {text!r}. "
        "It is kept as text.",
    ),
    "row.blank": (
        "Tyhjä rivi",
        "Blank row",
        "Tyhjä rivi tietojen keskellä; se jätettiin pois.",
        "A blank row inside the data; it was left out.",
    ),
    "header.duplicate": (
        "Sarake kahdesti",
        "Column named twice",
        "Sarake {column} ({header!r}) on samaa tietoa kuin sarake {first}; "
        "se säilytetään lisäsarakkeena eikä sitä tarkisteta.",
        "Column {column} ({header!r}) names the same field as column {first}; "
        "it is kept as an extra column and not checked.",
    ),
    "header.extra": (
        "Tuntematon sarake",
        "Unknown column",
        "Saraketta {column} ({header!r}) ei tunneta; se säilytetään sellaisenaan.",
        "Column {column} ({header!r}) is not known; it is kept as it is.",
    ),
    "header.missing": (
        "Sarake puuttuu",
        "Column missing",
        "Saraketta {field_name!r} ei löytynyt; sen arvot ovat tyhjiä.",
        "No column {field_name!r} was found; its values are empty.",
    ),
    "header.blank_commentary": (
        "Otsikoton sarake luettiin tilannekuvaukseksi",
        "Unheaded column read as commentary",
        "Sarakkeella {column} ei ole otsikkoa; se luettiin tilannekuvaukseksi.",
        "Column {column} has no header; it was read as the commentary.",
    ),
    "return.row_missing": (
        "Rivi puuttuu palautuksesta",
        "Row missing from the return",
        "Koodin {code} rivi puuttuu palautetusta työkirjasta; sen tietoja ei muutettu.",
        "The row of code {code} is missing from the returned workbook; nothing of it was changed.",
    ),
    "return.locked_edit": (
        "Lukittua solua muutettu",
        "Locked cell changed",
        "Lukittua solua oli muutettu ({issued!r} → {returned!r}); muutosta ei viety seurantataulukkoon.",
        "A locked cell was changed ({issued!r} → {returned!r}); the change was not taken into the master.",
    ),
    "return.status_unknown": (
        "Palautettu etenemisaste ei ole asteikolla",
        "Returned status not on the scale",
        "Palautettu etenemisaste {value!r} ei ole asteikolla; solua ei viety seurantataulukkoon.",
        "The returned status {value!r} is not on the scale; the cell was not taken into the master.",
    ),
    "return.column_missing": (
        "Sarake puuttuu palautuksesta",
        "Column missing from the return",
        "Palautuksesta ei löytynyt saraketta {field_name!r} (poistettu tai nimetty uudelleen); sen muutoksia ei voitu lukea.",
        "The return has no column {field_name!r} (deleted or renamed); its changes could not be read.",
    ),
    "return.row_gone": (
        "Rivi on poistettu seurantataulukosta",
        "Row removed from the master",
        "Koodia {code} ei enää ole seurantataulukossa; palautettua arvoa ei viety.",
        "Code {code} is no longer in the master; the returned value was not taken in.",
    ),
    # issue 8, item 8: two columns for one field
    "header.ambiguous": (
        "Kaksi saraketta samalle tiedolle",
        "Two columns for one field",
        "Välilehden {sheet_name} soluissa {cells} on kummassakin sarake {field_name!r}, eikä "
        "voi päätellä, kumpaa tarkoitetaan. Nimeä toinen uudelleen (esim. arkistosarake "
        "'{field_name} 2025') tai poista se.",
        "Cells {cells} of sheet {sheet_name} both head a column {field_name!r}; which one is "
        "meant cannot be told. Rename one (e.g. an archive column '{field_name} 2025') or "
        "delete it.",
    ),
    # issue 8, item 23 (a bad value in the tool's own sheets)
    "tool.value": (
        "Työkalun välilehdellä on virheellinen arvo",
        "Bad value in one of the tool's sheets",
        "Solussa on {value!r}, vaikka siinä pitää olla {expected_fi}. Välilehti on "
        "seuranta-xl:n oma; uutta kierrosta ei tehdä ennen kuin solu on korjattu.",
        "The cell holds {value!r}; it should hold {expected_en}. The sheet is one "
        "seuranta-xl keeps; no new round is made until the cell is corrected.",
    ),
    # issue 8, items 5, 11, 23 (cells): returned cells that cannot be used
    "return.cell_error": (
        "Palautetussa solussa on virhearvo",
        "Returned cell holds an error",
        "Solussa on virhearvo (esim. #JAKO/0!, #NIMI?) eikä tekstiä; solua ei viety, seurantataulukon arvo säilyi.",
        "The cell holds an error value (e.g. #DIV/0!, #NAME?), not text; it was not taken in and the master's value stays.",
    ),
    "return.cell_no_value": (
        "Palautetussa solussa on kaava ilman arvoa",
        "Returned cell holds a formula without its value",
        "Solussa on kaava, jonka arvoa ei ole tallennettu; solua ei viety, seurantataulukon arvo säilyi. Kirjoita solun teksti ilman kaavaa.",
        "The cell holds a formula saved without its value; it was not taken in and the master's value stays. Type the text without a formula.",
    ),
    "return.too_long": (
        "Palautettu teksti on liian pitkä",
        "Returned text too long",
        "Tekstissä on {length} merkkiä, Excelin solun enimmäismäärä {limit} tai yli (ja ehkä katkennut); solua ei viety, seurantataulukon arvo säilyi. Lyhennä tekstiä.",
        "The text has {length} characters, Excel's cell limit of {limit} or more (and perhaps cut); it was not taken in and the master's value stays. Shorten it.",
    ),
    "return.duplicate_code": (
        "Sama koodi useammalla rivillä",
        "Same code on several rows",
        "Koodi {code} on palautuksessa {count} rivillä; ei tiedetä, mikä niistä on oikea, joten niiden muutoksia ei viety.",
        "Code {code} is on {count:row|rows} of the return; which one is meant is unknown, so none of their changes was taken in.",
    ),
    # issue 8, hostile review: one owner written in two ways
    "owner.spelling": (
        "Vastuuhenkilö kirjoitettu eri tavoin",
        "Owner written in different ways",
        "Vastuuhenkilö {written!r} on kirjoitettu eri tavalla kuin aiemmin ({first!r}); "
        "heitä käsitellään samana henkilönä (yksi työkirja nimellä {first!r}). Kirjoita nimi "
        "joka rivillä samoin, tai erottele nimet, jos he ovat eri henkilöitä.",
        "Owner {written!r} is written differently from before ({first!r}); they are taken "
        "as one person (one workbook named {first!r}). Write the names alike, or apart if "
        "they are two people.",
    ),
}

CODE_ISSUES: dict[str, tuple[str, str]] = {
    "padding": ("numerot ilman etunollaa", "numbers without a leading zero"),
    "trailing_dot": ("ylimääräinen piste lopussa", "a trailing dot"),
    "missing_dot": ("pisteen puute lopussa", "the trailing dot is missing"),
    "leading_space": ("välilyönti alussa", "a space before the code"),
    "nbsp": ("sitova tai muu erikoisvälilyönti", "a non-breaking or other odd space"),
    "separator": (
        "koodin ja otsikon välissä ei ole täsmälleen yhtä välilyöntiä",
        "not exactly one space between code and title",
    ),
    "number_cell": ("solussa on luku, ei tekstiä", "the cell holds a number, not text"),
}

LEVEL_NAMES: dict[int, tuple[str, str]] = {
    1: ("Valtuustokauden tavoite", "Goal"),
    2: ("Vuositavoite", "Annual goal"),
    3: ("Toimenpide", "Action"),
}

SEVERITY_NAMES: dict[str, tuple[str, str]] = {
    "error": ("VIRHE", "ERROR"),
    "warning": ("VAROITUS", "WARNING"),
    "info": ("HUOM", "NOTE"),
}

ERRORS: dict[str, tuple[str, str]] = {
    "missing": ("Tiedostoa ei löydy: {path}", "File not found: {path}"),
    "is_directory": ("{path} on kansio, ei tiedosto.", "{path} is a folder, not a file."),
    "empty": ("{path} on tyhjä tiedosto.", "{path} is an empty file."),
    "encrypted": (
        "{path} on salattu salasanalla. Poista salasana (Tiedosto > Tiedot > Suojaa työkirja) "
        "ja yritä uudelleen.",
        "{path} is encrypted with a password. Remove the password (File > Info > Protect "
        "Workbook) and try again.",
    ),
    "xls": (
        "{path} on vanhaa .xls-muotoa. Tallenna se Excelissä muodossa .xlsx.",
        "{path} is an old .xls file. Save it as .xlsx in Excel.",
    ),
    "xlsb": (
        "{path} on binäärimuotoa (.xlsb). Tallenna se Excelissä muodossa .xlsx.",
        "{path} is a binary workbook (.xlsb). Save it as .xlsx in Excel.",
    ),
    "ods": (
        "{path} on OpenDocument-laskentataulukko (.ods). Tallenna se muodossa .xlsx.",
        "{path} is an OpenDocument spreadsheet (.ods). Save it as .xlsx.",
    ),
    "strict": (
        "{path} on tallennettu muodossa Strict Open XML, jota ei voi lukea. Tallenna se "
        "tavallisena Excel-työkirjana (.xlsx).",
        "{path} was saved as Strict Open XML, which cannot be read. Save it as a normal "
        "Excel Workbook (.xlsx).",
    ),
    "html": (
        "{path} on verkkosivu (HTML), jolle on annettu taulukon nimi; se ei ole Excel-tiedosto.",
        "{path} is a web page (HTML) renamed as a spreadsheet; it is not an Excel file.",
    ),
    "corrupt": (
        "{path} on vioittunut tai katkennut eikä sitä voi lukea ({detail}).",
        "{path} is damaged or truncated and cannot be read ({detail}).",
    ),
    "not_spreadsheet": (
        "{path} ei ole taulukkotiedosto (xlsx, csv tai sarkaineroteltu teksti).",
        "{path} is not a spreadsheet (xlsx, csv or tab-separated text).",
    ),
    "too_large": (
        "{path} on liian suuri tai epäilyttävästi pakattu ({detail}); sitä ei avata.",
        "{path} is too large or suspiciously compressed ({detail}); it is not opened.",
    ),
    "encoding": (
        "{path}: merkistöä ei tunnistettu (kokeiltiin UTF-8, UTF-16 ja Windows-1252).",
        "{path}: the text encoding was not recognised (tried UTF-8, UTF-16 and Windows-1252).",
    ),
    "no_sheet": (
        "{path}: yhdeltäkään välilehdeltä ei löytynyt seurantataulukon otsikkoriviä "
        "(esim. Valtuustokauden tavoite, Vuositavoite, Toimenpide, Vastuuhenkilö).",
        "{path}: no sheet has a follow-up header row (e.g. Valtuustokauden tavoite, "
        "Vuositavoite, Toimenpide, Vastuuhenkilö).",
    ),
    "no_header": (
        "{source}: otsikkoriviä ei löytynyt {rows} ensimmäiseltä riviltä. Otsikkorivillä "
        "pitää olla tavoite-, vuositavoite- tai toimenpidesarake ja vähintään kaksi muuta "
        "tunnettua saraketta (esim. Etenemisaste, Vastuuhenkilö).",
        "{source}: no header row in the first {rows} rows. The header needs a goal, annual "
        "goal or action column and at least two other known columns (e.g. Etenemisaste, "
        "Vastuuhenkilö).",
    ),
    "bad_scale": (
        "{path}: asetusten etenemisasteikko on virheellinen ({detail}).",
        "{path}: the progress scale in the settings is invalid ({detail}).",
    ),
    "not_xlsx": (
        "{path}: seurantataulukon nimen pitää päättyä .xlsx (makroton Excel-työkirja).",
        "{path}: the master's name must end in .xlsx (a macro-free Excel workbook).",
    ),
    "master_is_text": (
        "{path} on tekstitiedosto, ei seurantataulukko. Tee siitä ensin seurantataulukko: seuranta init SEURANTA.xlsx --from {path}",
        "{path} is a text file, not a master. Make a master of it first: seuranta init MASTER.xlsx --from {path}",
    ),
    "unknown_round": (
        "Kierrosta {round} ei ole jaettu tästä seurantataulukosta. Jaetut kierrokset: {known}.",
        "Round {round} was not issued from this master. Rounds issued: {known}.",
    ),
    "mark_needs_xlsx": (
        "--mark kirjoittaa havainnot vain Excel-työkirjaan; {path} on tekstitiedosto. Tee siitä ensin seurantataulukko: seuranta init.",
        "--mark writes findings into an Excel workbook only; {path} is a text file. Make a master of it first: seuranta init.",
    ),
    "exists": (
        "{path} on jo olemassa. Käytä valitsinta --force, jos haluat korvata sen.",
        "{path} already exists. Use --force to replace it.",
    ),
    "open_elsewhere": (
        "{path} on auki toisessa ohjelmassa (lukitustiedosto {lock}). Sulje se ja yritä uudelleen.",
        "{path} is open in another program (lock file {lock}). Close it and try again.",
    ),
    "busy": (
        "Toinen seuranta-xl-ajo käsittelee tiedostoa {path} (lukko {lock}). Odota, että se "
        "päättyy. Jos mikään ajo ei ole käynnissä, poista lukko.",
        "Another seuranta-xl run is working on {path} (lock {lock}). Wait for it to end. If "
        "no run is going on, delete the lock.",
    ),
    "save_failed": (
        "Tiedostoa {path} ei voitu tallentaa ({detail}); alkuperäinen tiedosto on ennallaan.",
        "{path} could not be saved ({detail}); the original file is unchanged.",
    ),
    "round_invalid": (
        "Kierroksen tunnus {round!r} ei kelpaa: käytä kirjaimia, numeroita ja merkkejä - _ . (esim. 2021-kevät).",
        "Round id {round!r} is not valid: use letters, digits and - _ . (e.g. 2021-kevät).",
    ),
    "round_issued": (
        "Kierros {round} on jo tehty näille vastuuhenkilöille: {owners}. Samaa kierrosta ei tehdä toiseen kertaan; anna uusi tunnus valitsimella --round.",
        "Round {round} was already issued to: {owners}. A round is not issued twice; give a new id with --round.",
    ),
    "unknown_owner": (
        "Vastuuhenkilöä ei ole seurantataulukossa: {owners}. Taulukon vastuuhenkilöt: {known}.",
        "No such owner in the master: {owners}. The master's owners: {known}.",
    ),
    "no_owners": (
        "{path}: yhdelläkään rivillä ei ole vastuuhenkilöä, joten työkirjoja ei tehty.",
        "{path}: no row has an owner, so no workbooks were made.",
    ),
    "files_exist": (
        "Kansiossa {dir} on jo tiedostot {files}; niitä ei korvata. Siirrä ne pois tai valitse toinen kansio.",
        "{dir} already holds {files}; they are not replaced. Move them away or choose another folder.",
    ),
    "master_has_errors": (
        "{path}: seurantataulukosta on korjattava {count:virhe|virhettä} ennen työkirjojen tekemistä.",
        "{path}: the master has {count:error|errors} to fix before workbooks can be made.",
    ),
    "no_rounds": (
        "{path}: seurantataulukosta ei ole vielä jaettu yhtään kierrosta (seuranta generate), joten palautuksia ei voi yhdistää.",
        "{path}: no round has been issued from this master yet (seuranta generate), so there is nothing to merge returns into.",
    ),
    "template_missing": (
        "Pohjatiedostoa {path} ei löydy; asennus on puutteellinen.",
        "The template {path} is missing; the installation is incomplete.",
    ),
    # issue 8, item 9: which sheet holds the rows
    "several_sheets": (
        "{path}: seurantataulukon otsikkorivi on usealla välilehdellä ({sheets}), eikä voi "
        "päätellä, millä niistä ovat oikeat rivit. Kopioi oikea välilehti yksin uuteen "
        "työkirjaan tai poista muut ja yritä uudelleen.",
        "{path}: several sheets have a follow-up header row ({sheets}); which one holds the "
        "rows cannot be told. Copy the right sheet alone into a new workbook, or delete the "
        "others, and try again.",
    ),
    "several_sheets_master": (
        "{path}: seurantataulukon omaa välilehteä {sheet} ei löytynyt, ja otsikkorivi on "
        "usealla välilehdellä ({sheets}), eikä voi päätellä, millä niistä ovat oikeat rivit. "
        "Nimeä oikea välilehti nimelle {sheet} tai poista kopiot ja yritä uudelleen.",
        "{path}: the master's own sheet {sheet} was not found, and several sheets have a "
        "follow-up header row ({sheets}); which one holds the rows cannot be told. Name the "
        "right sheet {sheet}, or delete the copies, and try again.",
    ),
    # issue 8, item 8: merge stops on the master's errors too, with its own words
    "master_has_errors_merge": (
        "{path}: seurantataulukosta on korjattava {count:virhe|virhettä} ennen kuin "
        "palautuksia voi yhdistää; mitään ei muutettu.",
        "{path}: the master has {count:error|errors} to fix before returns can be merged into it; "
        "nothing was changed.",
    ),
    # issue 8, items 12, 20 and 24 (write safety)
    "read_only": (
        "{path} on kirjoitussuojattu (vain luku), joten sitä ei muutettu. Jos tiedostoa saa "
        "muuttaa, poista kirjoitussuojaus ja yritä uudelleen.",
        "{path} is read-only, so it was not changed. If the file may be changed, remove the "
        "read-only protection and try again.",
    ),
    "busy_elsewhere": (
        "Tiedostoa {path} käsittelee seuranta-xl toisella koneella ({host}, prosessi {pid}, "
        "alkaen {since}). Toisen koneen lukkoa ei oteta haltuun. Odota, että ajo siellä "
        "päättyy. Jos se on varmasti päättynyt (kone kaatui tai sammutettiin), poista "
        "lukkotiedosto {lock}.",
        "{path} is being worked on by seuranta-xl on another machine ({host}, process {pid}, "
        "since {since}). Another machine's lock is never taken over. Wait for the run there "
        "to end. If it has surely ended (the machine crashed or was switched off), delete "
        "the lock file {lock}.",
    ),
    "lock_taken_over": (
        "Huom: tiedoston {path} lukko {lock} jäi keskeytyneeltä ajolta (prosessi {pid}, "
        "alkaen {since}, ei enää käynnissä tällä koneella); se otettiin haltuun.",
        "Note: the lock {lock} of {path} was left by a run that stopped (process {pid}, "
        "since {since}, no longer running on this machine); it was taken over.",
    ),
    "sheet_full": (
        "{path}: välilehdelle {sheet} pitäisi lisätä rivit {first}–{last}, mutta "
        "Excel-työkirjan välilehdellä voi olla enintään 1 048 576 riviä. Mitään ei "
        "kirjoitettu. Siirrä välilehden vanhimmat rivit talteen toiseen työkirjaan ja "
        "poista ne tästä, ja yritä uudelleen.",
        "{path}: rows {first}–{last} would be added to sheet {sheet}, but a sheet of an Excel "
        "workbook holds at most 1,048,576 rows. Nothing was written. Move the sheet's oldest "
        "rows to another workbook for safekeeping, delete them here and try again.",
    ),
    # issue 8, items 1, 4, 25 (summary, demo)
    "summary_out_is_master": (
        "--out {path} on seurantataulukko {master} itse; yhteenveto ei korvaa sitä. Anna "
        "erilliselle yhteenvedolle toinen nimi, esim. yhteenveto.xlsx.",
        "--out {path} is the master {master} itself; the summary does not replace it. Give "
        "the standalone summary another name, e.g. summary.xlsx.",
    ),
    "summary_out_not_summary": (
        "{path} on jo olemassa eikä ole seuranta-xl:n tekemä erillinen yhteenveto (se voi "
        "olla seurantataulukko, täyttötyökirja tai muu tiedosto); sitä ei korvata. Anna "
        "--out-valitsimelle toinen nimi.",
        "{path} exists and is not a standalone summary seuranta-xl made (it may be a master, "
        "an owner workbook or another file); it is not replaced. Give --out another name.",
    ),
    "summary_owner_workbook": (
        "{path} on vastuuhenkilön täyttötyökirja, ei seurantataulukko; yhteenveto tehdään "
        "seurantataulukkoon. Tiedostoa ei muutettu.",
        "{path} is an owner's input workbook, not a master; a summary goes into the master. "
        "The file was not changed.",
    ),
    "summary_not_master": (
        "{path} ei ole seurantataulukko (siitä puuttuvat välilehdet Asetukset ja "
        "seuranta_avain); yhteenveto tehdään seurantataulukkoon. Tee siitä ensin "
        "seurantataulukko: seuranta init SEURANTA.xlsx --from {path}. Tiedostoa ei muutettu.",
        "{path} is not a master (it has no Asetukset and seuranta_avain sheets); a summary "
        "goes into a master. Make a master of it first: seuranta init MASTER.xlsx --from "
        "{path}. The file was not changed.",
    ),
    "demo_foreign": (
        "Kansiossa {dir} on tiedostoja, joita esittely ei ole tehnyt tai joita on muutettu "
        "sen jälkeen: {files}. Esittely ei koske niihin; anna tyhjä tai uusi kansio (aiemman "
        "version esittelykansion voi poistaa itse).",
        "{dir} holds files the demo did not make, or changed since it made them: {files}. "
        "The demo does not touch them; give an empty or new folder (a demo folder of an "
        "earlier version you may delete yourself).",
    ),
    # issue 8, items 2 and 23 (generate: interrupted rounds, the tool's own sheets)
    "publish_incomplete": (
        "Kierros on kirjattu seurantataulukkoon, mutta kaikkia työkirjoja ei saatu kansioon "
        "{dir} ({detail}). Ne odottavat piilokansiossa {staging}; aja sama generate-komento "
        "uudelleen, niin ne siirretään paikalleen.",
        "The round is recorded in the master, but not every workbook could be put in {dir} "
        "({detail}). They wait in the hidden folder {staging}; run the same generate command "
        "again to put them in place.",
    ),
    "publish_blocked": (
        "Kierros on kirjattu seurantataulukkoon, mutta kansiossa {dir} on jo toiset tiedostot "
        "samoilla nimillä: {files}. Niitä ei korvata. Siirrä ne pois ja aja sama "
        "generate-komento uudelleen; työkirjat odottavat piilokansiossa {staging}.",
        "The round is recorded in the master, but {dir} already holds other files of the same "
        "names: {files}. They are not replaced. Move them away and run the same generate "
        "command again; the workbooks wait in the hidden folder {staging}.",
    ),
    "staging_blocked": (
        "Kansiossa {dir} on keskeytyneen ajon piilokansio {folders}, jota ei voitu viedä "
        "loppuun: sen tiedostoja estää samanniminen tiedosto tai kansiossa on jotain, mitä "
        "seuranta-xl ei tehnyt. Siirrä estävät tiedostot pois ja aja komento uudelleen.",
        "{dir} holds the hidden folder {folders} of an interrupted run that could not be "
        "finished: a file of the same name blocks its files, or it holds something "
        "seuranta-xl did not make. Move the blocking files away and run the command again.",
    ),
    "publish_interrupted": (
        "Keskeytetty, kun kierros oli jo kirjattu seurantataulukkoon. Loput työkirjat "
        "odottavat kansion {dir} piilokansiossa {staging}; aja sama generate-komento "
        "uudelleen, niin ne siirretään paikalleen.",
        "Interrupted after the round was recorded in the master. The remaining workbooks "
        "wait in the hidden folder {staging} in {dir}; run the same generate command again "
        "to put them in place.",
    ),
    "tool_sheet_value": (
        "{path}: välilehden {sheet} solussa {cell} on {value!r}, vaikka siinä pitää olla "
        "{expected_fi}. Välilehti on seuranta-xl:n oma; korjaa solu tai palauta se "
        "varmuuskopiosta.",
        "{path}: sheet {sheet}, cell {cell} holds {value!r}; it should hold {expected_en}. "
        "The sheet is one seuranta-xl keeps; correct the cell or restore it from a backup.",
    ),
    # issue 8, hostile review: an owner workbook given where the master belongs
    "owner_workbook_as_master": (
        "{path} on vastuuhenkilön täyttötyökirja (tai hänen palautuksensa), ei "
        "seurantataulukko; anna komennolle seurantataulukko. Tiedostoa ei muutettu.",
        "{path} is an owner's input workbook (or a return), not a master; give the command "
        "the master. The file was not changed.",
    ),
    "name_too_long": (
        "Tiedoston {path} nimi on liian pitkä: seuranta-xl tallentaa turvallisesti "
        "apunimien kautta, joihin tulee nimen lisäksi noin 30 merkkiä, eikä levy hyväksy "
        "niin pitkää nimeä. Lyhennä tiedoston nimeä. Mitään ei muutettu.",
        "The name of {path} is too long: seuranta-xl saves safely through helper names "
        "about 30 characters longer, which the disk does not accept. Shorten the file's "
        "name. Nothing was changed.",
    ),
    # issue 9: seuranta excel install
    "addin_missing": (
        "Excel-apuohjelmaa {path} ei löydy: tämä asennus on tehty ilman sitä. Asenna "
        "seuranta-xl:n uudempi versio (pip install --upgrade seuranta-xl) tai rakenna "
        "apuohjelma lähdekoodista.",
        "The Excel add-in {path} is not there: this installation was made without it. "
        "Install a newer seuranta-xl (pip install --upgrade seuranta-xl) or build the add-in "
        "from the source.",
    ),
    "addin_no_excel": (
        "Exceliä ei ole tällä koneella ({system}), joten apuohjelmaa ei asennettu. Aja "
        "komento Windows- tai Mac-koneella, jossa Excel on, tai kopioi {path} itse ja anna "
        "kohdekansio valitsimella --dir.",
        "Excel is not available here ({system}), so the add-in was not installed. Run the "
        "command on a Windows or Mac computer with Excel, or copy {path} yourself and give "
        "the target folder with --dir.",
    ),
    "addin_not_ours": (
        "{path} on jo olemassa, eikä seuranta excel install ole tehnyt sitä (tai sitä on "
        "muutettu sen jälkeen){looks_fi}. Sitä ei korvattu. Siirrä tai nimeä se itse ja aja "
        "komento uudelleen.",
        "{path} already exists and was not put there by seuranta excel install (or it was "
        "changed since){looks_en}. It was not replaced. Move or rename it yourself and run the "
        "command again.",
    ),
    "addin_write": (
        "Apuohjelmaa ei voitu kirjoittaa tiedostoon {path}: {detail}. Jos Excel on auki, "
        "sulje se ja aja komento uudelleen.",
        "The add-in could not be written to {path}: {detail}. If Excel is open, close it and "
        "run the command again.",
    ),
    # issue 10, council (the council report as PDF; summary --out names an .xlsx)
    "pdf_no_office": (
        "PDF-tiedostoa {path} ei kirjoitettu, eikä mitään muutakaan tehty: LibreOfficea "
        "(soffice) ei löytynyt tältä koneelta. Tulosta valtuustoraportti Excelistä: aja "
        "seuranta summary {master} ilman valitsinta --pdf, avaa {master} Excelissä, valitse "
        "välilehti Valtuustoraportti ja Tiedosto > Tulosta (tulostimeksi Microsoft Print to "
        "PDF) tai Tiedosto > Tallenna nimellä > PDF; sivun asetukset (A4 vaaka, otsikkorivi "
        "joka sivulla, tavoite sivulleen) ovat valmiina. Tai asenna LibreOffice ja aja "
        "komento uudelleen.",
        "The PDF {path} was not written, and nothing else was done: LibreOffice (soffice) was "
        "not found on this computer. Print the council report from Excel instead: run "
        "seuranta summary {master} without --pdf, open {master} in Excel, choose the sheet "
        "Valtuustoraportti (Council report) and File > Print (printer Microsoft Print to PDF) "
        "or File > Save As > PDF; the page set-up (A4 landscape, header row on every page, a "
        "goal a page) is already there. Or install LibreOffice and run the command again.",
    ),
    "pdf_is_master": (
        "--pdf {path} on seurantataulukko {master} itse; sen päälle ei kirjoiteta. Anna "
        "PDF:lle toinen nimi, esim. valtuustoraportti.pdf.",
        "--pdf {path} is the master {master} itself; it is not written over. Give the PDF "
        "another name, e.g. council-report.pdf.",
    ),
    "pdf_suffix": (
        "--pdf {path}: PDF-tiedoston nimen pitää päättyä .pdf (esim. valtuustoraportti.pdf). "
        "Mitään ei kirjoitettu.",
        "--pdf {path}: the PDF's name must end in .pdf (e.g. council-report.pdf). Nothing was "
        "written.",
    ),
    "pdf_not_pdf": (
        "{path} on jo olemassa eikä ole PDF-tiedosto; sitä ei korvata. Anna --pdf-valitsimelle "
        "toinen nimi. Mitään ei kirjoitettu.",
        "{path} exists and is not a PDF; it is not replaced. Give --pdf another name. Nothing "
        "was written.",
    ),
    "pdf_failed": (
        "Valtuustoraportin PDF:ää ei saatu tehtyä LibreOfficella ({path}): {detail}. PDF:ää "
        "ei kirjoitettu. Tulosta raportti Excelistä: välilehti Valtuustoraportti, Tiedosto > "
        "Tulosta.",
        "LibreOffice could not print the council report ({path}): {detail}. No PDF was "
        "written. Print the report from Excel: sheet Valtuustoraportti, File > Print.",
    ),
    "summary_out_not_xlsx": (
        "--out {path}: erillinen yhteenveto on Excel-työkirja, joten nimen pitää päättyä "
        ".xlsx (esim. yhteenveto.xlsx). Mitään ei luettu eikä kirjoitettu.",
        "--out {path}: the standalone summary is an Excel workbook, so its name must end in "
        ".xlsx (e.g. summary.xlsx). Nothing was read or written.",
    ),
    # issue 10, item 5: the master as data frames (seuranta_xl.frames)
    "pandas_missing": (
        "Seurantataulukko tietokehyksinä (seuranta_xl.frames) tarvitsee pandas-kirjaston, jota "
        'ei ole asennettu. Asenna se: pip install "seuranta-xl[analysis]" (uv-projektissa: '
        "uv sync --extra analysis).",
        "The master as data frames (seuranta_xl.frames) needs pandas, which is not installed. "
        'Install it with: pip install "seuranta-xl[analysis]" (in a uv project: uv sync '
        "--extra analysis).",
    ),
    # issue 10 (a record sheet renamed by case)
    "record_sheet_renamed": (
        "Välilehti {sheet} tiedostossa {path} on seuranta-xl:n kirjanpitovälilehti {name} "
        "uudelleen nimettynä. Nimeä se takaisin nimelle {name} (isot ja pienet kirjaimet "
        "kuten tässä) ja aja komento uudelleen. Tiedostoa ei muutettu.",
        "The sheet {sheet} in {path} is seuranta-xl's record sheet {name} renamed. Rename it "
        "back to {name} (upper and lower case as here) and run the command again. The file "
        "was not changed.",
    ),
    # issue 11, item 3: the deadline and return address given to generate
    "deadline_invalid": (
        "Palautuksen määräpäivä {value!r} ei ole päivämäärä. Kirjoita se muodossa "
        "päivä.kuukausi.vuosi (esim. 31.5.2026) tai 2026-05-31. Mitään ei tehty.",
        "The return deadline {value!r} is not a date. Write it as day.month.year "
        "(e.g. 31.5.2026) or 2026-05-31. Nothing was done.",
    ),
    "no_settings_sheet": (
        "Tiedostossa {path} ei ole asetusvälilehteä {sheet}, joten määräpäivää ja "
        "palautusosoitetta ei voi tallentaa. Käytä seuranta-xl:n tekemää seurantataulukkoa "
        "(seuranta init) tai jätä valinnat --deadline ja --return-to pois. Mitään ei tehty.",
        "{path} has no settings sheet {sheet}, so the deadline and return address cannot be "
        "kept. Use a master made by seuranta-xl (seuranta init) or leave out --deadline and "
        "--return-to. Nothing was done.",
    ),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def rule_title(rule: str, lang: str = DEFAULT_LANG) -> str:
    """The short name of a rule, for report headings."""
    fi, en, _, _ = RULES[rule]
    return en if lang == "en" else fi


def finding_text(rule: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """A rule's message filled with a finding's parameters."""
    _, _, fi, en = RULES[rule]
    params = dict(params)
    if "issues" in params:
        params["issues_fi"] = ", ".join(CODE_ISSUES[i][0] for i in params["issues"])
        params["issues_en"] = ", ".join(CODE_ISSUES[i][1] for i in params["issues"])
    if "level" in params and params["level"] in LEVEL_NAMES:
        params.setdefault("level_name", _pick(LEVEL_NAMES[params["level"]], lang))
        params.setdefault("level_lower", params["level_name"].lower())
    # a commentary can be pages long; a status or a code is shown whole
    for key in ("text", "issued", "returned"):
        if isinstance(params.get(key), str) and len(params[key]) > 80:
            params[key] = params[key][:77] + "..."
    return fill(en if lang == "en" else fi, lang, **params)


def error_text(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """A fatal error's message."""
    if "since" in params:  # a lock's time, in the language's own form
        params = {**params, "since": when(params["since"])}
    return fill(_pick(ERRORS[key], lang), lang, **params)


def severity_name(severity: str, lang: str = DEFAULT_LANG) -> str:
    return _pick(SEVERITY_NAMES[severity], lang)


def level_name(level: int, lang: str = DEFAULT_LANG) -> str:
    return _pick(LEVEL_NAMES[level], lang)


RETURN_REASONS: dict[str, tuple[str, str]] = {
    "merged": ("yhdistetty", "merged"),
    "unchanged": ("ei muutoksia", "nothing changed"),
    "as_issued": (
        "tiedosto on sellaisenaan kuin se jaettiin: ei täytetty, ei kirjattu palautukseksi",
        "the file is exactly as issued: not filled in, not recorded as a return",
    ),
    "duplicate": (
        "sama tiedosto on jo yhdistetty (sama sisältö)",
        "the same file was merged before (same content)",
    ),
    "duplicate_in_run": (
        "sama sisältö kuin tiedostossa {detail}, joka yhdistettiin tässä ajossa; luettiin kerran",
        "the same content as {detail}, merged in this run; read once",
    ),
    "missing": ("tiedostoa ei löydy", "file not found"),
    "empty": ("tyhjä tiedosto", "empty file"),
    "is_directory": ("kansio, ei tiedosto", "a folder, not a file"),
    "encrypted": (
        "salattu salasanalla: pyydä lähettäjää poistamaan salasana",
        "encrypted with a password: ask the sender to remove it",
    ),
    "strict": (
        "tallennettu muodossa Strict Open XML: pyydä tallentamaan tavallisena .xlsx-tiedostona",
        "saved as Strict Open XML: ask for a normal .xlsx",
    ),
    "html": ("verkkosivu (HTML), ei Excel-tiedosto", "a web page (HTML), not an Excel file"),
    "corrupt": ("vioittunut tai katkennut tiedosto", "damaged or truncated file"),
    "not_spreadsheet": ("ei taulukkotiedosto", "not a spreadsheet"),
    "too_large": (
        "liian suuri tai epäilyttävästi pakattu; ei avattu",
        "too large or suspiciously compressed; not opened",
    ),
    "no_sheet": (
        "seurannan välilehteä ei löytynyt",
        "no sheet with the follow-up rows",
    ),
    "no_manifest": (
        "tunnistetiedot puuttuvat: tiedosto ei ole seuranta-xl:n tekemä tai se on kopioitu uuteen työkirjaan",
        "its identification is missing: not made by seuranta-xl, or copied into a new workbook",
    ),
    "bad_manifest": ("tunnistetiedot vioittuneet", "its identification is damaged"),
    "bad_signature": (
        "tunnistetietoja on muutettu (allekirjoitus ei täsmää)",
        "its identification was changed (the signature does not match)",
    ),
    "other_master": (
        "tehty toisesta seurantataulukosta",
        "made from another master",
    ),
    "other_round": (
        "kierrosta ei ole jaettu tälle vastuuhenkilölle tästä seurantataulukosta",
        "this round was not issued to this owner from this master",
    ),
    # issue 8, item 10: which sheet or column holds the owner's edits cannot be told
    "several_sheets": (
        "seurantarivit ovat usealla välilehdellä ({detail}), eikä voi tietää, mitä niistä "
        "muokattiin: tiedostoa ei luettu. Pyydä vastuuhenkilöä palauttamaan työkirja, "
        "jossa on vain yksi seurantavälilehti",
        "follow-up rows on several sheets ({detail}), and which one was edited cannot be "
        "told: the file was not read. Ask the owner for the workbook with one follow-up "
        "sheet only",
    ),
    "ambiguous_columns": (
        "sama tieto kahdessa sarakkeessa ({detail}), eikä voi tietää, kumpaa muokattiin: "
        "tiedostoa ei luettu. Pyydä vastuuhenkilöä poistamaan ylimääräinen sarake",
        "one field in two columns ({detail}), and which one was edited cannot be told: "
        "the file was not read. Ask the owner to delete the extra column",
    ),
    # issue 8, items 21, 23, 26 (files)
    "permission_denied": (
        "ei lukuoikeutta: tiedostoon ei ole oikeuksia tai se on auki toisessa ohjelmassa",
        "cannot be read: no permission, or the file is open in another program",
    ),
    "link_loop": (
        "symbolinen linkki, joka kiertää kehää: tiedostoa ei ole",
        "a symbolic link that loops back on itself: there is no file",
    ),
    "skipped_template": (
        "Excel-pohja (.xltx/.xltm/.xlt), ei palautus; ei yhdistetty (tallenna työkirjana .xlsx)",
        "an Excel template (.xltx/.xltm/.xlt), not a return; not merged (save it as .xlsx)",
    ),
    "skipped_text": (
        "tekstitiedosto (.csv/.txt), ei palautettu työkirja; ei yhdistetty",
        "a text file (.csv/.txt), not a returned workbook; not merged",
    ),
    "skipped_other": (
        "ei taulukkotiedosto (.xlsx, .xlsm, .xls, .xlsb, .ods); ei yhdistetty",
        "not a spreadsheet (.xlsx, .xlsm, .xls, .xlsb, .ods); not merged",
    ),
    "skipped_hidden": (
        "piilotettu tiedosto; ei yhdistetty (nimeä se ilman alun pistettä, jos se on palautus)",
        "a hidden file; not merged (rename it without the leading dot if it is a return)",
    ),
    "is_master": (
        "seurantataulukko itse, ei palautus; ei yhdistetty",
        "the master itself, not a return; not merged",
    ),
    "skipped_lock": (
        "Excelin tai LibreOfficen lukitustiedosto (työkirja on jollakulla auki); ei yhdistetty",
        "a lock file of Excel or LibreOffice (someone has the workbook open); not merged",
    ),
    # issue 8, item 14 (cells)
    "outdated_round": (
        "vanhentunut kierros: vastuuhenkilölle on jaettu tämän jälkeen uudempi kierros; pyydä täyttämään uusin työkirja",
        "an outdated round: a newer round was issued to this owner since; ask for the newest workbook",
    ),
    # issue 8, hostile review: seuranta-xl's own workbooks that are not returns
    "master_copy": (
        "seurantataulukko tai sen kopio (esim. varmuuskopio), ei vastuuhenkilön palautus; ei yhdistetty",
        "a master or a copy of one (a backup, say), not an owner's return; not merged",
    ),
    "summary_file": (
        "seuranta-xl:n tekemä yhteenveto, ei vastuuhenkilön palautus; ei yhdistetty",
        "a summary seuranta-xl made, not an owner's return; not merged",
    ),
    "nothing_applied": (
        "mitään ei viety: katso ristiriidat ja hylätyt solut alla",
        "nothing applied: see the conflicts and rejected cells below",
    ),
}

RETURN_NOTES: dict[str, tuple[str, str]] = {
    "format_xls": (
        "luettiin .xls-tiedostosta; pyydä jatkossa .xlsx",
        "read from .xls; ask for .xlsx next time",
    ),
    "format_xlsb": (
        "luettiin .xlsb-tiedostosta; pyydä jatkossa .xlsx",
        "read from .xlsb; ask for .xlsx next time",
    ),
    "format_ods": (
        "luettiin .ods-tiedostosta; pyydä jatkossa .xlsx",
        "read from .ods; ask for .xlsx next time",
    ),
    "macros_ignored": ("makrot ohitettiin, tiedot luettiin", "macros ignored, data read"),
    "second_return": (
        "saman vastuuhenkilön toinen palautus tältä kierrokselta: se voittaa vain siellä, missä aiempi ei muuttanut",
        "a second return from this owner in this round: it wins only where the earlier one changed nothing",
    ),
}


def return_reason(key: str, lang: str = DEFAULT_LANG, detail: str = "", dry: bool = False) -> str:
    """Why a returned file got its result; ``detail`` fills a reason that names sheets or
    cells. ``dry``: said in the conditional, as a dry run would do it."""
    reasons = RETURN_REASONS_DRY if dry and key in RETURN_REASONS_DRY else RETURN_REASONS
    if key in reasons:
        text = _pick(reasons[key], lang)
        return text.replace("{detail}", detail) if "{detail}" in text else text
    if key in RETURN_NOTES:
        return _pick(RETURN_NOTES[key], lang)
    return key


FIELD_NAMES: dict[str, tuple[str, str]] = {
    "goal": ("tavoite", "goal"),
    "annual_goal": ("vuositavoite", "annual goal"),
    "action": ("toimenpide", "action"),
    "risks": ("merkittävimmät tavoitteen toteuttamista uhkaavat riskit", "risks"),  # the header
    "overall": ("kokonaistilanne", "overall status"),
    "status": ("etenemisaste", "progress status"),
    "commentary": ("tilannekuvaus", "commentary"),
    "owner": ("vastuuhenkilö", "owner"),
}


def field_name(field: str, lang: str = DEFAULT_LANG) -> str:
    """A column's short name in running text."""
    return _pick(FIELD_NAMES[field], lang) if field in FIELD_NAMES else field


# issue 8, items 5, 11, 13, 14, 23 (cells): why one returned cell was not taken in
CELL_REASONS: dict[str, tuple[str, str]] = {
    "master_changed": (
        "seurantataulukon arvo muuttunut jakamisen jälkeen",
        "the master's value changed since the workbook was issued",
    ),
    "owner_changed": ("rivin vastuuhenkilö vaihtunut", "the row's owner changed"),
    "row_gone": ("rivi poistettu seurantataulukosta", "the row was removed from the master"),
    "formula": ("seurantataulukon solussa on kaava", "the master's cell holds a formula"),
    "cell_error": ("solussa virhearvo", "the cell holds an error value"),
    "cell_no_value": ("solussa kaava ilman arvoa", "the cell holds a formula without its value"),
    "too_long": ("teksti 32 767 merkkiä tai yli", "text of 32,767 characters or more"),
    "status_unknown": ("etenemisaste ei asteikolla", "status not on the scale"),
    "duplicate_code": (
        "sama koodi useammalla rivillä",
        "the same code on several rows",
    ),
    "owner_reverted": (
        "myöhempi palautus palauttaa jaetun arvon, seurantataulukossa on saman vastuuhenkilön aiempi muutos",
        "a later return puts back the issued value; the master holds this owner's earlier change",
    ),
}


def cell_reason(key: str, lang: str = DEFAULT_LANG) -> str:
    """Why one returned cell was not taken in."""
    return _pick(CELL_REASONS[key], lang) if key in CELL_REASONS else key


# issue 8, hostile review: a cell's decision as the merge report names it
DECISION_NAMES: dict[str, tuple[str, str]] = {
    "applied": ("viety", "applied"),
    "conflict": ("ristiriita", "conflict"),
    "rejected": ("hylätty", "rejected"),
    "locked": ("lukittu solu", "locked cell"),
}


def decision_name(decision: str, lang: str = DEFAULT_LANG) -> str:
    """A merge decision in running text."""
    return _pick(DECISION_NAMES[decision], lang) if decision in DECISION_NAMES else decision


# issue 9: what the Excel buttons say (seuranta_xl.excel), in message boxes and the status bar
EXCEL_TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Seuranta", "Seuranta"),
    "ask_save": (
        "Työkirjassa {name} on tallentamattomia muutoksia.\n\n"
        "Kyllä: tallenna ja jatka.\nEi: jatka ilman niitä (muutokset hylätään).\n"
        "Peruuta: älä tee mitään.",
        "The workbook {name} has unsaved changes.\n\n"
        "Yes: save them and go on.\nNo: go on without them (the changes are discarded).\n"
        "Cancel: do nothing.",
    ),
    "not_saved_yet": (
        "Tallenna työkirja ensin tiedostoksi (Tiedosto > Tallenna nimellä); painikkeet "
        "käsittelevät tallennettua seurantataulukkoa.",
        "Save the workbook as a file first (File > Save As); the buttons work on the saved master.",
    ),
    "web_path": (
        "Työkirja on avattu verkko-osoitteesta ({name}), ei tiedostona. Avaa "
        "seurantataulukko synkronoidusta kansiosta (esim. OneDrive-kansio "
        "Resurssienhallinnassa) tai kopioi se paikalliseen kansioon. Ks. docs/excel.md.",
        "The workbook was opened from a web address ({name}), not as a file. Open the "
        "master from the synced folder (e.g. the OneDrive folder in File Explorer) or copy "
        "it to a local folder. See docs/excel.md.",
    ),
    "pick_returns": ("Valitse palautettujen työkirjojen kansio", "Choose the folder of returns"),
    "pick_owner_dir": (
        "Valitse kansio täyttötyökirjoille",
        "Choose the folder for the owner workbooks",
    ),
    "ask_round": (
        "Kierroksen tunnus (esim. 2021-kevät):",
        "Round id (e.g. 2021-kevät):",
    ),
    "default_folder": (
        "Kansiota ei voitu kysyä; käytetään kansiota {dir}. (Asetuksen {setting} voi täyttää "
        "välilehdellä Asetukset.)",
        "The folder could not be asked; using {dir}. (The setting {setting} can be filled in "
        "on the sheet Asetukset.)",
    ),
    "no_returns_dir": (
        "Palautusten kansiota {dir} ei ole. Tallenna palautetut työkirjat sinne tai anna "
        "kansio asetuksessa {setting} (välilehti Asetukset).",
        "The returns folder {dir} does not exist. Save the returned workbooks there or give "
        "the folder in the setting {setting} (sheet Asetukset).",
    ),
    "busy_validate": ("Seuranta: tarkistetaan…", "Seuranta: checking…"),
    "busy_generate": ("Seuranta: tehdään täyttötyökirjoja…", "Seuranta: making owner workbooks…"),
    "busy_merge": ("Seuranta: luetaan palautuksia…", "Seuranta: reading returns…"),
    "busy_merge_n": (
        "Seuranta: luetaan palautuksia ({done}/{total})…",
        "Seuranta: reading returns ({done}/{total})…",
    ),
    "busy_summary": ("Seuranta: päivitetään yhteenvetoa…", "Seuranta: updating the summary…"),
    "validate_ok": (
        "Tarkistettu: {rows:rivi|riviä}, ei virheitä.",
        "Checked: {rows:row|rows}, no errors.",
    ),
    "validate_errors": (
        "Tarkistettu: {rows:rivi|riviä}, korjattavana {errors:virhe|virhettä}.",
        "Checked: {rows:row|rows}, {errors:error|errors} to fix.",
    ),
    "validate_counts": (
        "Varoituksia {warnings}, huomioita {notes}.",
        "Warnings {warnings}, notes {notes}.",
    ),
    "validate_where": (
        "Havainnot ovat välilehdellä {sheet}, jokainen linkkinä soluunsa; solut on korostettu.",
        "The findings are on the sheet {sheet}, each linked to its cell; the cells are "
        "highlighted.",
    ),
    "first_errors": ("Ensimmäiset virheet:", "The first errors:"),
    "more": ("… ja {count:muu|muuta}", "… and {count:more|more}"),
    "generate_done": (
        "Kierros {round}: {count:täyttötyökirja|täyttötyökirjaa} kansioon\n{dir}\n\nKierros on kirjattu "
        "seurantataulukkoon.",
        "Round {round}: {count:owner workbook|owner workbooks} in the folder\n{dir}\n\nThe round is recorded "
        "in the master.",
    ),
    "generate_already": (
        "Jo aiemmin tällä kierroksella saaneet (ei tehty uudelleen): {owners}",
        "Already issued in this round (not made again): {owners}",
    ),
    "generate_unowned": (
        "Rivejä ilman vastuuhenkilöä: {count} (niitä ei lähetetä kenellekään).",
        "Rows without an owner: {count} (nobody is asked to fill them in).",
    ),
    "generate_finished": (
        "Keskeytyneen ajon kirjatut työkirjat siirrettiin paikalleen: {count}.",
        "Workbooks of an interrupted run put in place: {count}.",
    ),
    "master_errors": (
        "Seurantataulukosta on korjattava ensin {count:virhe|virhettä}. Paina Tarkista: "
        "havainnot tulevat välilehdelle Havainnot.",
        "The master has {count:error|errors} to fix first. Press Tarkista (Check): the findings go "
        "to the sheet Havainnot/Findings.",
    ),
    "merge_done": (
        "Palautuksia luettu {read} kansiosta\n{dir}\n\nYhdistetty {merged}, ei muutoksia "
        "{unchanged}, jo aiemmin yhdistetty {duplicate}, hylätty {rejected}.\n"
        "Muutoksia viety {changes}, ristiriitoja {conflicts}, uusia rivejä ehdotettu {proposals}.",
        "Returns read: {read} from the folder\n{dir}\n\nMerged {merged}, no changes "
        "{unchanged}, merged before {duplicate}, rejected {rejected}.\n"
        "Changes applied {changes}, conflicts {conflicts}, new rows proposed {proposals}.",
    ),
    "merge_nothing": (
        "Kansiossa {dir} ei ole palautettuja työkirjoja.",
        "There are no returned workbooks in the folder {dir}.",
    ),
    "merge_rejected": ("Hylätyt tiedostot:", "Rejected files:"),
    "merge_conflicts": (
        "Ristiriidat (ei viety, ratkaise käsin):",
        "Conflicts (not applied, resolve by hand):",
    ),
    "merge_missing": (
        "Palautus puuttuu ({count}): {owners}",
        "Return missing ({count}): {owners}",
    ),
    "merge_where": (
        "Kaikki muutokset ja ristiriidat ovat välilehdellä Muutosloki, palautukset "
        "välilehdellä Palautukset. Edellinen versio: {backup}",
        "Every change and conflict is on the sheet Muutosloki, the returns on the sheet "
        "Palautukset. Previous version: {backup}",
    ),
    "summary_done": (
        "Yhteenveto päivitetty (kierros {round}): {rows:rivi|riviä}, {none} ilman etenemisastetta; "
        "palautuksia {received}/{issued}, riskejä {risks}, muutoksia {moves}.",
        "Summary updated (round {round}): {rows:row|rows}, {none} without a status; "
        "returns {received}/{issued}, risks {risks}, movements {moves}.",
    ),
    "summary_where": (
        "Yhteenveto on välilehdellä {sheet}.",
        "The summary is on the sheet {sheet}.",
    ),
    "renamed": (
        "Välilehti {wanted} oli jo käytössä; työkalun välilehti on nimellä {given}.",
        "The sheet {wanted} was taken; the tool's sheet is called {given}.",
    ),
    "failed": (
        "Toiminto ei onnistunut:\n\n{message}",
        "The operation did not succeed:\n\n{message}",
    ),
    "unexpected": (
        "Odottamaton virhe ({error}). Seurantataulukko avattiin uudelleen.\n\n"
        "Lähetä tukeen tiedosto\n{log}\nja kerro, mitä painoit. Tiedot virheestä ovat siinä.",
        "An unexpected error ({error}). The master was opened again.\n\n"
        "Send the file\n{log}\nto support and say which button you pressed. It holds the "
        "details of the error.",
    ),
    "reopen_failed": (
        "Seurantataulukkoa ei voitu avata uudelleen: avaa se itse: {path}",
        "The master could not be opened again: open it yourself: {path}",
    ),
    "help": (
        "Seuranta-välilehden painikkeet:\n\n"
        "Tarkista: tarkistaa koodit, etenemisasteet ja vastuuhenkilöt; havainnot "
        "välilehdelle Havainnot.\n"
        "Luo täyttötyökirjat: yksi suojattu työkirja kullekin vastuuhenkilölle "
        "(asetus Työkirjakansio) ja kierroksen kirjaus (asetus Kierros).\n"
        "Yhdistä palautukset: lukee palautetut työkirjat (asetus Palautuskansio) ja vie "
        "muutokset; kaikki kirjataan välilehdelle Muutosloki, varmuuskopio säilyy.\n"
        "Päivitä yhteenveto: yhteenvetovälilehdet (Yhteenveto, Palautustilanne, Riskit, "
        "Muutokset).\n"
        "Asetukset: näyttää asetusvälilehden (kansiot, kierros, kieli, määräpäivä).\n\n"
        "Ennen kuin painike muuttaa seurantataulukkoa, tallentamattomat muutokset "
        "tarjotaan tallennettaviksi, työkirja suljetaan ja avataan uudelleen.\n"
        "Asennus ja vianetsintä: docs/excel.md. seuranta-xl {version}",
        "The buttons of the Seuranta tab:\n\n"
        "Tarkista (Check): checks codes, statuses and owners; the findings go to the sheet "
        "Findings.\n"
        "Luo täyttötyökirjat (Make owner workbooks): one protected workbook per owner "
        "(setting Työkirjakansio) and the round recorded (setting Kierros).\n"
        "Yhdistä palautukset (Merge returns): reads the returned workbooks (setting "
        "Palautuskansio) and takes in the changes; all are logged on the sheet Muutosloki, a "
        "backup is kept.\n"
        "Päivitä yhteenveto (Update summary): the summary sheets.\n"
        "Asetukset (Settings): shows the settings sheet (folders, round, language, deadline).\n\n"
        "Before a button changes the master, unsaved changes are offered for saving, the "
        "workbook is closed and opened again.\n"
        "Installation and troubleshooting: docs/excel.md. seuranta-xl {version}",
    ),
    # issue 11, item 3: what the owners of the round were not told
    "generate_deadline_unset": (
        "Palautuksen määräpäivää ei ole asetettu, joten työkirjoissa sitä ei näy. Kirjoita "
        "se Asetukset-välilehden kohtaan Palautuksen määräpäivä (esim. 31.5.2026).",
        "No return deadline is set, so the workbooks do not show one. Write it in the "
        "setting Palautuksen määräpäivä on the Asetukset sheet (e.g. 31.5.2026).",
    ),
    "generate_deadline_unreadable": (
        "Palautuksen määräpäivä {value!r} ei ole päivämäärä: työkirjoissa se näkyy "
        "sellaisenaan, eikä yhteenveto voi kertoa myöhästyneitä. Korjaa se Asetukset-"
        "välilehdellä (esim. 31.5.2026).",
        "The return deadline {value!r} is not a date: the workbooks show it as it is, and "
        "the summary cannot tell late returns. Correct it on the Asetukset sheet "
        "(e.g. 31.5.2026).",
    ),
    "generate_return_unset": (
        "Palautusosoitetta ei ole asetettu, joten työkirjoissa ei kerrota, minne ne "
        "palautetaan. Kirjoita se Asetukset-välilehden kohtaan Palautusosoite.",
        "No return address is set, so the workbooks do not say where to return them. Write "
        "it in the setting Palautusosoite on the Asetukset sheet.",
    ),
}


def excel_text(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """A message of the Excel buttons (issue 9)."""
    return fill(_pick(EXCEL_TEXTS[key], lang), lang, **params)


# issue 11, item 5 (words): counts, numbers and dates as each language writes them
def plural(n: int, one: str, many: str) -> str:
    """The noun for ``n`` things: Finnish and English both use ``one`` for exactly 1
    (1 rivi / 2 riviä / 0 riviä, 1 row / 2 rows / 0 rows)."""
    return one if n == 1 else many


def count(n: int, one: str, many: str, lang: str = DEFAULT_LANG) -> str:
    """A number with its noun: '1 rivi', '2 riviä', '1 row', '2 rows'."""
    return f"{number(n, lang)} {plural(n, one, many)}"


def number(value: float, lang: str = DEFAULT_LANG, spec: str = "") -> str:
    """A number as the language writes it: a decimal comma in Finnish."""
    text = format(value, spec)
    return text.replace(".", ",") if lang != "en" and isinstance(value, float) else text


def date_text(value: date | datetime, lang: str = DEFAULT_LANG) -> str:
    """A date (d.m.yyyy) or a time (d.m.yyyy h:mm) in Finnish; ISO in English, as before."""
    if lang == "en":
        return value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)
    if isinstance(value, datetime):
        # h:mm as the summary sheet's stamp (summary_layout) and Excel's time formats
        return f"{value.day}.{value.month}.{value.year} {value.hour}:{value.minute:02d}"
    return f"{value.day}.{value.month}.{value.year}"


class _Filler(string.Formatter):
    """str.format with counts, numbers and dates in the message's language.

    ``{rows:rivi|riviä}`` is a count with its noun ('1 rivi', '2 riviä'); a float gets a
    decimal comma in Finnish; a date or a time is written d.m.yyyy (h:mm) in Finnish."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec and isinstance(value, int):
            one, many = format_spec.split("|", 1)
            return count(value, one, many, self.lang)
        if isinstance(value, date) and not format_spec:
            return date_text(value, self.lang)
        if isinstance(value, float):
            return number(value, self.lang, format_spec)
        return str(super().format_field(value, format_spec))


def fill(template: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """A message template filled in ``lang``: counts with their plural forms, numbers
    and dates as the language writes them (see :class:`_Filler`)."""
    return _Filler(lang).format(template, **params)


def when(stamp: Any) -> Any:
    """An ISO time stamp (a lock's 'since') as a datetime to be written in the message's
    language; anything else as it is."""
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp)
        except ValueError:
            return stamp
    return stamp


# issue 11, item 5 (words): a dry run's results in the conditional
RETURN_REASONS_DRY: dict[str, tuple[str, str]] = {
    "merged": ("yhdistettäisiin", "would be merged"),
    "nothing_applied": (
        "mitään ei vietäisi: katso ristiriidat ja hylätyt solut alla",
        "nothing would be applied: see the conflicts and rejected cells below",
    ),
    "duplicate_in_run": (
        "sama sisältö kuin tiedostossa {detail}, joka yhdistettäisiin tässä ajossa; luettiin kerran",
        "the same content as {detail}, which would be merged in this run; read once",
    ),
}
