"""Each cleaning rule on realistic scraped text; offsets always point into the original."""

from dyads.clean import clean
from dyads.sources import make_article

SCRAPED = """Armenia And Azerbaijan Trade Accusations Over Border Shelling
ГлавнаяNewsArmeniaArmenian officials said on Monday that Azerbaijani forces had shelled border villages.
Armenian Prime Minister Nikol Pashinyan speaks during a news conference in Yerevan.
Armenian Prime Minister Nikol Pashinyan speaks during a news conference in Yerevan.
The Armenian Defence Ministry said two soldiers were wounded in the shelling near Jermuk.
The Armenian Defence Ministry said two soldiers were wounded in the shelling near Jermuk.
Фото: пресс-служба правительства Армении, все права защищены
Originally published on Armenpress.
“We will respond to every provocation,” Rogozin


. “Both sides must show restraint,” the envoy added.
Comments
3. Karen said: Azerbaijan started it again, as always.
4. Leyla said: No, Armenia shelled first.
We reserve the right to remove comments that breach our comment policy.
"""


def reasons(text: str) -> list[tuple[str, str]]:
    article = make_article("a", text, title=text.splitlines()[0])
    return [(article.text[p.start:p.end], p.reason if not p.kept else "kept")
            for p in clean(article)]


def test_every_paragraph_has_offsets_inside_the_text_and_dropped_ones_a_reason():
    article = make_article("a", SCRAPED, title=SCRAPED.splitlines()[0])
    for p in clean(article):
        assert 0 <= p.start < p.end <= len(article.text)
        assert p.kept or p.reason


def test_headline_is_kept_and_marked():
    article = make_article("a", SCRAPED, title=SCRAPED.splitlines()[0])
    first = clean(article)[0]
    assert first.kept and first.is_headline


def test_glued_breadcrumb_is_split_from_the_sentence():
    got = reasons(SCRAPED)
    assert ("ГлавнаяNewsArmenia", "breadcrumb") in got
    assert any(t.startswith("Armenian officials said") and r == "kept" for t, r in got)


def test_repeated_photo_caption_is_dropped_as_caption():
    got = [r for t, r in reasons(SCRAPED) if t.startswith("Armenian Prime Minister Nikol")]
    assert got == ["caption", "caption"]


def test_repeated_paragraph_keeps_its_first_copy():
    got = [r for t, r in reasons(SCRAPED) if t.startswith("The Armenian Defence Ministry")]
    assert got == ["kept", "duplicate"]


def test_foreign_language_caption_is_dropped():
    got = dict(reasons(SCRAPED))
    assert got["Фото: пресс-служба правительства Армении, все права защищены"] in (
        "caption", "non_english")


def test_site_furniture_is_boilerplate():
    assert dict(reasons(SCRAPED))["Originally published on Armenpress."] == "boilerplate"


def test_comment_section_is_dropped_to_the_end():
    got = reasons(SCRAPED)
    start = [t for t, _ in got].index("Comments")
    assert all(r in ("comments", "boilerplate") for _, r in got[start:])
    assert not any(r == "comments" for _, r in got[:start])


def test_sentence_broken_by_a_removed_hyperlink_yields_no_fragment():
    got = reasons(SCRAPED)
    assert ("“We will respond to every provocation,” Rogozin", "broken_link") in got
    kept = [t for t, r in got if r == "kept"]
    assert "“Both sides must show restraint,” the envoy added." in kept


def test_non_english_paragraph_in_latin_script_is_detected():
    text = ("Macron Visits Berlin\nLe président français a rencontré le chancelier allemand "
            "à Berlin pour discuter de la guerre en Ukraine et de la défense européenne.\n"
            "The French president met the German chancellor in Berlin on Tuesday.")
    got = dict(reasons(text))
    assert got["The French president met the German chancellor in Berlin on Tuesday."] == "kept"
    assert any(r == "non_english" for r in got.values())


def test_wire_datelines_are_split_off_the_first_sentence():
    text = ("GAZA CITY, Palestinian Territories: Two children were killed on Friday, medics said.\n"
            "WASHINGTON, March 3 (Reuters) - The U.S. Senate passed the bill.\n"
            "NATO said on Monday it would send more troops.")
    got = reasons(text)
    assert got[:2] == [("GAZA CITY, Palestinian Territories:", "dateline"),
                       ("Two children were killed on Friday, medics said.", "kept")]
    assert ("WASHINGTON, March 3 (Reuters) -", "dateline") in got
    assert ("The U.S. Senate passed the bill.", "kept") in got
    assert ("NATO said on Monday it would send more troops.", "kept") in got
