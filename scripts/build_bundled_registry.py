"""Build the bundled registry (knowledge/registry/bundled/*.yaml) from the seed data.

Usage::

    .venv/bin/python scripts/build_bundled_registry.py [--data ../shared/data]
                                                       [--out knowledge/registry/bundled]

The build itself is the package ``scripts/registry_build``: one step per seed file
(``pipeline`` lists them in order) and the editorial decisions as data files in
``scripts/registry_build/decisions/``, each row with its reason. The script writes the
folder, validates it (zero problems or it fails) and prints a short report.
"""

from __future__ import annotations

import sys

from registry_build.pipeline import main

if __name__ == "__main__":
    sys.exit(main())
