"""Load the package's data files (and users' extra files). Knowledge lives in data, not code."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

try:
    SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    SafeLoader = yaml.SafeLoader


def data_dir() -> Path:
    return Path(str(resources.files("dyads") / "data"))


def read_yaml(path: Path) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=SafeLoader)


@cache
def load_yaml(name: str) -> Any:
    """A data file of the package, by its path under dyads/data."""
    return read_yaml(data_dir() / name)


def load_yaml_dir(name: str) -> list[Any]:
    """All YAML files of a data folder, in name order, each file a list of entries."""
    folder = data_dir() / name
    entries: list[Any] = []
    for path in sorted(folder.glob("*.yaml")):
        entries.extend(read_yaml(path) or [])
    return entries


def load_optional(name: str) -> Any:
    """A data file that a deployment may leave out (None when absent)."""
    return load_yaml(name) if (data_dir() / name).exists() else None


@cache
def load_csv(name: str) -> list[dict[str, str]]:
    with open(data_dir() / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
