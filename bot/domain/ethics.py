"""Recognises demands no deal is worth (bribes, personal payments, hidden or falsified terms, split orders) in chat."""

from __future__ import annotations

import re
from collections.abc import Iterator

# How it reads. A demand is rarely said in set words ("kickback", "side letter"). Mostly it is something of value
# ("a finder's fee", "courtside seats", "his daughter's tuition") meant for a PERSON on the buyer's side ("for
# him", "their VP", "my venmo"), paperwork made to say what is not so ("bill it as training so finance..."), or
# terms kept from their own company. So each sentence is read for a few kinds of cue, and a demand is named when
# the kinds combine: something of value with who would pocket it, unless the sentence puts it in the open (for
# the whole team, in the contract, under the partner programme). Everyday phrases made of the same words ("off
# the record", "a 10% cut on the price", "onboarding fee") are blanked out first. Matching word lists, not whole
# sentences, is what lets it hear phrasings nobody wrote down.
#
# A newcomer extends the lists. Each cue is a few words matched whole: a space is any spacing, " ?" an optional
# one, " … " up to four words in between; the rest is light regular-expression syntax (s?, (?:a|b)).

_GAP = r"\s+(?:\S+\s+){0,4}?"


def _cues(*phrases: str) -> re.Pattern[str]:
    spaced = (p.replace(" … ", _GAP).replace(" ?", r"\s*").replace(" ", r"\s+") for p in phrases)
    return re.compile(r"(?<!\w)(?:" + "|".join(spaced) + r")(?!\w)")


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


# --- chat spelling, so that each cue is listed once ----------------------------------------------------------
_CHAT = {"thru": "through", "u": "you", "ur": "your", "mgr": "manager", "tho": "though", "yr": "year",
         "yrs": "years", "qtr": "quarter", "bc": "because", "pls": "please", "dont": "don't", "doesnt": "doesn't",
         "wont": "won't", "cant": "can't", "isnt": "isn't", "wasnt": "wasn't", "didnt": "didn't",
         "wouldnt": "wouldn't", "shouldnt": "shouldn't", "hes": "he's", "shes": "she's", "lemme": "let me",
         "diff": "different", "acct": "account", "w/o": "without", "w/": "with", "b/c": "because", "ppl": "people"}
_CHAT_WORDS = re.compile(r"(?<![\w/])(" + "|".join(re.escape(w) for w in _CHAT) + r")(?![\w/])")
# Quotes around a word ("a 'consulting' fee") mark a euphemism; the word is read as it stands.
_QUOTE_MARKS = re.compile(r"[\"“”]|(?<!\w)['‘’]|['‘’](?!\w)")

# --- everyday phrases built of cue words: read as if they were not there ---------------------------------------
_EVERYDAY = _cues(
    "off the record", "kick(?:ing)? back(?: and| with|,| for a)", "kick-?off", "side[- ]by[- ]side", "side projects?",
    "(?:no|any|every) side letters?", "side[- ]letter templates?", "fake it (?:till|til|until)", "pro tip",
    "pay(?:ing)? (?:me|you|us|them|him|her) back", "money back", r"anti-\w+", r"brib\w* (?:policy|policies|training)",
    r"loaner \w+", "(?:test|demo) (?:ipad|iphone|laptop|device)s?", "personal (?:plan|data|intro|walkthrough|use)",
    "take care of (?:the|it|that|this|our|their|your)", "consulting rates", "gift them", r"gift[- ]wrap\w*",
    "thank-you (?:note|email|card)", "bonus seats?", "wallet share", "crypto wallet",
    "(?:support|help ?desk|jira) tickets?",
    # a cut that is a discount
    "price cuts?", "(?:bigger|deeper|smaller|larger) cut", "cuts? (?:on|off|to|in|from) (?:the )?(?:price|list|rate)",
    "cuts? on the renewal",
    # fees the vendor charges, and money that is the terms of the deal: no one pockets these
    _any("onboarding", "setup", "set-up", "implementation", "license", "licence", "service", "services", "support",
         "late", "cancellation", "platform", "subscription", "admin", "migration", "training", "renewal", "annual",
         "monthly", "transaction", "processing", "one-time") + " fees?",
    "fees? (?:waived|dropped|removed|reduced|capped)", "cash ?flow", "(?:pay|paid|paying) cash",
    "cash (?:upfront|up front|discount)", "payment (?:terms|plan|schedule|installments?)", "early payment",
    r"% of the \w+ (?:upfront|up front|now|on signature|at signing)",
)

