"""Extraction rules on realistic sentences: who did what to whom, and what is never coded."""

from datetime import date

from conftest import roots, triples


def test_active_sentence_codes_subject_to_object(code_text):
    events = code_text("Azerbaijani forces shelled Armenian border villages on Tuesday.")
    assert ("AZE", "19", "ARM") in roots(events)


def test_passive_sentence_takes_the_by_agent_as_source(code_text):
    events = code_text("Armenian positions near Sotk were shelled by Azerbaijani troops overnight.")
    assert ("AZE", "19", "ARM") in roots(events)
    assert ("ARM", "19", "AZE") not in roots(events)


def test_person_resolved_at_the_article_date(code_text):
    events = code_text("Vladimir Putin met Nikol Pashinyan in the Kremlin.", when=date(2021, 1, 11))
    assert ("RUSGOV", "040", "ARMGOV") in {(s, c[:3], t) for s, c, t in triples(events)}


def test_meet_with_licensed_preposition(code_text):
    events = code_text("Armenian Foreign Minister Ararat Mirzoyan met with Iranian officials "
                       "in Tehran on Sunday.")
    assert ("ARM", "04", "IRN") in roots(events)


def test_reported_speech_codes_embedded_event_with_speaker(code_text):
    events = code_text("Pashinyan told reporters that Azerbaijani troops had attacked "
                       "Armenian positions.")
    reported = [e for e in events if e.cameo_root == "19"]
    assert reported and reported[0].modality == "reported"
    assert "Pashinyan" in reported[0].speaker
    assert (reported[0].source_country, reported[0].target_country) == ("AZE", "ARM")


def test_quote_is_attributed_to_its_speaker(code_text):
    events = code_text("“Russia has attacked Ukraine again,” Zelensky said on Monday.",
                       when=date(2023, 5, 1))
    assert any(e.modality == "reported" and "Zelensky" in e.speaker and e.cameo_root == "19"
               for e in events)


def test_negated_event_is_not_coded(code_text):
    assert not code_text("Russia did not attack Georgia.")
    assert not code_text("Turkish troops never attacked Syrian forces near the border.")


def test_questioned_and_unclear_events_are_not_coded(code_text):
    assert not code_text("It is not clear whether Russian forces attacked Ukrainian positions.")
    assert not code_text("Did Iran attack Israel?")


def test_conditional_and_hypothetical_events_are_not_coded(code_text):
    assert not code_text("If Azerbaijan attacks Armenia, Russia will respond.")
    assert not code_text("Iran could attack Israel within days.")


def test_denied_event_is_not_coded(code_text):
    events = code_text("Baku denied that Azerbaijani troops had shelled Armenian villages.")
    assert ("AZE", "19", "ARM") not in roots(events)


def test_future_intent_becomes_a_03_code(code_text):
    events = code_text("Erdogan will meet Putin in Sochi next week.", when=date(2021, 9, 20))
    assert events and all(e.modality == "intended" for e in events)
    assert ("TUR", "03", "RUS") in roots(events)


def test_compound_subjects_give_one_event_each(code_text):
    events = code_text("Russia and Iran condemned Israel on Sunday.")
    assert {("RUS", "11", "ISR"), ("IRN", "11", "ISR")} <= roots(events)


def test_capital_stands_for_the_government(code_text):
    events = code_text("Baku accused Yerevan of violating the ceasefire.")
    assert ("AZEGOV", "112", "ARMGOV") in {(s, c[:3], t) for s, c, t in triples(events)}


def test_title_case_headline_is_recased_and_coded(pipeline):
    from dyads.sources import make_article

    text = ("Russia Condemns Israeli Strikes On Syria\n\nThe foreign ministry in Moscow said "
            "the strikes violated international law.\n")
    article = make_article("h", text, title="Russia Condemns Israeli Strikes On Syria",
                           published=date(2023, 2, 20))
    (coded,) = pipeline.code([article])
    headline_events = [e for e in coded.events if e.sentence_start == 0]
    assert ("RUS", "11", "ISR") in roots(headline_events)


