"""Typed data carried through Slack in `private_metadata` and button values, as small JSON models."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.domain.errors import InputError


class Metadata(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def dump(self) -> str:
        return self.model_dump_json()

    @classmethod
    def load(cls, raw: str | None) -> Self:
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError as exc:
            raise InputError("This form is out of date; please open it again.") from exc


class AlertRef(Metadata):
    """Which alert a manager's button decides: the deal and the ledger entry that set it off."""

    deal_id: int
    seq: int


class DealRefValue(Metadata):
    """A button about one deal."""

    deal_id: int


class ProposalValue(Metadata):
    """A proposal's buttons carry the deal, the message's words and the concession as the command reads it."""

    deal_id: int
    text: str
    concession: str


class NewDealForm(Metadata):
    """The `/deal new` modal remembers where it was opened, so the card goes to that channel."""

    channel_id: str
