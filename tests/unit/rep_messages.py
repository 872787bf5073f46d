"""Labelled Slack messages that B2B sales reps write in a deal's thread while negotiating.

This is test data, not a test: a table used to measure the precision and recall of the offline
parser that reads plain thread messages and proposes an ask or a concession for the ledger
(PRODUCT.md section 3, "In a deal's thread, plain messages are read").

Each row is ``(message, expected type, expected kind)``:

- type is what the message offers or asks for, one of
  ``"percent"`` (a discount percentage), ``"cut"`` (an amount off the price), ``"price"`` (a new
  total price), ``"free"`` (something given free: onboarding, training, months free, seats, waived
  fees) or ``"terms"`` (payment or contract terms: net 60, quarterly billing, out-clauses, price
  locks); ``None`` when the message names no offer at all.
- kind is ``"ask"`` when the customer requests it ("they want", "asked for", "can we...",
  "procurement is pushing for...") or ``"concession"`` when the rep gave, offered or agreed to it
  ("I offered", "we gave them", "agreed to", "threw in"); ``None`` when type is ``None``.

Amounts use every format of PRODUCT.md section 2 (``120000``, ``120,000``, ``$120,000``, ``120k``,
``1.2m``, ``€95k``, ``95.5k``) and percentages ``12%``, ``12.5%`` and words ("15 percent").
Where a message holds both a customer ask and a rep's answer, the label is what the rep gave,
because that is what would go in the ledger. Spelling slips and emoji are deliberate.
"""

from __future__ import annotations

