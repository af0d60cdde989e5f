"""``dataclass``: the standard library's decorator, made without compiling code at import.

``dataclasses.dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__`` and a frozen class's ``__setattr__``/``__delattr__`` as source text and compiles it:
0.4-0.7 ms a class on Python 3.11, which made the ~80 classes a ``build`` process imports a
quarter of a one-template edit's CPU time. This ``dataclass`` takes the same arguments and makes
the same class: the standard decorator declares the fields (``dataclasses.fields``, ``replace``,
``asdict``, ``is_dataclass`` work as ever) and these methods are closures over the class's
fields, made without compiling anything (~0.1 ms a class); a call to one costs two to three
times a compiled method's, so classes made by the hundred thousand keep the standard decorator.

The methods behave as the standard library's: ``__init__`` takes the ``init`` fields
positionally or by keyword, fills defaults and default factories and calls ``__post_init__``;
``__eq__`` and ``order``'s comparisons compare the ``compare`` fields of two instances of the
same class; ``__hash__`` follows the standard table (a hash of the hashed fields when ``eq`` and
``frozen``, ``None`` when only ``eq``); a frozen class raises ``FrozenInstanceError``;
``inspect.signature`` of the class shows its fields. A class the closures cannot stand for as the
standard library would write it (``slots``, ``kw_only``, ``unsafe_hash``, ``InitVar`` or
``init=False`` fields, an ``__eq__``, ``__hash__``, ordering or attribute-setting method of its
own, a descriptor among its fields) is handed to the standard decorator whole. Type checkers see the standard decorator.
"""

from __future__ import annotations

import dataclasses
import inspect
import reprlib
from operator import attrgetter
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass
else:

    def dataclass(
        cls: type | None = None,
        /,
        *,
        init: bool = True,
        repr: bool = True,
        eq: bool = True,
        order: bool = False,
        unsafe_hash: bool = False,
        frozen: bool = False,
        **rest: Any,
    ) -> Any:
        """``dataclasses.dataclass``'s signature and result (module docstring)."""
        params = {"init": init, "repr": repr, "eq": eq, "order": order, "frozen": frozen}

        def wrap(cls: type) -> type:
            if unsafe_hash or rest or not _plain(cls):
                return dataclasses.dataclass(cls, unsafe_hash=unsafe_hash, **params, **rest)
            return _make(cls, **params)

        return wrap if cls is None else wrap(cls)


#: methods of a class's own that send it to the standard decorator
_OWN_METHODS = (
    "__slots__",
    "__hash__",
    "__eq__",
    "__setattr__",
    "__delattr__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
)


def _plain(cls: type) -> bool:
    """Whether the closures stand for the standard methods of ``cls`` (module docstring), told
    before the standard decorator runs (it replaces the class's ``field()`` declarations)."""
    own = cls.__dict__
    if any(name in own for name in _OWN_METHODS):  # kept, replaced or refused as the standard
        return False  # decorator does, case by case
    for base in cls.__mro__[1:-1]:
        params = base.__dict__.get("__dataclass_params__")
        if params is not None and params.frozen:  # a base the standard decorator made frozen
            return False
        if params is None and any(n in base.__dict__ for n in ("__setattr__", "__slots__")):
            return False
        for f in base.__dict__.get("__dataclass_fields__", {}).values():
            if not f.init or f.kw_only is True:
                return False
    annotations = own.get("__annotations__", {})
    for name, annotation in annotations.items():
        if any(word in str(annotation) for word in ("InitVar", "KW_ONLY")):
            return False
        value = own.get(name)
        if isinstance(value, dataclasses.Field):
            if not value.init or value.kw_only is True:
                return False
        elif hasattr(type(value), "__set__"):  # a descriptor the field would hide
            return False
    return True


