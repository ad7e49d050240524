"""Pictures of relations: a network of dyads and a timeline for one dyad (PNG and SVG)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .views import ONE_PER_STORY  # noqa: E402

QUAD_COLOURS = {1: "#7fbf7b", 2: "#1b7837", 3: "#f4a582", 4: "#b2182b"}
QUAD_LABELS = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict",
               4: "material conflict"}


def every_period(seen: list, period: str) -> list:
    """All periods from the first to the last seen, so that quiet months show as gaps."""
    if not seen:
        return []
    out, cur = [], seen[0]
    while cur <= seen[-1] and len(out) < 2000:
        out.append(cur)
        if period == "week":
            cur = cur + timedelta(days=7)
        elif period == "month":
            cur = date(cur.year + cur.month // 12, cur.month % 12 + 1, 1)
        else:
            cur = date(cur.year + 1, 1, 1)
    return out


def save(fig, out: Path) -> list[Path]:
    out.parent.mkdir(parents=True, exist_ok=True)
    paths = [out.with_suffix(".png"), out.with_suffix(".svg")]
    for path in paths:
        fig.savefig(path, dpi=150 if path.suffix == ".png" else None, bbox_inches="tight")
    plt.close(fig)
    return paths


def network(con, out: Path, level: str = "country", min_events: int = 1) -> list[Path]:
    """Nodes are actors; an edge per directed dyad, coloured by mean Goldstein score."""
    src, tgt = ("source_country", "target_country") if level == "country" else (
        "source_code", "target_code")
    rows = con.execute(f"""
        WITH ev AS ({ONE_PER_STORY})
        SELECT {src}, {tgt}, count(*), avg(goldstein) FROM ev
        WHERE {src} <> {tgt} AND {tgt} <> '' GROUP BY ALL HAVING count(*) >= ?""",
        [min_events]).fetchall()
    graph = nx.DiGraph()
    for s, t, n, g in rows:
        graph.add_edge(s, t, weight=n, goldstein=g)
    fig, ax = plt.subplots(figsize=(11, 8))
    if not graph.number_of_edges():
        ax.text(0.5, 0.5, "no events", ha="center", va="center")
        ax.axis("off")
        return save(fig, out)
    pos = nx.spring_layout(graph.to_undirected(), seed=7, k=1.6 / max(1, len(graph) ** 0.5))
    volume = dict(graph.degree(weight="weight"))
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color="#e8eef7", edgecolors="#34495e",
                           node_size=[500 + 120 * volume[n] for n in graph.nodes])
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=10, font_weight="bold")
    edges = list(graph.edges(data=True))
    scores = [d["goldstein"] for _, _, d in edges]
    norm = TwoSlopeNorm(vmin=min(-1.0, *scores), vcenter=0.0, vmax=max(1.0, *scores))
    cmap = plt.get_cmap("RdYlGn")
    nx.draw_networkx_edges(graph, pos, ax=ax, edgelist=[(s, t) for s, t, _ in edges],
                           width=[1.2 + 1.5 * d["weight"] for _, _, d in edges],
                           edge_color=[cmap(norm(x)) for x in scores], arrows=True,
                           arrowsize=16, connectionstyle="arc3,rad=0.12",
                           node_size=[500 + 120 * volume[n] for n in graph.nodes])
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, shrink=0.6, label="mean Goldstein score (conflict ← → cooperation)")
    ax.set_title("Relations network: edge width = events (one per story), colour = cooperation")
    ax.axis("off")
    return save(fig, out)


def timeline(con, dyad: str, out: Path, period: str = "month") -> list[Path]:
    """Quad-class counts per period (bars) and mean Goldstein (line) for a pair, both ways."""
    from .views import PERIODS

    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    a, _, b = dyad.upper().partition("-")
    if not a or not b:
        raise ValueError("dyad must look like ARM-RUS")
    rows = con.execute(f"""
        WITH ev AS ({ONE_PER_STORY})
        SELECT CAST(date_trunc('{period}', date) AS DATE) AS p, quad_class, count(*),
               avg(goldstein)
        FROM ev WHERE date IS NOT NULL AND ((source_country = ? AND target_country = ?)
              OR (source_country = ? AND target_country = ?))
        GROUP BY ALL ORDER BY p""", [a, b, b, a]).fetchall()
    periods = every_period(sorted({r[0] for r in rows}), period)
    fig, ax = plt.subplots(figsize=(11, 5))
    if not periods:
        ax.text(0.5, 0.5, f"no events between {a} and {b}", ha="center", va="center")
        ax.axis("off")
        return save(fig, out)
    index = {p: i for i, p in enumerate(periods)}
    bottoms = [0] * len(periods)
    for quad in (1, 2, 3, 4):
        counts = [0] * len(periods)
        for p, q, n, _ in rows:
            if q == quad:
                counts[index[p]] = n
        ax.bar(range(len(periods)), counts, bottom=bottoms, color=QUAD_COLOURS[quad],
               label=QUAD_LABELS[quad])
        bottoms = [x + y for x, y in zip(bottoms, counts, strict=True)]
    ax.set_ylabel("events (one per story)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    step = max(1, len(periods) // 18)  # keep the date labels legible on long ranges
    ax.set_xticks(range(0, len(periods), step),
                  [p.isoformat()[:7 if period != "week" else 10] for p in periods[::step]],
                  rotation=45, ha="right")
    mean = {}
    for p, _q, n, g in rows:
        total, weight = mean.get(p, (0.0, 0))
        mean[p] = (total + g * n, weight + n)
    ax2 = ax.twinx()
    xs = [i for i, p in enumerate(periods) if p in mean]
    ax2.plot(xs, [mean[periods[i]][0] / mean[periods[i]][1] for i in xs], color="#2c3e50",
             marker="o", label="mean Goldstein")
    ax2.axhline(0, color="#999999", linewidth=0.8, linestyle="--")
    ax2.set_ylim(-10.5, 10.5)
    ax2.set_ylabel("mean Goldstein score")
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=5,
              fontsize=8, frameon=False)
    ax.set_title(f"{a}–{b}: events per {period} by quad class, and mean Goldstein score")
    return save(fig, out)
