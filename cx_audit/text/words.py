"""The words every importer and ``discover`` read names with, in one place.

Names come from other tools and other languages: ``Second-Level-Support``,
``customer_service``, ``BackOffice``, ``Kundendienst``, ``Ticket nicht
lösbar``. Two things are made of them here:

- **ids**: :func:`slugify` keeps a transliteration of every Latin letter
  (``ß`` → ``ss``, ``é`` → ``e``, ``ø`` → ``o``, ``æ`` → ``ae``), so that
  ``Straße`` and ``Strasse`` give the same id and no letter disappears;
- **keywords**: :func:`fold` reduces a name to lower-case ASCII words
  (hyphens, underscores, camel case and accents no longer matter), and
  the keyword tables below are matched against that, whole words only.
  :func:`actor_for_name` gives the format's actor a lane, pool or Mermaid
  actor name suggests; :func:`outcome_of` says whether a name reads as a
  resolution or as an unresolved end, and it reads negations
  (``nicht lösbar``, ``not resolved``, ``non résolu``) before deciding.

The tables hold English, German, French, Spanish and Portuguese forms;
``docs/importers.md`` ("Words") lists what each one is for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

__all__ = [
    "ABANDON_WORDS",
    "ACTOR_WORDS",
    "FAILURE_WORDS",
    "GIVE_UP_WORDS",
    "NEGATIONS",
    "RESOLUTION_WORDS",
    "actor_for_name",
    "fold",
    "outcome_of",
    "slugify",
    "transliterate",
    "word_pattern",
]

_LETTERS = str.maketrans({
    "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th",
    "\u0131": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŋ": "ng", "Ŋ": "NG", "ĸ": "k",
})
"""Latin letters that carry no accent to drop: Unicode does not decompose them."""

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SEPARATORS = re.compile(r"[\W_]+")
"""Runs of characters that are not letters or digits in any script: dashes, spaces, marks."""
_CAMEL = re.compile("(?<=[a-zß-öø-ÿ])(?=[A-ZÀ-ÖØ-Þ])|(?<=[A-ZÀ-ÖØ-Þ])(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ])")
"""Where camel case starts a word (``BackOffice``, ``CRMSystem``), Latin-1 letters included."""


def _unaccented(text: str) -> str:
    """``text`` with letters such as ``ß`` spelt out and every accent (combining mark) dropped."""
    if text.isascii():  # nothing to spell out or drop; a 20 MB name is read at C speed
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    marks = {ord(ch): None for ch in set(decomposed) if unicodedata.combining(ch)}
    return decomposed.translate(marks)


def transliterate(text: str) -> str:
    """``text`` in ASCII: accents dropped, letters such as ``ß`` spelt out, the rest left out.

    >>> transliterate("Straße"), transliterate("Ligação"), transliterate("Søren Ærø")
    ('Strasse', 'Ligacao', 'Soren AEro')
    """
    return _unaccented(text).encode("ascii", "ignore").decode("ascii")


def slugify(text: str, fallback: str = "step", limit: int | None = None) -> str:
    """An id made from ``text``: lower-case ASCII letters, digits and ``-``.

    Letters are transliterated (:func:`transliterate`); every run of other
    characters becomes one ``-``. With ``limit``, a longer id is cut at a
    word boundary in its second half (or at ``limit`` when there is none).
    ``fallback`` is used when nothing is left.

    >>> slugify("Über-Straße 5"), slugify("Accepted-Wait - User"), slugify("??")
    ('uber-strasse-5', 'accepted-wait-user', 'step')
    >>> slugify("word " * 20, limit=48)
    'word-word-word-word-word-word-word-word-word'
    """
    spaced = _SEPARATORS.sub(" ", _unaccented(text))
    slug = _NOT_SLUG.sub("-", transliterate(spaced).lower()).strip("-")
    if limit is not None and len(slug) > limit:
        cut = slug[:limit]
        boundary = cut.rfind("-")
        slug = (cut[:boundary] if boundary >= limit // 2 else cut).strip("-")
    return slug or fallback


def fold(text: str) -> str:
    """``text`` as lower-case ASCII words separated by single spaces, for keyword matching.

    Hyphens, underscores, slashes, dots and camel case separate words;
    accents are dropped and letters such as ``ß`` spelt out.

    >>> fold("Second-Level-Support"), fold("customer_service"), fold("BackOffice")
    ('second level support', 'customer service', 'back office')
    >>> fold("Ticket nicht lösbar"), fold("Straße"), fold("CRMSystem"), fold("2ND LEVEL")
    ('ticket nicht losbar', 'strasse', 'crm system', '2nd level')
    """
    words = _CAMEL.sub(" ", unicodedata.normalize("NFC", text))
    spaced = transliterate(_SEPARATORS.sub(" ", _unaccented(words)))
    return " ".join(_NOT_SLUG.sub(" ", spaced.lower()).split())


def word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern that finds any of ``words`` (phrases too) as whole words in :func:`fold`-ed text.

    ``None`` when no word is left after folding.
    """
    folded = sorted({fold(word) for word in words} - {""}, key=lambda w: (-len(w), w))
    if not folded:
        return None
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, folded)) + r")(?![a-z0-9])")


