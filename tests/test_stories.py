"""Stories, relations, alliances and grievances on realistic multi-article input."""

from datetime import date

import pytest

from dyads.actors import knowledge_base
from dyads.alliances import Alliances
from dyads.plots import network, timeline
from dyads.sources import make_article
from dyads.store import Store
from dyads.stories import rebuild_stories
from dyads.views import grievances, relations

PHONE_CALL = [
    ("Putin And Erdogan Discuss Grain Deal By Phone",
     "Russian President Vladimir Putin held a telephone conversation with Turkish President "
     "Recep Tayyip Erdogan on Monday, the Kremlin said. The two leaders discussed the Black Sea "
     "grain deal.", "2023-07-03", "Wire A"),
    ("Erdogan, Putin Talk Over Phone",
     "Turkish President Tayyip Erdogan spoke by phone with Russian President Vladimir Putin on "
     "Monday and discussed the Black Sea grain initiative, the Turkish presidency said.",
     "2023-07-03", "Wire B"),
    ("Kremlin: Putin Spoke With Erdogan",
     "Vladimir Putin held a phone call with Recep Tayyip Erdogan on Monday to discuss the grain "
     "corridor, Kremlin spokesman Dmitry Peskov told reporters on Tuesday.", "2023-07-04",
     "Wire C"),
]
MEETINGS = [
    ("Pashinyan Meets Aliyev In Brussels",
     "Armenian Prime Minister Nikol Pashinyan met Azerbaijani President Ilham Aliyev in Brussels "
     "on Sunday for talks hosted by the European Union.", "2023-05-14", "Wire A"),
    ("Pashinyan And Aliyev Meet Again, In Moscow",
     "Armenian Prime Minister Nikol Pashinyan met Azerbaijani President Ilham Aliyev in Moscow "
     "on Thursday, a week after their Brussels meeting, for talks hosted by Russia.",
     "2023-05-25", "Wire B"),
]


def load(tmp_path, items, name="s.duckdb"):
    from dyads.pipeline import Pipeline

    pipeline = Pipeline()
    store = Store(tmp_path / name)
    articles = [make_article(f"a{i}", f"{title}\n\n{body}", title=title, source=src,
                             published=date.fromisoformat(day))
                for i, (title, body, day, src) in enumerate(items)]
    store.write(pipeline.code(articles))
    rebuild_stories(store.con)
    return store


def test_three_reports_of_one_phone_call_are_one_story(tmp_path):
    store = load(tmp_path, PHONE_CALL)
    rows = store.query("SELECT n_articles, n_sources FROM stories s JOIN events e ON "
                       "e.event_id = s.canonical_event_id WHERE e.cameo_root = '04'")[1]
    assert rows == [(3, 3)]
    n_story_ids = store.query("SELECT count(DISTINCT story_id) FROM events "
                              "WHERE cameo_root = '04'")[1][0][0]
    assert n_story_ids == 1


def test_two_meetings_a_week_apart_stay_two_stories(tmp_path):
    store = load(tmp_path, MEETINGS)
    rows = store.query("SELECT s.story_id, s.n_articles FROM stories s JOIN events e ON "
                       "e.event_id = s.canonical_event_id WHERE e.cameo_root = '04'")[1]
    assert len(rows) == 2 and all(n == 1 for _, n in rows)


FIXTURE = [  # (source, target, date, quad, goldstein) checked by hand below
    ("ARM", "RUS", "2024-01-10", 3, -2.0),
    ("ARM", "RUS", "2024-01-20", 3, -5.0),
    ("ARM", "RUS", "2024-01-25", 1, 3.4),
    ("ARM", "RUS", "2024-02-05", 4, -7.0),
    ("RUS", "ARM", "2024-01-12", 1, 1.0),
]


def fixture_store(tmp_path):
    store = Store(tmp_path / "rel.duckdb")
    for i, (s, t, day, quad, gold) in enumerate(FIXTURE):
        store.con.execute(
            "INSERT INTO events (event_id, article_id, date, source_code, source_country, "
            "target_code, target_country, cameo_code, cameo_root, quad_class, goldstein, "
            "evidence, plover_type, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, '111', '11', ?, ?, "
            "'Armenia criticised Russia.', 'ACCUSE', '')",
            [f"e{i}", f"a{i}", day, s, s, t, t, quad, gold])
    return store


def test_relations_sums_match_a_hand_count(tmp_path):
    store = fixture_store(tmp_path)
    cols, rows = relations(store.con, "month", "ARM")
    table = {(r[cols.index("period")].isoformat(), r[cols.index("source")],
              r[cols.index("target")]): dict(zip(cols, r, strict=True)) for r in rows}
    jan = table[("2024-01-01", "ARM", "RUS")]
    assert jan["events"] == 3 and jan["verbal_conflict"] == 2 and jan["verbal_coop"] == 1
    assert jan["goldstein_sum"] == pytest.approx(-3.6)
    assert jan["goldstein_mean"] == pytest.approx(-1.2)
    assert jan["net_coop"] == -1
    feb = table[("2024-02-01", "ARM", "RUS")]
    assert feb["material_conflict"] == 1 and feb["goldstein_mean"] == -7.0
    assert feb["trend"] == pytest.approx(-5.8)
    assert table[("2024-01-01", "RUS", "ARM")]["events"] == 1


def test_allies_follow_membership_changes():
    alliances = Alliances(knowledge_base())
    # Azerbaijan left the CSTO in 1999; Finland joined NATO on 2023-04-04.
    assert alliances.relation("AZE", "ARM", date(1998, 1, 1)) == "ally"
    assert alliances.relation("AZE", "ARM", date(2005, 1, 1)) != "ally"
    assert alliances.relation("FIN", "USA", date(2022, 6, 1)) != "ally"
    assert alliances.relation("FIN", "USA", date(2023, 6, 1)) == "ally"
    assert alliances.relation("ARM", "RUS", date(2023, 9, 20)) == "ally"


def test_grievances_between_allies_keep_the_evidence(tmp_path):
    store = fixture_store(tmp_path)
    groups = grievances(store.con, between_allies=True)
    (arm_rus,) = [g for g in groups if (g.source, g.target) == ("ARM", "RUS")]
    assert arm_rus.relation == "ally" and len(arm_rus.events) == 3
    assert all(e["evidence"] for e in arm_rus.events)


def test_plots_are_written_as_png_and_svg(tmp_path):
    store = fixture_store(tmp_path)
    paths = network(store.con, tmp_path / "net") + timeline(store.con, "ARM-RUS", tmp_path / "tl")
    for path in paths:
        assert path.exists() and path.stat().st_size > 2000
