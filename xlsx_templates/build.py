"""Rebuild the templates in this folder: ``uv run python xlsx_templates/build.py``.

It writes the master template (``seuranta_xl.xlsx.template``) and the add-in
``seuranta.xlam`` from ``macros/`` (``seuranta_xl.xlsx.addin``).
"""

from seuranta_xl.xlsx import addin, template

if __name__ == "__main__":
    raise SystemExit(template.main([]) or addin.main([]))
