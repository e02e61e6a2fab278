"""The local stack's watchman: restarts a child that dies, or stops everything naming it.

Each child is what `make run` starts (PostgreSQL, the local AWS endpoint, each Airflow
component, the API). A watch thread looks at every child once a second; a dead one is
started again, up to ``max_restarts`` times within ``window_s``; past that, or when it cannot
be started again, the supervisor gives up: ``failure`` names the child and its log, and
``on_failure`` is called (the stack stops everything and prints it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass
class Child:
    """One supervised piece: how to start it, whether it is alive, how to stop it."""

    name: str
    start: Callable[[], object]
    alive: Callable[[], bool]
    stop: Callable[[], object]
    log: Path | None = None
    restarts: deque = field(default_factory=deque, repr=False)

    def where(self) -> str:
        return f"; see {self.log}" if self.log else ""


class ProcessChild:
    """A child that is one process (and its process group): an Airflow component, the API."""

    def __init__(self, argv: list[str], log: Path, env: dict[str, str] | None = None,
                 cwd: Path | None = None, ready: Callable[["ProcessChild"], None] | None = None):
        self.argv, self.log, self.env, self.cwd, self.ready = argv, log, env, cwd, ready
        self.process: subprocess.Popen | None = None

    def start(self) -> "ProcessChild":
        self._kill_group()  # what a dead leader left behind (an executor's workers)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, env=self.env, cwd=self.cwd, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        if self.ready is not None:
            self.ready(self)
        return self

    def poll(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 60) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGINT)
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
            except ProcessLookupError:
                pass
        self._kill_group()

    def _kill_group(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()


class Supervisor:
    """Watches its children from a thread; see the module docstring."""

    def __init__(self, say: Callable[[str], None], max_restarts: int = 3, window_s: float = 600,
                 interval_s: float = 1.0, on_failure: Callable[[str], None] | None = None):
        self.say, self.max_restarts, self.window_s, self.interval_s = say, max_restarts, window_s, interval_s
        self.on_failure = on_failure
        self.children: list[Child] = []
        self.failure: str | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, child: Child, start: bool = True) -> Child:
        """Supervise ``child`` (started first unless ``start`` is False: already running)."""
        if start:
            child.start()
        with self._lock:
            self.children.append(child)
        return child

    def check(self) -> None:
        """One look at every child: restart the dead ones, or give up naming the child."""
        with self._lock:
            children = list(self.children)
        for child in children:
            if self._stopping.is_set() or self.failure:
                return
            if child.alive():
                continue
            now = time.monotonic()
            while child.restarts and now - child.restarts[0] > self.window_s:
                child.restarts.popleft()
            if len(child.restarts) >= self.max_restarts:
                self._give_up(f"{child.name} stopped {len(child.restarts) + 1} times within "
                              f"{self.window_s / 60:.0f} minutes{child.where()}")
                return
            child.restarts.append(now)
            self.say(f"{child.name} stopped; restarting it ({len(child.restarts)} of {self.max_restarts}"
                     f" restarts allowed in {self.window_s / 60:.0f} minutes){child.where()}")
            try:
                child.start()
            except Exception as exc:  # noqa: BLE001 - reported by name, then everything stops
                self._give_up(f"{child.name} stopped and could not be started again: {exc}")
                return
            self.say(f"{child.name} is running again")

    def _give_up(self, message: str) -> None:
        self.failure = message
        self._stopping.set()
        if self.on_failure is not None:
            self.on_failure(message)

    def watch(self) -> "Supervisor":
        """Start the watch thread (a daemon: it never keeps the process alive)."""

        def loop() -> None:
            while not self._stopping.wait(self.interval_s):
                self.check()

        self._thread = threading.Thread(target=loop, name="supervisor", daemon=True)
        self._thread.start()
        return self

    def stop_all(self) -> None:
        """Stop watching, then stop every child, the last started first."""
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(30)
        with self._lock:
            children = list(reversed(self.children))
        for child in children:
            try:
                child.stop()
            except Exception as exc:  # noqa: BLE001 - stop the others anyway
                self.say(f"could not stop {child.name}: {exc}")