def test_evidence_is_the_sentence_in_the_original_text(pipeline):
    from dyads.sources import make_article

    text = ("Baku Accuses Yerevan\n\nPhoto: Reuters\n\nAzerbaijan accused Armenia of "
            "shelling its positions in Nakhchivan. Officials gave no details.\n")
    article = make_article("e", text, title="Baku Accuses Yerevan", published=date(2022, 9, 13))
    (coded,) = pipeline.code([article])
    assert coded.events
    for e in coded.events:
        assert text[e.sentence_start:e.sentence_end] == e.evidence
        assert e.date == date(2022, 9, 13)


def test_confidence_is_a_probability_that_keeps_the_coder_ranking(code_text):
    """The calibration curve is increasing: an asserted act outranks the same act reported."""
    asserted = code_text("Azerbaijani forces shelled Armenian border villages on Tuesday.")
    reported = code_text("Pashinyan said Azerbaijani forces had shelled Armenian border villages.")
    told = [e for e in asserted if e.cameo_root == "19"][0]
    heard = [e for e in reported if e.cameo_root == "19" and e.modality == "reported"][0]
    assert 0 < heard.confidence < told.confidence < 1


def test_calibration_check_bins_real_coded_events():
    from conftest import shared_path
    from dyads.evaluate import code_items, labelled_events, load_items, reliability

    gold = shared_path("gold", "plover_examples.dev.jsonl")
    kind, items = load_items(gold)
    pairs = labelled_events(items[:40], code_items(items[:40]), kind)
    check = reliability(pairs)
    assert check["events"] == len(pairs) > 10
    assert sum(b["events"] for b in check["bins"]) == len(pairs)
    assert 0 <= check["expected_calibration_error"] <= 1


def test_plover_gold_keys_read_as_the_gold_means_them():
    """The 2016 PLOVER examples write a bare 'IGO' for any organisation and 'ITL' for Italy."""
    from dyads.evaluate import actor_keys, key_in_gold

    gold = actor_keys([{"code": "IGO"}, {"code": "ITL"}])
    assert key_in_gold("IGOUNO", gold) and key_in_gold("ITA", gold)
    assert not key_in_gold("USA", gold)
    assert not key_in_gold("IGOUNO", actor_keys([{"code": "IGOEUR"}]))


def test_a_merged_event_keeps_its_surest_reading(pipeline):
    """Two readings of one demolition (the homes' owners, the place) are one event, which keeps
    the higher of the two scores rather than the score of the reading whose sectors it shows."""
    from dyads.confidence import calibrated
    from dyads.mentions import ArticleContext, SentenceMentions
    from dyads.sources import make_article

    text = ("Israeli army bulldozers demolished Palestinian homes and civilian buildings in "
            "Khan Younis on Monday, local officials said.")
    when = date(2024, 5, 19)
    sent = next(iter(pipeline.nlp(text).sents))
    drafts = pipeline.coder.code_sentence(
        sent, SentenceMentions(pipeline.kb, sent, ArticleContext(when=when)))
    readings = [calibrated(d.confidence) for d in drafts if d.code == "1712"]
    assert len(set(readings)) == 2
    (coded,) = pipeline.code([make_article("d", text, published=when)])
    (demolition,) = [e for e in coded.events if e.cameo_code == "1712"]
    assert demolition.confidence == max(readings)


def test_a_headline_read_without_a_verb_is_parsed_again_and_keeps_its_own_words(pipeline):
    """The tagger reads "Shells" in a Title Case headline as a noun; the headline is parsed once
    more with the verb in the past tense, and the evidence is still the headline as written."""
    from dyads.sources import make_article

    head = "Azerbaijan Shells Armenian Border Villages Near Jermuk"
    text = head + "\nThe Armenian Defence Ministry said two soldiers were wounded."
    (coded,) = pipeline.code([make_article("h", text, title=head, published=date(2022, 9, 13))])
    shelling = [e for e in coded.events if e.cameo_root == "19"]
    assert shelling and shelling[0].evidence == head
    assert (shelling[0].source_country, shelling[0].target_country) == ("AZE", "ARM")
