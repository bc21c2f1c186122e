"""Rebuild the templates in this folder: ``uv run python xlsx_templates/build.py``."""

from seuranta_xl.xlsx.template import main

if __name__ == "__main__":
    raise SystemExit(main())