# --- who: a person on the buyer's side ------------------------------------------------------------------------
_ROLE = _any("buyer", "buying (?:manager|lead)", "guy from (?:procurement|purchasing)", r"head of \w+",
             "(?:procurement|purchasing) (?:lead|manager|head|guy|dude|person|director|officer|contact|agent)",
             "[sc]?vp", "cfo", "ceo", "cto", "cio", "coo", "ciso", "(?:it |ops |finance )?director",
             "(?:it |ops |office )?manager", "(?:team|ops|project|it|tech|security) lead", "champion",
             "decision[- ]maker", "signer", "approver", "evaluator", "assistant", "controller", "chair", "contact")
_KIN = _any("wife", "husband", "brother(?:[- ]in[- ]law)?", "sister", "sons?", "daughters?", "cousins?", "nephews?",
            "nieces?", "kids?", "child", "children", "family", "girlfriend", "boyfriend", "partner", "spouses?",
            "mother", "father", "dad", "mom", "in-laws")
_ROLES = re.compile(rf"(?<!\w)(?<!my\s){_ROLE}(?!\w)")  # "my manager" is the rep's
# Someone who may pocket it, when the sentence says nothing to the contrary.
_SOMEONE = re.compile(rf"(?<!\w)(?<!my\s)(?:{_ROLE}|he|she|him|her|his|me)(?:'s)?(?!\w)")
# Plainly for one person: a relative, their own account or business, "for me", "himself", "not the company".
_FOR_A_PERSON = _cues(
    "(?:for|to|into) (?:the |their |a )?(?:\\w+ )?(?:him|her|my)self", "personally", "(?:for|to) me",
    "as an individual", "whoever signs", "in it for (?:me|him|her)", "for (?:his|her|my) trouble",
    "not (?:as )?(?:for |to |a credit to )?the (?:company|team)", "(?:my|his|her) own",
    "(?:in|into) (?:my|his|her) (?:personal |private |bank )?account",
    "(?:my|his|her) (?:personal|private|bank) (?:bank )?account", "personal (?:account|fee|cut|payment|gift)",
    "(?:my|his|her) (?:paypal|venmo|zelle|cash ?app|wallet|bank)", "offshore", "an account (?:in|at|abroad)",
    "(?:a|an|to) (?:different|separate|other|another|offshore|private) (?:\\w+ )?(?:account|bank|entity)",
    "(?:entity|company|firm|business|llc) (?:he|she) (?:owns|runs)", "which (?:he|she) runs",
    r"(?:my|his|her|\w+'s) (?:\w+ )?(?:llc|consultancy|side (?:business|gig|hustle)|shell company|firm)",
    "(?:to|at) (?:his|her|my) (?:house|home)(?: address)?", "(?:he|she)(?:'d| would| will|'ll)? keeps?",
    "(?:he|she) means (?:him|her)(?:self)?", "the (?:people|person|guy|ones?) who (?:bring|brings|brought|refer)",
    rf"(?:my|his|her|their) (?:\w+ )?{_KIN}(?:'?s)?", rf"{_KIN}'s", "spouses", "brother[- ]in[- ]law",
)

