"""Sphinx configuration of the skhpo documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` and
run the ``>>>`` examples of the pages with ``-b doctest``.
"""

import sys
from pathlib import Path

# Document the skhpo of this checkout, whether or not it is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import skhpo

project = "skhpo"
author = "The skhpo developers"
copyright = "The skhpo developers"
version = release = skhpo.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "numpydoc",
]
# No sphinx.ext.intersphinx: the build must not need the network.

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"

# -- autodoc / autosummary ----------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc sections already give the types
autodoc_member_order = "bysource"

# -- numpydoc -------------------------------------------------------------------------
numpydoc_show_class_members = False

# -- doctest --------------------------------------------------------------------------
doctest_global_setup = "import numpy as np"
# Only the pages' ``.. doctest::`` blocks: docstring examples are run by pytest
# (``--doctest-modules``) in their module's namespace.
doctest_test_doctest_blocks = ""

# -- HTML -----------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"skhpo {release}"
html_theme_options = {
    "description": "Smarter hyperparameter search for scikit-learn",
}
