"""What a failed cloud call means to the person who asked: the cloud SDK's errors, in words.

Kept beside the tools (which make the calls) so the agent never needs to know which cloud SDK
raised; it asks here and gets a sentence, or None for an error that is not the cloud's.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError


def cloud_error_message(exc: BaseException) -> str | None:
    """A user-facing sentence for a cloud API failure; None when `exc` is not one."""
    if isinstance(exc, EndpointConnectionError):
        return (
            f"cannot reach the cloud API ({exc.kwargs.get('endpoint_url', '?')}); "
            "for the demo, `cloudpilot sandbox status` tells whether the sandbox runs"
        )
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"the cloud API refused: {err.get('Code', '?')}: {err.get('Message', '')}".strip()
    if isinstance(exc, BotoCoreError):
        return f"cloud API error: {exc}"
    return None