# --- what: something of value, by the word said back to the rep ----------------------------------------------
_VALUE: dict[str, re.Pattern[str]] = {
    "fee": _cues(
        _any("consulting", "consultancy", "advisory", "finder'?s", "finders", "referral", "introduction", "success",
             "speaking", "personal") + " (?:fees?|retainer|arrangement|agreement|gig|contract|payment|commissions?)",
        "paid (?:advisor|adviser|consultant|role|position|seat)", "fees?", "commissions?", "retainer", "honorarium",
        "stipend", "tip", "incentives?", "consideration", "rewards?", "sponsorship", "donation", r"facilitat\w*",
        "gesture", "appreciation", "a token", "favou?r"),
    "cut of the deal": _cues(
        r"(?:a|his|her|my|their|personal|the) (?:\w+ )?cut", "piece of the (?:action|deal|pie)",
        "(?:his|her|my) percentage", "percentage (?:of|for|to|cut|back)",
        "(?:a|my|his|her) share", "share of the (?:deal|commission|contract)",
        r"\d+(?:\.\d+)? ?(?:%|percent|pct) (?:back|for|to|of)"),
    "gift": _cues(
        "gifts?", "gift ?cards?", "vouchers?", "a present", "tickets", "(?:courtside|box|vip) seats",
        "(?:a|an|apple|smart|nice|new|gold|luxury) watch(?:es)?(?! integration| app)", r"bottles? of \w+",
        "whiske?y", "scotch", "champagne", "ipads?", "iphones?", "macbooks?", "laptops?", "ps5", "playstation",
        "xbox", "airpods", "rolex", "handbag", r"jewel\w*", "perfume", r"(?:designer|luxury) \w+", "hospitality",
        "spa(?: day)?", "(?:gym|golf|club|spa|fitness|country club|prime) membership",
        r"membership at (?:the |a )?(?:\w+ )?club", "a (?:little|small) (?:something|thank you|gift)",
        "(?:a|my|his|her|the|same|usual) thank you", "something (?:nice|extra|special|for (?:me|him|her))",
        "(?:do|build|built) it (?:for )?free",
        # "an apple watch for each of his kids": whatever it is, it is for his family
        rf"(?:a|an|some) (?:\S+ ){{0,3}}?for (?:each of |all of |both of )?(?:his|her|my) (?:\S+ )?{_KIN}"),
    "trip": _cues(
        "trips?", "vacation", "getaway", "junket", "(?:long|spa|golf) weekend", "weekend (?:in|at|away)", "flights?",
        "hotel(?: stay)?", "a suite", r"fly (?:\w+ ){0,3}to", "resort", "villa", "cruise", "a week (?:at|in)",
        "super bowl", "world cup", "grand prix", "the masters", "the finals", "(?:league|cup) final"),
    "payment": _cues(
        "cash", "money", "(?:a |personal )loan", "(?:an |little )?envelope", "cheque", "tuition", "school fees",
        "mortgage", "per diem",
        r"the (?:difference|extra|excess|rest|overage)(?= back| refunded| to|$|\s*[,.;!?])", "grease the wheels",
        r"(?:phone|parking|medical|hotel|bar|restaurant|credit card|personal) (?:\w+ )?(?:bills?|fines?|tab)"),
}
# Of value only when plainly for one person: "dinner for him and his wife", "a job for his son", "10k to my account".
_FOR_A_PERSON_ONLY: dict[str, re.Pattern[str]] = {
    "gift": _cues("dinner", "lunch", "drinks"),
    "job": _cues("job", "internship", "role", "position", "hire", "hired", "placed", r"employ\w*",
                 r"as an? (?:\w+ )?(?:manager|consultant|advisor|adviser|contractor|sdr|intern|employee)"),
    "payment": _cues("credit(?: note)?", "refund", "rebate", "bonus", "expenses", r"\$\d[\d,.]*k?", r"\d+(?:\.\d+)?k",
                     r"\d+ grand", "payments?", "paid"),
}
_LABELS = {"job": "a paid job"}  # otherwise "a personal <kind>"
# Money paid straight to a person: "pay me 3%", "wire 5k to his account", "cover his hotel", "hire his nephew".
_PAY = _any("pay", "paid", "paying", r"(?<!side\s)(?<!side-)(?<!facilitation\s)payments?", "wire", "wired", "slip",
            "transfer", "funnel", "route")
_PAY_FOR = _any("cover", "covered", "covering", "pay for", "paying for", "pick up", "foot", "fund", "funding",
                "sponsor", "sponsoring", "donate to", "buy", "buying", "settle", "clear", "pay off", "contribute to",
                "chip in for")
