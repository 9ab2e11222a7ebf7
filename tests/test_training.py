"""The labelled headline set and the trainer: the labels are whole where they must
be, and training reproduces the shipped model file exactly."""

from __future__ import annotations

import collections
import gzip
import json

import pytest

from tests import locate

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def labelled():
    from training.labels import labelled_set

    return labelled_set()


def test_the_set_is_large_spread_and_split_by_day(labelled):
    days = {item.headline.file for item in labelled}
    assert len(labelled) >= 3000 and len(days) >= 60
    splits = collections.defaultdict(set)
    for item in labelled:
        splits[item.split].add(item.headline.file)
    assert not (splits["test"] & splits["train"]) and not (splits["dev"] & splits["train"])
    assert len(splits["test"]) >= 8


def test_test_and_development_days_are_labelled_whole(labelled):
    from training.corpus import day_files, read_day

    counts = collections.Counter(i.headline.file for i in labelled if i.split in ("test", "dev"))
    paths = {p.name: p for p in day_files(locate.corpus_dir())}
    for name, count in counts.items():
        assert count == len(read_day(paths[name])), name


def test_places_are_filled_only_for_labels_one_to_three(labelled):
    for item in labelled:
        if item.label == 0:
            assert not item.countries and not item.admin1, item.headline.id
        for code in item.countries:
            assert len(code) == 2 and code.isupper(), (item.headline.id, code)
        for code in item.admin1:
            assert code.split("-")[0] in item.countries, (item.headline.id, code)


@pytest.mark.slow
def test_training_reproduces_the_shipped_model(tmp_path):
    from training.train import OUT, train

    out = tmp_path / "model.json.gz"
    train(out)
    shipped = json.loads(gzip.decompress(OUT.read_bytes()))
    rebuilt = json.loads(gzip.decompress(out.read_bytes()))
    shipped.pop("test_figures", None)
    rebuilt.pop("test_figures", None)
    assert rebuilt == shipped
