"""A value built once per process, on first use: the shared normalizer, the lexicon, the default assistant."""

from __future__ import annotations

import threading
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class Once(Generic[T]):
    """``factory()`` built on the first call (one thread builds it, the others wait for it) and returned
    from then on; :meth:`reset` forgets it (a test that changes the environment)."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._value: T | None = None
        self._built = False
        self._lock = threading.Lock()
        self.__doc__ = factory.__doc__

    def __call__(self) -> T:
        with self._lock:
            if not self._built:
                self._value = self._factory()
                self._built = True
            return self._value

    def reset(self) -> None:
        with self._lock:
            self._value, self._built = None, False


def once(factory: Callable[[], T]) -> Once[T]:
    """Decorate a factory of a process-wide value (see :class:`Once`)."""
    return Once(factory)
