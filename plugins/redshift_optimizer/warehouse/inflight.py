"""The statements running now in this process, so that a stopping task cancels them in the
warehouse instead of leaving them running there.

A statement is cancelled in the warehouse (psycopg's cancel request, ``pg_cancel_backend``
from a second session, or the Data API's CancelStatement) when

- the task process gets SIGTERM: Airflow 3's supervisor sends it when the task is killed
  (marked failed or success in the UI, its heartbeat lost, the worker shutting down) and
  sends SIGKILL a few seconds later. The Task SDK's own SIGTERM handler only calls the
  operator's ``on_kill``, which for ``@task`` and PythonOperator does nothing; so while a
  statement runs on the main thread, :func:`_on_sigterm` is installed in front of it: it
  cancels, refuses every later statement of the process (:class:`StatementCancelled`), and
  then calls the handler it replaced;
- the code running the statement raises (the task's ``execution_timeout`` alarm, Ctrl-C, an
  error while the driver waits): :meth:`Warehouse.query` cancels it before the exception
  leaves;
- something calls :func:`stop_statements`, e.g. an operator's ``on_kill``.

Closing the connection is not enough: neither Redshift nor PostgreSQL notices a client gone
while a statement computes, and a Data API statement has no client connection at all.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger("redshift_optimizer.warehouse")


class StatementCancelled(BaseException):
    """The task is stopping: its statement was cancelled in the warehouse, or a new one was
    refused. A BaseException (like Airflow's AirflowTaskTerminated) so that code handling
    warehouse errors does not record it as a result and carry on."""


@dataclass(eq=False)
class RunningStatement:
    """One statement from its start to its end, as the log and the cancel see it."""

    name: str  # the SQL file (``sql/redshift/catalog_tables.sql``) or an inline statement's label
    conn_id: str
    started: float = field(default_factory=time.monotonic)
    ident: str = ""  # "backend pid 123" or "Data API statement <id>", once submitted
    cancelled: str | None = None  # why it was cancelled in the warehouse
    settled: bool = False  # the warehouse answered (rows or an error): nothing left to cancel
    _cancel: Callable[[], Any] | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def submitted(self, ident: str, cancel: Callable[[], Any]) -> None:
        """The statement is on its way (``cancel`` stops it in the warehouse): the start line."""
        with self._lock:
            self.ident, self._cancel = ident, cancel
        log.info("running %s on %s (%s) …", self.name, self.conn_id, ident)

    def answered(self) -> None:
        """The warehouse answered: from here on there is nothing to cancel."""
        with self._lock:
            self.settled = True

    @property
    def in_flight(self) -> bool:
        return self._cancel is not None and not self.settled and self.cancelled is None

    def cancel(self, reason: str) -> bool:
        """Cancel it in the warehouse if it still runs; False if there was nothing to cancel."""
        with self._lock:
            if not self.in_flight:
                return False
            self.cancelled = reason
            cancel = self._cancel
        log.warning("cancelling %s on %s (%s) in the warehouse: %s", self.name, self.conn_id, self.ident, reason)
        try:
            cancel()
        except Exception as exc:  # noqa: BLE001 - the statement may have finished meanwhile
            log.warning("cancel of %s (%s) failed: %s", self.name, self.ident, type(exc).__name__)
            return False
        return True

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def where(self) -> str:
        return f"{self.name} on {self.conn_id}" + (f" ({self.ident})" if self.ident else "")


_registry_lock = threading.RLock()  # re-entrant: the SIGTERM handler runs on the thread it interrupts
_running: list[RunningStatement] = []
_stopping: str | None = None  # set once the process was told to stop


def begin(name: str, conn_id: str) -> RunningStatement:
    """Register a statement about to run; refused once the process is stopping."""
    if _stopping is not None:
        raise StatementCancelled(f"{name} on {conn_id} not started: {_stopping}")
    statement = RunningStatement(name, conn_id)
    with _registry_lock:
        _running.append(statement)
    return statement


def end(statement: RunningStatement) -> None:
    with _registry_lock:
        if statement in _running:
            _running.remove(statement)


def running() -> list[RunningStatement]:
    """The statements of this process running now, oldest first."""
    with _registry_lock:
        return list(_running)


def stopping() -> str | None:
    """Why this process stopped running statements (None while it runs them)."""
    return _stopping


def stop_statements(reason: str = "the task was stopped") -> int:
    """Cancel every statement of this process in the warehouse and refuse new ones (the
    task is going away). For an operator's ``on_kill``; SIGTERM does it by itself. Returns
    how many statements were cancelled."""
    global _stopping
    with _registry_lock:
        if _stopping is None:
            _stopping = reason
        statements = list(_running)
    return sum(statement.cancel(reason) for statement in statements)


class _SigtermGuard:
    """Installs :func:`_on_sigterm` in front of the current SIGTERM handler while a
    statement runs on the main thread, and puts the previous one back afterwards."""

    def __init__(self) -> None:
        self.previous: Any = None
        self.pid = 0
        self.depth = 0

    def enter(self) -> bool:
        if threading.current_thread() is not threading.main_thread():
            return False  # only the main thread may set handlers; its own guard covers the process
        if self.depth == 0:
            current = signal.getsignal(signal.SIGTERM)
            if current is _on_sigterm or current is signal.SIG_IGN:  # already ours, or SIGTERM ignored
                return False
            self.previous, self.pid = current, os.getpid()
            signal.signal(signal.SIGTERM, _on_sigterm)
        self.depth += 1
        return True

    def exit(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            if signal.getsignal(signal.SIGTERM) is _on_sigterm:  # nobody replaced it meanwhile
                signal.signal(signal.SIGTERM, self.previous)
            self.previous = None


_guard = _SigtermGuard()


def _on_sigterm(signum: int, frame: Any) -> None:
    previous = _guard.previous
    if os.getpid() == _guard.pid:  # not in a forked child that inherited the handler
        stop_statements(f"the task process received {signal.Signals(signum).name}")
    if callable(previous):
        previous(signum, frame)  # the Task SDK's: calls the operator's on_kill
    elif previous in (signal.SIG_DFL, None):
        # The default would end the process at once; end it through the statement instead,
        # so its clean-up runs.
        raise StatementCancelled(f"the task process received {signal.Signals(signum).name}")


def guard_main_thread() -> bool:
    """Install the SIGTERM cancel for the statement about to run (main thread only)."""
    return _guard.enter()


def unguard_main_thread() -> None:
    _guard.exit()


__all__ = ["RunningStatement", "StatementCancelled", "begin", "end", "guard_main_thread", "running",
           "stop_statements", "stopping", "unguard_main_thread"]
