"""What the query model needs from sqlglot across the supported range (requirements.txt: >=30.15).

MWAA 3.3.1 pins sqlglot 30.15.0, whose ``Scope`` calls the branches of a set operation
``union_scopes``; later releases renamed it ``set_operation_scopes``, the name the query model uses.
Imported once by the sql package, before any scope is built.
"""

from sqlglot.optimizer.scope import Scope

if not hasattr(Scope, "set_operation_scopes"):  # releases before the rename, 30.15 among them
    Scope.set_operation_scopes = property(lambda scope: scope.union_scopes)
