"""Which door actions a view may reach, read from the code itself.

A view reaches a door when its code, or any Backcare function it names (directly, through a
module attribute, a local import, a class's methods, a table of functions, a nested function
or lambda, or a background task it queues), calls an action marked ``@door``. The walk reads
bytecode names, so it errs on the side of "may reach": a URL it flags that is not a door is
listed with the reason in ``NOT_DOORS``; a door it finds cannot go unlisted.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
from collections.abc import Iterator
from typing import Any

from backcare.holds.actions import DOOR_ACTIONS


def _ours(thing: Any) -> bool:
    return str(getattr(thing, "__module__", "") or "").startswith("backcare.")


def _door_name(thing: Any) -> str | None:
    name = f"{getattr(thing, '__module__', '')}.{getattr(thing, '__name__', '')}"
    return name if name in DOOR_ACTIONS and hasattr(thing, "__wrapped__") else None


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _named(function: types.FunctionType) -> Iterator[Any]:
    """What a function's code may call: its globals, attributes of the modules and classes it
    names, the modules it imports inside, and what its closure holds."""
    space = function.__globals__
    for code in _codes(function.__code__):
        names = code.co_names
        holders: list[Any] = []
        for name in names:
            if name in space:
                holders.append(space[name])
            elif name in sys.modules:  # a module imported inside the function
                holders.append(sys.modules[name])
        yield from holders
        for holder in holders:
            if isinstance(holder, (types.ModuleType, type)):
                for name in names:
                    found = getattr(holder, name, None)
                    if found is not None:
                        yield found
    for cell in function.__closure__ or ():
        try:
            yield cell.cell_contents
        except ValueError:  # an empty cell
            continue


def _callables(thing: Any) -> Iterator[Any]:
    """The functions behind ``thing``, unwrapped: a view, a class's own methods, a task's
    function, the values of a table of functions."""
    if isinstance(thing, functools.partial):
        yield from _callables(thing.func)
        return
    if isinstance(thing, (dict, list, tuple)):
        for value in thing.values() if isinstance(thing, dict) else thing:
            if callable(value):
                yield from _callables(value)
        return
    if inspect.isclass(thing):
        if _ours(thing):
            for value in vars(thing).values():
                method = getattr(value, "__func__", value)
                if inspect.isfunction(method):
                    yield from _callables(method)
        return
    task_function = getattr(thing, "func", None)
    if task_function is not None and type(thing).__name__ == "Task":
        yield from _callables(task_function)
        return
    operations = getattr(thing, "operations", None)
    if isinstance(operations, list):  # an API path: its operations' view functions
        for operation in operations:
            yield from _callables(getattr(operation, "view_func", None))
        return
    if inspect.isfunction(thing):
        yield thing
        view_class = getattr(thing, "view_class", None)
        if view_class is not None:
            yield from _callables(view_class)
        return
    if _ours(type(thing)) and hasattr(thing, "__dict__"):
        # An instance of ours (a page's table of callables, say): its class's methods and the
        # functions it holds.
        yield from _callables(type(thing))
        for value in vars(thing).values():
            if inspect.isfunction(value):
                yield value


def _worth_following(thing: Any) -> bool:
    if isinstance(thing, (dict, list, tuple, functools.partial)):
        return True
    if isinstance(thing, types.ModuleType):
        return False
    return _ours(thing) or type(thing).__name__ == "Task"


@functools.cache
def _reached(function: types.FunctionType) -> frozenset[str]:
    return frozenset(_walk(function))


def _walk(start: types.FunctionType) -> set[str]:
    found: set[str] = set()
    seen: set[int] = set()
    todo: list[Any] = [start]
    while todo:
        thing = todo.pop()
        if not inspect.isfunction(thing):
            if id(thing) in seen:
                continue
            seen.add(id(thing))
        for function in _callables(thing):
            door = _door_name(function)
            if door is not None:
                found.add(door)
                continue
            if id(function) in seen:
                continue
            seen.add(id(function))
            # Through decorators (the access policy, require_POST, transaction.atomic).
            inner = getattr(function, "__wrapped__", None)
            if inner is not None:
                todo.append(inner)
            if _ours(function):
                todo.extend(named for named in _named(function) if _worth_following(named))
            elif function is start:  # a framework's wrapper: what it wraps
                todo.extend(
                    cell.cell_contents
                    for cell in function.__closure__ or ()
                    if cell.cell_contents is not None
                )
    return found


def doors_reached(view: Any) -> frozenset[str]:
    """The door actions (``module.name``) that ``view`` may call, however indirectly."""
    doors: set[str] = set()
    for function in _callables(view):
        doors |= _reached(function)
    return frozenset(doors)