# Actor keywords, tried in this order: the first table with a word in the name wins. So
# "customer service" is frontline before "customer" makes it the customer, and "second level
# support" is backoffice before "support" makes it frontline.
ACTOR_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("frontline", (
        "customer service", "customer support", "customer care", "client service",
        "customer success", "customer services",
        "kundenservice", "kundendienst", "kundenbetreuung", "kundensupport", "kundencenter",
        "service client", "service clients", "relation client", "service a la clientele",
        "servicio al cliente", "atencion al cliente", "servicio de atencion al cliente",
        "atendimento ao cliente", "servico ao cliente", "servico de atendimento ao cliente")),
    ("customer", (
        "customer", "customers", "client", "clients", "caller", "callers", "consumer",
        "consumers", "user", "users", "patient", "patients", "guest", "guests", "buyer",
        "buyers", "applicant", "applicants", "citizen", "citizens", "passenger", "passengers",
        "member", "members",
        "kunde", "kunden", "kundin", "kundinnen", "anrufer", "anruferin", "antragsteller",
        "antragstellerin", "burger", "nutzer", "benutzer", "patientin",
        "cliente", "clientes", "clienta", "clientas", "usuario", "usuarios", "usuaria",
        "solicitante", "consumidor", "paciente",
        "utilisateur", "utilisateurs", "appelant", "demandeur", "consommateur")),
    ("backoffice", (
        "2nd level", "second level", "3rd level", "third level", "level 2", "level 3",
        "back office", "backoffice", "specialist", "specialists", "finance", "billing",
        "accounting", "legal", "compliance", "hr", "human resources", "marketing",
        "engineering", "development", "warehouse", "operations", "fraud", "underwriting",
        "claims", "administration",
        "2nd level support", "zweiter level", "2 level", "second level support",
        "fachabteilung", "fachbereich", "innendienst", "buchhaltung", "rechtsabteilung",
        "sachbearbeitung",
        "deuxieme niveau", "second niveau", "niveau 2", "niveau 3", "support niveau 2",
        "service technique", "comptabilite",
        "segundo nivel", "tercer nivel", "nivel 2", "nivel 3", "soporte de segundo nivel",
        "contabilidad", "oficina interna",
        "terceiro nivel", "retaguarda", "contabilidade", "financeiro",
        "juridico")),
    ("frontline", (
        "support", "agent", "agents", "call centre", "call center", "contact centre",
        "contact center", "service desk", "helpdesk", "help desk", "1st level", "first level",
        "level 1", "front office", "frontline", "front line", "sales", "reception", "store",
        "branch", "clerk", "clerks",
        "sachbearbeiter", "sachbearbeiterin", "berater", "beraterin", "kundenberater",
        "erster level", "1 level", "first level support",
        "telefonzentrale", "filiale", "verkauf",
        "conseiller", "conseillere", "conseillers", "agente", "agentes", "premier niveau",
        "niveau 1", "accueil", "guichet", "centre d appel", "centre de contact",
        "operateur", "operatrice",
        "asesor", "asesora", "operador", "operadora", "primer nivel", "nivel 1", "soporte",
        "centro de llamadas", "centro de contacto", "mesa de ayuda", "recepcion", "ventas",
        "atendimento", "atendente", "atendentes", "primeiro nivel", "suporte",
        "central de atendimento", "balcao", "vendas")),
    ("partner", (
        "partner", "partners", "carrier", "supplier", "vendor", "courier", "bank",
        "credit card", "contractor", "third party", "provider", "insurer", "logistics",
        "shipping",
        "lieferant", "dienstleister", "spediteur", "versicherer",
        "partenaire", "fournisseur", "transporteur", "prestataire",
        "socio", "proveedor", "transportista", "parceiro", "fornecedor", "transportadora")),
    ("bot", ("bot", "chatbot", "virtual assistant", "ivr", "voicebot", "sprachdialogsystem",
             "asistente virtual", "assistente virtual", "assistant virtuel")),
    ("system", (
        "system", "systems", "crm", "erp", "portal", "website", "web site", "platform",
        "sistema", "automation", "automated", "systeme", "plattform", "webseite",
        "automatisierung", "plateforme", "site web", "plataforma", "automatizacion",
        "automacao")),
)
"""Actor -> words that suggest it in a lane, pool or actor name (folded, whole words)."""

