"""Recognises demands no deal is worth (kickbacks, bribes, personal payments, side letters, off-the-books or
backdated or falsified paperwork, orders split under an approval limit) in the ways people say them in chat."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Each demand is recognised sentence by sentence from a few cue words, so that "off the record" and "our books
# close Friday" stay what they are. A newcomer extends the word lists or adds a labelled cue below; a label is
# said after "They asked for", so it reads as a noun phrase.

_WORD = r"[\w'’$%.,-]+"  # one word of chat, figures and "finder's" included


def _gap(most: int) -> str:
    """Up to `most` words between two cues."""
    return rf"(?:{_WORD}\s+){{0,{most}}}"


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


# --- who on the customer's side could pocket something: a person, never their company or their team ---------
_ROLE = _any(
    r"buyer", r"procurement (?:lead|manager|head|guy|person|director|officer|contact)",
    r"purchasing (?:lead|manager|head|guy|person|director|officer|agent)", r"head of (?:procurement|purchasing|it)",
    r"vp", r"svp", r"cfo", r"ceo", r"cto", r"cio", r"coo", r"director", r"boss", r"champion", r"contact",
    r"decision[- ]maker", r"signer", r"approver", r"team lead", r"manager", r"guy", r"gal", r"lead",
)
_KIN = _any(r"wife", r"husband", r"brother", r"sister", r"son", r"daughter", r"cousin", r"nephew", r"niece",
            r"friend", r"kid", r"kids", r"family", r"partner")
_PRONOUN = _any(r"him", r"her", r"himself", r"herself", r"me", r"myself")
_SUBJECT_PRONOUN = _any(r"he", r"she", r"i", r"he'?s", r"she'?s", r"i'?m", r"he'?d", r"she'?d", r"i'?d")
_DETERMINER = _any(r"their", r"the", r"our", r"his", r"her", r"my", r"your")
_ROLE_PHRASE = rf"(?:{_DETERMINER}\s+)?(?:{_WORD}\s+)?{_ROLE}\b"
_PERSON = rf"(?:{_DETERMINER}\s+)?{_ROLE}\b|{_DETERMINER}\s+{_KIN}\b|{_PRONOUN}\b"

# --- what could be pocketed, by the word said back to the rep ---------------------------------------------------
_NOUNS: dict[str, str] = {
    "fee": _any(r"(?:consulting|consultancy|advisory|finder'?s|finders|referral|introduction|intro|success|"
                r"personal)\s+(?:fee|fees|payment|retainer|arrangement|agreement|gig|contract|role)",
                r"fee", r"fees", r"retainer", r"commission", r"stipend", r"honorarium"),
    "gift": _any(r"gift\s*cards?", r"gifts?(?! basket|[- ]wrap)", r"presents?", r"tickets", r"gratuity",
                 r"(?:a\s+)?little something", r"something (?:nice|extra|special|on the side)", r"thank[- ]you"),
    "trip": _any(r"trips?", r"vacation", r"holiday", r"getaway", r"junket", r"weekend (?:in|at|away)"),
    "cut of the deal": _any(r"(?:personal\s+)?cut(?! off| on)", r"piece of the (?:action|deal|pie)",
                            r"share of the (?:deal|commission|contract)"),
    "payment": _any(r"cash", r"money", r"(?<!side )(?<!side-)payment"),  # a side payment is named as such
}
# Fees the company charges or waives, and money that is a discount or terms: no one pockets these.
_NOT_POCKETED = re.compile(
    r"\b(?:onboarding|setup|set-up|implementation|license|licence|service|services|support|late|cancellation|"
    r"platform|subscription|admin|migration|training|renewal|annual|monthly|transaction|processing)\s+fees?\b|"
    r"\b(?:fee|fees|payment|cash|money|cut)\s+(?:waived|dropped|removed|reduced|lowered|capped|off|discount|"
    r"terms|plan|schedule|flow|upfront|up front|back|on (?:the )?price)\b|\bprice\s+cut\b|"
    r"\b(?:fee|fees|commission|trip|payment|gift|holiday|vacation)\s+(?:report|rates?|structure|plan|schedule|"
    r"statement|policy|table|sheet|calculator|request|days?|season)\b|"
    r"\bfor (?:the |their |our |all )?(?:whole )?(?:team|company|staff|org|department|customers?|users?)(?:'?s)?\b",
    re.IGNORECASE)
_WANTS = _any(r"wants?", r"wanted", r"asked (?:for|about|if there'?d be)", r"asks? for", r"is asking for",
              r"asking for", r"expects?", r"expected", r"needs?", r"would need", r"'?d need", r"would like",
              r"'?d like", r"hinted at", r"floated", r"mentioned", r"demands?", r"demanding", r"is after")
_PAID = _any(r"pay(?:ing|s)?", r"paid", r"wire", r"wired", r"send", r"sent", r"slip", r"give", r"gave",
             r"transfer")


@dataclass(frozen=True)
class _Found:
    noun: str
    who: str


def _benefit_forms(noun: str) -> tuple[re.Pattern[str], ...]:
    """The two ways a thing of value is said to go to a person: "a finder's fee for him", "their VP wants a trip".
    In "she wants to split the payment" the noun is another verb's object, not what she wants."""
    for_whom = rf"\b{noun}\b[^.;!?]{{0,40}}?\b(?:for|to|into|with|paid to|going to)\s+({_PERSON})"
    wanted_by = (rf"\b({_ROLE_PHRASE}|{_SUBJECT_PRONOUN})\s+{_gap(3)}{_WANTS}\s+"
                 rf"(?:(?!to\b){_WORD}\s+){{0,4}}{noun}\b")
    return tuple(re.compile(form, re.IGNORECASE) for form in (for_whom, wanted_by))


