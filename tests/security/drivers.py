"""Driver doubles for the cancel tests: the real local warehouse behind a driver that lacks
what redshift_connector lacks."""

from __future__ import annotations


class WithoutCancel:
    """A DB-API connection whose driver has no cancel request (like redshift_connector)."""

    def __init__(self, conn):
        self._conn = conn

    def __getattr__(self, name):
        if name in ("cancel", "cancel_safe"):
            raise AttributeError(name)
        return getattr(self._conn, name)

    def __setattr__(self, name, value):
        if name == "_conn":
            object.__setattr__(self, name, value)
        else:
            setattr(self._conn, name, value)


class HookWithoutCancel:
    """A hook handing out :class:`WithoutCancel` connections: the warehouse must cancel from a
    second session (``pg_cancel_backend``)."""

    def __init__(self, hook):
        self.hook = hook

    def get_conn(self):
        return WithoutCancel(self.hook.get_conn())

    def get_connection(self, conn_id):
        return self.hook.get_connection(conn_id)
