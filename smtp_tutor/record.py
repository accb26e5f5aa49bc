"""Records: small data classes that cost next to nothing to define.

The core's events, replies and commands and the renderers' views are defined at every
start of ``smtp-tutor connect``.  With ``dataclasses`` that start paid ~6 ms to import it
(it imports ``inspect``, hence ``ast``, ``dis``, ``tokenize``) and ~0.4 ms per class
(six generated methods, each compiled on its own): a quarter of a piped textbook
session.  ``@record`` reads the same class body (annotations, defaults, ``field(...)``)
and gives the behaviour those classes relied on:

- ``__init__`` with the fields in order, positional or by name, defaults and
  ``default_factory`` (one small generated function, as fast to call as dataclasses');
- ``__repr__`` ``Name(field=value, ...)``, ``__eq__`` over the fields with ``compare``
  (same class only), ``__hash__`` for frozen records (non-frozen ones are unhashable);
- frozen records refuse assignment and deletion (``FrozenInstanceError``, an
  AttributeError, as with dataclasses);
- ``replace()`` and ``asdict()`` here, as ``dataclasses.replace``/``asdict`` do.  The
  ``dataclasses`` functions themselves do not work on records (they would need its
  private markers): use these.

Not supported (not needed by the records in this package): inheritance between
records, ``__post_init__``, ``InitVar``, keyword-only fields, ``slots``.
"""

from __future__ import annotations

__all__ = ["FrozenInstanceError", "asdict", "field", "record", "replace"]

TYPE_CHECKING = False  # typing itself costs 2 ms of every run's start
if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T")


class FrozenInstanceError(AttributeError):
    """Assigning to or deleting a field of a frozen record."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


class Field:
    """One field; also what ``dataclasses.fields()`` returns for a record."""

    __slots__ = ("name", "type", "_default", "_default_factory", "repr", "hash", "compare",
                 "init", "metadata", "kw_only")

    def __init__(self, default: object = MISSING, default_factory: object = MISSING,
                 compare: bool = True, repr: bool = True) -> None:  # noqa: A002 - dataclasses' name
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.type: object = None
        self._default, self._default_factory = default, default_factory
        self.compare, self.repr = compare, repr
        self.hash, self.init, self.kw_only = None, True, False
        self.metadata: dict[str, object] = {}

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, type={self.type!r})"


def _field(*, default: object = MISSING, default_factory: object = MISSING,
           compare: bool = True, repr: bool = True) -> Field:  # noqa: A002 - dataclasses' name
    """As ``dataclasses.field``, for the options records support."""
    return Field(default, default_factory, compare, repr)


def _record(cls: type | None = None, /, *, frozen: bool = False):  # noqa: ANN202 - a decorator
    """``@record`` or ``@record(frozen=True)``, as ``@dataclass`` would be written."""
    if cls is None:
        return lambda actual: _build(actual, frozen)
    return _build(cls, frozen)


def _build(cls: type, frozen: bool) -> type:
    if any("__record_fields__" in vars(base) for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__name__}: records do not inherit from records")
    annotations = vars(cls).get("__annotations__", {})
    fields: dict[str, Field] = {}
    for name, annotation in annotations.items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = vars(cls).get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        spec.name, spec.type = name, annotation
        if isinstance(value, Field):
            if spec._default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec._default)
        fields[name] = spec
    names = tuple(fields)
    compared = tuple(name for name, spec in fields.items() if spec.compare)
    shown = tuple(name for name, spec in fields.items() if spec.repr)
    made: dict[str, object] = {
        "__init__": _make_init(cls, fields, frozen), "__record_fields__": names,
        "__match_args__": names, "__repr__": _make_repr(shown), "__eq__": _make_eq(compared)}
    if frozen:
        made |= {"__hash__": _make_hash(compared), "__setattr__": _refuse_setattr,
                 "__delattr__": _refuse_delattr}
    elif "__hash__" not in vars(cls) or vars(cls)["__hash__"] is None:
        made["__hash__"] = None  # mutable and compared by value: unhashable (dataclasses)
    for name, value in made.items():
        setattr(cls, name, value)
    return cls


def _make_init(cls: type, fields: dict[str, Field], frozen: bool):  # noqa: ANN202
    """One generated ``__init__``: as fast as dataclasses' to call."""
    scope: dict[str, object] = {"_MISSING": MISSING, "_set": object.__setattr__}
    parameters, body = [], []
    seen_default = False
    for index, (name, spec) in enumerate(fields.items()):
        if spec._default_factory is not MISSING:
            scope[f"_factory{index}"] = spec._default_factory
            parameters.append(f"{name}=_MISSING")
            value = f"_factory{index}() if {name} is _MISSING else {name}"
            seen_default = True
        elif spec._default is not MISSING:
            scope[f"_default{index}"] = spec._default
            parameters.append(f"{name}=_default{index}")
            value = name
            seen_default = True
        else:
            if seen_default:
                raise TypeError(f"{cls.__name__}: non-default field {name!r} follows a default")
            parameters.append(name)
            value = name
        body.append(f"_set(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    source = (f"def __init__(self, {', '.join(parameters)}):\n"
              + "".join(f" {line}\n" for line in body or ["pass"]))
    exec(source, scope)  # noqa: S102 - built from the class's own field names
    init = scope["__init__"]
    setattr(init, "__qualname__", f"{cls.__qualname__}.__init__")  # noqa: B010 - for mypy
    return init


