"""The pure domain: money, deals and their ledger, the walk-away rules. Standard library only."""