_PAID_TO = _cues(
    rf"{_PAY} (?:\w+ ){{0,3}}?(?:to |into |through )?(?:me|him|her|my|his|(?:their |our |the )?{_ROLE})",
    rf"{_PAY_FOR} (?:the )?(?:his|her|my|\w+'s)(?= )(?! (?:questions?|use case|points?|concerns?|requirements?)\b)",
    r"(?:pass|send|give|hand|pay|route|funnel|kick) (?:that |the |some |a )?(?:\d+ ?%|\$?\d+k?|difference|extra|"
    r"overage|cut|share|portion|part) (?:\S+ ){0,2}?(?:back )?to (?:me|him|her)",
    r"(?:refund|rebate|credit|kick) (?:\w+ ){0,3}?to (?:me|him|her)", "cut (?:me|him|her) in",
    rf"(?:hire|hiring|hired|retain|employ|engage) (?:\w+ ){{0,2}}?{_ROLE} as an?",
    "(?:send|give|pass|slip) (?:me|him|her) (?:the )?(?:extra|difference|rest|excess)")
# Set phrases that are something of value for the speaker: "make it worth my while", "take care of him".
_FOR_ME = _cues(
    "worth (?:my|his|her) (?:while|time|effort)", "make it worth it for me", "scratch my back", "numbers work for me",
    "in it for (?:me|him|her)", "what do i get", "get out of (?:this|it) personally",
    r"(?:something|anything|a little (?:extra|something)|extra|what) (?:\S+ ){0,3}?for (?:me|him|her)",
    "(?:sort|look after|see) (?:me|him|her)(?: out| right)?(?! on)",
    r"take care of (?:me|him|her)(?=\s*[\"'.,;!?]|\s*$| personally| after| on the| and)")
# What the buyer offers in return: their signature, approval or vote.
_IN_RETURN = _cues(
    "(?:i'll|i will|i can|he'll|she'll|he will|she will) (?:make sure|get|push|sign|approve|champion|mark)",
    "get this (?:approved|signed|through|past|done|over the line)", "push (?:it|this|us) through", "is yours",
    "(?:it's|is|are) ours", "you're in", "you're the preferred", "(?:you'll )?win", "seal it", "go a long way",
    "make the decision", "smooth things over", "remember (?:us|our)", "(?:is|it's) a done deal", "the deal is done",
    "steers? (?:\\S+ ){0,3}?(?:our|your) way", "shortlist", "help morale", "champion us", "be remembered",
    "before (?:he|she|they) (?:signs?|will)", "if you want this", "in return", "(?:without|skip) (?:a|an|the) "
    "(?:formal )?(?:tender|rfp|bid)", "(?:you'll|you will) have the (?:signature|po|deal)",
    "and (?:we|i|he|she|this|it|the deal)(?:'ll| will)? (?:gets? )?(?:sign|signs|signed|approved|close|closes)")
# Someone asks: a narrative ("he's at a hotel this week") is not a demand. A "?" is an ask too (see _personal).
_ASKED = _cues("wants?", "wanted", "asks?", "asked", "asking", "hint(?:s|ed|ing)?", "expects?", "expected",
               "needs?", "would", "could", "if", "can (?:we|you)", "float(?:s|ed)", "mention(?:s|ed)", "said", "says",
               "'d like", "like", "demands?", "please", "let's", "how about", "what about", "suggest(?:s|ed)?",
               r"^\s*(?:pay|wire|send|give|get|cover|book|buy)")  # an order: "pay our buyer a consulting fee"
# Said in the open, or for the company: the value then goes to no one person.
_IN_THE_OPEN = _cues(
    r"(?:for|to) (?:the|their|our) (?:whole |entire )?(?:\w+ )?(?:team|company|org|department|staff|admins|users)"
    r"(?!'s| lead)", r"(?:the|their) (?:whole|entire) (?:\w+ )?team", "company to company", "both companies",
    "between the (?:two|both) companies", "(?:their|his|her) company (?:is |will )?(?:pay|paying|covering|cover|books)",
    "corp(?:orate)? card", "per (?:our )?policy", "(?:manager|marketing|legal|vp|finance) approved", "approved it",
    "got (?:\\w+ )?approval", r"approved (?:\w+ )?list", "disclosed?", "the customer knows", "declined", "turned down",
    r"(?<!not\s)(?<!n't\s)(?:in|into|on) the (?:contract|order form|sow|msa)", "line item", "signed agreement",
    "under (?:the|our) (?:msa|partner agreement|contract)", r"partner (?:agreement|program|commission|fee)\w*",
    "referral (?:partner )?program(?:me)?", "formal partnership", "resellers?")