def _make_repr(names: tuple[str, ...]):  # noqa: ANN202
    def __repr__(self) -> str:  # noqa: N807
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({shown})"

    return __repr__


def _make_eq(names: tuple[str, ...]):  # noqa: ANN202
    def __eq__(self, other: object) -> bool:  # noqa: N807
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (tuple(getattr(self, name) for name in names)
                == tuple(getattr(other, name) for name in names))

    return __eq__


def _make_hash(names: tuple[str, ...]):  # noqa: ANN202
    def __hash__(self) -> int:  # noqa: N807
        return hash(tuple(getattr(self, name) for name in names))

    return __hash__


def _refuse_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def replace(obj: _T, /, **changes: object) -> _T:
    """A copy of ``obj`` with ``changes`` (as ``dataclasses.replace``)."""
    for name in getattr(type(obj), "__record_fields__"):  # noqa: B009 - set by _build
        if name not in changes:
            changes[name] = getattr(obj, name)
    return type(obj)(**changes)


def asdict(obj: object) -> dict[str, object]:
    """The fields as a dict, records, lists, tuples and dicts inside turned over too (as
    ``dataclasses.asdict``; other values are deep-copied)."""
    plain = _plain(obj)
    assert isinstance(plain, dict)
    return plain


def _plain(value: object) -> object:
    if isinstance(value, (str, bytes, int, float, type(None))):
        return value
    if hasattr(type(value), "__record_fields__"):
        names = getattr(type(value), "__record_fields__")  # noqa: B009 - set by _build
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        # a named tuple's class takes its fields one by one (mypy sees tuple's one iterable)
        return type(value)(*[_plain(item) for item in value])  # type: ignore[arg-type]
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return type(value)((_plain(key), _plain(item)) for key, item in value.items())
    import copy

    return copy.deepcopy(value)


# What a type checker sees (PEP 681): records are dataclass-like, so mypy checks their
# constructors and fields.  At run time typing is never imported (2 ms of every start).
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, dataclass_transform, overload

    def field(*, default: Any = ..., default_factory: Callable[[], Any] = ...,
              compare: bool = ..., repr: bool = ...) -> Any: ...  # noqa: A002

    @overload
    @dataclass_transform(field_specifiers=(field,))
    def record(cls: type[_T], /) -> type[_T]: ...

    @overload
    def record(*, frozen: bool = ...) -> Callable[[type[_T]], type[_T]]: ...

    def record(cls: Any = None, /, *, frozen: bool = False) -> Any: ...
else:
    field = _field
    record = _record
