"""Whose move an offer in a rep's message is: the customer's ask, or the rep's concession.

A message is cut into clauses (at sentence ends, commas, semicolons, dashes and "but"); each clause is read
on its own, by grammar rather than by keywords:

- The rep **proposing a give** to the team ("can we do 10%?", "should I give them 12%?", "ok to offer net 45?",
  "we should offer 8%", "let's offer 5%") is a concession: the seller's side moving, proposed (the rep still
  chooses the button). Any other **question** (it ends with "?", or opens like one) is an ask.
- Otherwise the clause's first **verb** that says who moves decides, read with its **subject**: the rep
  ("I", "we", "our VP"), the customer ("they", "their CFO", "procurement", "customer"), a third party
  ("the competitor"), or none written (a rep's shorthand, "offered net 45", or a passive, "fee waived").
  - requesting (want, ask, push for, need, insist, sign if) and refusing (refused, turned down, told them
    no) are always the customer's ask;
  - giving (offered, gave, threw in, countered, came down, sent a quote, will do) is the rep's concession
    when the rep or nobody is its subject, in any tense or mood ("offered", "I'll give", "going to offer",
    "if they sign I'll throw in"), and the customer's ask when the customer or a third party gives
    ("procurement countered at 90k", "the competitor offered them 25%"); a bare command ("knock 5k off")
    is the customer's demand relayed;
  - accepting (agreed, accepted, said yes, took) closes a concession whoever accepts ("they accepted our
    8%", "we accepted their counter"), except the customer's conditional "they'd accept 92k", a position;
  - getting is a concession when the customer gets ("they get the add-on free");
  - saying (told, said, mentioned) an offer is a concession when the rep says it, an ask when anyone else
    does; what follows it is reported speech, not the clause's verb;
  - a negation ("didn't offer", "won't throw in", "told them we can't") makes any of these an ask: the
    customer's request stands.
- A condition ("if they sign this week", "unless someone objects") is not the clause's verb.

A clause none of this decides has no kind; the caller reads the message as an ask unless some clause is a
concession (so a message with both is the rep's concession: what was given, which answers the ask).
"""

from __future__ import annotations

import re

ASK, CONCESSION = "ask", "concession"

_CLAUSE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n+|,\s+|\s[-–—]+\s|\s*\bbut\b\s*", re.IGNORECASE)
_QUESTION = re.compile(
    r"\?\W*$|^\W*(?:(?:ok|so|and|also|hey|quick q)\W+)?(?:(?:can|could|should|shall|may|might|would|will|do|does|"
    r"did|is|are|am)\s+(?:i|we|you|it|they|that)\b|(?:ok(?:ay)?|alright|fine|cool) to\b|mind if\b|what if\b|"
    r"how about\b|any chance\b|thoughts on\b|is it ok\b)", re.IGNORECASE)
# The rep proposing a give to the team ("can I give them 10%?", "should we throw in training", "ok to offer
# net 45?", "let's offer 5%"): the seller's side moving, not the customer asking.
_PROPOSAL = re.compile(
    r"^\W*(?:(?:hey team|team|ok|so|and|also|quick q|thoughts)\W+)?(?:can|could|should|shall|may|might)\s+(?:i|we)\b"
    r"(?!\s+(?:ask|get|push|hold|see|check|find|talk|get them|pay|split|spread))|"
    r"^\W*(?:ok(?:ay)?|alright|fine|cool) to\s+(?:offer|give|do|throw|waive|go|drop|include|comp|take|knock|meet)|"
    r"\bwhat if (?:i|we)\b|\bany objection if (?:i|we)\b|\b(?:i|we) should (?:just )?(?:offer|give|do|throw|go|drop|"
    r"include|waive|meet|take)\b|\blet'?s (?:offer|give|do|throw|go|drop|meet|include|waive)\b", re.IGNORECASE)
_CONDITION = re.compile(
    r"\b(?:if|unless|once|when|as long as|provided)\s+\S+.*?(?=\b(?:i|we|they)\b|$)", re.IGNORECASE)

