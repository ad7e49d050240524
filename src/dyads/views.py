"""Views over the store: relations between dyads over time, and grievances between allies.

Each real-world event counts once: a story contributes its canonical event only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from .actors import knowledge_base
from .alliances import Alliances

PERIODS = ("week", "month", "year")
ONE_PER_STORY = """
    SELECT e.* FROM events e LEFT JOIN stories s ON e.story_id = s.story_id
    WHERE e.story_id IS NULL OR e.story_id = '' OR s.canonical_event_id = e.event_id
"""


def relations_sql(period: str, level: str) -> str:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    if level not in ("country", "actor"):
        raise ValueError("level must be country or actor")
    src, tgt = ("source_country", "target_country") if level == "country" else (
        "source_code", "target_code")
    return f"""
    WITH ev AS ({ONE_PER_STORY}),
    agg AS (
        SELECT CAST(date_trunc('{period}', date) AS DATE) AS period, {src} AS source,
               {tgt} AS target, count(*) AS events,
               count(*) FILTER (WHERE quad_class = 1) AS verbal_coop,
               count(*) FILTER (WHERE quad_class = 2) AS material_coop,
               count(*) FILTER (WHERE quad_class = 3) AS verbal_conflict,
               count(*) FILTER (WHERE quad_class = 4) AS material_conflict,
               round(sum(goldstein), 2) AS goldstein_sum,
               round(avg(goldstein), 2) AS goldstein_mean
        FROM ev WHERE date IS NOT NULL AND {tgt} <> ''
          AND (? = '' OR {src} = ? OR {tgt} = ? OR source_country = ? OR target_country = ?)
        GROUP BY ALL
    )
    SELECT *, verbal_coop + material_coop - verbal_conflict - material_conflict AS net_coop,
           round(goldstein_mean - lag(goldstein_mean) OVER (PARTITION BY source, target
                 ORDER BY period), 2) AS trend
    FROM agg ORDER BY period, events DESC, source, target
    """


def relations(con, period: str = "month", actor: str = "", level: str = "country"):
    cursor = con.execute(relations_sql(period, level), [actor] * 5)
    return [d[0] for d in cursor.description], cursor.fetchall()


@dataclass
class Grievance:
    source: str
    target: str
    relation: str
    events: list[dict] = field(default_factory=list)

    @property
    def goldstein_sum(self) -> float:
        return round(sum(e["goldstein"] for e in self.events), 2)


def grievances(con, between_allies: bool = True, actor: str = "") -> list[Grievance]:
    """Conflict events (quad classes 3 and 4), grouped by dyad, with the tie on that date."""
    alliances = Alliances(knowledge_base())
    rows = con.execute(f"""
        WITH ev AS ({ONE_PER_STORY})
        SELECT source_country, target_country, date, cameo_code, plover_type, quad_class,
               goldstein, evidence, doc_name, event_id, story_id
        FROM ev WHERE quad_class IN (3, 4) AND date IS NOT NULL
          AND source_country <> target_country AND target_country <> ''
          AND (? = '' OR source_country = ? OR target_country = ?)
        ORDER BY date, event_id""", [actor] * 3).fetchall()
    cols = ["source", "target", "date", "cameo_code", "plover_type", "quad_class", "goldstein",
            "evidence", "doc_name", "event_id", "story_id"]
    groups: dict[tuple[str, str, str], Grievance] = defaultdict(lambda: Grievance("", "", ""))
    for row in rows:
        record = dict(zip(cols, row, strict=True))
        when: date = record["date"]
        tie = alliances.relation(record["source"], record["target"], when)
        if between_allies and not tie:
            continue
        key = (record["source"], record["target"], tie)
        group = groups[key]
        group.source, group.target, group.relation = key
        group.events.append(record)
    return sorted(groups.values(), key=lambda g: (-len(g.events), g.source, g.target))
