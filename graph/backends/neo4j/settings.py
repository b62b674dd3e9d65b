"""Where and as whom to reach Neo4j, without loading the driver.

Settings come from arguments or ``TECHGRAPH_NEO4J_URI``, ``TECHGRAPH_NEO4J_USER``,
``TECHGRAPH_NEO4J_PASSWORD`` and ``TECHGRAPH_NEO4J_DATABASE``; the defaults match
docker-compose.yml, except the password, which has none.

>>> Neo4jSettings(uri="bolt://neo4j:pw@db:7687", password="pw")
Neo4jSettings(uri='bolt://neo4j:***@db:7687', user='neo4j', database='neo4j')
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from graph.errors import DatabaseError

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USER = "neo4j"
DEFAULT_DATABASE = "neo4j"
# Records a push transaction writes: at 100k relations, batches of 1000 took about 5x as long as
# batches of 10,000, and 50,000 were no faster (benchmarks/RESULTS.md, "Push streamed").
PUSH_BATCH_SIZE = 10_000
# The URI schemes of the Bolt protocol the driver speaks (+s: TLS, +ssc: TLS accepting a self-signed
# certificate); the driver would take http(s):// for its experimental HTTP driver, never meant here.
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and as whom to connect; the password never appears in repr or messages."""

    uri: str = DEFAULT_URI
    user: str = DEFAULT_USER
    password: str | None = field(default=None, repr=False)
    database: str = DEFAULT_DATABASE

    @classmethod
    def from_env(cls, uri=None, user=None, password=None, database=None) -> Neo4jSettings:
        """Arguments first, then ``TECHGRAPH_NEO4J_*`` variables, then the defaults.

        >>> Neo4jSettings.from_env(uri="bolt://db:7687", password="secret")
        Neo4jSettings(uri='bolt://db:7687', user='neo4j', database='neo4j')
        """
        env = os.environ.get
        return cls(
            uri=uri or env("TECHGRAPH_NEO4J_URI") or DEFAULT_URI,
            user=user or env("TECHGRAPH_NEO4J_USER") or DEFAULT_USER,
            password=password if password is not None else env("TECHGRAPH_NEO4J_PASSWORD"),
            database=database or env("TECHGRAPH_NEO4J_DATABASE") or DEFAULT_DATABASE,
        )

    @property
    def shown_uri(self) -> str:
        """The URI as messages show it: a password written into it (``bolt://user:pw@host``) masked.

        >>> Neo4jSettings(uri="bolt://neo4j:pw@db:7687").shown_uri
        'bolt://neo4j:***@db:7687'
        """
        return _URI_PASSWORD.sub(r"\1***@", self.uri)

    def check_uri(self) -> None:
        """Raise DatabaseError (one line, the password masked) unless the URI is a Bolt or Neo4j one.

        >>> Neo4jSettings(uri="http://user:pw@db:7474").check_uri()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        graph.errors.DatabaseError: bad Neo4j URI 'http://user:***@db:7474': the scheme must be one of bolt, ...
        """
        scheme, sep, rest = self.uri.partition("://")
        if not sep or scheme.lower() not in URI_SCHEMES or not rest:
            raise DatabaseError(f"bad Neo4j URI {self.shown_uri!r}: the scheme must be one of {', '.join(URI_SCHEMES)}")

    def redact(self, text: str) -> str:
        """``text`` with the password, and any password written into the URI, replaced by ``***``."""
        secrets = [self.password or "", *(m.group(2) for m in _URI_PASSWORD.finditer(self.uri))]
        for secret in sorted(filter(None, secrets), key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return f"Neo4jSettings(uri={self.shown_uri!r}, user={self.user!r}, database={self.database!r})"


# The password part of a URI's userinfo: scheme://user:PASSWORD@host
_URI_PASSWORD = re.compile(r"(^[^:/?#]+://[^:/?#@]*:)([^@/?#]*)@")
