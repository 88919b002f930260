"""A search declared once: what the base class derives from a public search's declaration.

A public search is a subclass of :class:`~skhpo._search.BaseStrategySearchCV` that
declares

* ``_strategy_class``: the :class:`~skhpo.strategies.Strategy` it runs;
* ``_strategy_options``: its strategy's options, each name mapped to its
  scikit-learn parameter constraints (the strategy is built with these names as
  keyword arguments);
* ``_search_options`` (rarely): options of the search itself, not passed to the
  strategy;
* ``_default_batch_size``: how its docstring describes the default ``batch_size``;
* a class docstring with its summary, a ``Parameters`` section of its own options
  and its ``Examples``.

From that one declaration the base class derives, when the class is created, the
``_parameter_constraints``, the strategy's keyword arguments, the complete
docstring (the parameters and attributes every search has are inserted) and the
entry in the registry that :func:`skhpo.utils.all_searches` reads. The
``__init__`` of each search stays explicit, as scikit-learn's ``get_params``
reads its signature; a declaration that does not match it is refused
(``TypeError``) when the class is defined.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = [
    "check_declaration",
    "complete_docstring",
    "declared_constraints",
    "register",
    "registered_searches",
    "strategy_arguments",
]

#: Public searches, by class name, in the order they were defined.
_REGISTRY: dict[str, type] = {}


def check_declaration(cls: type, common: set[str]) -> None:
    """Refuse (TypeError) a declaration that does not match the search's ``__init__``.

    ``common`` names the parameters every search has (the base's ``__init__``).
    """
    signature = set(inspect.signature(cls.__init__).parameters) - {"self"}
    declared = set(cls._strategy_options) | set(cls._search_options)
    missing = sorted(declared - signature)
    if missing:
        raise TypeError(f"{cls.__name__}: declared options {missing} are not in __init__")
    undeclared = sorted(signature - declared - common)
    if undeclared:
        raise TypeError(
            f"{cls.__name__}: __init__ parameters {undeclared} are not declared in "
            "_strategy_options or _search_options"
        )
    if cls._strategy_class is None and "_make_strategy" not in vars(cls):
        raise TypeError(f"{cls.__name__}: declares no _strategy_class")


def declared_constraints(cls: type, common: dict) -> dict:
    """The constraints of every search plus those of the declared options."""
    return {**common, **cls._strategy_options, **cls._search_options}


def complete_docstring(cls: type, common_parameters: str, attributes: str) -> None:
    """Insert the parameters and attributes every search has into the class docstring.

    The class's own docstring holds its summary, its options under ``Parameters``
    (if it has any) and its ``Examples``. ``common_parameters`` is formatted with
    ``default_batch_size`` and ``strategy_parameters`` (the class's own);
    ``attributes`` follows the parameters.
    """
    own = inspect.cleandoc(vars(cls).get("__doc__") or "")
    before_examples, examples_header, examples = own.partition("Examples\n--------\n")
    summary, _, own_parameters = before_examples.partition("Parameters\n----------\n")
    parameters = inspect.cleandoc(common_parameters).format(
        default_batch_size=cls._default_batch_size,
        strategy_parameters=own_parameters.strip("\n"),
    )
    parts = [summary.rstrip("\n"), parameters.rstrip("\n"), inspect.cleandoc(attributes)]
    if examples_header:
        parts.append(examples_header + examples.rstrip("\n"))
    text = "\n\n".join(parts)
    first, _, rest = text.partition("\n")
    body = "\n".join(("    " + line).rstrip() for line in rest.split("\n"))
    cls.__doc__ = first + "\n" + body + "\n    "


def register(cls: type) -> None:
    """Add a public search to the registry: one of skhpo's own modules, not its
    testing tools, and a public name."""
    module = cls.__module__
    if cls.__name__.startswith("_") or not module.startswith("skhpo.") or module == "skhpo.testing":
        return
    _REGISTRY[cls.__name__] = cls


def registered_searches() -> list[tuple[str, type]]:
    """``[(name, class), ...]`` of the registered searches, sorted by name."""
    return sorted(_REGISTRY.items())


def strategy_arguments(search: Any) -> dict[str, Any]:
    """``{option: value}`` of the declared strategy options."""
    return {name: getattr(search, name) for name in type(search)._strategy_options}
