"""The scenario generators; importing a module registers it (the catalogue orders them by number).

Every public module in this folder is imported, so a new scenario needs no edit here. Modules whose
name starts with an underscore are shared support code, not scenarios.
"""

import importlib
import pkgutil

__all__ = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))

for _name in __all__:
    importlib.import_module(f"{__name__}.{_name}")
