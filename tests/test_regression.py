"""The coder's regression set: realistic sentences, each rule, with the expected events.

tests/data/regression.yaml lists sentences and the events a careful coder codes from them at
country level (source, target, CAMEO root, modality). An empty list means nothing may be coded.
"""

from datetime import date
from pathlib import Path

import pytest
import yaml

from dyads.evaluate import country_key

CASES = yaml.safe_load((Path(__file__).parent / "data" / "regression.yaml").read_text())


def found(events) -> set[tuple[str, str, str, str]]:
    return {(country_key(e.source_code), country_key(e.target_code), e.cameo_root, e.modality)
            for e in events}


def as_param(case: dict):
    """Known failures are strict xfails: the day one starts passing, the test says so."""
    marks = [pytest.mark.xfail(strict=True, reason=case["known_failure"])] \
        if case.get("known_failure") else []
    return pytest.param(case, marks=marks, id=case["id"] + "-" + case["rule"])


@pytest.mark.parametrize("case", [as_param(c) for c in CASES])
def test_regression_sentence(case, pipeline):
    from dyads.sources import make_article

    text = case["text"]
    title = text if case.get("headline") else ""
    article = make_article(case["id"], text, title=title,
                           published=date.fromisoformat(str(case["date"])))
    (coded,) = pipeline.code([article])
    got = found(coded.events)
    expected = case.get("events") or []
    if not expected:
        assert not got, f"nothing should be coded from: {text}"
        return
    for exp in expected:
        key = (exp["source"], exp["target"], str(exp["root"]).zfill(2),
               exp.get("modality", "asserted"))
        assert key in got, f"missing {key} in {sorted(got)} for: {text}"
        if exp.get("speaker"):
            speakers = [e.speaker for e in coded.events if e.cameo_root == key[2]]
            assert any(exp["speaker"].lower() in s.lower() for s in speakers), speakers
    wanted = {(e["source"], e["target"]) for e in expected}
    stray = {g for g in got if (g[0], g[1]) not in wanted}
    assert not stray, f"unexpected events {sorted(stray)} for: {text}"
