"""Typed data carried through Slack in `private_metadata` and button values, as small JSON models."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.domain.errors import InputError

# What the database can hold: ids and sequence numbers are its INTEGER; a channel is a short Slack id.
DealId = Annotated[int, Field(ge=1, le=2**31 - 1)]
Seq = Annotated[int, Field(ge=1, le=2**31 - 1)]
ChannelId = Annotated[str, Field(max_length=24, pattern=r"^[!-~]*$")]  # printable ASCII, no spaces
MAX_VALUE_CHARS = 2000  # a button's value holds 2,000 characters; private_metadata 3,000


class Metadata(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def dump(self) -> str:
        return self.model_dump_json()

    @classmethod
    def load(cls, raw: str | None) -> Self:
        if not isinstance(raw, str) or len(raw) > 3000:
            raise InputError("This form is out of date; please open it again.")
        try:
            return cls.model_validate_json(raw or "")
        except ValidationError as exc:
            raise InputError("This form is out of date; please open it again.") from exc


class AlertRef(Metadata):
    """Which alert a manager's button decides: the deal and the ledger entry that set it off."""

    deal_id: DealId
    seq: Seq


class DealRefValue(Metadata):
    """A button about one deal."""

    deal_id: DealId


class ProposalValue(Metadata):
    """A proposal's buttons carry the deal, the message's words and the concession as the command reads it."""

    deal_id: DealId
    text: str = Field(max_length=MAX_VALUE_CHARS)
    concession: str = Field(max_length=MAX_VALUE_CHARS)
    message: str = Field(default="", max_length=40)  # the message's ts: either button logs it once


class WorthForm(Metadata):
    """The "Set its worth" button and its form: which give of which deal, and where the answer goes."""

    deal_id: DealId
    number: Annotated[int, Field(ge=1, le=100_000)]  # the give as the ledger numbers them (1, 2, 3…)
    item: str = Field(default="", max_length=200)
    channel_id: ChannelId = ""


class NewDealForm(Metadata):
    """The `/deal new` modal remembers where it was opened, so the card goes to that channel."""

    channel_id: ChannelId
