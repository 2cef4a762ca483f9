"""What the sandbox answers: SALESmanago's answer shape and its error texts."""

from dataclasses import dataclass

from .rules import MAX_DETAIL_VALUE

# Confirmed by SALESmanago's PHP SDK (src/Exception/ExceptionCodeResolver.php, which also knows
# "User not authenticated"; no public source says which call answers that one, so none does here).
NOT_AUTHENTICATED = "Not authenticated"
# NOT confirmed by any public source: plausible words only. Nothing may depend on them; tests
# check that such an answer is a failure, not what it says.
API_KEY_MISSING = "Api key not specified"
REQUEST_TIME_MISSING = "Not authenticated, requestTime not specified"
WRONG_CLIENT_ID = "Authorization failed. Wrong clientId"
OWNER_MISSING = "Not authenticated, not owner specified"
OWNER_INVALID = "Not authenticated, invalid owner"
UNKNOWN_METHOD = "Unknown API method"
INVALID_JSON = "Invalid JSON request"
EMAIL_MISSING = "Contact email not specified"
CONTACT_NOT_FOUND = "Contact not found"
BATCH_MISSING = "upsertDetails not specified"
PROPERTIES_NOT_OBJECT = "properties must be a JSON object"
VALUE_TOO_LONG = f"Detail value longer than {MAX_DETAIL_VALUE} characters"


@dataclass
class Answer:
    status: int
    body: object  # a dict for JSON, or str for a raw text body
    drop: bool = False  # close the connection without answering


def failure(message, status=200):
    """SALESmanago's failure shape: HTTP 200, ``success`` false, ``message`` a list of strings."""
    return Answer(status, {"success": False, "message": [message]})
