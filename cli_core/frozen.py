"""Beneath the stages — ``Frozen``: an immutable value with named fields, cheap to define.

The values every run makes (``Problem``, ``Program``/``App``, ``Settings``, ``FileReading``,
...) would be frozen dataclasses, but ``dataclasses`` imports ``inspect`` (with ``ast``, ``dis``
and ``tokenize``: about 6 ms) and each ``@dataclass`` compiles generated code as its class is
made; help pages, usage errors and skeletons cannot afford that (``tests/test_startup.py``).

A subclass lists its fields in ``_fields`` (and in ``__slots__`` when it keeps no
``__dict__``), writes an ``__init__`` taking each of them by keyword and ending with
``self._init(locals())``, and gets from ``Frozen``:

* no assignment or deletion of an attribute after ``__init__`` (``AttributeError``, which
  ``dataclasses.FrozenInstanceError`` is too); ``functools.cached_property`` still works;
* ``==`` and ``hash`` over the fields, less those in ``_uncompared`` (values of the same class
  only), and a ``repr`` of them;
* ``value.replace(**changes)``: a copy with some fields changed (through ``__init__``);
* what ``dataclasses`` asks of a dataclass: ``dataclasses.replace``, ``fields``, ``asdict``
  and ``is_dataclass`` work on it (``dataclasses`` is imported only when one of them asks);
* ``copy``, ``deepcopy`` and ``pickle``.
"""

from __future__ import annotations


class _DataclassFields:
    """``__dataclass_fields__``, made on first use (by ``dataclasses.replace``, ``fields``,
    ``asdict``...) from a dataclass of the same fields, built then with ``make_dataclass``."""

    def __init__(self):
        self._made: dict = {}  # by class: a subclass has fields of its own

    def __get__(self, instance, owner):
        table = self._made.get(owner)
        if table is None:
            import dataclasses

            made = dataclasses.make_dataclass(
                owner.__name__,
                [
                    (name, object, dataclasses.field(compare=name not in owner._uncompared,
                                                     repr=name not in owner._uncompared))
                    for name in owner._fields
                ],
                frozen=True,
            )  # fmt: skip
            table = self._made[owner] = dict(made.__dataclass_fields__)
        return table


class Frozen:
    """An immutable value with named fields (see the module's documentation)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    _uncompared: frozenset[str] = frozenset()  # fields left out of ==, hash and repr
    __dataclass_fields__ = _DataclassFields()

    def _init(self, values: dict) -> None:
        """Store each field from ``values`` (the ``locals()`` of ``__init__``)."""
        for name in self._fields:
            object.__setattr__(self, name, values[name])

    def __setattr__(self, name, value):
        raise AttributeError(f"cannot assign to field {name!r} of {type(self).__name__}")

    def __delattr__(self, name):
        raise AttributeError(f"cannot delete field {name!r} of {type(self).__name__}")

    def _compared(self) -> tuple:
        return tuple(getattr(self, f) for f in self._fields if f not in self._uncompared)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self):
        return hash(self._compared())

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{f}={getattr(self, f)!r}" for f in self._fields if f not in self._uncompared
        )
        return f"{type(self).__qualname__}({shown})"

    def replace(self, **changes):
        """A copy of this value with the fields in ``changes`` changed."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return type(self)(**values)

    def __setstate__(self, state) -> None:  # copy, deepcopy and pickle
        if isinstance(state, tuple):  # (the __dict__ or None, the slots)
            state = {**(state[0] or {}), **(state[1] or {})}
        for name, value in state.items():
            object.__setattr__(self, name, value)
