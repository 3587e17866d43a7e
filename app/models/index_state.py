"""Small key/value state about the search index (search generation, rebuild target, last
sweep), shared by the API's caches and the indexer."""

from sqlmodel import Field as SQLField
from sqlmodel import SQLModel


class IndexerState(SQLModel, table=True):
    __tablename__ = "indexer_state"

    key: str = SQLField(primary_key=True, max_length=50)
    value: str = SQLField(max_length=200)
