"""``assetpipe.records.dataclass`` makes the classes ``dataclasses.dataclass`` makes: every
behaviour is compared with the standard decorator's on the same class body."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from collections.abc import Callable
from dataclasses import InitVar, field
from typing import Any

import pytest

from assetpipe import records

OPTIONS: list[dict[str, Any]] = [
    {},
    {"frozen": True},
    {"frozen": True, "order": True},
    {"order": True},
    {"eq": False},
    {"frozen": True, "eq": False},
]


def twins(body: dict[str, Any], **options: Any) -> tuple[Any, Any]:
    """The class made from ``body`` by the standard decorator and by ``records``."""

    def made(decorate: Callable[..., Any]) -> Any:
        namespace = {k: copy.copy(v) for k, v in body.items()}
        return decorate(**options)(type("Point", (), namespace))

    return made(dataclasses.dataclass), made(records.dataclass)


def body() -> dict[str, Any]:
    return {
        "__annotations__": {"x": "int", "label": "str", "tags": "list[str]", "weight": "int"},
        "__doc__": "A point.",
        "label": "a",
        "tags": field(default_factory=list),
        "weight": field(default=3, compare=False, repr=False),
    }


def outcome(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """What ``call(*args, **kwargs)`` returns, or its exception's type and message."""
    try:
        return call(*args, **kwargs)
    except Exception as e:  # the behaviours compared include the errors
        return (type(e), str(e))


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((1,), {}),
    ((1, "b"), {"weight": 5}),
    ((), {"x": 2, "tags": ["t"]}),
    ((1, "b", ["t"], 4), {}),
    # bad calls: the same TypeError
    ((1, "b", [], 4, 5), {}),
    ((), {}),
    ((1,), {"x": 2}),
    ((1,), {"z": 2}),
]


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_the_same_behaviour_as_the_standard_decorator(options: dict[str, Any]) -> None:
    std, ours = twins(body(), **options)
    assert "__dataclass_fields__" in ours.__dict__
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(std)]
    assert str(inspect.signature(ours)) == str(inspect.signature(std))
    assert ours.__match_args__ == std.__match_args__
    assert (ours.__hash__ is None) == (std.__hash__ is None)
    for args, kwargs in CALLS:
        a, b = outcome(std, *args, **kwargs), outcome(ours, *args, **kwargs)
        if isinstance(a, tuple):
            assert b == a
            continue
        assert list(vars(b).items()) == list(vars(a).items())
        if options.get("eq", True):
            assert repr(b) == repr(a)
        a2, b2 = std(*args, **kwargs), ours(*args, **kwargs)
        assert (b == b2) == (a == a2)
        assert (b != ours(99)) == (a != std(99))
        assert (ours(1, weight=1) == ours(1, weight=2)) == (std(1, weight=1) == std(1, weight=2))
        hashes = [outcome(hash, o) for o in (b, b2, ours(1, "b", (), 1), ours(1, "b", (), 2))]
        std_hashes = [outcome(hash, o) for o in (a, a2, std(1, "b", (), 1), std(1, "b", (), 2))]
        assert (hashes[0] == hashes[1], hashes[2] == hashes[3]) == (
            std_hashes[0] == std_hashes[1],
            std_hashes[2] == std_hashes[3],
        )
        assert [isinstance(h, tuple) for h in hashes] == [isinstance(h, tuple) for h in std_hashes]
        assert vars(dataclasses.replace(b, x=9)) == vars(dataclasses.replace(a, x=9))
        assert dataclasses.asdict(b) == dataclasses.asdict(a)
        assert vars(copy.deepcopy(b)) == vars(a)
        assert outcome(setattr, b, "x", 5) == outcome(setattr, a, "x", 5)
        assert outcome(delattr, b, "label") == outcome(delattr, a, "label")
        assert outcome(setattr, b, "new", 5) == outcome(setattr, a, "new", 5)
        for op in ("__lt__", "__le__", "__gt__", "__ge__"):
            assert outcome(getattr(b, op), ours(5)) == outcome(getattr(a, op), std(5))
        assert b.__eq__(a) is NotImplemented  # another class


