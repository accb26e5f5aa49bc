"""smtp_tutor.record behaves as the dataclasses it replaces on the start-up path."""

import dataclasses
import pickle

import pytest

from smtp_tutor.protocol.commands import Command
from smtp_tutor.protocol.events import CommandSent, Note
from smtp_tutor.protocol.replies import Reply
from smtp_tutor.protocol.session import Outgoing
from smtp_tutor.protocol.states import State
from smtp_tutor.record import FrozenInstanceError, asdict, field, record, replace


@record(frozen=True)
class Frozen:
    key: str
    params: dict = field(default_factory=dict)
    level: str = "info"
    notes: tuple = field(default=(), compare=False)


@dataclasses.dataclass(frozen=True)
class FrozenTwin:
    key: str
    params: dict = dataclasses.field(default_factory=dict)
    level: str = "info"
    notes: tuple = dataclasses.field(default=(), compare=False)


@record
class Mutable:
    wire: bytes
    events: list = field(default_factory=list)


@dataclasses.dataclass
class MutableTwin:
    wire: bytes
    events: list = dataclasses.field(default_factory=list)


def _same_repr(ours, theirs) -> None:
    assert repr(ours).split("(", 1)[1] == repr(theirs).split("(", 1)[1]


def test_init_repr_eq_hash_as_a_frozen_dataclass():
    for args, kwargs in [(("k",), {}), (("k", {"a": "1"}), {}), (("k",), {"level": "warning"}),
                         ((), {"key": "k", "notes": (1,)}), (("k", {}, "x", (2,)), {})]:
        ours, theirs = Frozen(*args, **kwargs), FrozenTwin(*args, **kwargs)
        _same_repr(ours, theirs)
        assert [getattr(ours, f.name) for f in dataclasses.fields(theirs)] == \
            [getattr(theirs, f.name) for f in dataclasses.fields(theirs)]
    assert Frozen("k", notes=(1,)) == Frozen("k", notes=(2,))  # compare=False
    assert Frozen("k") != Frozen("j") and Frozen("k") != FrozenTwin("k")
    assert hash(Reply(250, ("ok",))) == hash(Reply(250, ("ok",), notes=(Note("n"),)))
    assert len({Command("A"), Command("A"), Command("B")}) == 2
    for kind in (Frozen, FrozenTwin):  # a dict field: unhashable in both
        with pytest.raises(TypeError):
            hash(kind("k"))
    assert Frozen("k").params is not Frozen("k").params  # a fresh default each time
    with pytest.raises(TypeError):
        Frozen()
    with pytest.raises(TypeError):
        Frozen("k", nope=1)


def test_frozen_records_refuse_assignment():
    note = Frozen("k")
    with pytest.raises(FrozenInstanceError):
        note.key = "j"
    with pytest.raises(AttributeError):
        del note.level
    assert pickle.loads(pickle.dumps(Reply(250, ("ok",)))) == Reply(250, ("ok",))


def test_mutable_records_are_mutable_and_unhashable():
    outgoing = Mutable(b"x")
    outgoing.events.append(1)
    outgoing.wire = b"y"
    assert outgoing == Mutable(b"y", [1])
    _same_repr(outgoing, MutableTwin(b"y", [1]))
    with pytest.raises(TypeError):
        hash(outgoing)
    assert Outgoing(b"a").events == [] and Outgoing(b"a").events is not Outgoing(b"a").events


def test_replace_and_asdict_as_dataclasses_would():
    sent = CommandSent(Command("HELO", "x", "HELO x"), b"HELO x\r\n", State.HELLO, (Note("n"),))
    plain = replace(sent, notes=())
    assert plain.notes == () and plain.command == sent.command and plain.group == 0
    assert sent.notes == (Note("n"),)
    reply = Reply(250, ("ok",), notes=(Note("n", {"a": "1"}),))
    assert asdict(reply)["notes"][0] == {"key": "n", "params": {"a": "1"}, "level": "info",
                                         "rfc": "", "expect": ""}
    twin = FrozenTwin("k", {"a": "1"})
    assert asdict(Frozen("k", {"a": "1"})) == dataclasses.asdict(twin)


def test_a_dataclass_holding_records_still_compares():
    @dataclasses.dataclass
    class Holder:
        note: Note

    assert Holder(Note("a")) == Holder(Note("a"))
    assert Holder(Note("a")) != Holder(Note("b"))


def test_field_order_is_checked():
    with pytest.raises(TypeError):
        @record
        class Wrong:
            a: int = 0
            b: int