MESSAGES: list[tuple[str, str | None, str | None]] = [
    # (message, expected concession type or None if the message names no offer, expected kind or None)
    # --- percent: customer asks -------------------------------------------------------------------
    ("they want another 10% off before signing", "percent", "ask"),
    ("procurement is pushing for 15% off list", "percent", "ask"),
    ("Sarah asked for 12.5% if they commit to 3 years", "percent", "ask"),
    ("CFO wants 20 percent off or they go with the incumbent", "percent", "ask"),
    ("they're asking for another 5%. third time this month 🙄", "percent", "ask"),
    ("buyer said they need 10-15% to get it past finance", "percent", "ask"),
    ("can we do 8% off if they sign this quarter?", "percent", "ask"),
    ("their procurement guy is demanding a 25% discount, says its standard for them", "percent", "ask"),
    ("they want 7.5% off the renewal", "percent", "ask"),
    ("Customer asked if we could do 18% on the platform fee", "percent", "ask"),
    ("they came back asking for 30 pct off. lol no", "percent", "ask"),
    ("Mike (their VP) is looking for a discount of around 12%", "percent", "ask"),
    ("vendor mgmt wants between 10 and 12 percent off", "percent", "ask"),
    ("they're requesting an extra 3% for the multi-year", "percent", "ask"),
    # --- percent: rep concessions -----------------------------------------------------------------
    ("I offered 10% if they sign by friday", "percent", "concession"),
    ("we gave them 15% off list to close it this quarter", "percent", "concession"),
    ("agreed to 12.5% discount on year one", "percent", "concession"),
    ("ok I caved and gave another 5% 😬", "percent", "concession"),
    ("told them we can do 8 percent, final", "percent", "concession"),
    ("I said yes to the 20% they wanted", "percent", "concession"),
    ("they asked for 15%, I offered 10%", "percent", "concession"),
    ("Went to 6% to keep it moving", "percent", "concession"),
    ("approved a 4.5% loyalty discount for the renewal", "percent", "concession"),
    ("i offerd them 7% off, waiting to hear back", "percent", "concession"),
    ("we're giving them 10 % off the first year", "percent", "concession"),
    # --- price: customer targets ------------------------------------------------------------------
    ("can you get to $95k?", "price", "ask"),
    ("they'll sign at 88k", "price", "ask"),
    ("budget is capped, they need the total at $110,000", "price", "ask"),
    ("they want the whole thing for 1.2m instead of 1.5m", "price", "ask"),
    ("procurement is pushing for €95k all in", "price", "ask"),
    ("their counter is 95.5k", "price", "ask"),
    ("they're asking us to come in between 90k and 95k", "price", "ask"),
    ("if we get to 100000 they'll sign today, per their champion", "price", "ask"),
    ("CFO said 140,000 is the most they can do, asked us to meet them there", "price", "ask"),
    ("They want us to match the competitor quote of $82,500", "price", "ask"),
    ("can we land this at 72k?", "price", "ask"),
    ("their target price is €1.1m for the 3 year deal", "price", "ask"),
    # --- price: rep concessions -------------------------------------------------------------------
    ("I said yes to 105k", "price", "concession"),
    ("agreed to $98,000 total", "price", "concession"),
    ("we came down to 112k to close this week", "price", "concession"),
    ("offered them €92k all in", "price", "concession"),
    ("told them we'd do 1.05m for the three years", "price", "concession"),
    ("i dropped the price to 87.5k", "price", "concession"),
    ("final number we gave them is 130000", "price", "concession"),
    ("we met them at 95k 🤝", "price", "concession"),
    ("they asked for 85k, I countered and agreed at 90k", "price", "concession"),
    ("Re-quoted at $118,500 after the call", "price", "concession"),
    # --- cut: customer asks -----------------------------------------------------------------------
    ("they want us to knock 5k off", "cut", "ask"),
    ("asked for $10k off the implementation", "cut", "ask"),
    ("can we take 15,000 off the total?", "cut", "ask"),
    ("procurement wants €20k off or it goes back to committee", "cut", "ask"),
    ("they're asking for another 2.5k off, says it's the last ask", "cut", "ask"),
    ("they need us to shave $7,500 off to fit the budget", "cut", "ask"),
    ("Buyer asked if we could drop 12000 from the quote", "cut", "ask"),
    ("they want 0.1m off the 3yr number", "cut", "ask"),
    # --- cut: rep concessions ---------------------------------------------------------------------
    ("I knocked 5k off", "cut", "concession"),
    ("we took $10,000 off the total", "cut", "concession"),
    ("gave them 3.5k off to get it signed today", "cut", "concession"),
    ("agreed to drop €8k from the services line", "cut", "concession"),
    ("offered to take 25,000 off if they prepay", "cut", "concession"),
    ("shaved another 2k off, they still want more ugh", "cut", "concession"),
    ("I cut $12k off the quote", "cut", "concession"),
    # --- free: customer asks ----------------------------------------------------------------------
    ("they want onboarding thrown in for free", "free", "ask"),
    ("asked for 2 months free", "free", "ask"),
    ("can we waive the implementation fee?", "free", "ask"),
    ("they're asking for 10 extra seats at no charge", "free", "ask"),
    ("procurement is pushing for free training for all 40 admins", "free", "ask"),
    ("customer wants the first 3 months free as a pilot", "free", "ask"),
    ("they want premium support included at no cost", "free", "ask"),
    ("they asked us to waive the $5k setup fee", "free", "ask"),
    ("Can we throw in the analytics add-on for free? their ask not mine", "free", "ask"),
    # --- free: rep concessions --------------------------------------------------------------------
    ("threw in onboarding for free", "free", "concession"),
    ("I offered one month free to get the signature this week", "free", "concession"),
    ("we waived the implementation fee", "free", "concession"),
    ("gave them 5 extra seats, no charge", "free", "concession"),
    ("agreed to include training for free", "free", "concession"),
    ("we're giving them the first quarter free", "free", "concession"),
    ("i said yes to free premium support for yr 1 🙃", "free", "concession"),
    ("waived the 2,500 setup fee as goodwill", "free", "concession"),
    ("Threw in the SSO add-on at no extra cost", "free", "concession"),
    ("offered 2 months free on top of the 10%... they asked for 3", "free", "concession"),
    # --- terms: customer asks ---------------------------------------------------------------------
    ("procurement is pushing for net 60", "terms", "ask"),
    ("they want net-90 payment terms", "terms", "ask"),
    ("can we do quarterly payments instead of annual upfront?", "terms", "ask"),
    ("they're asking for a termination for convenience clause after year 1", "terms", "ask"),
    ("Legal wants a 3 year price lock", "terms", "ask"),
    ("they asked for monthly billing", "terms", "ask"),
    ("finance wants net 45 and a cap on renewal uplift", "terms", "ask"),
    ("they want an out-clause if we miss the SLA", "terms", "ask"),
    ("customer requested longer payment terms, like 120 days", "terms", "ask"),
    ("AP is pushing to pay in arrears instead of upfront", "terms", "ask"),
    # --- terms: rep concessions -------------------------------------------------------------------
    ("agreed to net 60", "terms", "concession"),
    ("I offered quarterly billing to get past procurement", "terms", "concession"),
    ("we gave them net-90", "terms", "concession"),
    ("said yes to locking the price for 2 years", "terms", "concession"),
    ("agreed to an out clause at 12 months", "terms", "concession"),
    ("we're letting them pay semi-annually", "terms", "concession"),
    ("I gave them net 45 instead of net 30", "terms", "concession"),
    ("Capped the renewal uplift at 3% like they asked", "terms", "concession"),
    ("ok we moved them to monthly invoicing", "terms", "concession"),
    # --- no offer: status updates and small talk --------------------------------------------------
    ("call went well", None, None),
    ("they seemed really engaged on the demo today 🎉", None, None),
    ("still waiting on legal to get back to us", None, None),
    ("champion is out on PTO until monday", None, None),
    ("sent the deck over, fingers crossed", None, None),
    ("good convo with their CTO, she's bought in", None, None),
    ("anyone know who owns the Acme account on the CS side?", None, None),
    ("thanks for the help earlier!", None, None),
    ("moving this to stage 3", None, None),
    ("security questionnaire done ✅", None, None),
    ("they went dark again", None, None),
    # --- no offer: scheduling, dates and times ----------------------------------------------------
    ("meeting at 3pm", None, None),
    ("Follow up call booked for Tues 10:30am EST", None, None),
    ("they want to reconvene on the 14th", None, None),
    ("contract start date would be 1/1/2026", None, None),
    ("demo moved to thursday 2pm, 45 min slot", None, None),
    ("their fiscal year ends june 30", None, None),
    # --- no offer: numbers that are not offers ----------------------------------------------------
    ("they have 250 employees", None, None),
    ("their churn is 5%", None, None),
    ("Q3 budget cycle", None, None),
    ("they're planning to roll out to 1,200 users across 3 regions", None, None),
    ("their current vendor costs them about 140k a year", None, None),
    ("revenue grew 30% yoy, they're hiring fast", None, None),
    ("list on this one is $120,000", None, None),
    ("I'd say we're at 70% likelihood to close", None, None),
    ("they process about 2.5m transactions a month", None, None),
    ("budget gets approved in Q4, decision by end of october", None, None),
    ("40 people on the eng team, 12 in ops", None, None),
    ("support tickets down 15 percent since the pilot started", None, None),
    ("they raised a €20m series B last month", None, None),
    ("uptime requirement is 99.9%", None, None),
    # --- no offer: product and process questions --------------------------------------------------
    ("do we support SAML on the starter tier?", None, None),
    ("is the free trial still 14 days?", None, None),
    ("what's our data residency story for the EU?", None, None),
    ("can someone from SE join the technical deep dive?", None, None),
    ("they asked about our SOC 2 report", None, None),
    ("does the API have rate limits above 1000 req/min?", None, None),
    ("legal is reviewing the MSA redlines", None, None),
    ("they want a reference customer in healthcare", None, None),
]