def test_post_init_and_a_subclass_of_a_frozen_class() -> None:
    seen: list[Any] = []

    def post_init(self: Any) -> None:
        seen.append(self.x)

    std, ours = twins({**body(), "__post_init__": post_init}, frozen=True)
    assert ours(4).x == 4 and seen == [4]
    sub_std: Any = dataclasses.dataclass(frozen=True)(
        type("Sub", (std,), {"__annotations__": {"z": "int"}, "z": 0})
    )
    sub_ours: Any = records.dataclass(frozen=True)(
        type("Sub", (ours,), {"__annotations__": {"z": "int"}, "z": 0})
    )
    assert str(inspect.signature(sub_ours)) == str(inspect.signature(sub_std))
    assert repr(sub_ours(1, z=2)) == repr(sub_std(1, z=2))
    assert sub_ours(1, z=2) != ours(1)  # another class
    assert outcome(setattr, sub_ours(1), "z", 1) == outcome(setattr, sub_std(1), "z", 1)


@records.dataclass(frozen=True)
class Pickled:
    """At module level, so that pickle finds it."""

    name: str
    sizes: tuple[int, ...] = ()


def test_pickled_and_back() -> None:
    p = Pickled("a", (1, 2))
    assert pickle.loads(pickle.dumps(p)) == p


FALLBACKS: list[dict[str, Any]] = [
    {"__annotations__": {"x": "int", "y": "InitVar[int]"}, "y": 0, "InitVar": InitVar},
    {"__annotations__": {"x": "int", "y": "int"}, "y": field(default=0, init=False)},
    {"__annotations__": {"x": "int", "y": "int"}, "y": field(default=0, kw_only=True)},
    {"__annotations__": {"x": "int"}, "__hash__": lambda self: 7},
    {"__annotations__": {"x": "int"}, "__slots__": ("x",)},
    {"__annotations__": {"x": "int"}, "__lt__": lambda self, other: True},
    {"__annotations__": {"x": "int"}, "__setattr__": object.__setattr__},
]


@pytest.mark.parametrize("namespace", FALLBACKS, ids=range(len(FALLBACKS)))
def test_what_the_closures_cannot_stand_for_goes_to_the_standard_decorator(
    namespace: dict[str, Any],
) -> None:
    std, ours = twins(namespace)
    assert str(inspect.signature(ours)) == str(inspect.signature(std))
    assert ours.__init__.__code__.co_filename != records.__file__  # the standard __init__
    assert repr(ours(1)) == repr(std(1))
    assert outcome(hash, ours(1)) == outcome(hash, std(1))


def test_an_undocumented_class_gets_the_standard_doc() -> None:
    namespace = {k: v for k, v in body().items() if k != "__doc__"}
    std, ours = twins(namespace, frozen=True)
    assert (
        ours.__doc__
        == std.__doc__
        == "Point(x: 'int', label: 'str' = 'a', tags: 'list[str]' = <factory>, weight: 'int' = 3)"
    )


@pytest.mark.parametrize(
    ("method", "options"), [("__lt__", {"order": True}), ("__setattr__", {"frozen": True})]
)
def test_a_method_of_its_own_refused_as_the_standard_decorator_refuses_it(
    method: str, options: dict[str, Any]
) -> None:
    def made(decorate: Callable[..., Any]) -> Any:
        namespace = {"__annotations__": {"x": "int"}, method: lambda *args: None}
        return outcome(decorate(**options), type("Point", (), namespace))

    refused = made(dataclasses.dataclass)
    assert refused[0] is TypeError
    assert made(records.dataclass) == refused


def _written_out() -> list[type]:
    """The classes made by the hundred per build whose ``__init__`` is written out in their
    body (faster per call than the closure)."""
    from assetpipe.pipeline.sources import SourceFile
    from assetpipe.rewrite.cssmatch import Element
    from assetpipe.rewrite.tags import Attr, Tag

    return [Attr, Tag, Element, SourceFile]


@pytest.mark.parametrize("cls", _written_out(), ids=lambda c: c.__name__)
def test_a_written_out_init_is_the_one_the_standard_decorator_would_write(cls: type) -> None:
    """Same parameters in the same order, the same defaults (a factory's field left out gets a
    new value of the factory's), the same state for the fewest arguments and for all of them."""
    fields = dataclasses.fields(cls)
    standard = dataclasses.make_dataclass(
        "Standard", [(f.name, f.type, copy.copy(f)) for f in fields]
    )
    ours = inspect.signature(cls).parameters
    assert list(ours) == [f.name for f in fields]
    for f in fields:
        if f.default is not dataclasses.MISSING:
            assert ours[f.name].default == f.default
    required = [object() for f in fields if ours[f.name].default is inspect.Parameter.empty]
    assert vars(cls(*required)) == vars(standard(*required))
    every = [object() for _ in fields]
    assert vars(cls(*every)) == vars(standard(*every))
    a, b = cls(*required), cls(*required)
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            assert getattr(a, f.name) is not getattr(b, f.name)