_BENEFITS = tuple((word, _benefit_forms(noun)) for word, noun in _NOUNS.items())


def _personal_benefit(sentence: str) -> Iterator[_Found]:
    """Something of value for a person on the customer's side: "a finder's fee for him", "their VP wants a trip",
    "pay me 3%", "cut me in", "into her own paypal", "hire his brother as a consultant"."""
    for word, forms in _BENEFITS:
        for pattern in forms:
            for match in pattern.finditer(sentence):
                if not _NOT_POCKETED.search(sentence[match.start():match.end() + 30]):
                    yield _Found(word, match.group(1))
    for form in _PAID_FORMS:
        match = form.search(sentence)
        if match:
            yield _Found("payment", next((group for group in match.groups() if group), "someone"))


_VALUABLES = _any(r"tickets", r"gift ?cards?", r"watch", r"bottles?", r"ipad", r"iphone", r"laptop", r"cut",
                  r"share", r"piece", r"percentage")
# Money or valuables going to a person; the group names who gets it.
_PAID_FORMS: tuple[re.Pattern[str], ...] = tuple(re.compile(form, re.IGNORECASE) for form in (
    # "pay me 3%", "paid their CFO a little something", "send her a nice bottle of whisky"
    rf"\b{_PAID}\s+({_PERSON})\s+(?=\$|\d|(?:a |some )?(?:little )?something|personally|directly|cash|money|"
    rf"in cash|on the side|under the table|(?:a |an |some )?(?:{_WORD} ){{0,3}}{_VALUABLES})",
    rf"\bpaid\s+(?:directly\s+|personally\s+)?(?:to|into)\s+({_PERSON})",
    r"\b(his|her)\s+(?:own\s+)?(?:cut|piece|share|(?:finder'?s|finders|consulting|referral|advisory) fee)\b",
    # what the product itself gives a person (a seat, a trial) is no one's to pocket
    rf"\b{_WANTS}\s+(?:(?!(?:seats?|logins?|licen[cs]es?|trials?|demos?|access|accounts?)\b){_WORD}\s+){{0,5}}"
    r"for\s+(himself|herself|myself|(?:him|her|me) personally)\b",
    r"\bin it for (him|her)\b|\bfor (his|her) (?:trouble|troubles|help|efforts?)\b",
    # "take care of him" said on its own is the euphemism; "take care of her onboarding" is not
    r"\btake care of (him|her)(?=\s*[\"'”,.;!?]|\s*$|\s+(?:personally|after|if|when|on the side))",
    rf"\b(?:invoice|invoicing|bill|billing|pay|paid|route|routed|run it)\s+{_gap(2)}(?:through|via|to)\s+"
    rf"(his|her|my)\s+(?:{_WORD}'s\s+)?(?:own\s+)?(?:company|llc|firm|business|shell(?: company)?)\b",
    rf"\b(?:cover|pay for|paying for|comp|foot|pick up)\s+(?:the\s+)?(his|her|my)\s+(?:{_WORD}\s+)?"
    r"(?:hotel|flights?|travel|trip|vacation|expenses|bills?|tab|rent|tuition|mortgage|car)\b",
    rf"\b({_ROLE_PHRASE}|{_SUBJECT_PRONOUN}|him|her|me)\s+{_gap(3)}(?:be\s+)?paid\s+{_gap(2)}"
    r"(?:personally|directly|in cash|on the side|under the table)",
    rf"\bcut\s+({_PRONOUN})\s+in\b",
    rf"\b(?:hire|hiring|put|bring|take)\s+({_DETERMINER}\s+{_KIN})\b[^.;!?]{{0,30}}\bas\s+an?\s+"
    r"(?:consultant|advisor|adviser|contractor)",
    # "his account" is often the product's ("add seats to his account"): only a personal or bank one counts
    r"\b(?:to|into|in|via|through|on)\s+(his|her|my|their buyer'?s)\s+(?:own\s+)?(?:(?:personal|private|bank|own)\s+"
    r"(?:bank\s+)?account|paypal|venmo|cash ?app|zelle|crypto wallet)\b",
))


