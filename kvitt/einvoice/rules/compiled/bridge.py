"""The Python rule engine's ``Doc`` on top of a compiled engine's index, for the rules that run
their Python test: contexts, elements and empty elements come from the C index pass instead of
a second index pass in Python."""

from __future__ import annotations

from kvitt.einvoice.rules.base import Doc


class BridgeDoc(Doc):
    def __init__(self, root, engine):
        super().__init__(root)
        self._engine = engine

    def context(self, expr) -> list:
        found = self._contexts.get(expr)
        if found is None and isinstance(expr, str):
            found = self._engine.context_elements(expr)
            if found is not None:
                self._contexts[expr] = found
        return found if found is not None else super().context(expr)

    def _index(self) -> None:
        self._elements = self._engine.all_elements()
        self._memo["empty_elements"] = self._engine.empty_elements()
        paths: dict = {}
        for el in self._elements:
            parent = el.getparent()
            paths[el] = paths[parent] + (el.tag,) if parent is not None else ()
        self._memo["element_paths"] = frozenset(paths.values()) - {()}
