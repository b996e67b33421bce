"""What an account-region sent: the one record per send (`SentMessage`, newest
`sent_log_limit` kept, outside any saved state), and the message machines kept for
PutMessageFeedback. Nothing leaves the machine: tests read this to see what would have been
sent."""

from __future__ import annotations

from collections import OrderedDict, deque

from .lifecycle import Message
from .send import SentMessage

DEFAULT_SENT_LOG = 10_000  # sends kept in the sent log per account and region
MESSAGES_KEPT = 100_000  # message machines kept per account and region, for PutMessageFeedback


class SentLog:
    def __init__(self, limit: int = DEFAULT_SENT_LOG):
        self.records: deque[SentMessage] = deque(maxlen=limit)
        self.messages: OrderedDict[str, Message] = OrderedDict()

    def append(self, sent: SentMessage) -> None:
        self.records.append(sent)

    def keep(self, message: Message) -> None:
        """A message on the clock, kept for PutMessageFeedback (the newest MESSAGES_KEPT)."""
        self.messages[message.message_id] = message
        while len(self.messages) > MESSAGES_KEPT:
            self.messages.popitem(last=False)

    def message(self, message_id: str) -> Message | None:
        return self.messages.get(message_id)

    def as_dicts(self) -> list[dict]:
        return [sent.as_dict() for sent in self.records]