GIVE_UP_WORDS: tuple[str, ...] = (
    "abandon", "abandoned", "abandons", "cancel", "cancels", "cancelled", "canceled",
    "cancellation", "cancelation", "give up", "gives up", "gave up", "given up", "hang up",
    "hangs up", "hung up", "quit", "quits", "withdraw", "withdraws", "withdrew", "withdrawn",
    "churn", "churns", "churned", "drop out", "drops out", "dropped out",
    "abgebrochen", "abbruch", "storniert", "stornierung", "storno", "gekundigt", "kundigung",
    "aufgelegt", "zuruckgezogen",
    "abandonne", "abandonnee", "annule", "annulee", "annulation", "raccroche", "resilie",
    "abandonado", "abandonada", "cancelado", "cancelada", "cancelacion", "colgo", "desiste",
    "desistio", "desistiu", "desistencia", "cancelamento", "abandono",
)
"""Words or phrases that say the customer gave up (or cancelled)."""

FAILURE_WORDS: tuple[str, ...] = (
    "rejected", "reject", "refused", "declined", "denied", "unresolved", "unsolved",
    "unsolvable", "not solvable", "no solution", "failed", "unable to resolve",
    "impossible to resolve", "without resolution", "without solution",
    "abgelehnt", "ablehnung", "ungelost", "unlosbar", "keine losung", "gescheitert",
    "rejete", "rejetee", "refuse", "refusee", "refus", "irresolu", "insoluble",
    "sans solution", "echec",
    "rechazado", "rechazada", "rechazo", "denegado", "denegada", "sin solucion",
    "irresoluble", "fallido",
    "rejeitado", "rejeitada", "recusado", "recusada", "negado", "negada", "sem solucao",
    "insoluvel", "falhou",
)
"""Words or phrases that say the matter was refused or could not be solved."""

ABANDON_WORDS: tuple[str, ...] = GIVE_UP_WORDS + FAILURE_WORDS
"""Words or phrases that make a name an unresolved end: given up, refused or not solvable."""

RESOLUTION_WORDS: tuple[str, ...] = (
    "resolved", "resolve", "solved", "solve", "solvable", "resolvable", "closed", "close",
    "done", "completed", "complete", "finished", "fixed", "answered", "success", "successful",
    "gelost", "losbar", "erledigt", "abgeschlossen", "geschlossen", "fertig", "behoben",
    "beantwortet", "losung",
    "resolu", "resolue", "resoluble", "ferme", "fermee", "clos", "cloture", "termine",
    "terminee", "traite", "repondu",
    "resuelto", "resuelta", "solucionado", "solucionable", "cerrado", "cerrada", "finalizado",
    "completado", "terminado", "atendido",
    "resolvido", "resolvida", "solucionado", "fechado", "fechada", "encerrado", "encerrada",
    "concluido", "concluida", "finalizado", "atendida",
)
"""Words that make a name a resolution, unless a negation stands before them."""