class _Factory:
    """How a signature shows a default made by a factory (as the standard library's does)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _make(cls: type, *, init: bool, repr: bool, eq: bool, order: bool, frozen: bool) -> type:
    undocumented = not getattr(cls, "__doc__", None)
    if undocumented:  # else the standard decorator reads object's signature for the doc: 3 ms
        cls.__doc__ = "-"
    made: Any = dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    fields = list(made.__dataclass_fields__.values())
    names = tuple(f.name for f in fields)
    if init and "__init__" not in cls.__dict__:
        made.__init__ = _init(made, fields)
    if repr and "__repr__" not in cls.__dict__:
        made.__repr__ = _repr([f.name for f in fields if f.repr])
    compared = _getter([f.name for f in fields if f.compare])
    if eq:
        made.__eq__ = _compare(compared, "__eq__", lambda a, b: a == b)
        if frozen:
            hashed = _getter([f.name for f in fields if f.hash or (f.hash is None and f.compare)])
            made.__hash__ = _hash(hashed)
        else:
            made.__hash__ = None
    if order:
        for name, op in _ORDER.items():
            setattr(made, name, _compare(compared, name, op))
    if frozen:
        made.__setattr__, made.__delattr__ = _frozen(made, set(names))
    if undocumented:  # the standard decorator's doc: the class's signature
        made.__doc__ = made.__name__ + str(inspect.signature(made)).replace(" -> None", "")
    return cast(type, made)


_ORDER = {
    "__lt__": lambda a, b: a < b,
    "__le__": lambda a, b: a <= b,
    "__gt__": lambda a, b: a > b,
    "__ge__": lambda a, b: a >= b,
}


def _getter(names: list[str]) -> Any:
    """A function of an instance returning the tuple of ``names``' values."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return lambda self: ()


def _hash(values: Any) -> Any:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return __hash__


def _compare(values: Any, name: str, op: Any) -> Any:
    def method(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return op(values(self), values(other))
        return NotImplemented

    method.__name__ = name
    return method


def _init(cls: type, fields: list[dataclasses.Field[Any]]) -> Any:
    names = tuple(f.name for f in fields)
    known = frozenset(names)
    defaults = {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
    factories = {
        f.name: f.default_factory for f in fields if f.default_factory is not dataclasses.MISSING
    }
    post_init = hasattr(cls, "__post_init__")
    where = f"{cls.__qualname__}.__init__()"
    required = [name for name in names if name not in defaults and name not in factories]
    optional = len(names) - len(required)
    takes = f"from {len(names) - optional + 1} to " if optional else ""
    takes += str(len(names) + 1)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            raise TypeError(
                f"{where} takes {takes} positional arguments but {len(args) + 1} were given"
            )
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key in values:
                raise TypeError(f"{where} got multiple values for argument {key!r}")
            if key not in known:
                raise TypeError(f"{where} got an unexpected keyword argument {key!r}")
            values[key] = value
        state = self.__dict__
        for name in names:
            if name in values:
                state[name] = values[name]
            elif name in defaults:
                state[name] = defaults[name]
            elif name in factories:
                state[name] = factories[name]()
            else:
                raise TypeError(where + _missing([n for n in required if n not in values]))
        if post_init:
            self.__post_init__()

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [
            inspect.Parameter(
                f.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=defaults.get(
                    f.name, _FACTORY if f.name in factories else inspect.Parameter.empty
                ),
                annotation=f.type,
            )
            for f in fields
        ],
        return_annotation=None,
        __validate_parameters__=False,
    )
    return __init__


def _missing(names: list[str]) -> str:
    """The end of the interpreter's message for missing arguments ``names``."""
    quoted = [repr(name) for name in names]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    if len(quoted) > 2:
        listed = ", ".join(quoted[:-1]) + ", and " + quoted[-1]
    plural = "s" if len(quoted) > 1 else ""
    return f" missing {len(quoted)} required positional argument{plural}: {listed}"


def _repr(names: list[str]) -> Any:
    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _frozen(cls: type, names: set[str]) -> tuple[Any, Any]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    return __setattr__, __delattr__
