"""The shared vocabulary: folding, transliterated ids, actor and outcome words in five languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from cx_audit.eventlog import discover as discovering
from cx_audit.eventlog.reader import LogColumns
from cx_audit.importers import drafts, import_bpmn, import_mermaid
from cx_audit.text.words import (
    ABANDON_WORDS,
    ACTOR_WORDS,
    FAILURE_WORDS,
    RESOLUTION_WORDS,
    actor_for_name,
    fold,
    outcome_of,
    slugify,
    word_pattern,
)

from .test_bpmn import flow, model, process


@pytest.mark.parametrize(("text", "folded"), [
    ("Second-Level-Support", "second level support"),
    ("SECOND_LEVEL_SUPPORT", "second level support"),
    ("secondLevelSupport", "second level support"),
    ("  Back–Office / Billing ", "back office billing"),
    ("Straße", "strasse"), ("Ærø", "aero"), ("", ""),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(("name", "actor"), [
    # English, across hyphens, underscores and case
    ("Second-Level-Support", "backoffice"), ("second_level_support", "backoffice"),
    ("2nd-Level Support", "backoffice"), ("First-Level-Support", "frontline"),
    ("CUSTOMER", "customer"), ("Customer-Service", "frontline"), ("BackOffice", "backoffice"),
    ("Help-Desk Agents", "frontline"), ("Clerk", "frontline"),
    # German
    ("Kunde", "customer"), ("Kunden", "customer"), ("Kundenservice", "frontline"),
    ("Kundendienst", "frontline"), ("Sachbearbeiter", "frontline"),
    ("2. Level Support", "backoffice"), ("Fachabteilung", "backoffice"),
    ("Backoffice Team", "backoffice"), ("Support", "frontline"),
    # French
    ("Client", "customer"), ("Service client", "frontline"), ("Conseiller", "frontline"),
    ("Support niveau 1", "frontline"), ("Deuxième niveau", "backoffice"),
    ("Back-office", "backoffice"),
    # Spanish
    ("Cliente", "customer"), ("Agente", "frontline"), ("Atención al cliente", "frontline"),
    ("Primer nivel", "frontline"), ("Segundo nivel", "backoffice"), ("Soporte", "frontline"),
    # Portuguese
    ("Usuário", "customer"), ("Atendente", "frontline"), ("Suporte", "frontline"),
    ("Primeiro nível", "frontline"), ("Segundo nível", "backoffice"),
    ("Retaguarda", "backoffice"),
    # nothing to go on
    ("Amazon", None), ("Kundenzufriedenheit", None), ("", None), (None, None),
])
def test_actor_words(name: str | None, actor: str | None) -> None:
    assert actor_for_name(name) == actor


@pytest.mark.parametrize(("name", "outcome"), [
    # resolved / closed / done
    ("Issue resolved", "resolution"), ("Ticket closed", "resolution"), ("Done", "resolution"),
    ("Ticket gelöst", "resolution"), ("Erledigt", "resolution"),
    ("Vorgang abgeschlossen", "resolution"),
    ("Résolu", "resolution"), ("Dossier fermé", "resolution"), ("Terminé", "resolution"),
    ("Resuelto", "resolution"), ("Caso cerrado", "resolution"),
    ("Resolvido", "resolution"), ("Chamado encerrado", "resolution"),
    ("Concluído", "resolution"),
    # rejected / cancelled / not solvable
    ("Ticket nicht lösbar", "abandon"), ("Nicht gelöst", "abandon"), ("Ungelöst", "abandon"),
    ("Antrag abgelehnt", "abandon"), ("Auftrag storniert", "abandon"),
    ("Not resolved", "abandon"), ("Can't be solved", "abandon"), ("Request rejected", "abandon"),
    ("Order cancelled", "abandon"),
    ("Non résolu", "abandon"), ("Ce n'est pas résolu", "abandon"), ("Demande rejetée", "abandon"),
    ("Commande annulée", "abandon"),
    ("No resuelto", "abandon"), ("Solicitud rechazada", "abandon"), ("Cancelado", "abandon"),
    ("Não resolvido", "abandon"), ("Pedido rejeitado", "abandon"), ("Cancelada", "abandon"),
    # a negated abandon word is neither; a name with no outcome word is neither
    ("Not cancelled", None), ("Nicht abgelehnt", None), ("Review the claim", None), ("", None),
])
def test_outcome_words(name: str, outcome: str | None) -> None:
    assert outcome_of(name) == outcome


def test_a_negation_reaches_only_a_few_words_back() -> None:
    assert outcome_of("Nicht mehr lösbar") == "abandon"
    assert outcome_of("No reply, ticket later resolved") == "resolution"


def test_every_table_word_matches_itself_as_written_in_any_case() -> None:
    tables = [words for _actor, words in ACTOR_WORDS] + [ABANDON_WORDS, RESOLUTION_WORDS]
    for words in tables:
        pattern = word_pattern(words)
        assert pattern is not None
        for word in words:
            assert pattern.search(fold(word.upper())), word
    assert word_pattern(["", " - "]) is None


@pytest.mark.parametrize(("text", "slug"), [
    ("Straße", "strasse"), ("Café au lait", "cafe-au-lait"), ("Søren", "soren"),
    ("Æbleskive", "aebleskive"), ("Łódź", "lodz"), ("Þing", "thing"), ("北京", "step"),
])
def test_ids_keep_a_transliteration(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("name", ["Straße 5", "Rückruf – Kundin", "Ølstue", "x" * 60 + " é",
                                  "Accepted-Wait - User"])
def test_one_id_function_for_importers_and_discover(name: str) -> None:
    assert drafts.slugify(name) == slugify(name, limit=drafts.SLUG_MAX)
    assert discovering.slugify(name) == slugify(name)


def test_discover_keeps_the_letters_in_step_ids(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("case,activity,time\nc1,Anfrage,2024-01-01T10:00:00\n"
                   "c1,Prüfung Straße,2024-01-01T10:05:00\nc1,Erledigt,2024-01-01T10:09:00\n",
                   "utf-8")
    document, _notes = discovering.discover(log, LogColumns("case", "activity", "time"))
    assert "prufung-strasse" in document["steps"]


END_EVENTS = process("\n".join([
    '<startEvent id="s" name="Ticket eingegangen"/>',
    '<task id="t" name="Prüfen"/>',
    '<endEvent id="no" name="Ticket nicht lösbar"/>',
    '<endEvent id="yes" name="Ticket gelöst"/>',
    '<endEvent id="kept" name="Nicht storniert"/>',
    flow("f1", "s", "t"), flow("f2", "t", "no"), flow("f3", "t", "yes"), flow("f4", "t", "kept"),
]))


def test_bpmn_end_events_read_outcome_words_and_negations() -> None:
    steps = import_bpmn(model(END_EVENTS), "t.bpmn").document["steps"]
    kinds = {step["x-source-id"]: step["kind"] for step in steps.values() if "kind" in step}
    assert (kinds["no"], kinds["yes"], kinds["kept"]) == ("abandon", "resolution", "resolution")
    plain = import_bpmn(model(END_EVENTS), "t.bpmn", abandon_words=()).document["steps"]
    assert {s["kind"] for s in plain.values() if s.get("x-source-id") != "s"
            and "kind" in s} == {"resolution"}


def test_bpmn_lanes_with_hyphens_and_other_languages_give_actors() -> None:
    body = process("\n".join([
        '<laneSet id="ls"><lane id="l1" name="Kunde"><flowNodeRef>a</flowNodeRef></lane>'
        '<lane id="l2" name="Second-Level-Support"><flowNodeRef>b</flowNodeRef></lane></laneSet>',
        '<startEvent id="s"/>', '<userTask id="a" name="Anrufen"/>',
        '<userTask id="b" name="Analysieren"/>', '<endEvent id="e" name="Fertig"/>',
        flow("f1", "s", "a"), flow("f2", "a", "b"), flow("f3", "b", "e"),
    ]))
    steps = import_bpmn(model(body), "lanes.bpmn").document["steps"]
    assert (steps["anrufen"]["actor"], steps["analysieren"]["actor"]) == ("customer",
                                                                          "backoffice")


def test_mermaid_actor_names_with_keywords_give_the_actor_and_stay_owners() -> None:
    data = (b"journey\n  title Words\n  section S\n"
            b"    Call: 3: Kunde\n    Analyse: 2: Second-Level-Support\n    Fix: 4: backoffice\n"
            )
    steps = import_mermaid(data, "w.mmd").document["steps"]
    assert (steps["call"]["actor"], steps["call"]["owner"]) == ("customer", "Kunde")
    assert (steps["analyse"]["actor"], steps["analyse"]["owner"]) == ("backoffice",
                                                                      "Second-Level-Support")
    assert steps["fix"]["actor"] == "backoffice" and "owner" not in steps["fix"]


@pytest.mark.parametrize(("name", "outcome"), [
    ("No charge - closed", "resolution"),      # a negation never reaches across a phrase
    ("Kein Rückruf – erledigt", "resolution"),
    ("AT&T closed", "resolution"),             # a lone t is no negation
    ("Tier-T done", "resolution"),
    ("Isn't resolved", "abandon"),             # but n't is
    ("Closed without resolution", "abandon"),
    ("Unable to resolve", "abandon"),
    ("Not resolved yet – call back", "abandon"),
])
def test_negations_stay_within_their_phrase(name: str, outcome: str) -> None:
    assert outcome_of(name) == outcome


def test_a_cancellation_is_a_failure_only_to_the_give_up_words() -> None:
    assert outcome_of("Cancellation confirmed") == "abandon"
    assert outcome_of("Cancellation confirmed", FAILURE_WORDS) is None
    assert outcome_of("Antrag abgelehnt", FAILURE_WORDS) == "abandon"
