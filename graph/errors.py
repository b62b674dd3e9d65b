"""The exceptions techgraph raises; all derive from :class:`TechgraphError`.

Each message is one line that names the file, line, record, query or value at
fault, so the CLI can print it as it is.
"""


class TechgraphError(Exception):
    """Root of every error techgraph raises on purpose."""


class SchemaError(TechgraphError):
    """The schema declaration (data/schema.yaml) is malformed."""


class DataError(TechgraphError):
    """A data file or record does not satisfy the schema."""


class QueryError(TechgraphError):
    """A stored query, its parameters or an ad-hoc Cypher statement is unusable."""


class UnknownEntityError(QueryError):
    """No node matches the name, alias or id asked for."""


class ReadOnlyError(QueryError):
    """A read-only entry point was given a statement that writes."""


class DatabaseError(TechgraphError):
    """The database cannot be built, opened or queried."""


class PictureError(TechgraphError):
    """A picture cannot be drawn or written (bad file type, date, depth or size)."""