# --- concealment: kept off paper, or from their own company --------------------------------------------------
_PAPER = ("(?:the )?(?:main |signed |real |final |written |formal |official )?"
          + _any("invoice", "contract", "paperwork", "po", "books", "order form", "copy", "msa", "system", "records",
                 "agreement", "version"))
_OFF_PAPER = _cues(
    "off[- ]?(?:the[- ])?books?(?! club| shelf)", "off[- ]?paper", f"off {_PAPER}", f"outside (?:of )?{_PAPER}",
    f"(?:leave|keep|kept|left|leaving|keeping|take|lose) … (?:off|out of) {_PAPER}",
    f"(?:not|isn't|doesn't|don't|won't|never|nothing) (?:be |go |goes |show |appear |about \\w+ )?(?:up )?"
    f"(?:on|in|into) {_PAPER}",
    f"(?:don't|do not|never|without) (?:put|show|list|invoice|record)\\w* … (?:on|in) {_PAPER}",
    "without the … (?:discount|rebate|credit|price) on it", "no paper ?trail", "(?:nothing|not) traceable",
    "untraceable")
_INSIDERS = ("(?:their |our |his |her |the )?"
             + _any("finance", "legal", "procurement", "compliance", "audit", "auditors?", "boss", "board", "cfo",
                    "committee", "management", "controller", "accounting", "hq", "head office", "parent company",
                    r"\w+ committee") + "(?: team| dept| department)?")
_UNSEEN = (_any("doesn't", "don't", "won't", "never", "can't", "wouldn't", "do not", "does not", "shouldn't",
                "will never", "must never", "must not")
           + "(?: need to| have to| ever)? (?:see|sees|know|notice|find out|catch|hear|ask)")
_HIDDEN = _cues(
    f"{_INSIDERS} (?:\\S+ ){{0,3}}?{_UNSEEN}", f"so (?:that )?(?:their|his|her|the) \\w+(?: \\w+)? {_UNSEEN}",
    f"(?:hide|hidden|hiding|keep|kept|keeping) … from {_INSIDERS}", f"{_INSIDERS} only sees?",
    f"(?:doesn't|don't|not|never) want {_INSIDERS} to (?:know|see|find out|notice)",
    f"without {_INSIDERS} (?:knowing|seeing|noticing)", "if (?:they|their \\w+) saw the real",
    "(?:nobody|no one|no-one|noone) (?:needs to |has to |will |would |ever )?"
    "(?:knows?|find out|checks?|sees?|notices?)",
    "never hits (?:the |their )?(?:cfo|ceo|board|legal|committee)")
# Said alone these are everyday; beside a term of the deal they make a side agreement.
_KEPT_QUIET = _cues(
    "between us", "keep it (?:quiet|hush)", "on the (?:quiet|down ?low)", "off the radar", "quietly", "discreetly",
    "(?:don't|do not|never) put (?:it|this|that|any of it) in writing", "nothing in writing(?! yet)", "unwritten",
    "verbal(?:ly)? (?:only|is enough|promise|agreement|deal)", "(?:handshake|gentleman'?s) (?:deal|agreement)",
    "separate (?:email|letter|doc|document)", "trust each other", "handle it (?:with (?:us|you) )?directly",
    "no (?:email|emails|contract|paperwork|writing|record)")
_TERM = _cues("discount", "rebate", "refund", "credit", r"free (?:\w+ )?(?:months?|year|seats?|licen[cs]es?)",
              "price", "exit clause", "escalator", r"\d+ ?%", r"\$?\d+k")

# --- paperwork made to say what is not so -----------------------------------------------------------------------
_DOCUMENT = _any("records?", "invoices?", "books", "paperwork", "documents?", "docs", "contracts?", "numbers",
                 "receipts?", "pos?", "purchase orders?", "order forms?", "timesheets?", "expense reports?", "quotes?",
                 "statements?", "line items?", "letters?", "reports?")
_FAKE = _any("fake", "faked", "faking", r"falsif\w*", r"forge\w*", "doctor(?:ed)?", r"fudge\w*", "bogus", "dummy",
             "phantom", "made[- ]up", "padd(?:ed|ing)", "pad", r"inflat\w*", "false", "fictitious", "sham",
             "round up", "mark up", "bump up")
