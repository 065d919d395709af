"""The card's feature YAML, made by our own code from ``datasets.Features.to_dict()``."""

from __future__ import annotations

import datasets
import pyarrow as pa
import pytest

from cleaner.publish.card import features_yaml
from cleaner.schema import document_schema


def test_flat_values_struct_and_list():
    schema = pa.schema(
        [
            pa.field("id", pa.string()),
            pa.field("date", pa.date32()),
            pa.field("stats", pa.struct([pa.field("a", pa.int32()), pa.field("b", pa.int32())])),
            pa.field("tags", pa.list_(pa.string())),
            pa.field("spans", pa.list_(pa.struct([pa.field("start", pa.int64())]))),
        ]
    )
    found = features_yaml(datasets.Features.from_arrow_schema(schema).to_dict())
    assert found == [
        {"name": "id", "dtype": "string"},
        {"name": "date", "dtype": "date32"},
        {"name": "stats", "struct": [{"name": "a", "dtype": "int32"}, {"name": "b", "dtype": "int32"}]},
        {"name": "tags", "list": "string"},
        {"name": "spans", "list": [{"name": "start", "dtype": "int64"}]},
    ]


def test_release_schema_reads_back_as_the_same_features():
    """The YAML the card carries is what the Hub and ``datasets`` read back into the release's features."""
    from datasets.info import DatasetInfo

    features = datasets.Features.from_arrow_schema(document_schema(["repair_lines_fixed", "spacing_glued"]))
    info = DatasetInfo._from_yaml_dict({"features": features_yaml(features.to_dict())})
    assert info.features == features


def test_unknown_feature_is_refused():
    with pytest.raises(TypeError, match="no card YAML"):
        features_yaml({"label": {"_type": "ClassLabel", "names": ["a", "b"]}})