def _recipient(who: str) -> str:
    """How the label names the person: their role when the words give it ("their procurement lead"), else
    someone on their side (a pronoun, a relative)."""
    role = re.search(rf"\b{_ROLE}\b", who, re.IGNORECASE)
    if role is None or re.search(rf"\b{_KIN}\b", who, re.IGNORECASE):
        return "someone on their side"
    words = role.group(0).lower()
    return "their " + re.sub(r"\b(vp|svp|cfo|ceo|cto|cio|coo|it)\b", lambda m: m.group(0).upper(), words)


def _personal_labels(sentence: str) -> list[str]:
    found = list(_personal_benefit(sentence))
    if not found:
        return []
    named = [f for f in found if _recipient(f.who) != "someone on their side"]
    best = (named or found)[0]
    return [f"a personal {best.noun} for {_recipient(best.who)}"]


# --- the demands said in set words ----------------------------------------------------------------------------
_DOCUMENT = _any(r"records?", r"invoices?", r"books", r"paperwork", r"documents?", r"docs", r"contracts?",
                 r"numbers", r"receipts?", r"pos?", r"p\.o\.?s?", r"purchase orders?", r"order forms?",
                 r"timesheets?", r"expense reports?", r"quotes?", r"statements?")
_DATE_WORD = _any(r"(?:re-?)?dat(?:e|ed|es|ing)", r"(?:signature|signing|sign|effective|order|po|invoice)\s+date")
_EARLIER = _any(r"last", r"the last", r"previous", r"the previous", r"prior", r"the prior", r"an earlier", r"earlier")
_PERIOD = _any(r"month", r"quarter", r"qtr", r"q\d", r"year", r"fy", r"fiscal(?: year)?", r"week")
_APPROVAL = _any(r"approv\w*", r"sign[- ]?off", r"signing", r"signature", r"threshold", r"limit",
                 r"authority", r"review", r"cfo", r"board", r"committee", r"procurement")
_INSIDERS = _any(r"finance", r"legal", r"procurement", r"compliance", r"audit", r"auditors?", r"the auditors",
                 r"(?:his|her|their) (?:boss|company|cfo|finance(?: team)?|legal(?: team)?|auditors?|manager)",
                 r"the board", r"nobody", r"no one", r"no-one", r"anyone")