NEGATIONS: tuple[str, ...] = (
    "not", "no", "never", "cannot", "cant", "without",
    "nicht", "kein", "keine", "keiner", "nie", "ohne",
    "non", "pas", "jamais", "sans", "ne",
    "sin", "nunca", "nao", "sem", "nem",
)
"""Words that turn the keyword after them around (and ``n't``: ``isn't`` folds to ``isn t``)."""

NEGATION_REACH = 2
"""How many words before a keyword a negation may stand (``nicht mehr lösbar``, ``n'est pas``)."""


@lru_cache(maxsize=64)
def _compiled(words: tuple[str, ...]) -> re.Pattern[str] | None:
    return word_pattern(words)


def actor_for_name(name: str | None) -> str | None:
    """The format's actor that a lane, pool or actor name suggests, or ``None``.

    >>> actor_for_name("Second-Level-Support"), actor_for_name("Kundenservice")
    ('backoffice', 'frontline')
    >>> actor_for_name("Kunde"), actor_for_name("SACHBEARBEITER"), actor_for_name("Amazon")
    ('customer', 'frontline', None)
    """
    text = fold(name or "")
    if not text:
        return None
    for actor, words in ACTOR_WORDS:
        pattern = _compiled(words)
        if pattern is not None and pattern.search(text):
            return actor
    return None


def _negated(text: str, start: int) -> bool:
    """True when a negation stands within :data:`NEGATION_REACH` words before ``start``."""
    words = text[:start].split()
    first = max(0, len(words) - NEGATION_REACH)
    # "isn't", "wasn't", "can't" fold to "isn t": a lone t after a word ending in n
    return any(words[at] in _NEGATION_SET
               or (words[at] == "t" and at > 0 and words[at - 1].endswith("n"))
               for at in range(first, len(words)))


_NEGATION_SET = frozenset(NEGATIONS)


def outcome_of(name: str | None, abandon_words: Iterable[str] = ABANDON_WORDS) -> str | None:
    """``"abandon"``, ``"resolution"`` or ``None``: what the name says about how things end.

    An abandon word (``abandon_words``) makes it an abandon, and so does a
    resolution word after a negation (``not resolved``, ``nicht lösbar``);
    a negated abandon word (``not cancelled``) counts for neither. Failing
    those, a resolution word makes it a resolution.

    >>> outcome_of("Ticket nicht lösbar"), outcome_of("Ticket gelöst"), outcome_of("Storniert")
    ('abandon', 'resolution', 'abandon')
    >>> outcome_of("Non résolu"), outcome_of("Not cancelled"), outcome_of("Review")
    ('abandon', None, None)
    """
    outcomes = [_phrase_outcome(fold(phrase), tuple(abandon_words))
                for phrase in _PHRASE_BREAK.split(name or "")]
    if "abandon" in outcomes:
        return "abandon"
    return "resolution" if "resolution" in outcomes else None


_PHRASE_BREAK = re.compile(r"\s[-–—]\s|[,;:()|]")
"""Where a name's phrases part (``No charge - closed``): a negation never reaches across."""


def _phrase_outcome(text: str, abandon_words: tuple[str, ...]) -> str | None:
    """What one folded phrase says: see :func:`outcome_of`."""
    if not text:
        return None
    abandon = _compiled(abandon_words)
    if abandon is not None and any(not _negated(text, m.start()) for m in abandon.finditer(text)):
        return "abandon"
    resolution = _compiled(RESOLUTION_WORDS)
    found = [_negated(text, m.start()) for m in resolution.finditer(text)] if resolution else []
    if any(found):
        return "abandon"
    return "resolution" if found else None
