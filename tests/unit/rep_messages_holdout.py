"""Held-out labelled rep messages: written without looking at the parser or its tuning table."""

HOLDOUT: list[tuple[str, str | None, str | None]] = [
    # (message, expected concession type or None if the message names no offer, expected kind or None)

    # --- percent ---
    ("legal is fine with the MSA but procurement won't move until they see 8% off", "percent", "ask"),
    ("told their CFO we can stretch to 7.5% if the PO lands before quarter close", "percent", "concession"),
    ("they're pushing hard for 12% off list, claim Gong gave them that last year", "percent", "ask"),
    ("ok went ahead and approved 10% off the platform fee, updating the quote now", "percent", "concession"),
    ("Dana pinged asking whether 5% is on the table if they prepay", "percent", "ask"),
    ("floated 6% on the 3-yr term, ball's in their court", "percent", "concession"),
    ("buyer came back this morning: 15% discount or they go with the incumbent", "percent", "ask"),
    ("we landed on 9% off, Marco accepted it live on the call", "percent", "concession"),

    # --- cut (amount off) ---
    ("their ask is simple, take $10k off the total and we're done", "cut", "ask"),
    ("shaved 12,000 off the quote to get it over the line", "cut", "concession"),
    ("procurement wants to know if we can come down €5k", "cut", "ask"),
    ("agreed to knock 7.5k off year one, Sam signed off", "cut", "concession"),
    ("they asked if we could take 20000 off before Friday", "cut", "ask"),
    ("offered to drop $15k off if they countersign this week", "cut", "concession"),
    ("their VP wants 0.1m off the three-year contract value, not sure we can stomach that", "cut", "ask"),
    ("gave them $4,500 off the implementation line item", "cut", "concession"),

    # --- price (new total) ---
    ("their number is $88k all in, they said they'd sign today at that", "price", "ask"),
    ("told them we can do 88,000 for the year, sending paper tonight", "price", "concession"),
    ("customer wants the whole thing at €75k, that's their ceiling", "price", "ask"),
    ("sent the revised quote at 72.5k, they're reviewing with finance", "price", "concession"),
    ("they asked if we can land the 3-year at 0.9m", "price", "ask"),
    ("we settled at 88000 total, order form going out", "price", "concession"),
    ("CFO says budget caps at $140k so they need us at that number", "price", "ask"),
    ("I offered to meet them at $96k all-in to close this out", "price", "concession"),

    # --- free ---
    ("they want onboarding thrown in at no charge", "free", "ask"),
    ("said we'd include two months free on the front end", "free", "concession"),
    ("can we waive the setup fee? that's the last thing they're asking for", "free", "concession"),
    ("agreed to comp 5 extra seats for their analytics team", "free", "concession"),
    ("they asked for free admin training for the ops folks", "free", "ask"),
    ("offered to waive the $3k implementation fee", "free", "concession"),
    ("Priya is asking for the first quarter free while they migrate", "free", "ask"),
    ("threw in premium support at no cost for year one", "free", "concession"),

    # --- terms ---
    ("they need net 60, their AP can't do net 30", "terms", "ask"),
    ("agreed to quarterly billing instead of annual upfront", "terms", "concession"),
    ("procurement wants a price lock through 2027 before they'll sign", "terms", "ask"),
    ("gave them an opt-out clause after month 12", "terms", "concession"),
    ("they asked to split the payment into 3 installments", "terms", "ask"),
    ("told them we'd accept net 45, finance is ok with it", "terms", "concession"),
    ("customer wants monthly billing, annual prepay is a non-starter for them", "terms", "ask"),
    ("we offered a 2 year price lock on renewal", "terms", "concession"),

    # --- no offer ---
    ("their ARR is 40m, way bigger than the account notes said", None, None),
    ("pilot hit 92% adoption by week 3", None, None),
    ("demo at 2:30 tomorrow, can someone from SE join?", None, None),
    ("renewal date is 3/1, need to start the conversation soon", None, None),
    ("champion is OOO until the 14th", None, None),
    ("security review came back clean, no findings", None, None),
    ("they have 350 seats on the current vendor", None, None),
    ("they pay the incumbent roughly $200k/yr today", None, None),
    ("sent the MSA redlines over to our legal team", None, None),
    ("call moved to Thursday 10am PT", None, None),
    ("headcount grew 30% this year according to their 10-K", None, None),
    ("forecast has this at 60% for Q3", None, None),
    ("they asked for our SOC 2 report, can someone send it over", None, None),
    ("new CFO started last month, going to have to re-pitch the value story", None, None),
    ("budget for FY25 is approved per Jamie", None, None),
    ("they're comparing us against two other vendors right now", None, None),
    ("usage is up 18% MoM since the pilot kicked off", None, None),
    ("deck for Tuesday's exec meeting is in the shared drive", None, None),
    ("last year they paid 72k on the Growth tier", None, None),
    ("procurement contact is Priya, cc her on everything going forward", None, None),
]