# A cue is a pattern, or several that must all be found in one sentence.
_CUES: tuple[tuple[str, str | tuple[str, ...]], ...] = (
    ("a kickback", r"\bki(?:c)?k-?backs?\b|\bkick\s+back\s+(?=\$|\d|some|part|a (?:cut|percent|share)|to\b)"),
    ("a bribe", r"\bbrib(?:e|es|ed|ing|ery)\b|\bgrease\b[^.;!?]{0,25}\bpalms?\b|\bpalm[- ]greas|"
                rf"\bpay(?:ing)?\s+(?:off\s+{_ROLE_PHRASE}|(?:him|her|them)\s+off)\b|\bpay-?offs?\b"),
    ("a side agreement kept out of the contract",
     r"\bside[\s-]?(?:letters?|agreements?|deals?|arrangements?|contracts?)\b|"
     r"\b(?:handshake|separate|secret|private|verbal|informal)\s+(?:deal|agreement|arrangement|understanding)\b"
     r"[^.;!?]{0,40}\b(?:not|isn'?t|outside|off|never|won'?t be)\b[^.;!?]{0,10}\b(?:contract|paperwork)"),
    ("a side agreement kept out of the contract",
     r"\b(?:handled|done|kept|agreed|arranged|paid|settled|given|do it|do this|sort it|sorted)\s+"
     r"(?:\w+\s+){0,2}(?:outside|off)\s+(?:of\s+)?(?:the\s+)?(?:contract|paperwork|msa|order form)\b"),
    ("a side payment", r"\bside[\s-]?payments?\b"),
    ("a payment under the table", r"\bunder[\s-]the[\s-]table\b"),
    ("an off-the-books deal",
     r"\boff[\s-]?(?:the|teh)?[\s-]?books?\b(?!\s+(?:club|shelf))|\bno paper ?trail\b|"
     r"\bnot\s+(?:be\s+)?(?:on|in)\s+(?:the\s+)?(?:invoice|paperwork|po|books|order form)\b|"
     rf"\b(?:leave|keep|kept|left|take|leaving|keeping)\s+{_gap(4)}(?:off|out of)\s+(?:the\s+)?"
     r"(?:invoice|paperwork|po|books|order form|system)\b|"
     r"\b(?:don'?t|dont|do not|never|without)\s+(?:put(?:ting)?|show(?:ing)?|list(?:ing)?|invoic(?:e|ing)|"
     rf"record(?:ing)?)\s+{_gap(3)}(?:on|in)\s+(?:the\s+)?(?:invoice|paperwork|po|books|contract)\b"),
    ("backdated paperwork",
     r"\b(?:back|pre)[\s-]?dat(?:e|ed|es|ing)\b|"
     rf"\b{_DATE_WORD}\b\s+{_gap(8)}(?:to|as of|back to|in|for|as|like)\s+{_EARLIER}\s+{_PERIOD}\b|"
     r"\blooks?\s+like\s+(?:it|they|we|this)\s+(?:was|were|had been)\s+(?:signed|approved|ordered|booked|dated)\b|"
     rf"\b{_EARLIER}\s+{_PERIOD}'?s\s+date\b|\b(?:an?\s+)?(?:earlier|older|fake|false|wrong)\s+date\s+on\b"),
    ("falsified records",
     r"\bcook(?:ing|ed)?\s+the\s+books\b|"
     r"\b(?:falsif\w*|fake|faked|faking|forge\w*|doctor(?:ed)?|fudge\w*|bogus|dummy|phantom|made[- ]up|padd(?:ed|ing)|"
     r"pad|inflat\w*|massag\w*|false)\s+(?:up\s+)?(?:the\s+|a\s+|an\s+|our\s+|their\s+|some\s+)?"
     rf"(?:\w+\s+)?{_DOCUMENT}\b|"
     rf"\b(?:change|alter|edit)\s+the\s+(?:numbers|figures|amounts|totals|dates)\s+on\b[^.;!?]*\b(?:audit|so)\b|"
     rf"\b(?:bill|invoice|code|label|call|book|list|classify|record|disguise|describe|put)\s+{_gap(3)}as\s+"
     r"['\"‘“]?(?:consulting|services|support|training|marketing|software|hardware|opex|capex|something else)\b"
     r"[^.;!?]*\bso\b|"
     rf"\bmake\s+(?:the|an|our|their|it)\s+{_gap(1)}(?:say|show|read|look like)\b[^.;!?]*\bso\b|"
     r"\binvoice\s+for\s+(?:work|services|hours|training)\s+(?:\w+\s+)?(?:never|not|that never|we never)\b|"
     r"\b(?:invoice|bill|po|paperwork)\b[^.;!?]*\bbut\s+(?:it'?s|its|it is)\s+really\b|"
     r"\b(?:record|book|put|log|hide|bury)\b[^.;!?]{0,50}\b(?:on|under|in)\s+(?:a different|another|someone else'?s)\s+"
     r"(?:deal|customer|account|client)\b"),
    # Splitting alone is everyday billing ("split by region"); it is a demand when it dodges someone's approval.
    ("an order split to stay under an approval limit", (
        r"\b(?:split|splitting|break(?:ing)? (?:it |the \w+ )?up|chop|divide|carve)\b|"
        r"\b(?:two|2|three|3|four|4|several|multiple|smaller|separate)\s+(?:invoices|orders|pos|contracts|"
        r"order forms|purchase orders)\b|\beach\s+(?:invoice|po|order|contract)\b",
        rf"\b(?:under|below|beneath|over|above|avoid|dodge|skip|bypass|around|without)\s+{_gap(3)}{_APPROVAL}\b|"
        rf"\bso\s+{_gap(4)}(?:needs?|goes|go|hits?|triggers?|requires?|gets?|have to|has to)\s+{_gap(3)}"
        rf"{_APPROVAL}\b",
    )),
    ("an off-the-books deal", (
        r"\b(?:pay|paid|settle|settled|settling|paying)\b[^.;!?]{0,30}\bin cash\b|\bcash only\b",
        r"\b(?:don'?t|dont|no|without|never|not|skip)\s+(?:\w+\s+)?(?:invoice|invoicing|receipt|paperwork|po)\b",
    )),
    ("a cash payment", r"\b(?:envelope|bag|stack|wad|briefcase)\s+(?:of|with|full of)\s+(?:cash|money|bills)\b"),
    ("terms hidden from their own company",
     rf"\bso\s+(?:that\s+)?{_INSIDERS}\s+{_gap(2)}(?:doesn'?t|don'?t|dont|doesnt|won'?t|wont|never|can'?t|cant|"
     r"wouldn'?t)\s+(?:see|know|find out|notice|catch|ask|hear)|"
     rf"\b(?:that|which)\s+{_INSIDERS}\s+(?:never|won'?t|wont|doesn'?t|doesnt|will never)\s+(?:sees?|knows?|hears?)|"
     rf"\b(?:hide|hidden|hiding|keep|kept)\s+{_gap(4)}from\s+{_INSIDERS}\b"),
)
_COMPILED: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = tuple(
    (label, tuple(re.compile(part, re.IGNORECASE) for part in ((cue,) if isinstance(cue, str) else cue)))
    for label, cue in _CUES)

