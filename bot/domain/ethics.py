"""Recognises demands no deal is worth (bribes, personal payments, hidden or falsified terms, split orders) in chat."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

# How it reads. A demand is rarely said in set words ("kickback", "side letter"). Mostly it is something of value
# ("a finder's fee", "courtside seats", "his daughter's tuition") meant for a PERSON on the buyer's side ("for
# him", "their VP", "my venmo"), paperwork made to say what is not so ("bill it as training so finance..."), or
# terms kept from their own company. So each sentence is read for a few kinds of cue, and a demand is named when
# the kinds combine: something of value with who would pocket it, unless it is said to be in the open ("for the
# whole team", "in the contract", "their company pays") or to mean something else ("by which he means a free seat").
# Everyday phrases of the same words ("off the record", "a 10% cut on the price") and denials ("no bribes here") are
# blanked out first; a joke retold is no demand. A newcomer extends the word lists: each cue is a few words matched
# whole, a space is any spacing, " ?" an optional one, " … " up to four words; the rest is light regex (s?, (?:a|b)).


def _cues(*phrases: str) -> re.Pattern[str]:
    spaced = (p.replace(" … ", r"\s+(?:\S+\s+){0,4}?").replace(" ?", r"\s*").replace(" ", r"\s+") for p in phrases)
    return re.compile(r"(?<!\w)(?:" + "|".join(spaced) + r")(?!\w)")


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


# --- chat spelling, so that each cue is listed once ----------------------------------------------------------
_CHAT = dict(pair.split("=") for pair in (
    "thru=through u=you ur=your mgr=manager tho=though yr=year yrs=years qtr=quarter bc=because pls=please tix=tickets "
    "dont=don't doesnt=doesn't wont=won't cant=can't isnt=isn't wasnt=wasn't didnt=didn't wouldnt=wouldn't hes=he's "
    "shouldnt=shouldn't shes=she's diff=different acct=account w/o=without w/=with b/c=because ppl=people "
    "gf=girlfriend bf=boyfriend").split()) | {"lemme": "let me"}
_CHAT_WORDS = re.compile(r"(?<![\w/])(" + "|".join(re.escape(w) for w in _CHAT) + r")(?![\w/])")
_QUOTE_MARKS = re.compile(r"[\"“”]|(?<!\w)['‘’]|['‘’](?!\w)")  # "a 'consulting' fee": the word is read as it stands
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
# --- everyday phrases built of cue words: read as if they were not there ---------------------------------------
_EVERYDAY = _cues(
    "off the record", "kick(?:ing)? back(?: and| with|,| for a)", "kick-?off", "side[- ]by[- ]side", "side projects?",
    "(?:any|every) side letters?", "fake it (?:till|til|until)", "pro tip", "money back", r"anti-\w+", r"loaner \w+",
    "pay(?:ing)? (?:me|you|us|them|him|her) back", "(?:test|demo) (?:ipad|iphone|laptop|device)s?", "consulting rates",
    "personal (?:plan|data|intro|walkthrough|use)", "take care of (?:the|it|that|this|our|their|your)", "gift them",
    r"gift[- ]wrap\w*", "thank(?:-| )?you (?:notes?|e-?mails?|cards?|letters?|messages?|calls?)", "bonus seats?",
    "wallet share", "crypto wallet", "(?:support|help ?desk|jira) tickets?", r"(?:side[- ]letter|gifts?|gifting|"
    r"brib\w*|kickback|hospitality) (?:questions?|polic(?:y|ies)|templates?|rules?|training)",  # the topic
    # a cut that is a discount
    "price cuts?", "(?:bigger|deeper|smaller|larger) cut", "cuts? (?:on|off|to|in|from|of) (?:the )?(?:list )?(?:price|"
    "list|rate|renewal)",
    # fees the vendor charges, and money that is the terms of the deal: no one pockets these
    _any("onboarding", "setup", "set-up", "implementation", "license", "licence", "service", "services", "support",
         "late", "cancellation", "platform", "subscription", "admin", "migration", "training", "renewal", "annual",
         "monthly", "transaction", "processing", "one-time", "green", "course", "entry") + " fees?",
    "fees? (?:waived|dropped|removed|reduced|capped)", "cash ?flow", "early payment", "(?:fee|commission) (?:breakdown|"
    "schedule|structure|sheet|table|plan|rates?)s?", r"(?<!be\s)(?<!get\s)(?<!got\s)(?:pay|paid|paying) (?:in |by |"
    "with )?cash", "cash (?:upfront|up front|discount)", "payment (?:terms|plan|schedule|installments?)",
    r"% of the \w+ (?:upfront|up front|now|on signature|at signing)",
    # the date a document really has: "the PO is dated last week bc it was raised then"
    r"dated [^.?!]{0,30}(?:because|since|as) (?:it|they|that|the \w+) (?:was|were|got) (?:\w+ )?(?:raised|signed|"
    r"issued|created|sent|approved|agreed) (?:then|that day|on that date)", "(?:the )?original date", "dated correctly",
    # denied or refused: "no bribes here", "we don't do side letters", "a no-gifts policy"
    "(?:no|zero|(?:don't|do not|won't|will not|never|doesn't|does not|can't|cannot) (?:do|take|accept|offer|give|"
    "pay|sign|allow)(?: any)?)(?:-| )(?:\\S+ ){0,2}?(?:gifts?|bribes?|bribery|kickbacks?|side (?:letters?|deals?|"
    "agreements?)|cash|hospitality|swag|anything of value)")
# --- who: a person on the buyer's side ------------------------------------------------------------------------
_ROLE = _any("buyer", "buying (?:manager|lead)", "guy from (?:procurement|purchasing)", r"head of \w+", "[sc]?vp",
             "(?:procurement|purchasing) (?:lead|manager|head|guy|dude|person|director|officer|contact|agent)", "cfo",
             "ceo", "cto", "cio", "coo", "ciso", "(?:it |ops |finance )?director", "(?:it |ops |office )?manager",
             "(?:team|ops|project|it|tech|security) lead", "champion", "decision[- ]maker", "signer", "approver",
             "evaluator", "assistant", "controller", "chair", "contact", "engineer", "(?:committee|panel) member")
_KIN = _any("wife", "husband", "brother(?:[- ]in[- ]law)?", "sister", "sons?", "daughters?", "cousins?", "nephews?",
            "nieces?", "kids?", "child", "children", "family", "girlfriend", "boyfriend", "partner", "spouses?",
            "mother", "father", "dad", "mom", "in-laws") + r"(?! (?:company|companies|firm|entity|brand|site|program))"
_ROLES = re.compile(rf"(?<!\w)(?<!my\s){_ROLE}(?!\w)")  # "my manager" is the rep's
_SOMEONE = re.compile(rf"(?<!\w)(?<!my\s)(?:{_ROLE}|he|she|him|her|his|me)(?:'s)?(?!\w)")  # who may pocket it
# Plainly for one person: a relative, their own account or business, "for me", "himself", "not the company".
_FOR_A_PERSON = _cues(
    "(?:for|to|into) (?:the |their |a )?(?:\\w+ )?(?:him|her|my)self", "(?:for|to) me", "as an individual",
    # "him personally", not "their CFO personally reviews every contract"
    r"personally(?=\s*(?:$|[^\w\s]|(?:paid|to|for|into|after|before|as|and|so|if|since|because|we|i)\b))",
    "(?:paid|pay|wired?|sent|send) (?:\\S+ ){0,2}?(?:to )?(?:him|her|me) directly", "whoever signs",
    r"(?:promise|promised|offer|offered|give|get|find|line up) (?:him|her|me) (?:a |an )?(?:\w+ )?(?:job|role|"
    r"position)", "in it for (?:me|him|her)", "for (?:his|her|my) trouble", "(?:my|his|her) own",
    "(?:not|instead of|rather than) (?:as )?(?:for |to |into |a credit to )?(?:the|their) (?:company|team|employer)",
    "(?:in|into) (?:my|his|her) (?:personal |private |bank )?account", "offshore", "an account (?:in|at|abroad)",
    "(?:my|his|her) (?:personal|private|bank) (?:bank )?account", "personal (?:account|fee|cut|payment|gift)",
    "(?:my|his|her) (?:paypal|venmo|zelle|cash ?app|wallet|bank)", "which (?:he|she) runs", "spouses",
    "(?:a|an|to) (?:different|separate|other|another|offshore|private) (?:\\w+ )?(?:account|bank|entity)",
    "(?:entity|company|firm|business|llc) (?:he|she) (?:owns|runs)", "(?:he|she)(?:'d| would| will|'ll)? keeps?",
    r"(?:my|his|her|\w+'s) (?:\w+ )?(?:llc|consultancy|side (?:business|gig|hustle)|shell company|firm)",
    "(?:to|at) (?:his|her|my) (?:house|home)(?: address)?", "(?:he|she) means (?:him|her)(?:self)?", rf"{_KIN}'s",
    "the (?:people|person|guy|ones?) who (?:bring|brings|brought|refer)", "brother[- ]in[- ]law",
    rf"(?:my|his|her|their) (?:\w+ )?{_KIN}(?:'?s)?")
# --- what: something of value, by the word said back to the rep ----------------------------------------------
_VALUE: dict[str, re.Pattern[str]] = {
    "fee": _cues(_any("consulting", "consultancy", "advisory", "finder'?s", "finders", "referral", "introduction",
                      "success", "speaking", "personal") + " (?:fees?|retainer|arrangement|agreement|gig|contract|"
                 "payment|commissions?)", "paid (?:advisor|adviser|consultant|role|position|seat)", "fees?",
                 "commissions?", "retainer", "honorarium", "stipend", "tip", "incentives?", "consideration", "rewards?",
                 "sponsorship", "donation", r"facilitat\w*", "gesture", "appreciation", "a token"),
    "cut of the deal": _cues(r"(?:a|his|her|my|their|personal|the) (?:\w+ )?cut", "piece of the (?:action|deal|pie)",
                             "(?:a|my|his|her) share", "(?:his|her|my) percentage", "percentage (?:of|for|to|cut|back)",
                             "share of the (?:deal|commission|contract)", r"\d+(?:\.\d+)? ?(?:%|percent|pct) (?:back|"
                             "for|to|of)"),
    "gift": _cues(
        "gifts?", "gift ?cards?", "vouchers?", "a present", "tickets", "(?:courtside|box|vip) seats", "wine",
        "(?:a|an|apple|smart|nice|new|gold|luxury) watch(?:es)?(?! integration| app)", r"bottles? of \w+", "whiske?y",
        "scotch", "champagne", "ipads?", "iphones?", "macbooks?", "laptops?", "ps5", "playstation", "xbox", "airpods",
        "rolex", "handbag", r"jewel\w*", "perfume", r"(?:designer|luxury) \w+", "hospitality", "spa(?: day)?",
        "(?:gym|golf|club|spa|fitness|country club|prime) membership", r"membership at (?:the |a )?(?:\w+ )?club",
        "a (?:little|small) (?:something|thank you|gift)", "(?:a|my|his|her|the|same|usual) thank you",
        "something (?:nice|extra|special|for (?:me|him|her))", "(?:do|build|built) it (?:for )?free",
        # "an apple watch for each of his kids": whatever it is, it is for his family
        rf"(?:a|an|some) (?:\S+ ){{0,3}}?for (?:each of |all of |both of )?(?:his|her|my) (?:\S+ )?{_KIN}"),
    "trip": _cues(
        "trips?", "vacation", "getaway", "junket", "(?:long|spa|golf) weekend", "weekend (?:in|at|away)", "flights?",
        "hotel(?: stay)?", "a suite", r"fly (?:\S+ ){0,4}?to", "resort", "villa", "cruise", "a week (?:at|in)",
        "super bowl", "world cup", "grand prix", "the masters", "the finals", "(?:league|cup) final"),
    "payment": _cues(
        "cash", "money", "(?:a |personal )loan", "(?:an |little )?envelope", "cheque", "tuition", "school fees",
        "mortgage", "per diem", "(?:some of )?(?:our|company|free) (?:shares|stock|equity)", "stock options",
        "(?:shares|stock|equity|a stake) in (?:our|your|the) (?:company|business|firm|startup)", "grease the wheels",
        r"the (?:difference|extra|excess|rest|overage)(?= back| refunded| to|$|\s*[,.;!?])",
        r"(?:phone|parking|medical|hotel|bar|restaurant|credit card|personal) (?:\w+ )?(?:bills?|fines?|tab)")}
# Of value only when plainly for one person: "dinner for him and his wife", "a job for his son", "10k to my account".
_FOR_A_PERSON_ONLY: dict[str, re.Pattern[str]] = {
    "gift": _cues("dinner", "lunch", "drinks"),
    "job": _cues("job", "internship", "role", "position", "hire", "hired", "placed", r"employ\w*", "payroll",
                 r"as an? (?:\w+ )?(?:manager|consultant|advisor|adviser|contractor|sdr|intern|employee)",
                 r"(?:gets?|give|win|wins|awarded) (?:them |him |her )?(?:the|some) (?:\w+ )?(?:work|subcontract)"),
    "payment": _cues("credit(?: note)?", "refund", "rebate", "bonus", "expenses", r"\$\d[\d,.]*k?", r"\d+(?:\.\d+)?k",
                     r"\d+ grand", "payments?", "paid")}
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
    r"overage|cut|share|portion|part) (?:\S+ ){0,2}?(?:back )?to (?:me|him|her)", "cut (?:me|him|her) in",
    r"(?:refund|rebate|credit|kick) (?:\w+ ){0,3}?to (?:me|him|her)", "(?:send|give|pass|slip) (?:me|him|her) (?:the )?"
    "(?:extra|difference|rest|excess)", rf"(?:hire|hiring|hired|retain|employ|engage) (?:\w+ ){{0,2}}?{_ROLE} as an?",
    r"(?:route|funnel|channel)\w* (?:\S+ ){0,3}?(?:through|via) (?:a|an|his|her)(?= )")  # "through a consultant"
# Set phrases that are something of value for the speaker: "make it worth my while", "take care of him".
_FOR_ME = _cues(
    "worth (?:my|his|her) (?:while|time|effort)", "make it worth it for me", "scratch my back", "numbers work for me",
    "in it for (?:me|him|her)", "what do i get", "get out of (?:this|it) personally", "(?:sort|look after|see) "
    "(?:me|him|her)(?: out| right)?(?! on)", r"(?:something|anything|a little (?:extra|something)|extra|what) "
    r"(?:\S+ ){0,3}?for (?:me|him|her)", r"take care of (?:me|him|her)(?=\s*[\"'.,;!?]|\s*$| personally| after"
    r"| on the| and)")
# What the buyer offers in return: their signature, approval or vote.
_IN_RETURN = _cues(
    "(?:i'll|i will|i can|he'll|she'll|he will|she will) (?:make sure|get|push|sign|approve|champion|mark)",
    "get this (?:approved|signed|through|past|done|over the line)", "(?:push|ram|rush) (?:it|this|us|the deal) through",
    "is yours", "(?:it's|is|are) ours", "you're in", "(?:you'll )?win", "seal it", "go a long way", "make the decision",
    "smooth things over", "remember (?:us|our)", "(?:is|it's) a done deal", "the deal is done", "shortlist",
    "steers? (?:\\S+ ){0,3}?(?:our|your) way", "before (?:he|she|they) (?:signs?|will)", "in return",
    "(?:without|skip) (?:a|an|the) (?:formal )?(?:tender|rfp|bid)", "(?:you'll|you will) have the (?:po|deal)",
    "and (?:we|i|he|she|this|it|the deal)(?:'ll| will)? (?:gets? )?(?:sign|signs|signed|approved|close|closes)")
# Someone asks: a narrative ("he's at a hotel this week") is not a demand. A "?" is an ask too (see _personal).
_ASKED = _cues("wants?", "wanted", "asks?", "asked", "asking", "hint(?:s|ed|ing)?", "expects?", "expected", "needs?",
               "would", "could", "if", "can (?:we|you|someone|somebody)", "float(?:s|ed)", "mention(?:s|ed)", "said",
               "says", "'d like", "like", "demands?", "please", "let's", "how about", "what about", "suggest(?:s|ed)?",
               r"^\s*(?:pay|wire|send|give|get|cover|book|buy)")  # an order: "pay our buyer a consulting fee"
# Who pays, or that all get it: true of everything the message speaks of ("their company pays the travel").
_OPEN_TO_ALL = _cues(
    "(?:their|his|her) company (?:is |will )?(?:pays?|paying|covering|cover|books)", "the customer knows",
    r"(?<!not\s)(?<!n't\s)(?<!never\s)disclosed?(?! nothing)", "both (?:our )?companies", "not (?:to )?(?:a|any) "
    "(?:person|individual)", "(?:pays?|paying|cover|book) (?:for )?(?:their|his|her) own (?:travel|way|flights?|hotel)",
    "(?:free )?(?:for|to) all (?:customers|attendees|clients|users|participants)", "public (?:offer|pricing|promo\\w*)")
# Said of the thing in the same sentence: for the company, in the contract, approved.
_IN_THE_OPEN = _cues(
    r"(?:for|to) (?:the|their|our) (?:whole |entire )?(?:\w+ )?(?:team|company|org|department|staff|admins|users)"
    r"(?!'s| lead)", r"(?:the|their) (?:whole|entire) (?:\w+ )?team", r"for (?:his|her) (?:\w+ )?team(?!'s| lead)",
    "company to company", "declined", "between the (?:two|both) companies", "corp(?:orate)? card", "approved it",
    "per (?:our )?policy", "turned down", "(?:manager|marketing|legal|vp|finance) approved", r"approved (?:\w+ )?list",
    r"(?<!not\s)(?<!n't\s)(?:in|into|on|to) the (?:contract|order form|sow|msa|quote)", "line item", "signed agreement",
    "under (?:the|our) (?:msa|partner agreement|contract)", r"partner (?:agreement|program|commission|fee)\w*",
    "referral (?:partner )?program(?:me)?", "formal partnership", "resellers?", "got (?:\\w+ )?approval")
# What it turns out to mean ("a 'gift', by which he means a free seat"), said of what was asked: not a demand.
_EXPLAINED = _cues("meaning", r"(?<!what\s)(?:by which )?(?:he|she|they) (?:means?|meant)(?! (?:him|her|me))",
                   "— (?:\\S+ ){0,3}?(?:seats?|licen[cs]es?|environments?|modules?|users?|features?|sandbox\\w*|hours)")
# A joke retold is not a demand ("their cfo asked 'what, no briefcase of cash?' as a joke"), unless it was serious.
_JOKING = _cues(r"(?<!half\s)(?<!half-)(?<!not\s)(?<!no\s)jok(?:e|es|ed|ing)", "kidding", "jk", "in jest")
# --- concealment: kept off paper, or from their own company --------------------------------------------------
_PAPER = "(?:the )?(?:main |signed |real |final |written |formal |official )?" + _any("invoice", "contract",
    "paperwork", "po", "books", "order form", "copy", "msa", "system", "records", "agreement", "version")
_OFF_PAPER = _cues(
    "off[- ]?(?:the[- ])?books?(?! club| shelf)", "off[- ]?paper", f"off {_PAPER}", f"outside (?:of )?{_PAPER}",
    f"(?:leave|keep|kept|left|leaving|keeping|take|lose) … (?:off|out of) {_PAPER}", "untraceable",
    f"(?:not|isn't|doesn't|don't|won't|never|nothing) (?:be |go |goes |show |appear |about \\w+ )?(?:up )?"
    f"(?:on|in|into) {_PAPER}", "(?:in|into) a (?:drawer|safe)", "no paper ?trail", "(?:nothing|not) traceable",
    f"(?:don't|do not|never|without) (?:put|show|list|invoice|record|file|attach|include)\\w* … (?:on|in|with) "
    f"{_PAPER}", "without the … (?:discount|rebate|credit|price) on it")
_INSIDERS = "(?:their |our |his |her |the )?" + _any("finance", "legal", "procurement", "compliance", "audit",
    "auditors?", "boss", "board", "cfo", "committee", "management", "controller", "accounting", "hq", "head office",
    "parent company", r"\w+ committee") + "(?: team| dept| department)?"
_UNSEEN = (_any("doesn't", "don't", "won't", "never", "can't", "wouldn't", "do not", "does not", "shouldn't",
                "will never", "must never", "must not")
           + "(?: need to| have to| ever)? (?:see|sees|know|notice|find out|catch|hear|ask|look|read)")
_HIDDEN = _cues(
    f"{_INSIDERS} (?:\\S+ ){{0,3}}?{_UNSEEN}", f"so (?:that )?(?:their|his|her|the) \\w+(?: \\w+)? {_UNSEEN}",
    f"(?:hide|hidden|hiding|keep|kept|keeping) … from {_INSIDERS}", f"{_INSIDERS} only sees?",
    f"(?:doesn't|don't|not|never) want {_INSIDERS} to (?:know|see|find out|notice)", "if (?:they|their \\w+) saw the "
    "real", f"without {_INSIDERS} (?:knowing|seeing|noticing)", "(?:nobody|no one|no-one|noone) (?:needs to |has to |"
    "will |would |ever )?(?:knows?|find out|checks?|sees?|notices?)", "never hits (?:the |their )?(?:cfo|ceo|board|"
    "legal|committee)", r"only (?:their |his |her |the )?(?:\w+ ){0,2}?(?:knows?|will know|is aware) (?:about|of)"
    r"(?=\s*(?:$|[^\w\s]))")  # "a rebate only their cto knows about"
# Said alone these are everyday; beside a term of the deal they make a side agreement.
_KEPT_QUIET = _cues(
    "between us", "keep it (?:quiet|hush)", "on the (?:quiet|down ?low)", "off the radar", "quietly", "discreetly",
    "(?:don't|do not|never) put (?:it|this|that|any of it) in writing", "nothing in writing(?! yet)", "unwritten",
    "verbal(?:ly)? (?:only|is enough|promise|agreement|deal)", "(?:handshake|gentleman'?s) (?:deal|agreement)",
    "(?:separate|private|secret) (?:email|letter|doc|document|note)", "trust each other", "no (?:email|emails|"
    "contract|paperwork|writing|record)", "between (?:you and me|you and i|me and you|ourselves|the two of us)",
    "handle it (?:with (?:us|you) )?directly")
_TERM = _cues("discount", "rebate", "refund", "credit", r"free (?:\w+ )?(?:months?|year|seats?|licen[cs]es?)",
              "price", r"\w+ clause", "escalator", r"\d+ ?%", r"\$?\d+k")
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
    r"evidence|file|quote|invoice|contract)", rf"{_FAKE} (?:the |a |an |our |their |some )?(?:\S+ ){{0,2}}?{_DOCUMENT}",
    rf"{_DOCUMENT},? (?:\S+ ){{0,2}}?(?:inflated|padded|faked|falsified|doctored)",
    r"(?:invoice|bill|charge) (?:us |them |it )?(?:\d+ ?%|\$?\d+k?) (?:more|extra|higher|over)",
    f"(?:versions?|copy|copies|one|contract|quote|invoice)s? … to show {_INSIDERS}",
    f"two (?:different )?(?:versions|copies) of [^.?!]{{0,60}}(?:real|actual|true|for {_INSIDERS})",
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
         "pretend", "show", "showing", "to say", "letter saying", "mark", "marked", "record", "report", "sign",
         r"tell \w+") + r" (?:that )?(?:\S+ ){0,4}?(?:happened|was|were|is|completed?|completion|delivered|signed|done"
    r"|went live|started|finished)")
_NOT_SO = _cues(
    "it wasn't", "it hasn't", "it didn't", "not true", "it isn't", "it actually", "it really", "they signed after",
    "when it's (?:really|actually)", "when it was really", "but it's really", r"only (?:at )?\d+ ?%",
    r"(?:haven't|hasn't|hadn't|didn't|isn't|wasn't|weren't|aren't|not) (?:yet |even )?(?:been )?(?:started|finished"
    r"|done|delivered|happened|complete|signed|begun)", r"(?:it's|it is|is|are) (?:only |actually |really )?"
    r"(?:scheduled|planned|booked) for")
_DATE = r"(?:dat(?:e|ed|es|ing)|(?:signature|signing|sign|signed|effective|order|po|invoice) date)"
_EARLIER = r"(?:the )?(?:last|previous|prior|earlier|old)"
_PERIOD = (_any("month", "quarter", "year", "fy", "fiscal(?: year)?", "week", r"q\d", "budget",
                r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\w*") + "(?:'?s)?")
_BACKDATED = _cues(
    "(?:back|post|pre)[- ]?dat(?:e|ed|es|ing)", "(?:signature|signing|signed) date (?:\\S+ ){0,2}?(?:to|as|say)",
    f"{_DATE} … (?:to|as of|back to|in|for|as|like|into|say|to say)? ?{_EARLIER} {_PERIOD}",
    f"{_EARLIER} {_PERIOD} date", f"(?:with|using|under|keep|keeping) (?:the )?{_EARLIER}(?:er)? date",
    f"{_DATE} [^.?!]{{0,50}}(?:even though|although|even if|after the fact|but (?:\\w+ ){{0,2}}only|"
    "when (?:they|it|he|she) (?:actually|really))", "(?:contract|signature|signing|po|order|invoice|effective) date "
    "(?:\\S+ ){0,2}?(?:back )?to before", f"{_DATE} … so it (?:counts|slides|lands|hits|goes|falls|fits|shows) "
    f"(?:\\S+ ){{0,2}}?{_EARLIER} (?:\\w+ )?{_PERIOD}",
    f"{_DATE} [^.?!]{{0,40}}so (?:that )?(?:their|the|his|her) (?:\\w+ ){{0,2}}?(?:thinks?|believes?|assumes?)",
    f"{_DATE} [^.!]{{0,80}}(?:we|they|it) (?:only|actually|really) (?:\\w+ )?(?:delivered|signed|started|went live)")
# A signed contract kept back so it counts in a later period: "sit on the signed contract till next quarter".
_HELD_BACK = _cues(r"(?:sit|sitting|sat) on (?:the |a |their )?(?:signed|countersigned)", "find it (?:next|later|in)",
                   r"(?:hold|held) (?:back |onto )?(?:the |a )?(?:signed|countersigned) (?:\S+ ){1,2}?(?:until|till)")
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
    f"(?:never|none of (?:them|which|these)|neither|nothing|doesn't|don't|won't) (?:\\S+ ){{0,2}}?(?:hits?|trips?|"
    f"needs?|goes to|reach\\w*|triggers?|requires?) [^.?!]{{0,40}}{_APPROVER}",
    f"(?:anything|everything|over|above|more than) … (?:goes to|needs|requires|triggers) … {_APPROVER}")
# --- a tender rigged, a rival's bid passed on ----------------------------------------------------------------
_PASS_ON = r"(?<!n't\s)(?<!not\s)(?:tell|share|show|forward|forwarded|send|sent|leak|leaked|pass|give)"
_RIGGED = _cues(
    rf"{_PASS_ON} [^.?!]{{0,40}}bids?", "fake (?:competitor |competing )?(?:quote|bid)s? from",
    # other bidders' numbers; a customer showing us "a competitor quote" is only haggling
    rf"{_PASS_ON} [^.?!]{{0,40}}(?:competitors|rivals|other vendors?|other bidders?)'? "
    r"(?:pricing|prices|quotes?|numbers?|offers?|proposals?)",
    r"(?<!n't\s)(?<!not\s)(?:know|see|get|let \w+ know)\w* [^?!]{0,40}?(?:other (?:bidders?|vendors?)|competitors?|"
    r"rivals?)'?s? (?:numbers?|prices?|pricing|bids?|quotes?)",
    r"(?:after|once|when) (?:i|we|you) (?:see|get|know|have) (?:the )?(?:others|other (?:bids|quotes|offers))",
    r"(?:get|give|send|share|leak|show|pass)\w* (?:us|me|you) (?:the )?(?:\w+ )?(?:scoring|scores|score ?sheets?)",
    r"(?:tweak|rig|tailor|write|adjust|change|word) (?:the )?(?:requirements|specs?|criteria|scoring|rfp|tender) … "
    r"(?:so (?:that )?only|in (?:our|your) favou?r|to favou?r)", r"rig(?:ged|ging)? the (?:tender|rfp|bid|process|"
    r"scoring)", r"(?:keep|hold|leave) the (?:portal|tender|bidding|window) open (?:\S+ )?(?:for us|just for)",
    # a bid or a bidder made up, so that a tender looks contested
    r"(?:make up|made up|fake|fabricat\w*|dummy|sham|phantom) (?:\S+ ){0,2}?(?:quotes?|bids?|vendors?|bidders?)",
    r"so (?:it|the (?:\w+ )?(?:tender|process|rfp|bid)) looks (?:competitive|real|legit|fair)",
    r"look like (?:\S+ ){0,4}?(?:\w+ )?(?:vendors|bidders|bids|suppliers)")
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
    ("terms hidden from the customer", _cues(f"(?:they|he|she|the customer) {_UNSEEN} (?:\\S+ ){{0,4}}?anyway")),
    ("backdated paperwork", _BACKDATED),
    ("a signed contract held back to another period", _HELD_BACK),
    ("falsified records", _FALSIFIED),
    ("a rigged tender", _RIGGED))
# Cues that make a demand together: "bill it as training" with "so his boss doesn't notice".
_TOGETHER = (("falsified records", _RELABELLED, _WHY_RELABELLED), ("falsified records", _CLAIMED, _NOT_SO),
             ("an order split to stay under an approval limit", _SPLIT, _DODGED))
# Set words that already say what is of value: "a kickback to me" is not also a personal payment.
_NAMES_THE_VALUE = {"a kickback", "a bribe", "a side payment", "a payment under the table", "a cash payment"}


def _value(sentence: str, plainly: bool) -> str | None:
    """The kind of thing of value said first ("Pay me 3%" is a payment, "a 2% consulting fee" a fee)."""
    cues = [*_VALUE.items(), ("payment", _PAID_TO), *(_FOR_A_PERSON_ONLY.items() if plainly else ())]
    found = [(hit.start(), kind) for kind, cue in cues for hit in [cue.search(sentence)] if hit]
    return min(found)[1] if found else None


def _recipient(sentence: str) -> str:
    """Their role when the sentence names one ("their procurement lead"), else someone on their side."""
    if (role := _ROLES.search(sentence)) is None:
        return "someone on their side"
    return "their " + re.sub(r"\b(s?vp|cfo|ceo|cto|cio|coo|ciso|it)\b", lambda m: m.group(0).upper(), role.group(0))


def _personal(sentence: str, open_to_all: bool) -> str | None:
    """Something of value for one person on their side: plainly ("for himself", "to my venmo"), or asked for or as
    the price of their signature when nothing says it is in the open (`open_to_all`: the message did) or means else."""
    plainly = _FOR_A_PERSON.search(sentence) is not None
    explained = _EXPLAINED.search(sentence) is not None
    for_me = not explained and _FOR_ME.search(sentence) is not None
    kind = _value(sentence, plainly) or ("payment" if for_me else None)
    if kind is None:
        return None
    asked = _SOMEONE.search(sentence) and (_ASKED.search(sentence) or "?" in sentence) or _PAID_TO.search(sentence)
    said_otherwise = open_to_all or explained or _IN_THE_OPEN.search(sentence) is not None
    if plainly or for_me or (not said_otherwise and (asked or _IN_RETURN.search(sentence))):
        return f"{'a paid job' if kind == 'job' else 'a personal ' + kind} for {_recipient(sentence)}"
    return None


def _read(sentence: str, open_to_all: bool) -> Iterator[str]:
    """The demands one sentence (or two read together) makes."""
    said = [label for label, cue in _SET_WORDS if cue.search(sentence)]
    yield from said
    yield from (label for label, cue, beside in _TOGETHER if cue.search(sentence) and beside.search(sentence))
    if _KEPT_QUIET.search(sentence) and (_TERM.search(sentence) or _value(sentence, plainly=False)):
        yield "a side agreement kept out of the contract"
    if not _NAMES_THE_VALUE.intersection(said) and (personal := _personal(sentence, open_to_all)):
        yield personal


def ethics_markers(text: str) -> tuple[str, ...]:
    """The unethical demands a customer's words contain, each named once, sentence by sentence; each label reads
    after "They asked for" ("a kickback", "a personal fee for their procurement lead")."""
    text = _QUOTE_MARKS.sub(" ", text.lower()).replace("’", "'").replace("‘", "'")
    text = _CHAT_WORDS.sub(lambda m: _CHAT[m.group(1)], text)
    if _JOKING.search(text) and "serious" not in text:
        return ()
    sentences = [_EVERYDAY.sub(" ", s) for s in _SENTENCES.split(text) if s.strip()]
    open_to_all = _OPEN_TO_ALL.search(" ".join(sentences)) is not None
    labels = [label for sentence in sentences for label in _read(sentence, open_to_all)]
    if not labels:  # a demand said over two sentences: "two invoices of 49,500? anything over 50 goes to the board"
        labels = [label for pair in pairwise(sentences) for label in _read(" ".join(pair), open_to_all)]
    return tuple(dict.fromkeys(labels))


def demands_in_words(markers: tuple[str, ...]) -> str:
    """The demands as one phrase for "They asked for …": "a kickback and backdated paperwork"."""
    return ", ".join(markers[:-1]) + " and " + markers[-1] if len(markers) > 1 else "".join(markers)