_FALSIFIED = _cues(
    "cook(?:ing|ed)? the books", "shred", "two sets of", "one real", r"pretend (?:that )?(?:the )?\w+ (?:was|were|had)",
    r"(?:lose|shred|destroy|bury|scrub) (?:the |that |any )?(?:\w+ )?(?:emails?|records?|amendment|paperwork|"
    r"evidence|file|quote|invoice|contract)",
    rf"{_FAKE} (?:the |a |an |our |their |some )?(?:\S+ ){{0,2}}?{_DOCUMENT}",
    rf"{_DOCUMENT},? (?:\S+ ){{0,2}}?(?:inflated|padded|faked|falsified|doctored)",
    r"(?:invoice|bill|charge) (?:us |them |it )?(?:\d+ ?%|\$?\d+k?) (?:more|extra|higher|over)",
    f"(?:versions?|copy|copies|one|contract|quote|invoice)s? … to show {_INSIDERS}",
    # billed for what is not there: "services that never happened", "a webinar he's never going to give"
    r"(?:that |which |you |he's |she's |we )?(?:never|didn't|did not|will never|doesn't) (?:actually )?(?:happened|"
    r"happen|exist|deliver|delivered|took place|going to give|give|use)", "no real (?:order|work|services)",
    "zero deliverables", "(?:change|alter|edit|fudge|tweak) the (?:numbers|figures|amounts|totals) on … before",
    "(?:book|record|put|log|bill|invoice) … under (?:a different|another|someone else's|a fake) (?:customer|account|"
    "name|entity|client|deal)")
# Relabelling is a demand when the sentence says why: "so his boss doesn't notice", "that's really the overage".
_RELABELLED = _cues(
    _any("bill", "billed", "billing", "invoice", "invoiced", "invoicing", "list", "listed", "label", "labell?ed",
         "code", "coded", "book", "booked", "classify", "record", "describe", "disguise", "put", "call", "calling",
         "say", "says", "read", "reads", "show", "shows") + r"(?: \S+){0,5}? (?:as|under|to say|say) (?:a |an )?\w+",
    r"(?:invoice|bill) for \w+", r"call it \w+")
_WHY_RELABELLED = _cues(
    r"so (?:it|that|we|they) (?:\w+ )?(?:comes? out of|looks?|doesn't look|skips?|counts?|fits?|goes|avoids?)",
    r"so (?:\w+ ){1,3}(?:doesn't|don't|won't|never|can't)", "instead of", "capex", "opex", r"their \w+ rules",
    "(?:that's|it's|its) (?:really|actually)", "actually going", r"(?:different|another|other|our \w+) budget",
    "made up", "on the invoice", "money left", "use up", "burn (?:the )?budget")
# A claim, and the words that say it is not so: "say the pilot started in q3? it actually started in q4".
_CLAIMED = _cues(
    _any("say", "says", "saying", "state", "stating", "confirm", "confirming", "certify", "certifying", "claim",
         "pretend", "show", "showing", "to say", "letter saying", "mark", "marked", "record", "report", "sign")
    + r" (?:that )?(?:\S+ ){0,4}?(?:happened|was|were|is|completed?|completion|delivered|signed|done|went live"
    r"|started)")
_NOT_SO = _cues(
    "it wasn't", "it hasn't", "it didn't", "not true", "it isn't", "it actually", "it really", "they signed after",
    "when it's (?:really|actually)", "when it was really", "but it's really",
    r"(?:haven't|hasn't|hadn't|didn't|isn't|wasn't|weren't|aren't|not) (?:yet |even )?(?:been )?"
    r"(?:started|finished|done|delivered|happened|complete|signed|begun)")