# Everyday phrases built of the cue words: read as if they were not there.
_EVERYDAY = re.compile(
    r"\bkick(?:ing)?\s+back\s+(?:and|with|for a|,|\.|!|$)|\boff the record\b|\bfake it (?:till|til|until)\b|"
    r"\bside[- ]by[- ]side\b",
    re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")

_Reader = Callable[[str], list[str]]


def _set_words(sentence: str) -> list[str]:
    return [label for label, parts in _COMPILED if all(part.search(sentence) for part in parts)]


_READERS: tuple[_Reader, ...] = (_personal_labels, _set_words)


def ethics_markers(text: str) -> tuple[str, ...]:
    """The unethical demands a customer's words contain, each named once, sentence by sentence; each label reads
    after "They asked for" ("a kickback", "a personal fee for their procurement lead")."""
    labels: list[str] = []
    for sentence in _SENTENCES.split(text.replace("’", "'")):
        sentence = _EVERYDAY.sub(" ", sentence)
        for read in _READERS:
            labels.extend(read(sentence))
    return tuple(dict.fromkeys(labels))


def demands_in_words(markers: tuple[str, ...]) -> str:
    """The demands as one phrase for "They asked for …": "a kickback and backdated paperwork"."""
    if len(markers) < 2:
        return "".join(markers)
    return ", ".join(markers[:-1]) + " and " + markers[-1]
