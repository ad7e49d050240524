"""Print the parse and events of sentences (a developer's aid): python tools/try.py "text" ..."""

import sys
from datetime import date

from dyads.pipeline import Pipeline
from dyads.sources import make_article

pipeline = Pipeline()
for text in sys.argv[1:]:
    title = text if text.istitle() else ""
    (coded,) = pipeline.code([make_article("t", text, title=title, published=date(2024, 3, 5))])
    doc = pipeline.nlp(text)
    print(" ".join(f"{t.text}/{t.pos_}/{t.dep_}>{t.head.i}" for t in doc))
    for e in coded.events:
        print("   ", e.source_code, e.cameo_code, e.target_code or "-", e.modality, e.speaker,
              e.confidence)