# One alternation: at one position an earlier group wins ("said no" before "said"). A verb's class is its group.
_VERBS = re.compile(
    r"\b(?:(?P<refuse>refus\w*|declin\w*|turn(?:s|ed|ing)? down|reject\w*|said no|told (?:them|him|her) no|"
    r"push(?:ed|ing)? back|held (?:firm|out)|hold(?:s|ing)? (?:firm|out|at))|"
    r"(?P<accept>accept\w*|agree\w*|ok'?d|okayed|greenlit|authori[sz]ed|said (?:yes|ok|okay|fine|sure)|"
    r"(?:can|could) live with|"
    r"took|settl\w*)|"
    r"(?P<state>let(?:ting)? them know|sa(?:y|ys|id|ying)|told|tell(?:s|ing)?|mention\w*|explain\w*)|"
    r"(?P<request>want\w*|ask\w*|request\w*|need\w*|push(?:es|ed|ing)?|demand\w*|expect\w*|insist\w*|"
    r"hop(?:e|es|ed|ing)|look(?:s|ed|ing)? for|angl(?:e|es|ed|ing)|float\w*|would like|'d like|requir\w*|"
    r"sign(?:s|ing)?(?! off)|(?:is|are|'re) after)|"
    r"(?P<give>offer(?:s|ed|ing)?|offerd|gave|giv(?:e|es|en|ing)|threw|throw(?:s|n|ing)?|cav(?:e|ed|ing)|"
    r"conced\w*|waiv(?:e|es|ed|ing)|includ(?:e|es|ed|ing)|comp(?:ed|ing)?|open to)|"
    r"(?P<get>get|gets|got|getting)|"
    r"(?P<move>drop(?:s|ped|ping)?|cut(?:s|ting)?|knock(?:s|ed|ing)?|shav(?:e|ed|ing)|extend(?:s|ed|ing)?|"
    r"match(?:es|ed|ing)?|approv(?:e|es|ed|ing)|budg(?:e|ed|ing)|went (?:down )?to|go(?:es)? (?:down )?to|"
    r"c[oa]me (?:down|back|in)|coming (?:down|back|in)|going (?:down )?to|go(?:ing)? in at|honou?r(?:ed|ing)?|"
    r"land(?:s|ed|ing)?|propos(?:e|es|ed|ing)|"
    r"suggest(?:s|ed|ing)?|re-?quot(?:e|ed|ing)|quot(?:e|ed|ing)|counter(?:s|ed|ing)?|mov(?:e|es|ed|ing)|"
    r"capp(?:ed|ing)|tak(?:e|es|ing)|let(?:s|ting)? them|met|meet(?:ing)?|sen[dt]s?|sending|sign(?:s|ed|ing)? off|"
    r"end(?:s|ed)? up|"
    r"lower(?:s|ed|ing)?|reduc(?:e|es|ed|ing)|discount(?:ed|ing)|do|doing)|"
    r"(?P<their_position>(?:their|procurement's|customer's|client's|buyer's)\s+(?:\w+\s+)?"
    r"(?:counter\w*|target|request|offer|number|budget)|ask from them)|"
    r"(?P<our_position>our\s+(?:\w+\s+)?(?:offer|counter\w*|final|number|best)))\b",
    re.IGNORECASE)
_BASE_FORM = re.compile(
    r"(?:offer|give|throw|cave|waive|include|comp|drop|cut|knock|shave|extend|match|approve|go (?:down )?to|"
    r"come (?:down|back|in)|land|propose|suggest|re-?quote|quote|counter|move|let them|meet|send|lower|"
    r"reduce|do|accept|agree|take|settle)$", re.IGNORECASE)

_REP = re.compile(r"\b(?:i|im|we|my|our)\b", re.IGNORECASE)
_CUSTOMER = re.compile(
    r"\b(?:they|theyre|their|customer|client|buyer|procurement|purchasing|champion|vendor mgmt)\b", re.IGNORECASE)
_THIRD_PARTY = re.compile(r"\b(?:competitor|competition|incumbent|other vendor|other guys)\b", re.IGNORECASE)
_CUSTOMER_AGENT = re.compile(r"^[^,]*?\bby (?:the )?(?:their|them|customer|client|buyer|procurement)\b",
                             re.IGNORECASE)
_SHORTHAND = re.compile(r"^\W*(?:(?:ok(?:ay)?|so|fyi|update|also|then|just|and|finally|ugh|well|fine|yeah|yep|"
                        r"alright|already|btw|lol|anyway|actually|quick)\W+)*$", re.IGNORECASE)
_INTENT = re.compile(r"\b(?:will|'ll|would|'d|can|could|gonna|going to|plan(?:ning)? to|willing to|happy to|"
                     r"ready to|about to|to)\s+(?:\w+\s+)?$", re.IGNORECASE)