_DATE = r"(?:dat(?:e|ed|es|ing)|(?:signature|signing|sign|signed|effective|order|po|invoice) date)"
_EARLIER = r"(?:the )?(?:last|previous|prior|earlier|old)"
_PERIOD = (_any("month", "quarter", "year", "fy", "fiscal(?: year)?", "week", r"q\d", "budget",
                r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w*") + "(?:'?s)?")
_BACKDATED = _cues(
    "(?:back|post|pre)[- ]?dat(?:e|ed|es|ing)", "(?:signature|signing|signed) date (?:\\S+ ){0,2}?(?:to|as|say)",
    f"{_DATE} … (?:to|as of|back to|in|for|as|like|into|say|to say)? ?{_EARLIER} {_PERIOD}",
    f"{_EARLIER} {_PERIOD} date",
    f"{_DATE} [^.?!]{{0,50}}(?:even though|although|even if|after the fact|but (?:\\w+ ){{0,2}}only)",
    f"{_DATE} … so it (?:counts|slides|lands|hits|goes|falls|fits|shows) (?:\\S+ ){{0,2}}?{_EARLIER} "
    f"(?:\\w+ )?{_PERIOD}")

# --- an order split under someone's approval ------------------------------------------------------------------
_SPLIT = _cues(
    "split|splitting|broken (?:up|into)|break (?:it |the \\w+ )?(?:up|into)|chop|divide|carve|chunks|tranches",
    "(?:two|2|three|3|four|4|five|5|several|multiple|smaller|separate) (?:\\w+ )?(?:invoices|orders|pos|contracts|"
    "order forms|purchase orders|entities)", "each under", "instead of one",
    r"across (?:\w+ ){0,3}(?:entities|subsidiaries|cost cent(?:er|re)s|companies)")
_APPROVER = _any(r"approv\w*", "sign[- ]?off", "signoff", "signing", "signature", "threshold", "limit", "authority",
                 "review", "cfo", "ceo", "board", "committee", "desk")
_DODGED = _cues(
    r"(?:approval|signing|sign-off|spend(?:ing)?) (?:cap|limit|threshold|authority)", "threshold",
    r"so (?:that )?(?:\w+ ){0,3}(?:doesn't|don't|won't|never) (?:have to |need to )?(?:sign|approve|review|see)",
    f"(?:under|below|beneath|avoid|dodge|skips?|bypass|around|without|stays? under|keep it under) … {_APPROVER}",
    f"(?:never|none of (?:them|which|these)|neither|doesn't|don't|won't) (?:\\S+ ){{0,2}}?(?:hits?|trips?|needs?|"
    f"goes to|reach\\w*|triggers?|requires?) … {_APPROVER}",
    f"(?:anything|everything|over|above|more than) … (?:goes to|needs|requires|triggers) … {_APPROVER}")

# --- a tender rigged, a rival's bid passed on ----------------------------------------------------------------
_PASS_ON = r"(?<!n't\s)(?<!not\s)(?:tell|share|show|forward|forwarded|send|sent|leak|leaked|pass|give)"
_RIGGED = _cues(
    rf"{_PASS_ON} [^.?!]{{0,40}}bids?", "fake (?:competitor |competing )?(?:quote|bid)s? from",
    # other bidders' numbers; a customer showing us "a competitor quote" is only haggling
    rf"{_PASS_ON} [^.?!]{{0,40}}(?:competitors|rivals|other vendors?|other bidders?)'? "
    r"(?:pricing|prices|quotes?|numbers|offers?|proposals?)",
    r"(?:tweak|rig|tailor|write|adjust|change|word) (?:the )?(?:requirements|specs?|criteria|scoring|rfp|tender) … "
    r"(?:so (?:that )?only|in (?:our|your) favou?r|to favou?r)",
    r"rig(?:ged|ging)? the (?:tender|rfp|bid|process|scoring)")

# --- set words, each a demand on its own ----------------------------------------------------------------------
_SET_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a kickback", _cues("ki(?:c)?k-?backs?", r"kick back (?:\$|\d|some|part|of|a (?:cut|percent|share)|to)")),
    ("a bribe", _cues(r"brib(?:e|es|ed|ing|ery)", r"grease … palms?", r"palm[- ]greas\w*", "hush money",
                      rf"pay(?:ing)? off (?:the |their )?(?:\w+ )?{_ROLE}", "pay (?:him|her|them) off",
                      "facilitation (?:payment|fee)s?", r"remember who(?:ever)? (?:was|is|were) (?:\w+ )?generous")),
    ("a side agreement kept out of the contract", _cues("side[- ]?(?:letters?|agreements?|deals?|arrangements?)")),
    ("a side payment", _cues("side[- ]?payments?")),
    ("a payment under the table", _cues("under[- ]the[- ]table")),
    ("an off-the-books deal", _OFF_PAPER),
    ("a cash payment", _cues("(?:envelope|bag|stack|wad|briefcase) (?:of|with|full of) (?:cash|money|bills)",
                             "check made out to cash", "cash only")),
    ("terms hidden from their own company", _HIDDEN),
    ("backdated paperwork", _BACKDATED),
    ("falsified records", _FALSIFIED),
    ("a rigged tender", _RIGGED),
)
# Set words that already say what is of value: "a kickback to me" is not also a personal payment.
_NAMES_THE_VALUE = {"a kickback", "a bribe", "a side payment", "a payment under the table", "a cash payment"}


def _first(cues: dict[str, re.Pattern[str]], sentence: str) -> list[tuple[int, str]]:
    return [(found.start(), kind) for kind, cue in cues.items() for found in [cue.search(sentence)] if found]


def _value(sentence: str, plainly: bool) -> str | None:
    """The kind of thing of value said first ("Pay me 3%" is a payment, "a 2% consulting fee" a fee)."""
    found = _first(_VALUE, sentence) + [(paid.start(), "payment") for paid in [_PAID_TO.search(sentence)] if paid]
    if plainly:
        found += _first(_FOR_A_PERSON_ONLY, sentence)
    return min(found)[1] if found else None


def _recipient(sentence: str) -> str:
    """Their role when the sentence names one ("their procurement lead"), else someone on their side."""
    role = _ROLES.search(sentence)
    if role is None:
        return "someone on their side"
    return "their " + re.sub(r"\b(s?vp|cfo|ceo|cto|cio|coo|ciso|it)\b", lambda m: m.group(0).upper(), role.group(0))


def _personal(sentence: str) -> str | None:
    """Something of value for one person on their side: plainly ("for himself", "to my venmo"), or asked for by
    someone with nothing to say it goes to the company, or asked as the price of their signature."""
    plainly = _FOR_A_PERSON.search(sentence) is not None
    for_me = _FOR_ME.search(sentence) is not None
    kind = _value(sentence, plainly) or ("payment" if for_me else None)
    if kind is None:
        return None
    asked = _SOMEONE.search(sentence) and (_ASKED.search(sentence) or "?" in sentence) or _PAID_TO.search(sentence)
    if plainly or for_me or (not _IN_THE_OPEN.search(sentence) and (asked or _IN_RETURN.search(sentence))):
        return f"{_LABELS.get(kind, 'a personal ' + kind)} for {_recipient(sentence)}"
    return None


def _read(sentence: str) -> Iterator[str]:
    """The demands one sentence (or two read together) makes."""
    said = [label for label, cue in _SET_WORDS if cue.search(sentence)]
    yield from said
    if _RELABELLED.search(sentence) and _WHY_RELABELLED.search(sentence):
        yield "falsified records"
    if _CLAIMED.search(sentence) and _NOT_SO.search(sentence):
        yield "falsified records"
    if _SPLIT.search(sentence) and _DODGED.search(sentence):
        yield "an order split to stay under an approval limit"
    if _KEPT_QUIET.search(sentence) and (_TERM.search(sentence) or _value(sentence, plainly=False)):
        yield "a side agreement kept out of the contract"
    personal = None if _NAMES_THE_VALUE.intersection(said) else _personal(sentence)
    if personal:
        yield personal


_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")


def ethics_markers(text: str) -> tuple[str, ...]:
    """The unethical demands a customer's words contain, each named once, sentence by sentence; each label reads
    after "They asked for" ("a kickback", "a personal fee for their procurement lead")."""
    text = _QUOTE_MARKS.sub(" ", text.lower()).replace("’", "'").replace("‘", "'")
    text = _CHAT_WORDS.sub(lambda m: _CHAT[m.group(1)], text)
    sentences = [_EVERYDAY.sub(" ", s) for s in _SENTENCES.split(text) if s.strip()]
    labels = [label for sentence in sentences for label in _read(sentence)]
    if not labels:  # a demand said over two sentences: "two invoices of 49,500? anything over 50 goes to the board"
        labels = [label for pair in zip(sentences, sentences[1:], strict=False) for label in _read(" ".join(pair))]
    return tuple(dict.fromkeys(labels))


def demands_in_words(markers: tuple[str, ...]) -> str:
    """The demands as one phrase for "They asked for …": "a kickback and backdated paperwork"."""
    if len(markers) < 2:
        return "".join(markers)
    return ", ".join(markers[:-1]) + " and " + markers[-1]