_DELIBERATION = re.compile(r"\b(?:should|might|may|maybe|let's|lets)\s+(?:\w+\s+)?$", re.IGNORECASE)
_WOULD = re.compile(r"(?:\bwould|\bcould|\bmight|'d)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NEGATION = re.compile(r"(?:n't|\bnot|\bnever|\bno|\bcannot|\bwithout)\b", re.IGNORECASE)


def proposes(text: str) -> bool:
    """The rep putting a give to the team ("should I go to 11%?"): read by grammar, not as a haggler's words."""
    return bool(_PROPOSAL.search(text.replace("\u2019", "'")))


def clauses(text: str) -> list[str]:
    """The message cut where a new statement can start; empty pieces dropped."""
    plain = text.replace("\u2019", "'")
    return [piece.strip() for piece in _CLAUSE_BREAK.split(plain) if piece and piece.strip()]


def clause_kind(clause: str, names_offer: bool) -> str | None:
    """ASK, CONCESSION, or None when the clause does not say who moves. `names_offer`: the clause itself
    names what is offered (a percentage, an amount, a free item, terms); moves without it only count when
    they plainly give or accept ("I gave them 3", "I said fine")."""
    if _PROPOSAL.search(clause) and names_offer:
        return CONCESSION  # the rep putting a give to the team: the seller's move, proposed
    if _QUESTION.search(clause):
        return ASK
    main = _CONDITION.sub(" ", clause)
    for verb in _VERBS.finditer(main):
        kind = _verb_kind(main, verb, names_offer)
        if kind is not None or verb.lastgroup == "state":
            return kind  # what follows a saying verb is reported speech, not the clause's own verb
    return None


def _verb_kind(clause: str, verb: re.Match[str], names_offer: bool) -> str | None:
    """The kind one verb gives its clause, with its subject and any negation; None if it does not decide."""
    before, after = clause[: verb.start()], clause[verb.end():]
    verb_class = verb.lastgroup
    if verb_class in ("refuse", "request", "their_position"):
        return ASK
    if verb_class == "our_position":
        return CONCESSION
    if _negated(before) or (verb_class == "state" and _NEGATION.search(after)):
        return ASK
    party = _subject(before, after)
    if verb_class == "get":
        gets_ours = names_offer and party == "customer" and " from " not in after.lower()
        return CONCESSION if gets_ours else None
    if verb_class == "state":
        return _said_kind(party, before, names_offer)
    if verb_class == "move" and not names_offer:
        return None
    return _giving_kind(verb_class, party, before, verb.group(0))


def _giving_kind(verb_class: str | None, party: str | None, before: str, verb: str) -> str:
    """Giving or accepting, by whom: the rep's (or nobody's: shorthand, passive) is a concession."""
    if _DELIBERATION.search(before):
        return ASK  # "we should offer 8%": not decided, the team is asked
    if party is None and _BASE_FORM.match(verb) and not _INTENT.search(before) and _SHORTHAND.match(before):
        return ASK  # a bare command, "knock 5k off and they sign": the customer's demand relayed
    if verb_class == "accept" and party == "customer" and _WOULD.search(before):
        return ASK  # "they'd accept 92k": the customer's position, not an acceptance
    if verb_class == "accept" or party in ("rep", None):
        return CONCESSION
    return ASK  # the customer's or a competitor's own offer is a position to answer


def _said_kind(party: str | None, before: str, names_offer: bool) -> str | None:
    if not names_offer:
        return None
    if party == "rep" or (party is None and _SHORTHAND.match(before)):
        return CONCESSION  # "told them we can do 10%"
    return ASK  # "they said 10% would do it", "Jen at Acme mentioned they'd need..."


def _subject(before: str, after: str) -> str | None:
    """The party nearest before the verb: "rep", "customer", "third party", or None (none written)."""
    found = [(m.start(), party) for pattern, party in
             ((_REP, "rep"), (_CUSTOMER, "customer"), (_THIRD_PARTY, "third party"))
             for m in pattern.finditer(before)]
    if found:
        return max(found)[1]
    return "customer" if _CUSTOMER_AGENT.search(after) else None


def _negated(before: str) -> bool:
    """A negation among the few words just before the verb: "didn't offer", "we will not give"."""
    return bool(_NEGATION.search(" ".join(before.split()[-3:])))
